#!/usr/bin/python3
"""Reversal points of a distributional_td run (Dabney et al. 2020 Fig. 2-3).

Left: each predictor's mean TD error at the reward against the reward size (one line per asymmetry
tau): optimistic predictors (high tau) respond negatively to more sizes. Right: each predictor's
reversal point (where its response turns positive) against tau, with the exact tau-expectiles of the
run's reward distribution (from its config.toml), which distributional TD predicts they equal.

    dopa run experiments/dopamine/dabney2020.toml --out RUN
    scripts/plot_reversal_points.py RUN [--out reversal_points.png]    # default: in RUN
"""
import argparse
import csv
import os
import sys
import tomllib
from collections import defaultdict

from results import expectile  # one definition, shared with the results tables

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def numbers(text):
    return [float(v) for v in text.split(",") if v.strip()]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run", help="run folder of a distributional_td run")
    parser.add_argument("--out", help="PNG to write (default: RUN/reversal_points.png)")
    args = parser.parse_args()
    responses_path = os.path.join(args.run, "responses.csv")
    if not os.path.exists(responses_path):
        sys.exit(f"{args.run} has no responses.csv: is it a distributional_td run?")
    curves = defaultdict(list)  # tau -> [(reward, response)]
    with open(responses_path) as f:
        for row in csv.DictReader(f):
            curves[float(row["tau"])].append((float(row["reward"]), float(row["response"])))
    with open(os.path.join(args.run, "reversal_points.csv")) as f:
        points = [(float(row["tau"]), float(row["reversal_point"])) for row in csv.DictReader(f)]
    with open(os.path.join(args.run, "config.toml"), "rb") as f:
        kwargs = tomllib.load(f)["env"]["kwargs"]
    sizes, freqs = numbers(kwargs.get("reward_sizes", "")), numbers(kwargs.get("reward_freqs", ""))

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    cmap = plt.get_cmap("viridis")
    taus = sorted(curves)
    for k, tau in enumerate(taus):
        pts = sorted(curves[tau])
        left.plot([r for r, _ in pts], [d for _, d in pts], "o-", ms=3, color=cmap(k / max(1, len(taus) - 1)),
                  label=f"τ = {tau:g}")
    left.axhline(0, color="grey", lw=0.5)
    left.set_xlabel("reward size")
    left.set_ylabel("mean δ at the reward")
    left.set_title("Responses by reward size")
    left.legend(fontsize=7, ncol=2)
    right.plot([t for t, _ in points], [p for _, p in points], "o", label="reversal point (model)")
    if sizes and len(sizes) == len(freqs):
        grid = [i / 100 for i in range(2, 99)]
        right.plot(grid, [expectile(sizes, freqs, t) for t in grid], "k-", lw=1, label="τ-expectile (exact)")
    right.set_xlabel("asymmetry τ = α⁺ / (α⁺ + α⁻)")
    right.set_ylabel("reward size")
    right.set_title("Reversal points")
    right.legend(fontsize=8)
    fig.tight_layout()
    out = args.out or os.path.join(args.run, "reversal_points.png")
    fig.savefig(out, dpi=120)
    print(out)


if __name__ == "__main__":
    main()
