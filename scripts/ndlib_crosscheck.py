#!/usr/bin/env python3
"""Cross-check ovation's `threshold` and `independent_cascade` rules against NDlib.

NDlib (Rossetti et al., "NDlib: a python library to model and analyze diffusion processes
over complex networks", Int. J. Data Sci. Anal. 5, 2018) is an independent implementation of
both models. This script:

1. exports the ego-Twitter 12831 follower graph with ovation (`u v` = v follows u, original
   ids, renumbered here as ovation does: ascending original id), and builds the same directed
   graph in networkx (edge u -> v);
2. draws per-agent fractional thresholds phi_v ~ U(0, 0.5) and 8 seeds with Python's
   `random.Random(2026)`, and writes them into ovation scenarios (`phi = [...]`,
   `[seeding] method = "nodes"`), so both sides get the same inputs;
3. threshold (deterministic): runs ovation once and NDlib's ThresholdModel once, and compares
   the number of active agents after every step, exactly;
4. independent cascade (random): runs R replicates on each side with p = 0.05 on every edge
   and the same seeds, and compares the distributions of the final number of agents ever
   activated: means with a Welch z statistic, and a two-sample Kolmogorov-Smirnov test.

NDlib's definitions (read in its source, ndlib/models/epidemics/ThresholdModel.py and
IndependentCascadesModel.py, printed by this script from the installed package):
- ThresholdModel: a susceptible node u looks at `predecessors(u)` when the graph is directed
  (our sources: edges p -> u), computes infected/len and becomes infected when the ratio is
  `>=` its threshold; synchronous (reads the previous iteration's statuses).
- IndependentCascadesModel: a node infected in the previous iteration tries each susceptible
  `successor` (our followers) once, succeeding when a uniform draw is `<=` the edge's
  `threshold` attribute (default 0.1, so we set every edge's attribute to p), then becomes
  "removed". Final adopters = infected + removed.

Usage (not part of `cargo test`; needs PyPI):
    python3 scripts/ndlib_crosscheck.py [--replicates 2000] [--out results/validation/ndlib]
It creates a throwaway virtual environment `ndlib-venv` in the system temporary folder
(`tempfile.gettempdir()`; pip install ndlib networkx)
and re-runs itself inside it. Writes OUT/output.txt (everything printed) and OUT/raw.json.
"""

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile

VENV = os.path.join(tempfile.gettempdir(), "ndlib-venv")
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRAPH = os.path.join(REPO, "data", "ego-twitter-12831.txt.gz")
OVATION = os.path.join(REPO, "target", "release", "ovation")


def ensure_venv():
    """Re-executes this script inside the venv (created on first use)."""
    if os.environ.get("NDLIB_CROSSCHECK_IN_VENV") == "1":
        return
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    subprocess.run([py, "-m", "pip", "install", "-q", "ndlib", "networkx", "six", "future"], check=True)
    env = dict(os.environ, NDLIB_CROSSCHECK_IN_VENV="1")
    os.execve(py, [py, os.path.abspath(__file__)] + sys.argv[1:], env)


def ovation_edges():
    """The graph as ovation reads it: (n, [(u, v)]) in dense ids, u -> v = v follows u."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "g.tsv")
        subprocess.run(
            [OVATION, "graph", "export", "--format", "edgelist",
             "--follows", "first-follows-second", GRAPH, "-o", out, "--force"],
            check=True, capture_output=True)
        edges = []
        n = None
        with open(out) as f:
            for line in f:
                if line.startswith("# ovation follower graph:"):
                    n = int(line.split(":")[1].split("nodes")[0])
                if line.startswith("#") or not line.strip():
                    continue
                u, v = line.split()
                edges.append((int(u), int(v)))
    # The export writes the original ids; ovation numbers integer ids densely in ascending
    # order of original id (data/README.md, `--ids integer`), so dense id = rank.
    labels = sorted({x for e in edges for x in e})
    assert len(labels) == n, (len(labels), n)
    rank = {x: i for i, x in enumerate(labels)}
    return n, [(rank[u], rank[v]) for (u, v) in edges]


def scenario(name, model, seeds, replicates):
    return f"""name = "{name}"
seed = 7
replicates = {replicates}
steps = 1000
stop_at_fixed_point = true

[graph]
file = "{GRAPH}"
follows = "first-follows-second"

[[population]]
name = "accounts"

[model]
{model}

[seeding]
method = "nodes"
nodes = {json.dumps(seeds)}

[timing]
scheme = "synchronous"
"""


def run_ovation(text, tmp, tag):
    path = os.path.join(tmp, f"{tag}.toml")
    with open(path, "w") as f:
        f.write(text)
    out = os.path.join(tmp, tag)
    subprocess.run([OVATION, "run", path, "--out", out, "--force", "-q"], check=True)
    return out


def read_csv(path):
    with open(path) as f:
        head = f.readline().strip().split(",")
        return [dict(zip(head, line.strip().split(","))) for line in f if line.strip()]


def ks_2samp(a, b):
    """Two-sample KS statistic and asymptotic p-value (Kolmogorov distribution)."""
    a, b = sorted(a), sorted(b)
    i = j = 0
    d = 0.0
    while i < len(a) and j < len(b):
        x = min(a[i], b[j])
        while i < len(a) and a[i] == x:
            i += 1
        while j < len(b) and b[j] == x:
            j += 1
        d = max(d, abs(i / len(a) - j / len(b)))
    ne = len(a) * len(b) / (len(a) + len(b))
    lam = (math.sqrt(ne) + 0.12 + 0.11 / math.sqrt(ne)) * d
    p = 2 * sum((-1) ** (k - 1) * math.exp(-2 * k * k * lam * lam) for k in range(1, 101))
    return d, max(0.0, min(1.0, p))


def mean_se(xs):
    m = sum(xs) / len(xs)
    var = sum((x - m) ** 2 for x in xs) / (len(xs) - 1)
    return m, math.sqrt(var / len(xs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicates", type=int, default=2000)
    ap.add_argument("--out", default=os.path.join(REPO, "results", "validation", "ndlib"))
    args = ap.parse_args()
    ensure_venv()

    import networkx as nx
    import ndlib
    import ndlib.models.ModelConfig as mc
    import ndlib.models.epidemics as ep
    import inspect

    lines = []

    def say(s=""):
        print(s)
        lines.append(s)

    if not os.path.exists(OVATION):
        subprocess.run(["cargo", "build", "--release"], cwd=REPO, check=True)
    version = subprocess.run([OVATION, "--version"], capture_output=True, text=True).stdout.strip()
    say(f"ovation: {version}; ndlib {getattr(ndlib, '__version__', '?')}; networkx {nx.__version__}")
    n, edges = ovation_edges()
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    say(f"graph: ego-Twitter 12831, {n} nodes, {len(edges)} edges (u -> v: v follows u)")

    rng = random.Random(2026)
    phi = [round(rng.uniform(0.0, 0.5), 6) for _ in range(n)]
    seeds = sorted(rng.sample(range(n), 8))
    say(f"seeds: {seeds}")

    # Show NDlib's own rules, so the reader can check the reading above.
    for cls in (ep.ThresholdModel, ep.IndependentCascadesModel):
        src = inspect.getsource(cls.iteration)
        keep = [l for l in src.splitlines()
                if any(w in l for w in ("neighbors", "predecessors", "successors", ">=", "<=", "threshold"))]
        say(f"\n{cls.__name__}.iteration, lines that decide:")
        for l in keep:
            say("    " + l.strip())

    raw = {"n": n, "seeds": seeds, "phi": phi}
    with tempfile.TemporaryDirectory() as tmp:
        # --- threshold: deterministic, compare every step exactly ---
        text = scenario("ndlib-threshold", f"rule = \"threshold\"\nphi = {json.dumps(phi)}", seeds, 1)
        out = run_ovation(text, tmp, "threshold")
        steps = read_csv(os.path.join(out, "steps.csv"))
        # steps.csv is long: replicate,step,measure,value.
        rows = [r for r in steps if r["replicate"] == "0" and r["measure"] == "standing"]
        rows.sort(key=lambda r: int(r["step"]))
        ov_curve = [round(float(r["value"]) * n) for r in rows]
        model = ep.ThresholdModel(g, seed=1)
        cfg = mc.Configuration()
        cfg.add_model_initial_configuration("Infected", seeds)
        for v in range(n):
            cfg.add_node_configuration("threshold", v, phi[v])
        model.set_initial_status(cfg)
        nd_curve = []
        active = 0
        for it in model.iteration_bunch(1000, node_status=False):
            active = it["node_count"].get(1, 0)
            nd_curve.append(active)
            if it["iteration"] > 0 and it["status_delta"].get(1, 0) == 0:
                nd_curve.pop()  # the step that changed nothing (ovation does not record it)
                break
        raw["threshold"] = {"ovation": ov_curve, "ndlib": nd_curve}
        say("\nthreshold (phi_v ~ U(0, 0.5), fixed): active agents after each step")
        say(f"  ovation: {ov_curve}")
        say(f"  ndlib:   {nd_curve}")
        same = ov_curve == nd_curve
        say(f"  identical: {same}")

        # --- independent cascade: compare distributions ---
        p = 0.05
        r = args.replicates
        text = scenario("ndlib-ic", f"rule = \"independent_cascade\"\nprobability = {p}", seeds, r)
        out = run_ovation(text, tmp, "ic")
        ov = [round(float(row["final_standing"]) * n) for row in read_csv(os.path.join(out, "summary.csv"))]
        nd = []
        for i in range(r):
            model = ep.IndependentCascadesModel(g, seed=10_000 + i)
            cfg = mc.Configuration()
            cfg.add_model_initial_configuration("Infected", seeds)
            for (u, v) in edges:
                cfg.add_edge_configuration("threshold", (u, v), p)
            model.set_initial_status(cfg)
            last = None
            for it in model.iteration_bunch(1000, node_status=False):
                last = it
                if it["node_count"].get(1, 0) == 0 and it["iteration"] > 0:
                    break
            counts = last["node_count"]
            nd.append(counts.get(1, 0) + counts.get(2, 0))
        raw["independent_cascade"] = {"p": p, "ovation": ov, "ndlib": nd}
        (mo, so), (mn, sn) = mean_se(ov), mean_se(nd)
        z = (mo - mn) / math.sqrt(so * so + sn * sn)
        d, pv = ks_2samp(ov, nd)
        say(f"\nindependent cascade, p = {p}, {r} replicates each: final agents ever activated")
        say(f"  ovation: mean {mo:.3f} (SE {so:.3f}), min {min(ov)}, max {max(ov)}")
        say(f"  ndlib:   mean {mn:.3f} (SE {sn:.3f}), min {min(nd)}, max {max(nd)}")
        say(f"  difference of means: {mo - mn:+.3f}, Welch z = {z:+.2f}")
        say(f"  two-sample Kolmogorov-Smirnov: D = {d:.4f}, p = {pv:.3f}")

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "output.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(args.out, "raw.json"), "w") as f:
        json.dump(raw, f)


if __name__ == "__main__":
    main()
