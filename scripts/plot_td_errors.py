#!/usr/bin/python3
"""The Schultz figure from a `td` run: the TD error (the model's dopamine) within a trial, across learning.

Left: delta over the steps of every recorded trial (rows: trials), where the burst moves from the
reward (US) to the cue (CS) as the model learns. Right: delta within single trials: the first
recorded (burst at the US), one from the middle of learning, the last rewarded (burst at the CS,
nothing at the US) and the last with the reward withheld (the dip where it was due).

    dopa run experiments/dopamine/montague1996.toml --out RUN
    scripts/plot_td_errors.py RUN/td_errors.csv [--out schultz.png]    # default: next to the CSV
"""
import argparse
import csv
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_trials(path):
    trials = defaultdict(list)  # trial -> [(t, reward, delta)]
    with open(path) as f:
        reader = csv.DictReader(f)
        missing = {"trial", "t", "reward", "delta"} - set(reader.fieldnames or [])
        if missing:
            sys.exit(f"{path} lacks {sorted(missing)}: is it the td_errors.csv of a `td` run?")
        for row in reader:
            trials[int(row["trial"])].append((int(row["t"]), float(row["reward"]), float(row["delta"])))
    if not trials:
        sys.exit(f"{path} has no recorded trials")
    return dict(sorted(trials.items()))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", help="td_errors.csv of a td run")
    parser.add_argument("--out", help="PNG to write (default: schultz.png next to the CSV)")
    args = parser.parse_args()
    trials = read_trials(args.csv)
    numbers = list(trials)
    length = max(t for steps in trials.values() for t, _, _ in steps)

    rewarded = [n for n in numbers if any(r != 0 for _, r, _ in trials[n])]
    # A trial without reward whose delta dips: a probe (or extinction) after something was learned.
    withheld = [n for n in numbers if n not in rewarded and min(d for _, _, d in trials[n]) < 0]
    picks = [(numbers[0], "first recorded", "tab:orange"),
             (numbers[len(numbers) // 8], "early in learning", "tab:olive")]
    if rewarded:
        picks.append((rewarded[-1], "learned", "tab:blue"))
    if withheld:
        picks.append((withheld[-1], "learned, reward withheld", "tab:red"))

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    grid = [[0.0] * length for _ in numbers]
    for row, n in enumerate(numbers):
        for t, _, d in trials[n]:
            grid[row][t - 1] = d
    limit = max(abs(d) for steps in trials.values() for _, _, d in steps) or 1.0
    image = left.imshow(grid, aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest",
                        extent=(0.5, length + 0.5, numbers[-1], numbers[0]))
    left.set_xlabel("step within the trial")
    left.set_ylabel("trial")
    left.set_title("TD error across learning")
    fig.colorbar(image, ax=left, label="δ")
    for n, label, colour in picks:
        steps = trials[n]
        right.plot([t for t, _, _ in steps], [d for _, _, d in steps], color=colour, label=f"trial {n}: {label}")
    right.axhline(0, color="grey", lw=0.5)
    right.set_xlabel("step within the trial")
    right.set_ylabel("δ")
    right.set_title("TD error within a trial")
    right.legend(fontsize=8)
    fig.tight_layout()
    out = args.out or os.path.join(os.path.dirname(os.path.abspath(args.csv)), "schultz.png")
    fig.savefig(out, dpi=120)
    print(out)


if __name__ == "__main__":
    main()
