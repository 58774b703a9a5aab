"""Type stubs of ovation's Rust extension (``ovation._native``)."""

import os
from typing import Any, Mapping, Optional, Union

__version__: str

class OvationError(Exception):
    """A scenario, graph or job error, with the command line's text."""

class Graph:
    """A follower graph loaded from an edge list or an ``.ovg`` cache."""

    @property
    def nodes(self) -> int: ...
    @property
    def edges(self) -> int: ...
    @property
    def path(self) -> str: ...
    def stats_json(self) -> str: ...

def run(
    scenario: Union[str, Mapping[str, Any]],
    set: Optional[Mapping[str, Any]] = None,
    threads: Optional[int] = None,
    out: Optional[str] = None,
    force: bool = False,
    resume: bool = False,
    memory_limit: Optional[int] = None,
) -> dict: ...
def sweep(
    scenario: Union[str, Mapping[str, Any]],
    out: str,
    set: Optional[Mapping[str, Any]] = None,
    threads: Optional[int] = None,
    force: bool = False,
    resume: bool = False,
    memory_limit: Optional[int] = None,
) -> dict: ...
def compare(
    scenario: Union[str, Mapping[str, Any]],
    out: str,
    set: Optional[Mapping[str, Any]] = None,
    threads: Optional[int] = None,
    force: bool = False,
    resume: bool = False,
    memory_limit: Optional[int] = None,
) -> dict: ...
def load_graph(
    path: Union[str, "os.PathLike[str]"],
    follows: str = "second-follows-first",
    ids: str = "auto",
    header: bool = False,
    weighted: bool = False,
) -> Graph: ...
