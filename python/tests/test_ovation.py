"""The Python package against the command line (issue 12, item 6): DataFrames equal the CLI's
CSV files, errors carry the CLI's text, sweep and compare work, results do not depend on the
thread count, the GIL is released while simulating and Ctrl-C stops a run."""

import json
import threading
import time

import pandas as pd
import pytest

import ovation
from conftest import ROOT, run_cli

SCENARIOS = ["standing-ovation", "karate-sop", "async-theater"]


@pytest.mark.parametrize("name", SCENARIOS)
def test_run_dataframes_equal_the_clis_files(cli, tmp_path, monkeypatch, name):
    out = tmp_path / "cli"
    path = f"scenarios/{name}.toml"
    done = run_cli(cli, "run", "--quiet", "--set", "model.quality=0.6", "--out", str(out), path)
    assert done.returncode == 0, done.stderr
    monkeypatch.chdir(ROOT)
    r = ovation.run(path, set={"model.quality": 0.6}, threads=2)
    assert r.folder is None
    pd.testing.assert_frame_equal(r.summary, pd.read_csv(out / "summary.csv"))
    pd.testing.assert_frame_equal(r.steps, pd.read_csv(out / "steps.csv"))
    pd.testing.assert_frame_equal(r.classes, pd.read_csv(out / "classes.csv"))
    assert r.stats == json.loads((out / "stats.json").read_text())
    assert r.manifest["overrides"] == ["model.quality=0.6"]
    assert len(r.summary) == r.manifest["replicates"]


AGENT_COLUMNS = [
    "replicate", "id", "label", "class", "followers", "action", "sentiment", "complained",
    "answered", "seeded",
]


def test_agents_and_classes_load_with_sensible_types(cli, tmp_path, monkeypatch):
    # The shipped two-population scenario asks for agents.csv; r.agents equals the CLI's file,
    # and both tidy tables come out of read_csv typed, with no cleanup.
    out = tmp_path / "cli"
    path = "scenarios/two-populations.toml"
    done = run_cli(cli, "run", "--quiet", "--set", "replicates=2", "--out", str(out), path)
    assert done.returncode == 0, done.stderr
    monkeypatch.chdir(ROOT)
    r = ovation.run(path, set={"replicates": 2}, threads=2)
    a = r.agents
    pd.testing.assert_frame_equal(a, pd.read_csv(out / "agents.csv"))
    pd.testing.assert_frame_equal(r.classes, pd.read_csv(out / "classes.csv"))
    assert list(a.columns) == AGENT_COLUMNS
    assert len(a) == 2 * 2000
    for c in ["replicate", "id", "label", "followers"]:
        assert a[c].dtype.kind == "i", c
    assert a["complained"].dtype == bool and a["seeded"].dtype == bool
    assert pd.api.types.is_string_dtype(a["class"]) and set(a["action"]) <= {"sit", "stand", "boo"}
    # No sentiment rule and no brand: missing, not a made-up value.
    assert a["sentiment"].isna().all() and a["answered"].isna().all()
    assert (a[a.replicate == 0]["class"].value_counts().to_dict()) == {"fans": 1400, "critics": 600}
    c = r.classes
    assert list(c.columns) == ["replicate", "class", "measure", "value"]
    assert c["replicate"].dtype.kind == "i" and c["value"].dtype == float
    # A sentiment run with a care account: numbers and booleans, NA only where undefined.
    care = ovation.run(
        "scenarios/brand-response.toml", set={"replicates": 2, "output.agents": True}, threads=2
    ).agents
    assert care["sentiment"].dtype == float and care["sentiment"].isna().sum() == 2
    assert care["answered"].dtype == bool and care["answered"].any()
    assert (care["complained"] | ~care["answered"]).all()
    # Not asked for: empty.
    assert ovation.run("scenarios/karate-sop.toml", threads=1).agents.empty


def test_run_into_a_folder_writes_the_clis_files(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    r = ovation.run("scenarios/karate-sop.toml", out=tmp_path / "py", threads=2)
    done = run_cli(cli, "run", "--quiet", "--out", str(tmp_path / "cli"), "scenarios/karate-sop.toml")
    assert done.returncode == 0, done.stderr
    assert r.folder == tmp_path / "py"
    for f in ["summary.csv", "steps.csv", "stats.json"]:
        assert (tmp_path / "py" / f).read_bytes() == (tmp_path / "cli" / f).read_bytes(), f
    # A second run into the same folder is refused, as on the command line.
    with pytest.raises(ovation.OvationError, match="already exists and is not empty"):
        ovation.run("scenarios/karate-sop.toml", out=tmp_path / "py")


def test_one_and_two_threads_give_identical_results(monkeypatch):
    monkeypatch.chdir(ROOT)
    one = ovation.run("scenarios/standing-ovation.toml", threads=1)
    two = ovation.run("scenarios/standing-ovation.toml", threads=2)
    pd.testing.assert_frame_equal(one.summary, two.summary)
    pd.testing.assert_frame_equal(one.steps, two.steps)
    assert one.stats == two.stats


BAD = """name = "bad"
seed = 1
replicates = 2
steps = 5
[graph]
generator = "complete"
n = 10
[[population]]
[model]
rule = "sop"
quality = "high"
"""


def test_a_scenario_error_raises_the_clis_text(cli, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD)
    done = run_cli(cli, "run", "--quiet", "--out", str(tmp_path / "o"), str(path))
    assert done.returncode != 0
    cli_text = done.stderr.strip().removeprefix("ovation: ")
    assert cli_text.startswith(f"{path}:11:11: model.quality: expected"), cli_text
    with pytest.raises(ovation.OvationError) as err:
        ovation.run(path)
    assert str(err.value) == cli_text
    assert not (tmp_path / "o").exists()


def test_a_dict_scenario_runs_and_its_errors_name_the_dict(tmp_path):
    spec = {
        "name": "from-dict",
        "seed": 3,
        "replicates": 4,
        "steps": 10,
        "graph": {"generator": "erdos_renyi", "n": 200, "m": 800},
        "population": [{"noise": {"dist": "uniform", "low": -0.3, "high": 0.3}}],
        "model": {"rule": "sop", "quality": 0.5},
    }
    r = ovation.run(spec, threads=2)
    assert list(r.summary.replicate) == [0, 1, 2, 3]
    # The same scenario as a file gives the same numbers.
    text = run_text(spec)
    (tmp_path / "s.toml").write_text(text)
    f = ovation.run(tmp_path / "s.toml")
    pd.testing.assert_frame_equal(r.summary, f.summary)
    bad = dict(spec, model={"rule": "sop", "quality": "high"})
    with pytest.raises(ovation.OvationError, match=r"^<dict>:\d+:\d+: model.quality: expected"):
        ovation.run(bad)
    with pytest.raises(ovation.OvationError, match='^<dict>: --set model.quality="high": expected a number'):
        ovation.run(spec, set={"model.quality": "high"})


def run_text(spec):
    """The dict as a TOML file (the few shapes the test uses)."""
    lines = []
    tables = []

    def value(v):
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        return repr(v)

    for k, v in spec.items():
        if isinstance(v, dict):
            tables.append(f"[{k}]\n" + "\n".join(f"{a} = {value(b)}" for a, b in v.items()))
        elif isinstance(v, list):
            for item in v:
                tables.append(f"[[{k}]]\n" + "\n".join(f"{a} = {value(b)}" for a, b in item.items()))
        else:
            lines.append(f"{k} = {value(v)}")
    return "\n".join(lines) + "\n" + "\n".join(tables) + "\n"


def test_sweep_gives_the_clis_tables(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    s = ovation.sweep("scenarios/sweep-conformity.toml", threads=2)
    assert s.folder is None
    done = run_cli(cli, "sweep", "--quiet", "--out", str(tmp_path / "cli"), "scenarios/sweep-conformity.toml")
    assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(s.sweep, pd.read_csv(tmp_path / "cli" / "sweep.csv"))
    pd.testing.assert_frame_equal(s.cells, pd.read_csv(tmp_path / "cli" / "cells.csv"))
    cells = len(s.manifest["cells"])
    assert cells > 1 and s.sweep.cell.nunique() == cells


def test_compare_gives_the_clis_tables_and_headline(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    c = ovation.compare("scenarios/influencer-seeding.toml", out=tmp_path / "py", threads=2)
    done = run_cli(cli, "compare", "--out", str(tmp_path / "cli"), "scenarios/influencer-seeding.toml")
    assert done.returncode == 0, done.stderr
    assert c.headline in done.stdout
    for name, frame in [("compare.csv", c.runs), ("differences.csv", c.differences)]:
        pd.testing.assert_frame_equal(frame, pd.read_csv(tmp_path / "cli" / name))
    assert c.stats["headline"]["sentence"] == c.headline
    assert (tmp_path / "py" / "report.html").is_file()


def test_sweep_needs_a_sweep_table(monkeypatch):
    monkeypatch.chdir(ROOT)
    with pytest.raises(ovation.OvationError, match=r"scenarios/karate-sop.toml: no \[sweep\] table"):
        ovation.sweep("scenarios/karate-sop.toml")


def test_graph_stats_equal_the_clis(cli):
    path = ROOT / "data" / "karate.txt.gz"
    g = ovation.graph.load(path, follows="mutual")
    done = run_cli(cli, "graph", "stats", "--json", "--follows", "mutual", str(path))
    assert done.returncode == 0, done.stderr
    expected = json.loads(done.stdout)
    assert ovation.graph.stats(g) == expected
    assert (g.nodes, g.edges) == (expected["nodes"], expected["edges"]) == (34, 156)
    with pytest.raises(ovation.OvationError, match="follows: expected"):
        ovation.graph.load(path, follows="sideways")


def test_the_gil_is_released_while_simulating(monkeypatch):
    """A Python thread keeps running while a run simulates on one worker thread."""
    monkeypatch.chdir(ROOT)
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.005)

    t = threading.Thread(target=tick)
    t.start()
    start = time.perf_counter()
    ovation.run("scenarios/standing-ovation.toml", set={"replicates": 3000}, threads=1)
    end = time.perf_counter()
    stop.set()
    t.join()
    during = [x for x in ticks if start < x < end]
    # Had the GIL been held, the ticker could not have run at all during the call.
    assert end - start > 0.2, "the run must last long enough to tell"
    assert len(during) >= 10, (len(during), end - start)


def test_ctrl_c_stops_a_run_between_replicates(tmp_path):
    """A real Ctrl-C (SIGINT) to a Python process running a long `ovation.run` stops it between
    replicates with KeyboardInterrupt and keeps the finished replicates. In a process of its
    own, sent once the run has written its first replicate (a fixed delay can miss the run on a
    loaded machine)."""
    import os
    import signal
    import subprocess
    import sys

    folder = tmp_path / "r"
    # Python installs its KeyboardInterrupt handler only when SIGINT is not ignored at start-up,
    # and a shell running this suite in the background (`.ci/run &`) ignores SIGINT for its
    # children: restore Python's default handler, as an interactive session has it.
    script = (
        "import signal, sys, ovation\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "try:\n"
        "    ovation.run('scenarios/standing-ovation.toml', set={'replicates': 200000},\n"
        "                threads=1, out=sys.argv[1])\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted'); sys.exit(3)\n"
        "print('finished')\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(folder)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.perf_counter() + 120
    while not any((folder / "replicates").glob("*.json")):
        assert proc.poll() is None, proc.communicate()
        assert time.perf_counter() < deadline, "the run never wrote a replicate"
        time.sleep(0.01)
    sent = time.perf_counter()
    os.kill(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    stopped = time.perf_counter()
    assert proc.returncode == 3, (proc.returncode, out, err)
    assert "interrupted" in out
    kept = list((folder / "replicates").glob("*.json"))
    # Finished replicates are kept for resume; the 200000 would take minutes.
    assert 0 < len(kept) < 200000
    assert stopped - sent < 10, stopped - sent


def test_the_example_reproduces_the_comparison_and_plots_it(tmp_path):
    """examples/python/compare_seeding.py runs and writes a PNG."""
    import subprocess
    import sys

    png = tmp_path / "seeding.png"
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "python" / "compare_seeding.py"), str(png)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "compared with none" in done.stdout
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
