#!/usr/bin/env python3
"""The `sop` group's Mesa comparison in interleaved rounds, for several ovation binaries at once:
  benches/peers/sop_rounds.py N ROUNDS OVATION...
Each round runs `peers.py mesa` (3 repetitions; 1 at 10^5 agents and more) on build/ba_N.txt
and build/ba_N.act (made by run.sh, or `gen.py graph ba N` and `gen.py actions ... 0.5:7`), then
`ovation bench peer-sop ... --reps 5` with 1 and 2 threads for each binary, and prints the
medians and the ratio of agent updates per second (Mesa's time over ovation's: the same
updates); it stops if any run disagrees with Mesa (standing, steps, ending). PEER_PYTHON is the
interpreter with Mesa (default .venv/bin/python, the harness's)."""
import json, os, statistics, subprocess, sys, time
peers = os.path.dirname(os.path.abspath(__file__))
py = os.environ.get("PEER_PYTHON", os.path.join(peers, ".venv/bin/python"))
n = int(sys.argv[1]); rounds = int(sys.argv[2]); bins = sys.argv[3:]
g, a = f"build/ba_{n}.txt", f"build/ba_{n}.act"
mesa_reps = "1" if n >= 100000 else "3"
def load():
    return open("/proc/loadavg").read().split()[0]
def run(cmd, env=None):
    out = subprocess.run(cmd, cwd=peers, capture_output=True, text=True, env=env, check=True).stdout
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")]
res = {}
for r in range(rounds):
    row = {}
    recs = run([py, "peers.py", "mesa", g, a, "0.5", "1000", mesa_reps])
    row["mesa"] = (statistics.median(x["run_s"] for x in recs), recs[-1])
    for b in bins:
        for t in (1, 2):
            env = dict(os.environ, RAYON_NUM_THREADS=str(t))
            recs = run([b, "bench", "peer-sop", g, a, "--conformity", "0.5", "--steps", "1000", "--reps", "5"], env)
            row[f"{os.path.basename(b)} {t}t"] = (statistics.median(x["run_s"] for x in recs), recs[-1])
    m = row["mesa"][0]
    print(f"round {r} load {load()} n={n} mesa {m:.4f}s", end="")
    for k, (v, rec) in row.items():
        if k != "mesa":
            print(f" | {k} {v*1e3:.3f}ms {m/v:.0f}x", end="")
        assert (rec["standing"], rec["steps"], rec["outcome"]) == (row["mesa"][1]["standing"], row["mesa"][1]["steps"], row["mesa"][1]["outcome"]), (k, rec)
    print(flush=True)
    for k, (v, rec) in row.items():
        res.setdefault(k, []).append(m / v if k != "mesa" else v)
print("median ratios:", {k: round(statistics.median(v), 1) for k, v in res.items()})
