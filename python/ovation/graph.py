"""Follower graphs from Python: load an edge list or an ``.ovg`` cache and describe it as
``ovation graph stats`` does."""

from __future__ import annotations

import json
import os
from typing import Any, Union

from . import _native
from ._native import Graph

__all__ = ["Graph", "load", "stats"]


def load(
    path: Union[str, "os.PathLike[str]"],
    follows: str = "second-follows-first",
    ids: str = "auto",
    header: bool = False,
    weighted: bool = False,
) -> Graph:
    """Loads a graph: an ``.ovg`` cache, or an edge list where a line ``a b`` means, by
    ``follows``: ``second-follows-first`` (b follows a), ``first-follows-second`` or
    ``mutual``."""
    return _native.load_graph(
        os.fspath(path), follows=follows, ids=ids, header=header, weighted=weighted
    )


def stats(graph: Union[Graph, str, "os.PathLike[str]"], **load_options: Any) -> dict:
    """``ovation graph stats --json`` of a graph (or of the file at a path, loaded with
    ``load_options``), as a dict."""
    if not isinstance(graph, Graph):
        graph = load(graph, **load_options)
    return json.loads(graph.stats_json())
