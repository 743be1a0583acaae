#!/usr/bin/python3
"""Median and inter-quartile learning curves over seeds, as the Backpropamine paper plots them.

    scripts/plot_curves.py RESULTS_DIR [--out FILE.png] [--table FILE.md] [--smooth 20] [--every 100]

RESULTS_DIR holds run folders named <experiment>-s<seed> (scripts/long_runs.sh makes them). Runs are
grouped by experiment; each curve is the median over seeds of the episodic return, with the band
between the 25th and 75th percentiles, read every --every iterations and smoothed by a --smooth-point
moving average (the paper: every 100 iterations, 20 points). The table gives, per experiment, the
seeds, the iterations reached by all of them, and the median [IQR] over seeds of the mean return of
each run's last 10% of iterations.
"""
import argparse
import csv
import os
import re
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_run(folder):
    """iteration -> episodic return, from a run folder's metrics.csv."""
    path = os.path.join(folder, "metrics.csv")
    curve = {}
    if not os.path.exists(path):
        return curve
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row.get("episodic_return") and row.get("iteration"):
                curve[int(float(row["iteration"]))] = float(row["episodic_return"])
    return curve


def quantile(values, q):
    values = sorted(values)
    if len(values) == 1:
        return values[0]
    position = q * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def moving_average(values, window):
    out = []
    for i in range(len(values)):
        chunk = values[max(0, i - window + 1): i + 1]
        out.append(sum(chunk) / len(chunk))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results")
    parser.add_argument("--out", help="PNG (default: RESULTS/curves.png)")
    parser.add_argument("--table", help="also write a Markdown table here")
    parser.add_argument("--smooth", type=int, default=20)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--title", default="")
    args = parser.parse_args()

    groups = {}
    for name in sorted(os.listdir(args.results)):
        folder = os.path.join(args.results, name)
        match = re.fullmatch(r"(.+)-s(\d+)", name)
        if not os.path.isdir(folder) or not match:
            continue
        curve = read_run(folder)
        if curve:
            groups.setdefault(match.group(1), {})[int(match.group(2))] = curve
    if not groups:
        sys.exit(f"plot_curves: no run folders with metrics in {args.results}")

    fig, ax = plt.subplots(figsize=(8, 4.8))
    rows = []
    for experiment, runs in groups.items():
        common = max(0, min(max(curve) for curve in runs.values()))
        points = [it for it in sorted(next(iter(runs.values()))) if it <= common and it % args.every == 0
                  and all(it in curve for curve in runs.values())]
        if not points:
            continue
        medians = [statistics.median(curve[it] for curve in runs.values()) for it in points]
        lows = [quantile([curve[it] for curve in runs.values()], 0.25) for it in points]
        highs = [quantile([curve[it] for curve in runs.values()], 0.75) for it in points]
        line, = ax.plot(points, moving_average(medians, args.smooth), label=f"{experiment} ({len(runs)} seed{'' if len(runs) == 1 else 's'})")
        ax.fill_between(points, moving_average(lows, args.smooth), moving_average(highs, args.smooth),
                        color=line.get_color(), alpha=0.2)
        finals = []
        for curve in runs.values():
            tail = [v for it, v in curve.items() if it > 0.9 * common]
            finals.append(sum(tail) / len(tail))
        rows.append((experiment, sorted(runs), common, statistics.median(finals), quantile(finals, 0.25),
                     quantile(finals, 0.75)))
    ax.set_xlabel("iteration (30 episodes each)")
    ax.set_ylabel("reward per episode")
    ax.set_title(args.title)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    out = args.out or os.path.join(args.results, "curves.png")
    fig.savefig(out, dpi=110)
    print(out)

    lines = ["| experiment | seeds | iterations (all seeds) | final return, median [IQR] |",
             "| --- | --- | --- | --- |"]
    for experiment, seeds, common, median, low, high in rows:
        lines.append(f"| {experiment} | {', '.join(map(str, seeds))} | {common} | {median:.1f} [{low:.1f}, {high:.1f}] |")
    table = "\n".join(lines) + "\n"
    if args.table:
        with open(args.table, "w") as f:
            f.write(table)
    print(table)


if __name__ == "__main__":
    main()
