"""Shared fixtures: the repository root and the command line binary the results are checked
against (built by ``cargo build --release`` when missing)."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli() -> Path:
    exe = ROOT / "target" / "release" / "ovation"
    if not exe.is_file():
        subprocess.run(
            ["cargo", "build", "--release", "--bin", "ovation"], cwd=ROOT, check=True
        )
    return exe


def run_cli(cli: Path, *args: str) -> subprocess.CompletedProcess:
    """Runs the command line from the repository root (scenarios name ``../shared`` and
    ``data/`` relative to it)."""
    return subprocess.run(
        [str(cli), *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
