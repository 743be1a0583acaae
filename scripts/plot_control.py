#!/usr/bin/python3
"""Learning curves and a results table for runs of the control experiments, one panel per experiment.

    scripts/plot_control.py RESULTS_DIR [--out FILE.png] [--table FILE.md] [--smooth 5]

RESULTS_DIR holds run folders named <experiment>-s<seed> (scripts/long_runs.sh makes them). Each panel
shows every seed's episodic return against env steps (a --smooth-row moving average of metrics.csv)
and the environment's "solved" threshold. The table gives, per experiment, each seed's final return
(the mean of its last 100 episodes, summary.json), their mean and standard deviation, wall time and
steps per second.
"""
import argparse
import csv
import json
import math
import os
import re
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_curve(folder):
    """(global_step, episodic_return) pairs of the rows that finished an episode."""
    points = []
    with open(os.path.join(folder, "metrics.csv"), newline="") as f:
        for row in csv.DictReader(f):
            value = row.get("episodic_return", "")
            if value and not math.isnan(float(value)):
                points.append((int(float(row["global_step"])), float(value)))
    return points


def smooth(values, window):
    return [sum(values[max(0, i - window + 1): i + 1]) / len(values[max(0, i - window + 1): i + 1])
            for i in range(len(values))]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results")
    parser.add_argument("--out", help="PNG (default: RESULTS/curves.png)")
    parser.add_argument("--table", help="also write a Markdown table here")
    parser.add_argument("--smooth", type=int, default=5)
    args = parser.parse_args()

    groups = {}
    for name in sorted(os.listdir(args.results)):
        folder = os.path.join(args.results, name)
        match = re.fullmatch(r"(.+)-s(\d+)", name)
        if match and os.path.exists(os.path.join(folder, "summary.json")):
            with open(os.path.join(folder, "summary.json")) as f:
                summary = json.load(f)
            groups.setdefault(match.group(1), []).append((int(match.group(2)), summary, read_curve(folder)))
    if not groups:
        sys.exit(f"plot_control: no finished runs in {args.results}")

    columns = min(3, len(groups))
    rows = math.ceil(len(groups) / columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.6 * columns, 3.4 * rows), squeeze=False)
    lines = ["| experiment | env | seeds | steps | final return per seed | mean ± std | wall time per run | steps/s |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for ax, (experiment, runs) in zip(axes.flat, groups.items()):
        for seed, summary, curve in sorted(runs, key=lambda r: r[0]):
            if curve:
                ax.plot([s for s, _ in curve], smooth([v for _, v in curve], args.smooth), label=f"seed {seed}", lw=1)
        threshold = runs[0][1].get("reward_threshold")
        if threshold is not None:
            ax.axhline(threshold, color="gray", ls="--", lw=0.8, label="solved")
        ax.set_title(f"{experiment} ({runs[0][1]['env']})", fontsize=9)
        ax.set_xlabel("env steps")
        ax.set_ylabel("episodic return")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        finals = [summary["final_return"] for _, summary, _ in sorted(runs, key=lambda r: r[0])]
        spread = statistics.stdev(finals) if len(finals) > 1 else 0.0
        walls = [summary["wall_time_s"] for _, summary, _ in runs]
        sps = [summary["steps_per_second"] for _, summary, _ in runs]
        lines.append(f"| {experiment} | {runs[0][1]['env']} | {', '.join(str(r[0]) for r in sorted(runs))} | "
                     f"{runs[0][1]['global_step']:,} | {', '.join(f'{v:.1f}' for v in finals)} | "
                     f"{statistics.mean(finals):.1f} ± {spread:.1f} | {statistics.median(walls):.0f} s | "
                     f"{statistics.median(sps):,.0f} |")
    for ax in list(axes.flat)[len(groups):]:
        ax.axis("off")
    fig.tight_layout()
    out = args.out or os.path.join(args.results, "curves.png")
    fig.savefig(out, dpi=100)
    print(out)
    table = "\n".join(lines) + "\n"
    if args.table:
        with open(args.table, "w") as f:
            f.write(table)
    print(table)


if __name__ == "__main__":
    main()
