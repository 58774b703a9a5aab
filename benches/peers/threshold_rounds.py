#!/usr/bin/env python3
"""The `threshold` group's four 10^6-node cells in interleaved rounds: the C loop (`incr`, and
`sweep` on the BA top-0.1% cell where it is the faster one) beside `ovation bench peer` on 1 and
2 threads, medians of 5 repetitions per round, ratios to the better C loop (cascade_s, as the
harness). Paths: B is the harness's build/ folder (made by run.sh), OV the ovation binary; edit
them or set OVATION_BUILD / OVATION."""
import json, os, statistics, subprocess
B = os.environ.get("OVATION_BUILD", os.path.join(os.path.dirname(os.path.abspath(__file__)), "build"))
OV = os.environ.get("OVATION", "ovation")
cells = [("ba", "phi0.18-top0.1pc"), ("ba", "phiU-rand1pc"), ("er", "phi0.18-top0.1pc"), ("er", "phiU-rand1pc")]
def recs(cmd, env=None):
    out = subprocess.run(cmd, cwd=B, capture_output=True, text=True, check=True, env=env).stdout
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")]
def med(rs):
    return statistics.median(r["cascade_s"] for r in rs)
res = {}
for rnd in range(3):
    for g, c in cells:
        args = [f"{g}_1000000.txt", f"{g}_1000000.{c}.phi", f"{g}_1000000.{c}.seeds"]
        incr = med(recs(["./threshold", *args, "incr", "5"]))
        best = incr
        if (g, c) == ("ba", "phi0.18-top0.1pc"):
            best = min(best, med(recs(["./threshold", *args, "sweep", "3"])))
        o = {}
        for t in (1, 2):
            env = dict(os.environ, RAYON_NUM_THREADS=str(t))
            o[t] = med(recs([OV, "bench", "peer", *args, "--reps", "5", "--threads", str(t)], env))
        load = open("/proc/loadavg").read().split()[0]
        print(f"round {rnd} load {load} {g} {c}: better C {best:.4f}s, ovation 1t {o[1]:.4f}s ({o[1]/best:.2f}x), 2t {o[2]:.4f}s ({o[2]/best:.2f}x)", flush=True)
        res.setdefault((g, c), []).append((o[1] / best, o[2] / best))
for k, v in res.items():
    print(k, "median 1t", round(statistics.median(x[0] for x in v), 2), "2t", round(statistics.median(x[1] for x in v), 2))
