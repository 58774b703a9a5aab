"""Reproduces the shipped comparison `scenarios/influencer-seeding.toml` from Python and plots it.

Runs every seeding strategy of the scenario under common random numbers (as `ovation compare`
does), prints the headline, and draws two panels with matplotlib: each strategy's mean final
standing share with its 95% interval, and its paired difference from the baseline. Writes
`seeding.png` beside the working folder's `runs/` (or to the path given as the first argument).

    pip install ./python matplotlib
    python examples/python/compare_seeding.py [out.png]
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import ovation  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("runs") / "seeding.png"
    c = ovation.compare(ROOT / "scenarios" / "influencer-seeding.toml", threads=2)
    print(c.headline)
    baseline = c.stats["baseline"]

    share = c.strategies[c.strategies.measure == "final_standing"].reset_index(drop=True)
    diff = c.differences[c.differences.measure == "final_standing"].reset_index(drop=True)

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    y = range(len(share))
    left.errorbar(
        share["mean"] * 100,
        y,
        xerr=[(share["mean"] - share.ci_low) * 100, (share.ci_high - share["mean"]) * 100],
        fmt="o",
        color="#1f5fa8",
        capsize=3,
    )
    left.set_yticks(list(y), share.strategy)
    left.invert_yaxis()
    left.set_xlabel("final standing share (% of agents), mean and 95% CI")
    left.set_title(f"{len(share)} seeding strategies, {int(share.n[0])} replicates each")

    y = range(len(diff))
    right.axvline(0, color="grey", lw=1)
    right.errorbar(
        diff.mean_difference * 100,
        y,
        xerr=[
            (diff.mean_difference - diff.ci_low) * 100,
            (diff.ci_high - diff.mean_difference) * 100,
        ],
        fmt="s",
        color="#b8420f",
        capsize=3,
    )
    right.set_yticks(list(y), diff.strategy)
    right.invert_yaxis()
    right.set_xlabel(f"paired difference from {baseline} (points), 95% CI")
    right.set_title("common random numbers: paired differences")
    fig.suptitle(c.headline, fontsize=9, wrap=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    print(f"plot in {out}")


if __name__ == "__main__":
    main()
