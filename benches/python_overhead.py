"""Overhead of the Python call against the command line on the main scenario.

Times, alternately and `REPEATS` times each, on the same machine in one process:
  cli        `ovation run --quiet --out DIR scenarios/standing-ovation.toml` (a process: start,
             simulate, write every file, the plots and report.html)
  cli-noplot the same with `--set output.plots=false`
  py-folder  `ovation.run(path, out=DIR)` (writes the same folder, plots included)
  py-memory  `ovation.run(path)` (nothing written; the tables become DataFrames)
and prints the median and the quartiles of each, in milliseconds, as a Markdown table.

    python benches/python_overhead.py [REPEATS]     # from the repository root, package installed
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ovation

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "scenarios/standing-ovation.toml"
EXE = ROOT / "target" / "release" / "ovation"


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    os.chdir(ROOT)
    tmp = Path(tempfile.mkdtemp(prefix="ovation-overhead-"))
    times = {"cli": [], "cli-noplot": [], "py-folder": [], "py-memory": []}

    def cli(*extra: str) -> None:
        subprocess.run([str(EXE), "run", "--quiet", "--out", str(tmp / "c"), *extra, SCENARIO], check=True)

    jobs = {
        "cli": lambda: cli(),
        "cli-noplot": lambda: cli("--set", "output.plots=false"),
        "py-folder": lambda: ovation.run(SCENARIO, out=tmp / "c"),
        "py-memory": lambda: ovation.run(SCENARIO),
    }
    ovation.run(SCENARIO)  # warm the page cache and the thread pool
    for _ in range(repeats):
        for name, job in jobs.items():
            shutil.rmtree(tmp / "c", ignore_errors=True)
            start = time.perf_counter()
            job()
            times[name].append((time.perf_counter() - start) * 1000)
    shutil.rmtree(tmp)
    print(f"| call | median ms | quartiles ms |  ({repeats} runs each, {os.cpu_count()} cores)")
    print("|---|---|---|")
    for name, ts in times.items():
        q = statistics.quantiles(ts, n=4)
        print(f"| {name} | {statistics.median(ts):.1f} | {q[0]:.1f} - {q[2]:.1f} |")


if __name__ == "__main__":
    main()
