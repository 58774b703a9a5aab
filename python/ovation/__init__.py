"""ovation from Python: run, sweep and compare scenarios of the Standing Ovation Problem (and the
other cascade rules) on follower graphs, and get the results as pandas DataFrames.

    >>> import ovation
    >>> r = ovation.run("scenarios/standing-ovation.toml", set={"model.quality": 0.6}, threads=2)
    >>> r.summary.final_standing.mean()

A scenario is a path to a TOML file or a dict of its tables. ``set`` overrides keys as the
command line's ``--set`` does. The simulation runs in Rust with the GIL released, on ``threads``
worker threads (default: all cores); results are identical for any thread count. Ctrl-C stops a
job between replicates. Errors raise :class:`OvationError` with the command line's text
(``file:line:col: key: expected ...``).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Mapping, Optional, Union

import pandas as pd

from . import _native, graph
from ._native import OvationError

__all__ = [
    "OvationError",
    "RunResult",
    "SweepResult",
    "CompareResult",
    "run",
    "sweep",
    "compare",
    "graph",
    "__version__",
]
__version__: str = _native.__version__

Scenario = Union[str, "os.PathLike[str]", Mapping[str, Any]]


def _scenario(scenario: Scenario) -> Any:
    if isinstance(scenario, Mapping):
        return dict(scenario)
    return os.fspath(scenario)


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text)) if text else pd.DataFrame()


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path) if path.is_file() else pd.DataFrame()


class RunResult:
    """The result of :func:`run`: the command line's ``summary.csv``, ``steps.csv`` and
    ``classes.csv`` (tidy: replicate, class, measure, value) and ``agents.csv`` (one row per
    replicate and agent; an empty DataFrame unless the scenario sets ``output.agents``) as
    DataFrames, ``stats.json`` and ``manifest.json`` as dicts, and the folder (None when the
    results were kept in memory)."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.name: str = raw["name"]
        self.summary: pd.DataFrame = _csv(raw["summary"])
        self.steps: pd.DataFrame = _csv(raw["steps"])
        self.classes: pd.DataFrame = _csv(raw["classes"])
        self.agents: pd.DataFrame = _csv(raw["agents"])
        self.stats: dict = json.loads(raw["stats"])
        self.manifest: dict = json.loads(raw["manifest"])
        folder = raw["folder"]
        self.folder: Optional[Path] = Path(folder) if folder is not None else None

    def __repr__(self) -> str:
        return f"RunResult({self.name!r}, replicates={len(self.summary)})"


class SweepResult:
    """The result of :func:`sweep`: ``sweep.csv`` (one row per cell and replicate),
    ``cells.csv`` (one row per cell and measure) and ``sweep_steps.csv`` as DataFrames, the
    manifest as a dict, and notes about plots that could not be drawn."""

    def __init__(self, folder: Path, notes: list, keep: bool) -> None:
        self.sweep: pd.DataFrame = _read_csv(folder / "sweep.csv")
        self.cells: pd.DataFrame = _read_csv(folder / "cells.csv")
        self.steps: pd.DataFrame = _read_csv(folder / "sweep_steps.csv")
        self.manifest: dict = json.loads((folder / "manifest.json").read_text())
        self.notes: list = list(notes)
        self.folder: Optional[Path] = folder if keep else None

    def __repr__(self) -> str:
        return f"SweepResult(cells={len(self.manifest.get('cells', []))})"


class CompareResult:
    """The result of :func:`compare`: ``compare.csv`` (one row per strategy and replicate),
    ``strategies.csv``, ``differences.csv`` (paired differences from the baseline) as
    DataFrames, ``stats.json`` as a dict and the headline sentence."""

    def __init__(self, folder: Path, headline: str, keep: bool) -> None:
        self.runs: pd.DataFrame = _read_csv(folder / "compare.csv")
        self.strategies: pd.DataFrame = _read_csv(folder / "strategies.csv")
        self.differences: pd.DataFrame = _read_csv(folder / "differences.csv")
        self.stats: dict = json.loads((folder / "stats.json").read_text())
        self.headline: str = headline
        self.folder: Optional[Path] = folder if keep else None

    def __repr__(self) -> str:
        return f"CompareResult({self.headline!r})"


def run(
    scenario: Scenario,
    set: Optional[Mapping[str, Any]] = None,
    threads: Optional[int] = None,
    out: Union[str, "os.PathLike[str]", None] = None,
    force: bool = False,
    resume: bool = False,
    memory_limit: Optional[int] = None,
) -> RunResult:
    """Runs a scenario's replicates. With ``out`` the result folder is written as ``ovation run
    --out`` writes it (``force`` replaces one, ``resume`` finishes an interrupted one); without,
    nothing is written. ``memory_limit`` (bytes) refuses a scenario estimated above it."""
    raw = _native.run(
        _scenario(scenario),
        set=dict(set) if set else None,
        threads=threads,
        out=os.fspath(out) if out is not None else None,
        force=force,
        resume=resume,
        memory_limit=memory_limit,
    )
    return RunResult(raw)


def _folder_job(kind: str, scenario: Scenario, out: Any, keep_call: Any) -> Any:
    if out is not None:
        return keep_call(os.fspath(out), True)
    with tempfile.TemporaryDirectory(prefix=f"ovation-{kind}-") as tmp:
        return keep_call(os.path.join(tmp, kind), False)


def sweep(
    scenario: Scenario,
    set: Optional[Mapping[str, Any]] = None,
    threads: Optional[int] = None,
    out: Union[str, "os.PathLike[str]", None] = None,
    force: bool = False,
    resume: bool = False,
    memory_limit: Optional[int] = None,
) -> SweepResult:
    """Runs every cell of a scenario's ``[sweep]`` table. The sweep folder is written to ``out``
    (as ``ovation sweep --out``), or to a temporary folder removed once its tables are read."""

    def call(folder: str, keep: bool) -> SweepResult:
        raw = _native.sweep(
            _scenario(scenario),
            folder,
            set=dict(set) if set else None,
            threads=threads,
            force=force,
            resume=resume,
            memory_limit=memory_limit,
        )
        return SweepResult(Path(raw["folder"]), raw["notes"], keep)

    return _folder_job("sweep", scenario, out, call)


def compare(
    scenario: Scenario,
    set: Optional[Mapping[str, Any]] = None,
    threads: Optional[int] = None,
    out: Union[str, "os.PathLike[str]", None] = None,
    force: bool = False,
    resume: bool = False,
    memory_limit: Optional[int] = None,
) -> CompareResult:
    """Runs a scenario's ``[strategies.<name>]`` under common random numbers. The comparison
    folder is written to ``out`` (as ``ovation compare --out``), or to a temporary folder
    removed once its tables are read."""

    def call(folder: str, keep: bool) -> CompareResult:
        raw = _native.compare(
            _scenario(scenario),
            folder,
            set=dict(set) if set else None,
            threads=threads,
            force=force,
            resume=resume,
            memory_limit=memory_limit,
        )
        return CompareResult(Path(raw["folder"]), raw["headline"], keep)

    return _folder_job("compare", scenario, out, call)
