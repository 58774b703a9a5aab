#!/usr/bin/env python3
"""The peer harness: every implementation on the same input files, checked for agreement,
timed in one run, written as one table of ratios with the machine facts.

Run it through run.sh (which makes the virtual environment, builds ovation and the C
baseline):   benches/peers/run.sh [--quick] [--only threshold,mc,seeds,sop] [--out DIR]

Groups (each with the implementation its ratios are taken against):
  threshold  synchronous fractional threshold cascade (Watts), deterministic: every
             implementation must reach the same final active count and steps (exact).
             c-incr, c-sweep (c/threshold.c), scipy, ndlib (10^4 only), ovation at 1 and 2
             threads. Ratio: time / the better C loop's time.
  mc         independent cascade (p on every edge) and linear threshold (weights 1/in-degree)
             Monte Carlo from the same seeds: mean final active count over SAMPLES replicates.
             Stochastic: two implementations agree when their means differ by at most 4
             combined standard errors, sqrt(sd_a^2/R_a + sd_b^2/R_b) (a false alarm about once
             in 16,000 checks). cynetdiff, ovation (every replicate engine its build offers) at
             1 and 2 threads. Ratio: time / cynetdiff's.
  seeds      seed selection for the independent cascade (k seeds): ovation's degree_discount,
             celf (and imm when the build has it), pynetim's IMM and DegreeDiscountIC. Every
             seed set is scored by the same evaluator (ovation bench peer-mc, the same
             replicate keys for every set: common random numbers). Checks, derived in
             seed_problems: the two DegreeDiscountIC implementations (one deterministic
             heuristic) within 4 combined standard errors of the evaluation; every method with
             an approximation guarantee at least its promised fraction of the best spread,
             (1 - 1/e - eps) x best, less 4 combined standard errors (IMM: its eps; CELF: eps
             from the relative error of its R-sample estimates). Ratio: selection time /
             pynetim IMM's.
  sop        Standing Ovation rule (synchronous, conformity X = 0.5, ties keep, no noise) from
             the same step-0 actions, deterministic: same final standing count, steps and
             ending (exact). Mesa 3 (an ordinary Mesa model, peers.py), ovation at 1 and 2
             threads. Ratio: time / Mesa's; agent updates per second = n * steps / time.

Times: each implementation's own clock around the work alone (files are parsed and models
built outside it), medians over repetitions; a ratio's range is [min/max of the baseline,
max/min of the baseline], the widest the repetitions allow. The exit status is 1 when any
check fails or any implementation fails to run.
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PY = sys.executable

SIZES = {
    "quick": dict(threshold=[10_000], scipy_max=10_000, ndlib_max=10_000, mc_n=10_000,
                  mc_samples=2_000, seeds_n=10_000, seeds_k=20, sop=[1_000, 10_000], reps=5,
                  slow_reps=3),
    # Sized for a 2-core machine shared with other work: the slow loops (c-sweep, scipy) run
    # 3 times up to 10^5 nodes and once at 10^6 (scipy not at 10^6: minutes per run there).
    "full": dict(threshold=[10_000, 100_000, 1_000_000], scipy_max=100_000, ndlib_max=10_000,
                 mc_n=100_000, mc_samples=10_000, seeds_n=10_000, seeds_k=50,
                 sop=[1_000, 10_000, 100_000], reps=5, slow_reps=3),
}
# The seeds group's evaluator: every seed set's spread is the mean of this many independent
# cascade replicates (the same replicate keys for every set).
EVAL_SAMPLES = 10_000
# Agreement allowance for a difference of two Monte Carlo means, in combined standard errors
# sqrt(se_a^2 + se_b^2): a false alarm about once in 16,000 checks (as in the mc group).
Z = 4.0
# Seed-selection methods with an approximation guarantee, by a key in the implementation's name:
# (epsilon of the run, samples R of its own spread estimates or None). Expected spread at least
# (1 - 1/e - eps) OPT: IMM (Tang, Shi and Xiao 2015; with probability 1 - 1/n) at its epsilon;
# CELF (Leskovec et al. 2007, the greedy of Kempe, Kleinberg and Tardos 2003) with eps the
# relative error of its R-sample estimates (derived in seed_problems).
GUARANTEES = {"ovation imm": (0.5, None), "pynetim IMM": (0.5, None), "ovation celf": (0.0, 200)}
IMM_EPS = GUARANTEES["ovation imm"][0]
CELF_SAMPLES = GUARANTEES["ovation celf"][1]


def seed_problems(spreads, sets, guarantees):
    """The seeds group's agreement checks; returns the failures as sentences.

    spreads: implementation -> (mean spread, its standard error) from the common evaluator;
    sets: implementation -> its seeds; guarantees: name key -> (eps, R or None).

    1. The two DegreeDiscountIC implementations run one deterministic heuristic (Chen, Wang and
       Yang 2009): identical seed sets score identically under common random numbers; otherwise
       their spreads must agree within Z combined standard errors (the evaluator's error only:
       the algorithm promises the same seeds up to ties).
    2. A method guaranteeing (1 - 1/e - eps) OPT must reach that fraction of the best spread
       found (best <= OPT, so the floor is conservative), less Z combined standard errors of the
       evaluation: spread >= (1 - 1/e - eps) * best - Z * sqrt(se^2 + se_best^2). For CELF,
       whose estimates are means of R cascades, eps = Z * cv / sqrt(R), cv = sd / mean of a
       cascade's size (from the evaluator): the relative error its greedy steps may make.
    The floors are what the methods promise, no more: at eps = 0.5 IMM promises 13% of OPT,
    so check 2 catches a broken method, not a weaker one; the table shows each spread.
    """
    problems = []
    dd = [key for key in spreads if "degree_discount" in key or "DegreeDiscountIC" in key]
    if len(dd) == 2:
        (ma, sa), (mb, sb) = spreads[dd[0]], spreads[dd[1]]
        same_set = sorted(sets.get(dd[0], [])) == sorted(sets.get(dd[1], []))
        se = (sa * sa + sb * sb) ** 0.5
        if (same_set and ma != mb) or abs(ma - mb) > Z * se:
            problems.append(f"the two DegreeDiscountIC spreads {ma:.1f} and {mb:.1f} differ by "
                            f"{abs(ma - mb) / se:.1f} combined standard errors > {Z:g}")
    if not spreads:
        return problems
    best_key = max(spreads, key=lambda k: spreads[k][0])
    best, se_best = spreads[best_key]
    for key, (m, se) in spreads.items():
        found = [g for g in guarantees if key.startswith(g)]
        if not found:
            continue
        eps, samples = guarantees[found[0]]
        if samples:
            sd = se * EVAL_SAMPLES ** 0.5
            eps += Z * (sd / m if m > 0 else 1.0) / samples ** 0.5
        rho = 1.0 - 1.0 / 2.718281828459045 - eps
        floor = rho * best - Z * (se * se + se_best * se_best) ** 0.5
        if m < floor:
            problems.append(f"{key} spread {m:.1f} below its guaranteed floor {floor:.1f} "
                            f"= (1 - 1/e - {eps:.3f}) x best {best:.1f} ({best_key}) - "
                            f"{Z:g} combined standard errors")
    return problems


THRESHOLD_SCENARIOS = {  # name: (phi, seeds)
    "phi0.18-top0.1%": ("const:0.18", "top:0.001"),
    "phiU-rand1%": ("uniform:7", "random:0.01:7"),
}
MC_P = 0.01
SOP_X = 0.5


class Harness:
    def __init__(self, args):
        self.a = args
        self.size = SIZES["quick" if args.quick else "full"]
        self.ovation = args.ovation
        self.build = os.path.join(HERE, "build")
        os.makedirs(self.build, exist_ok=True)
        self.rows = []       # one per (group, case, impl)
        self.problems = []   # failed checks and runs
        self.raw = None

    # ---- running things ------------------------------------------------------------------

    def sh(self, cmd, threads=None, timeout=None):
        env = dict(os.environ)
        if threads:
            env["RAYON_NUM_THREADS"] = str(threads)
        res = subprocess.run(cmd, cwd=HERE, text=True, capture_output=True, env=env,
                             timeout=timeout or self.a.timeout)
        recs = [json.loads(l) for l in res.stdout.splitlines() if l.startswith("{")]
        if res.returncode != 0 or not recs:
            raise RuntimeError(f"exit {res.returncode}: {(res.stderr or res.stdout).strip()[-400:]}")
        return recs

    def run(self, group, case, impl, cmd, time_key, threads=None):
        """Runs one implementation; returns its records (or None after noting the failure)."""
        print(f"# {group} {case} {impl}", file=sys.stderr, flush=True)
        load = os.getloadavg()[0]
        try:
            recs = self.sh(cmd, threads)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            msg = f"{group} {case} {impl}: {e}"
            print(f"#   FAILED: {msg}", file=sys.stderr)
            self.problems.append(f"failed: {msg}")
            last = [l for l in str(e).splitlines() if l.strip()][-1:] or [""]
            self.rows.append(dict(group=group, case=case, impl=impl,
                                  error=last[0].replace("|", "/")[:160]))
            return None
        for r in recs:
            self.raw.write(json.dumps(dict(r, group=group, case=case, label=impl)) + "\n")
        self.raw.flush()
        t = [r[time_key] for r in recs]
        row = dict(group=group, case=case, impl=impl, times=t, med=statistics.median(t),
                   min=min(t), max=max(t), reps=len(t), load=load, last=recs[-1])
        self.rows.append(row)
        print(f"#   median {row['med']:.4g} s", file=sys.stderr, flush=True)
        return recs

    def gen(self, *args):
        out = args[-2] if args[0] != "graph" else args[3]
        if not os.path.exists(os.path.join(HERE, out)):
            subprocess.run([PY, "gen.py", *args], cwd=HERE, check=True)
        return out

    def graph(self, model, n):
        return self.gen("graph", model, str(n), f"build/{model}_{n}.txt")

    def ovation_engines(self):
        """The replicate engines of `ovation bench peer-mc`, read from its refusal of a name
        it does not know (so an engine a later build adds joins without a change here)."""
        res = subprocess.run([self.ovation, "bench", "peer-mc", "-", "-", "--engine", "?"],
                             text=True, capture_output=True)
        m = re.search(r"expected one of \[(.*?)\]", res.stderr)
        return re.findall(r'"([^"]+)"', m.group(1)) if m else ["scalar"]

    # ---- groups --------------------------------------------------------------------------

    def threshold(self):
        reps, slow = str(self.size["reps"]), str(self.size["slow_reps"])
        for model in ("ba", "er"):
            for n in self.size["threshold"]:
                g = self.graph(model, n)
                for scen, (phi_spec, seeds_spec) in THRESHOLD_SCENARIOS.items():
                    tag = scen.replace("%", "pc")
                    phi = self.gen("phi", g, f"build/{model}_{n}.{tag}.phi", phi_spec)
                    seeds = self.gen("seeds", g, f"build/{model}_{n}.{tag}.seeds", seeds_spec)
                    case = f"{model} n={n} {scen}"
                    once = "1" if n >= 1_000_000 else slow
                    jobs = [("c-incr", ["build/threshold", g, phi, seeds, "incr", reps], None),
                            ("c-sweep", ["build/threshold", g, phi, seeds, "sweep", once], None)]
                    if n <= self.size["scipy_max"]:
                        jobs.append(("scipy", [PY, "peers.py", "scipy", g, phi, seeds, once], None))
                    if n <= self.size["ndlib_max"]:
                        jobs.append(("ndlib", [PY, "peers.py", "ndlib", g, phi, seeds, "1"], None))
                    for t in (1, 2):
                        jobs.append((f"ovation {t}t", [self.ovation, "bench", "peer", g, phi, seeds,
                                                        "--reps", reps], t))
                    got = {}
                    for impl, cmd, threads in jobs:
                        recs = self.run("threshold", case, impl, cmd, "cascade_s", threads)
                        if recs:
                            got[impl] = (recs[-1]["active"], recs[-1]["steps"])
                    if len(set(got.values())) > 1:
                        self.problems.append(f"threshold {case}: final (active, steps) differ: {got}")
                    self.mark(case, agree=len(set(got.values())) <= 1)

    def mc(self):
        n = self.size["mc_n"]
        g = self.graph("ba", n)
        seeds = self.gen("seeds", g, f"build/ba_{n}.rand0.1pc.seeds", "random:0.001:11")
        engines = self.ovation_engines()
        for rule in ("ic", "lt"):
            # Linear threshold cascades from the same seeds reach further, and cynetdiff keeps
            # its thresholds in a tree map: a tenth of the replicates keeps its run short.
            samples = str(self.size["mc_samples"] // (10 if rule == "lt" else 1))
            case = f"{rule} ba n={n} p={MC_P if rule == 'ic' else '1/in-degree'} R={samples}"
            got = {}
            recs = self.run("mc", case, "cynetdiff", [PY, "peers.py", f"cynetdiff-{rule}", g, seeds,
                                                      str(MC_P), samples, "3"], "run_s")
            if recs:
                r = recs[-1]
                got["cynetdiff"] = (r["mean"], r["sd"], r["samples"])
            for engine in engines:
                for t in (1, 2):
                    impl = f"ovation {engine} {t}t"
                    recs = self.run("mc", case, impl, [self.ovation, "bench", "peer-mc", g, seeds,
                                                       "--rule", rule, "--p", str(MC_P), "--samples",
                                                       samples, "--reps", "3", "--engine", engine],
                                    "run_s", t)
                    if recs:
                        r = recs[-1]
                        got[impl] = (r["mean"], r["sd"], r["samples"])
            agree = True
            items = list(got.items())
            for i in range(len(items)):
                for j in range(i + 1, len(items)):
                    (a, (ma, sa, ra)), (b, (mb, sb, rb)) = items[i], items[j]
                    se = (sa * sa / ra + sb * sb / rb) ** 0.5
                    if abs(ma - mb) > 4 * se:
                        agree = False
                        self.problems.append(f"mc {case}: {a} mean {ma:.3f} vs {b} {mb:.3f} "
                                             f"(differ by {abs(ma - mb) / se:.1f} standard errors > 4)")
            self.mark(case, agree=agree)

    def seeds(self):
        n, k = self.size["seeds_n"], self.size["seeds_k"]
        g = self.graph("ba", n)
        case = f"ic ba n={n} k={k} p={MC_P}"
        p_param = f"p = {MC_P}"
        jobs = [("ovation degree_discount", "degree_discount", [p_param]),
                ("ovation celf", "celf", [f"samples = {CELF_SAMPLES}"]),
                ("ovation imm", "imm", [f"epsilon = {IMM_EPS}"])]
        sets = {}
        for impl, method, params in jobs:
            cmd = [self.ovation, "bench", "peer-seeds", g, "--method", method, "--k", str(k),
                   "--rule", "ic", "--p", str(MC_P)]
            for prm in params:
                cmd += ["--param", prm]
            if method == "imm" and not self.has_method(g, method):
                self.rows.append(dict(group="seeds", case=case, impl=impl,
                                      error="not in this ovation build (seeding method imm)"))
                continue
            recs = self.run("seeds", case, impl, cmd, "select_s", 2)
            if recs:
                sets[impl] = recs[-1]["seeds"]
        for impl, args in (("pynetim IMM eps=0.5", ["pynetim-imm", g, str(k), str(MC_P), str(IMM_EPS)]),
                           ("pynetim DegreeDiscountIC", ["pynetim-dd", g, str(k), str(MC_P)])):
            recs = self.run("seeds", case, impl, [PY, "peers.py", *args], "select_s")
            if recs:
                sets[impl] = recs[-1]["seeds"]
        # Score every seed set with one evaluator (same replicate keys for each set).
        spreads = {}
        for impl, s in sets.items():
            path = os.path.join(self.build, "seeds-" + re.sub(r"[^a-z0-9]+", "-", impl.lower()) + ".txt")
            with open(path, "w") as f:
                f.write("\n".join(map(str, s)) + "\n")
            recs = self.sh([self.ovation, "bench", "peer-mc", g, path, "--rule", "ic", "--p",
                            str(MC_P), "--samples", str(EVAL_SAMPLES), "--reps", "1"])
            spreads[impl] = (recs[-1]["mean"], recs[-1]["sd"] / EVAL_SAMPLES ** 0.5)
            for row in self.rows:
                if row.get("group") == "seeds" and row["impl"] == impl and "med" in row:
                    row["spread"] = spreads[impl]
        agree = True
        for problem in seed_problems(spreads, sets, GUARANTEES):
            agree = False
            self.problems.append(f"seeds {case}: {problem}")
        self.mark(case, agree=agree)

    def has_method(self, g, method):
        res = subprocess.run([self.ovation, "bench", "peer-seeds", g, "--method", method, "--k", "1"],
                             cwd=HERE, text=True, capture_output=True)
        return not re.search(r"unknown (variant|value) `" + method, res.stderr)

    def sop(self):
        for n in self.size["sop"]:
            g = self.graph("ba", n)
            acts = self.gen("actions", g, f"build/ba_{n}.act", "0.5:7")
            case = f"ba n={n} X={SOP_X}"
            mesa_reps = "1" if n >= 100_000 else str(self.size["slow_reps"])
            jobs = [("mesa", [PY, "peers.py", "mesa", g, acts, str(SOP_X), "1000", mesa_reps], None)]
            for t in (1, 2):
                jobs.append((f"ovation {t}t", [self.ovation, "bench", "peer-sop", g, acts,
                                               "--conformity", str(SOP_X), "--steps", "1000",
                                               "--reps", str(self.size["reps"])], t))
            got = {}
            for impl, cmd, threads in jobs:
                recs = self.run("sop", case, impl, cmd, "run_s", threads)
                if recs:
                    r = recs[-1]
                    got[impl] = (r["standing"], r["steps"], r["outcome"])
            if len(set(got.values())) > 1:
                self.problems.append(f"sop {case}: final (standing, steps, ending) differ: {got}")
            self.mark(case, agree=len(set(got.values())) <= 1)

    def mark(self, case, agree):
        for r in self.rows:
            if r["case"] == case:
                r["agree"] = agree

    # ---- the table -----------------------------------------------------------------------

    BASE = {"threshold": None, "mc": "cynetdiff", "seeds": "pynetim IMM eps=0.5", "sop": "mesa"}

    def ratios(self):
        for case in dict.fromkeys(r["case"] for r in self.rows):
            rows = [r for r in self.rows if r["case"] == case and "med" in r]
            if not rows:
                continue
            group = rows[0]["group"]
            if group == "threshold":
                cs = [r for r in rows if r["impl"].startswith("c-")]
                base = min(cs, key=lambda r: r["med"]) if cs else None
            else:
                base = next((r for r in rows if r["impl"] == self.BASE[group]), None)
            for r in rows:
                if base:
                    r["base"] = base["impl"]
                    r["ratio"] = (r["med"] / base["med"], r["min"] / base["max"], r["max"] / base["min"])

    def table(self):
        out = []
        heads = {
            "threshold": (["final active", "steps"], lambda l: f"{l['active']} | {l['steps']}"),
            "mc": (["mean final active (sd)"], lambda l: f"{l['mean']:.2f} ({l['sd']:.1f})"),
            "seeds": (["spread of the seeds (s.e.)"], None),
            "sop": (["standing", "steps", "ending", "agent updates/s", "updates/s / Mesa's"], None),
        }
        for group in ("threshold", "mc", "seeds", "sop"):
            rows = [r for r in self.rows if r["group"] == group]
            if not rows:
                continue
            what, fmt = heads[group]
            out.append(f"\n### {group}\n")
            out.append(f"| case | implementation | {' | '.join(what)} | reps | time s median [min, max] | "
                       f"x {'the better C loop' if group == 'threshold' else self.BASE[group]} time "
                       f"[range] | agree | load |")
            out.append("|---|---|" + "---:|" * len(what) + "---:|---|---|---|---:|")
            for r in rows:
                if "error" in r:
                    out.append(f"| {r['case']} | {r['impl']} | {r['error']} |" + " |" * (len(what) + 4))
                    continue
                last = r["last"]
                if group == "seeds":
                    sp = r.get("spread")
                    cell = f"{sp[0]:.1f} ({sp[1]:.2f})" if sp else "?"
                elif group == "sop":
                    speed = f"{1 / r['ratio'][0]:.4g}" if r.get("ratio") else ""
                    cell = (f"{last['standing']} | {last['steps']} | {last['outcome']} | "
                            f"{last['agent_updates'] / r['med']:.3g} | {speed}")
                else:
                    cell = fmt(last)
                ratio = r.get("ratio")
                rtxt = f"{ratio[0]:.3g} [{ratio[1]:.3g}, {ratio[2]:.3g}]" if ratio else ""
                if r.get("base") == r["impl"]:
                    rtxt = "1 (baseline)"
                out.append(f"| {r['case']} | {r['impl']} | {cell} | {r['reps']} | {r['med']:.4g} "
                           f"[{r['min']:.4g}, {r['max']:.4g}] | {rtxt} | "
                           f"{'yes' if r.get('agree', True) else 'NO'} | {r['load']:.2f} |")
        return "\n".join(out) + "\n"


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((l.split(":", 1)[1].strip() for l in open("/proc/meminfo") if l.startswith("MemTotal")), "?")
    gcc = subprocess.run(["gcc", "--version"], text=True, capture_output=True).stdout.splitlines()[0]
    rustc = subprocess.run(["rustc", "--version"], text=True, capture_output=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                            capture_output=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           text=True, capture_output=True).stdout.strip()
    from importlib.metadata import version, PackageNotFoundError
    vers = {}
    for p in ("numpy", "scipy", "networkx", "ndlib", "cynetdiff", "pynetim", "mesa"):
        try:
            vers[p] = version(p)
        except PackageNotFoundError:
            vers[p] = "not installed"
    return dict(date=time.strftime("%Y-%m-%d %H:%M:%S %Z"), cores=os.cpu_count(), cpu=cpu,
                memory=mem, platform=platform.platform(), python=platform.python_version(),
                gcc=gcc, rustc=rustc, commit=commit + ("-dirty" if dirty else ""),
                packages=vers)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke check of a few minutes")
    ap.add_argument("--only", default="threshold,mc,seeds,sop", help="groups to run, comma-separated")
    ap.add_argument("--ovation", default=os.path.join(ROOT, "target", "release", "ovation"))
    ap.add_argument("--timeout", type=int, default=1200, help="seconds per implementation run")
    ap.add_argument("--out", help="folder for the results (new; default out/<date-time>)")
    a = ap.parse_args()
    h = Harness(a)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = a.out or os.path.join(HERE, "out", stamp + ("-quick" if a.quick else ""))
    if os.path.exists(out):
        sys.exit(f"harness: {out} exists; it is never overwritten: name a new --out")
    os.makedirs(out)
    facts = machine()
    facts["load_start"] = os.getloadavg()
    shown = [x for i, x in enumerate(sys.argv[1:]) if x != "--ovation" and sys.argv[i] != "--ovation"]
    facts["command"] = " ".join(["benches/peers/run.sh"] + shown)  # run.sh adds --ovation
    h.raw = open(os.path.join(out, "results.jsonl"), "w")
    t0 = time.time()
    for group in a.only.split(","):
        getattr(h, group)()
    facts["load_end"] = os.getloadavg()
    facts["wall_s"] = round(time.time() - t0, 1)
    h.ratios()
    table = h.table()
    status = "every check passed" if not h.problems else "PROBLEMS:\n" + "\n".join(f"- {p}" for p in h.problems)
    md = f"""# Peer harness run {stamp}{' (quick)' if a.quick else ''}

Command: `{facts['command']}` ({facts['wall_s']} s).
Machine: {facts['cores']} cores, `{facts['cpu']}`, {facts['memory']} memory, {facts['platform']};
load average (1, 5, 15 min) {tuple(round(x, 2) for x in facts['load_start'])} at the start,
{tuple(round(x, 2) for x in facts['load_end'])} at the end (the `load` column: 1-minute load when
each implementation started). Date: {facts['date']}. ovation commit {facts['commit']}, {facts['rustc']};
{facts['gcc']} `-O3 -march=native`; Python {facts['python']}; {', '.join(f'{k} {v}' for k, v in facts['packages'].items())}.

Result: {status}

Times are each implementation's own clock around its work alone (medians over `reps`);
the ratio is the median time over the baseline's median time, its range [min / baseline max,
max / baseline min]. Rules, inputs and checks: `benches/peers/harness.py --help`.
{table}"""
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write(md)
    with open(os.path.join(out, "machine.json"), "w") as f:
        json.dump(facts, f, indent=2)
    print(md)
    print(f"wrote {out}/table.md, results.jsonl, machine.json", file=sys.stderr)
    sys.exit(0 if not h.problems else 1)


if __name__ == "__main__":
    main()
