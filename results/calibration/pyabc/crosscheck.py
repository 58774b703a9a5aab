#!/usr/bin/env python3
"""Cross-check of `ovation fit` against pyabc (Klinger, Rickert and Hasenauer 2018) on a toy
model where both must agree within Monte Carlo error.

Toy model: Bass (1969) diffusion on a complete graph of N = 200 agents for T = 15 steps. On a
complete graph ovation's `bass` rule is exactly the Markov chain
    A(t+1) = A(t) + Binomial(N - A(t), min(1, p + q A(t) / (N - 1)))
(docs/models/bass.md), which is what the pyabc simulator below draws. Priors: p log-uniform on
[1e-3, 0.5], q uniform on [0, 1]. Statistic: the cumulative share adopted at steps 1..T.
Distance: Euclidean, each statistic scaled by its median absolute deviation over the prior
sample (pyabc: AdaptivePNormDistance(fit_scale_ixs={0}, scale_function=mad); ovation: its
default). Sampler: 1000 particles, 10 generations, tolerance = median of the previous
distances, Gaussian kernel with twice the weighted covariance (Beaumont et al. 2009) in
(log p, q) coordinates in both.

Run (from the repository root, pyabc in a throwaway venv outside the repository):
    python3 -m venv ../venv-abc && ../venv-abc/bin/pip install pyabc
    ../venv-abc/bin/python results/calibration/pyabc/crosscheck.py data
    ovation fit scenarios/calibration/toy-bass.toml --out results/calibration/pyabc/ovation --force
    ../venv-abc/bin/python results/calibration/pyabc/crosscheck.py compare
`data` writes toy_events.csv and toy_nodes.csv (one simulation at p = 0.03, q = 0.35, numpy
seed 13); `compare` runs pyabc, reads ovation's posterior.csv and writes comparison.csv and
comparison.md here.
"""
import os
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
N, T = 200, 15
TRUTH = {"p": 0.03, "q": 0.35}


def chain(p, q, rng):
    a = 0
    out = np.empty(T)
    for t in range(T):
        prob = min(1.0, p + q * a / (N - 1))
        a += rng.binomial(N - a, prob)
        out[t] = a / N
    return out


def write_data():
    rng = np.random.default_rng(13)
    a = 0
    events = []
    for t in range(1, T + 1):
        prob = min(1.0, TRUTH["p"] + TRUTH["q"] * a / (N - 1))
        new = rng.binomial(N - a, prob)
        events += [(a + k, t) for k in range(new)]
        a += new
    with open(os.path.join(HERE, "toy_events.csv"), "w") as f:
        f.write("node,step\n")
        for node, t in events:
            f.write(f"n{node},{t}\n")
    with open(os.path.join(HERE, "toy_nodes.csv"), "w") as f:
        f.write("node,community\n")
        for node in range(N):
            f.write(f"n{node},all\n")
    print(f"{len(events)} adopters of {N} by step {T}")


def observed_curve():
    steps = []
    with open(os.path.join(HERE, "toy_events.csv")) as f:
        next(f)
        for line in f:
            steps.append(int(line.strip().split(",")[1]))
    steps = np.array(steps)
    return np.array([(steps <= t).sum() / N for t in range(1, T + 1)])


def weighted_stats(x, w):
    w = w / w.sum()
    mean = float(np.sum(w * x))
    sd = float(np.sqrt(np.sum(w * (x - mean) ** 2)))
    order = np.argsort(x)
    cw = np.cumsum(w[order])
    q = lambda a: float(x[order][np.searchsorted(cw, a)])
    ess = float(1.0 / np.sum(w ** 2))
    return dict(mean=mean, sd=sd, q05=q(0.05), median=q(0.5), q95=q(0.95), ess=ess)


def run_pyabc():
    import pyabc

    obs = {"curve": observed_curve()}
    counter = {"seed": 0}

    def model(par):
        counter["seed"] += 1
        rng = np.random.default_rng(counter["seed"])
        return {"curve": chain(10 ** par["log10p"], par["q"], rng)}

    prior = pyabc.Distribution(
        log10p=pyabc.RV("uniform", -3, np.log10(0.5) + 3), q=pyabc.RV("uniform", 0, 1)
    )

    def sumstat(x):
        return {f"s{k}": v for k, v in enumerate(x["curve"])}

    distance = pyabc.AdaptivePNormDistance(
        p=2, fit_scale_ixs={0}, scale_function=pyabc.distance.mad
    )
    # Flatten the curve into scalar statistics for pyabc's distance.
    def flat_model(par):
        return sumstat(model(par))

    abc = pyabc.ABCSMC(
        flat_model,
        prior,
        distance,
        population_size=1000,
        transitions=pyabc.MultivariateNormalTransition(bandwidth_selector=lambda n, d: 2.0),
        eps=pyabc.QuantileEpsilon(alpha=0.5),
        sampler=pyabc.sampler.SingleCoreSampler(),
    )
    db = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "abc.db")
    np.random.seed(7)
    abc.new(db, sumstat(obs))
    history = abc.run(max_nr_populations=10)
    df, w = history.get_distribution(m=0, t=history.max_t)
    return {
        "p": weighted_stats(10 ** df["log10p"].to_numpy(), np.asarray(w)),
        "q": weighted_stats(df["q"].to_numpy(), np.asarray(w)),
        "simulations": int(history.total_nr_simulations),
    }


def read_ovation():
    import csv

    rows = list(csv.DictReader(open(os.path.join(HERE, "ovation", "posterior.csv"))))
    w = np.array([float(r["weight"]) for r in rows])
    return {
        "p": weighted_stats(np.array([float(r["model.p"]) for r in rows]), w),
        "q": weighted_stats(np.array([float(r["model.q"]) for r in rows]), w),
    }


def compare():
    py = run_pyabc()
    ov = read_ovation()
    lines = ["parameter,tool,mean,sd,q05,median,q95,ess"]
    md = [
        "# ovation fit vs pyabc on the toy Bass model",
        "",
        f"Truth: p = {TRUTH['p']}, q = {TRUTH['q']}; N = {N}, T = {T}; pyabc "
        f"{__import__('pyabc').__version__}, {py['simulations']} simulations.",
        "",
        "| parameter | tool | mean | sd | 5% | median | 95% | ESS |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    verdict = []
    for k in ("p", "q"):
        for tool, s in (("ovation", ov[k]), ("pyabc", py[k])):
            lines.append(
                f"{k},{tool},{s['mean']},{s['sd']},{s['q05']},{s['median']},{s['q95']},{s['ess']}"
            )
            md.append(
                f"| {k} | {tool} | {s['mean']:.4f} | {s['sd']:.4f} | {s['q05']:.4f} | "
                f"{s['median']:.4f} | {s['q95']:.4f} | {s['ess']:.0f} |"
            )
        # Monte Carlo standard error of each weighted mean: sd / sqrt(ESS).
        se = np.sqrt(ov[k]["sd"] ** 2 / ov[k]["ess"] + py[k]["sd"] ** 2 / py[k]["ess"])
        z = (ov[k]["mean"] - py[k]["mean"]) / se
        verdict.append(
            f"- {k}: difference of means {ov[k]['mean'] - py[k]['mean']:+.5f}, Monte Carlo "
            f"standard error {se:.5f} (z = {z:+.2f}); sd ratio ovation/pyabc "
            f"{ov[k]['sd'] / py[k]['sd']:.3f}"
        )
    md += ["", "Agreement (|z| < 3 is agreement within Monte Carlo error):", ""] + verdict
    open(os.path.join(HERE, "comparison.csv"), "w").write("\n".join(lines) + "\n")
    open(os.path.join(HERE, "comparison.md"), "w").write("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    if sys.argv[1:] == ["data"]:
        write_data()
    elif sys.argv[1:] == ["compare"]:
        compare()
    else:
        sys.exit(__doc__)
