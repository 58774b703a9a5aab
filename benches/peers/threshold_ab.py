#!/usr/bin/env python3
"""The `threshold` group's four 10^6-node cells, A/B: the C loop (`incr`, and `sweep` on the BA
top-0.1% cell) beside several ovation binaries (say main's and a branch's) on 1 and 2 threads, in
interleaved rounds, medians of 5 repetitions per run, ratios to the better C loop.

    python3 threshold_ab.py ROUNDS NAME=BINARY[:ENV=VALUE...] ...
    e.g. python3 threshold_ab.py 5 base=/tmp/ovation-main new=target/release/ovation

Every run is started under `chrt -f 10` (SCHED_FIFO; needs root), so that on a machine shared
with compilers the timed process is not time-sliced (caches and memory stay shared: say the
load with every figure). IDLE=P waits before each cell until the CPUs were P% idle over a second
(default 0: no wait); CELLS=0,3 picks cells. Inputs: the harness's build/ folder (run.sh)."""
import json, os, statistics, subprocess, sys, time
B = os.environ.get("OVATION_BUILD", os.path.join(os.path.dirname(os.path.abspath(__file__)), "build"))
variants = []
for a in sys.argv[2:]:
    name, rest = a.split("=", 1)
    parts = rest.split(":")
    env = dict(p.split("=", 1) for p in parts[1:])
    variants.append((name, os.path.abspath(parts[0]), env))
rounds = int(sys.argv[1])
IDLE = float(os.environ.get("IDLE", "0"))
cells = [("ba", "phi0.18-top0.1pc"), ("ba", "phiU-rand1pc"), ("er", "phi0.18-top0.1pc"), ("er", "phiU-rand1pc")]
only = os.environ.get("CELLS")
if only:
    cells = [cells[int(i)] for i in only.split(",")]
def stat():
    f = open("/proc/stat").readline().split()[1:]
    v = list(map(int, f)); return sum(v), v[3] + v[4]
def idle(dt=1.0):
    t0, i0 = stat(); time.sleep(dt); t1, i1 = stat()
    return 100.0 * (i1 - i0) / max(1, t1 - t0)
def recs(cmd, env=None):
    out = subprocess.run(cmd, cwd=B, capture_output=True, text=True, check=True, env=env).stdout
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")]
def med(rs):
    return statistics.median(r["cascade_s"] for r in rs)
res = {}
for rnd in range(rounds):
    for g, c in cells:
        while True:
            q = idle()
            if q >= IDLE: break
            time.sleep(3)
        args = [f"{g}_1000000.txt", f"{g}_1000000.{c}.phi", f"{g}_1000000.{c}.seeds"]
        l0 = open("/proc/loadavg").read().split()[0]
        t0, i0 = stat()
        best = med(recs(["chrt", "-f", "10", "./threshold", *args, "incr", "5"]))
        if (g, c) == ("ba", "phi0.18-top0.1pc"):
            best = min(best, med(recs(["chrt", "-f", "10", "./threshold", *args, "sweep", "3"])))
        line = f"r{rnd} {time.strftime('%H:%M:%S')} idle-before {q:.0f}% load {l0} {g} {c[:6]}: C {best*1e3:.1f}ms"
        for name, binary, venv in variants:
            for t in (1, 2):
                env = dict(os.environ, RAYON_NUM_THREADS=str(t), **venv)
                s = med(recs(["chrt", "-f", "10", binary, "bench", "peer", *args, "--reps", "5", "--threads", str(t)], env))
                res.setdefault((g, c, name, t), []).append(s / best)
                line += f" | {name}{t}t {s*1e3:.1f} {s/best:.2f}x"
        t1, i1 = stat()
        busy = 100.0 - 100.0 * (i1 - i0) / max(1, t1 - t0)
        print(line + f" | CPUs busy during {busy:.0f}%", flush=True)
print("medians (ratio to C):")
for (g, c, name, t), v in res.items():
    print(f"{g} {c} {name} {t}t median {statistics.median(v):.2f} n {len(v)} all {' '.join(f'{x:.2f}' for x in v)}", flush=True)
