"""Shared fixtures: the repository root and the command line binary the results are checked
against: `OVATION` when set, else the one ``cargo build --release`` builds (cargo is asked where
it put it, so ``CARGO_TARGET_DIR`` and ``build.target-dir`` are honoured)."""

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli() -> Path:
    if os.environ.get("OVATION"):
        return Path(os.environ["OVATION"])
    out = subprocess.run(
        ["cargo", "build", "--release", "--bin", "ovation", "--message-format=json"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if (
            msg.get("reason") == "compiler-artifact"
            and msg.get("executable")
            and msg["target"]["name"] == "ovation"
        ):
            return Path(msg["executable"])
    raise RuntimeError("cargo build --release reported no ovation binary")


def run_cli(cli: Path, *args: str) -> subprocess.CompletedProcess:
    """Runs the command line from the repository root (scenarios name ``../shared`` and
    ``data/`` relative to it)."""
    return subprocess.run(
        [str(cli), *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
