#!/usr/bin/python3
"""Meta-parameter trajectories of q_learning runs (Schweighofer & Doya 2003 Fig. 1).

One column per quantity: reward per step, alpha (acetylcholine), beta (noradrenaline, log scale),
gamma (serotonin), against steps; one line per run, coloured by whether it ended on the patient
policy (its last metrics row's reward per step >= the threshold).

    experiments/dopamine/ring_success.sh 300 OUT
    scripts/plot_meta_parameters.py OUT/beta1_gamma0.99-s{0..9} [--out meta.png] [--threshold 0.3]
"""
import argparse
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLUMNS = [("reward_per_step", "reward per step", "linear"), ("alpha", "α (acetylcholine)", "linear"),
           ("beta", "β (noradrenaline)", "log"), ("gamma", "γ (serotonin)", "linear")]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", help="run folders of q_learning runs")
    parser.add_argument("--out", default="meta_parameters.png", help="PNG to write")
    parser.add_argument("--threshold", type=float, default=0.3, help="reward per step that counts as success")
    args = parser.parse_args()
    fig, axes = plt.subplots(1, len(COLUMNS), figsize=(15, 3.6))
    labelled = set()
    for run in args.runs:
        path = os.path.join(run, "metrics.csv")
        if not os.path.exists(path):
            sys.exit(f"{run} has no metrics.csv")
        with open(path) as f:
            rows = list(csv.DictReader(f))
        if not rows or "gamma" not in rows[0]:
            sys.exit(f"{path} is not from a q_learning run (no gamma column)")
        steps = [float(r["global_step"]) for r in rows]
        success = float(rows[-1]["reward_per_step"]) >= args.threshold
        colour = "tab:blue" if success else "tab:red"
        label = None if success in labelled else ("patient policy" if success else "not found")
        labelled.add(success)
        for ax, (key, _, _) in zip(axes, COLUMNS):
            ax.plot(steps, [float(r[key]) for r in rows], color=colour, lw=0.8, alpha=0.8, label=label)
    for ax, (_, title, scale) in zip(axes, COLUMNS):
        ax.set_title(title)
        ax.set_yscale(scale)
        ax.set_xlabel("step")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(args.out)


if __name__ == "__main__":
    main()
