#!/usr/bin/env python3
"""IMM seed selection, ovation against pynetim's C++ IMM on the same inputs (issue 14).

For each graph and epsilon: pynetim's IMMAlgorithm (one thread) and ovation's `[seeding]
method = "imm"` (`ovation bench peer-seeds`, at 1 and 2 threads) select K seeds for the
independent cascade with probability P on every edge; each selection is timed by its own clock
around the selection alone (graph files read and models built outside it). Every seed set is
then scored by one evaluator, `ovation bench peer-mc` with EVAL replicates and the same
replicate keys for every set (common random numbers), so spreads differ only by the seeds.

Graphs: soc-Slashdot0902 (../shared/data, `a b` read as a watches b, self-loops and repeats
dropped by `ovation graph import`, exported with dense ids) and a directed Barabasi-Albert graph
of N agents with 10 sources each (`ovation graph gen`; 10^7 edges at N = 10^6).

    python3 benches/peers/imm.py --ovation target/release/ovation --out /tmp/imm [--quick]

Prints one JSON line per selection and per evaluation (also appended to OUT/records.jsonl, which a
rerun with the same OUT reuses, so an interrupted run resumes), and after each graph and epsilon
the rows of a Markdown table: selection seconds, spread
(mean +- standard error over the EVAL replicates), and the ratios spread / pynetim's and
time / pynetim's. Needs pynetim in the interpreter that runs it (benches/peers/requirements.lock).
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
K, P = 50, 0.01


def sh(cmd, env=None):
    res = subprocess.run(cmd, cwd=HERE, text=True, capture_output=True, env=env)
    if res.returncode != 0:
        sys.exit(f"failed ({res.returncode}): {' '.join(cmd)}\n{res.stderr}")
    recs = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    return recs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ovation", default=os.path.join(ROOT, "target", "release", "ovation"))
    ap.add_argument("--shared", default=os.path.join(ROOT, "..", "shared", "data"))
    ap.add_argument("--out", required=True, help="folder for the graphs and seed files")
    ap.add_argument("--quick", action="store_true", help="Slashdot only, epsilon 0.5 only")
    ap.add_argument("--ba-n", type=int, default=1_000_000)
    ap.add_argument("--eval", type=int, default=10_000, help="evaluation replicates")
    ap.add_argument("--eps", type=float, nargs="+", default=[0.5, 0.1], help="epsilons, in order")
    ap.add_argument("--graphs", nargs="+", default=["slashdot", "ba"], choices=["slashdot", "ba"])
    args = ap.parse_args()
    ov = os.path.abspath(args.ovation)
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    graphs = []
    sd_ovg, sd_txt = os.path.join(out, "slashdot.ovg"), os.path.join(out, "slashdot.txt")
    if not os.path.exists(sd_txt):
        subprocess.run([ov, "graph", "import", os.path.join(args.shared, "soc-Slashdot0902.txt.gz"),
                        "--follows", "first-follows-second", "--output", sd_ovg], check=True,
                       capture_output=True)
        subprocess.run([ov, "graph", "export", sd_ovg, "--format", "edgelist", "--output", sd_txt], check=True,
                       capture_output=True)
    if "slashdot" in args.graphs:
        graphs.append(("soc-Slashdot0902", sd_txt))
    if not args.quick and "ba" in args.graphs:
        ba = os.path.join(out, f"ba_{args.ba_n}.txt")
        if not os.path.exists(ba):
            subprocess.run([ov, "graph", "gen", "barabasi_albert", "--n", str(args.ba_n), "--m", "10",
                            "--output", ba], check=True, capture_output=True)
        graphs.append((f"BA n={args.ba_n} m=10", ba))
    epsilons = [0.5] if args.quick else args.eps
    # Every record goes to OUT/records.jsonl as soon as it exists; a rerun with the same OUT
    # reuses the selections and spreads already there (pynetim at epsilon 0.1 takes minutes).
    log_path = os.path.join(out, "records.jsonl")
    done = {}
    if os.path.exists(log_path):
        with open(log_path) as fh:
            for line in fh:
                rec = json.loads(line)
                done[(rec["graph"], rec["eps"], rec["impl"], rec["what"])] = rec

    def record(rec):
        done[(rec["graph"], rec["eps"], rec["impl"], rec["what"])] = rec
        with open(log_path, "a") as fh:
            fh.write(json.dumps(rec) + "\n")
        print(json.dumps(rec), flush=True)

    print("| graph | epsilon | implementation | selection s | spread (mean +- se) | spread / pynetim | time / pynetim |")
    print("|---|---|---|---:|---:|---:|---:|", flush=True)
    # Every graph at the first epsilon first: 0.1 needs about 25 times the RR sets of 0.5.
    for eps in epsilons:
        for name, path in graphs:
            impls = [("pynetim IMM", None), ("ovation IMM 1t", 1), ("ovation IMM 2t", 2)]
            for impl, threads in impls:
                key = (name, eps, impl, "select")
                if key in done:
                    continue
                if threads is None:
                    rec = sh([sys.executable, "peers.py", "pynetim-imm", path, str(K), str(P), str(eps)])[-1]
                else:
                    env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
                    rec = sh([ov, "bench", "peer-seeds", path, "--method", "imm", "--k", str(K),
                              "--rule", "ic", "--p", str(P), "--param", f"epsilon = {eps}"], env=env)[-1]
                record(dict(graph=name, eps=eps, impl=impl, what="select", select_s=rec["select_s"],
                            seeds=rec["seeds"], load=os.getloadavg()[0]))
            for impl, _ in impls:
                key = (name, eps, impl, "spread")
                if key in done:
                    continue
                seeds = done[(name, eps, impl, "select")]["seeds"]
                f = os.path.join(out, "seeds.txt")
                with open(f, "w") as fh:
                    fh.write("\n".join(map(str, seeds)) + "\n")
                rec = sh([ov, "bench", "peer-mc", path, f, "--rule", "ic", "--p", str(P),
                          "--samples", str(args.eval), "--reps", "1"])[-1]
                record(dict(graph=name, eps=eps, impl=impl, what="spread", mean=rec["mean"],
                            se=rec["sd"] / args.eval ** 0.5, eval=args.eval))
            base_t = done[(name, eps, "pynetim IMM", "select")]["select_s"]
            base_s = done[(name, eps, "pynetim IMM", "spread")]["mean"]
            for impl, _ in impls:
                secs = done[(name, eps, impl, "select")]["select_s"]
                sp = done[(name, eps, impl, "spread")]
                print(f"| {name} | {eps} | {impl} | {secs:.2f} | {sp['mean']:.1f} +- {sp['se']:.1f} "
                      f"| {sp['mean'] / base_s:.4f} | {secs / base_t:.2f} |", flush=True)

if __name__ == "__main__":
    main()
