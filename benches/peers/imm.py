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

Prints one JSON line per run and, at the end, a Markdown table: selection seconds, spread
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
    graphs.append(("soc-Slashdot0902", sd_txt))
    if not args.quick:
        ba = os.path.join(out, f"ba_{args.ba_n}.txt")
        if not os.path.exists(ba):
            subprocess.run([ov, "graph", "gen", "barabasi_albert", "--n", str(args.ba_n), "--m", "10",
                            "--output", ba], check=True, capture_output=True)
        graphs.append((f"BA n={args.ba_n} m=10", ba))
    epsilons = [0.5] if args.quick else [0.5, 0.1]
    rows = []
    # Every graph at epsilon 0.5 first: 0.1 needs about 25 times the RR sets.
    for eps in epsilons:
        for name, path in graphs:
            sets = {}
            rec = sh([sys.executable, "peers.py", "pynetim-imm", path, str(K), str(P), str(eps)])[-1]
            print(json.dumps(dict(graph=name, eps=eps, **rec)), flush=True)
            sets["pynetim IMM"] = (rec["select_s"], rec["seeds"])
            for threads in (1, 2):
                env = dict(os.environ, RAYON_NUM_THREADS=str(threads))
                rec = sh([ov, "bench", "peer-seeds", path, "--method", "imm", "--k", str(K),
                          "--rule", "ic", "--p", str(P), "--param", f"epsilon = {eps}"], env=env)[-1]
                print(json.dumps(dict(graph=name, eps=eps, **rec)), flush=True)
                sets[f"ovation IMM {threads}t"] = (rec["select_s"], rec["seeds"])
            spreads = {}
            for impl, (_, seeds) in sets.items():
                f = os.path.join(out, f"seeds-{abs(hash((name, eps, impl)))}.txt")
                with open(f, "w") as fh:
                    fh.write("\n".join(map(str, seeds)) + "\n")
                rec = sh([ov, "bench", "peer-mc", path, f, "--rule", "ic", "--p", str(P),
                          "--samples", str(args.eval), "--reps", "1"])[-1]
                spreads[impl] = (rec["mean"], rec["sd"] / args.eval ** 0.5)
            base_t, _ = sets["pynetim IMM"]
            base_s, _ = spreads["pynetim IMM"]
            for impl, (secs, _) in sets.items():
                mean, se = spreads[impl]
                rows.append((name, eps, impl, secs, mean, se, mean / base_s, secs / base_t))
    print()
    print("| graph | epsilon | implementation | selection s | spread (mean +- se) | spread / pynetim | time / pynetim |")
    print("|---|---|---|---:|---:|---:|---:|")
    for name, eps, impl, secs, mean, se, rs, rt in rows:
        print(f"| {name} | {eps} | {impl} | {secs:.2f} | {mean:.1f} +- {se:.1f} | {rs:.4f} | {rt:.2f} |")


if __name__ == "__main__":
    main()
