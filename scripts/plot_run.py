#!/usr/bin/python3
"""Plot a run folder's learning curve: episodic return against env steps.

    scripts/plot_run.py RUN_DIR [RUN_DIR ...] [--out FILE.png] [--hline Y:LABEL ...]

Reads RUN_DIR/metrics.csv (and summary.json for the title and the env's reward threshold) and writes
RUN_DIR/learning_curve.png, or FILE.png when several runs share one plot.
"""
import argparse
import csv
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_metrics(run_dir):
    path = os.path.join(run_dir, "metrics.csv")
    if not os.path.exists(path):
        sys.exit(f"plot_run: {path} does not exist (is {run_dir} a run folder?)")
    steps, returns = [], []
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row.get("episodic_return"):
                steps.append(float(row["global_step"]))
                returns.append(float(row["episodic_return"]))
    return steps, returns


def read_summary(run_dir):
    path = os.path.join(run_dir, "summary.json")
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    return {}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", help="run folders")
    parser.add_argument("--out", help="PNG to write (default: RUN_DIR/learning_curve.png)")
    parser.add_argument("--hline", action="append", default=[], metavar="Y:LABEL",
                        help="a reference line, e.g. 50:random (repeatable)")
    args = parser.parse_args()

    fig, ax = plt.subplots(figsize=(7, 4.2))
    summary = {}
    for run in args.runs:
        steps, returns = read_metrics(run)
        summary = read_summary(run)
        label = os.path.basename(os.path.normpath(run))
        if summary:
            label = f"{summary.get('agent', '')} seed {summary.get('seed', '')}"
        ax.plot(steps, returns, label=label)
    threshold = summary.get("reward_threshold")
    if threshold is not None:
        ax.axhline(threshold, color="gray", linestyle="--", linewidth=1, label=f"threshold {threshold:g}")
    for line in args.hline:
        y, _, label = line.partition(":")
        ax.axhline(float(y), color="gray", linestyle=":", linewidth=1)
        ax.annotate(label or y, (1, float(y)), xycoords=("axes fraction", "data"), xytext=(-3, 3),
                    textcoords="offset points", fontsize=8, color="dimgray", ha="right")
    ax.set_xlabel("env steps")
    ax.set_ylabel("episodic return")
    ax.set_title(f"{summary.get('experiment', '')} on {summary.get('env', '')}")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    out = args.out or os.path.join(args.runs[0], "learning_curve.png")
    fig.savefig(out, dpi=110)
    print(out)


if __name__ == "__main__":
    main()
