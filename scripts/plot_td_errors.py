#!/usr/bin/python3
"""The Schultz figure from a `td` run: the TD error (the model's dopamine) within a trial, across learning.

Left: delta over the steps of every recorded trial (rows: trials), where the burst moves from the
reward (US) to the cue (CS) as the model learns. Right: delta within single trials: the first
recorded (burst at the US), one from the middle of learning, the last rewarded (burst at the CS,
nothing at the US) and the last with the reward withheld (the dip where it was due).

    dopa run experiments/dopamine/montague1996.toml --out RUN
    scripts/plot_td_errors.py RUN/td_errors.csv [--out schultz.png]    # default: next to the CSV

With --by-cue N (runs with several cues, e.g. fiorillo2003.toml): delta within a trial averaged over
the last N trials per cue, rewarded trials solid and unrewarded dashed (Fiorillo et al. 2003).
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
    cues = {}  # trial -> the cue it showed (-1: none)
    with open(path) as f:
        reader = csv.DictReader(f)
        missing = {"trial", "t", "reward", "delta"} - set(reader.fieldnames or [])
        if missing:
            sys.exit(f"{path} lacks {sorted(missing)}: is it the td_errors.csv of a `td` run?")
        for row in reader:
            trial = int(row["trial"])
            trials[trial].append((int(row["t"]), float(row["reward"]), float(row["delta"])))
            cues[trial] = max(cues.get(trial, -1), int(row.get("cue") or -1))
    if not trials:
        sys.exit(f"{path} has no recorded trials")
    return dict(sorted(trials.items())), cues


def plot_by_cue(trials, cues, last, out):
    """Mean delta within a trial per cue over the last `last` trials, rewarded and not."""
    numbers = list(trials)[-last:]
    groups = defaultdict(list)  # (cue, rewarded) -> [trial]
    for n in numbers:
        groups[(cues[n], any(r != 0 for _, r, _ in trials[n]))].append(n)
    fig, ax = plt.subplots(figsize=(7, 4.2))
    cmap = plt.get_cmap("viridis")
    cue_ids = sorted({c for c, _ in groups})
    for (cue, rewarded), members in sorted(groups.items()):
        length = len(trials[members[0]])
        mean = [sum(trials[n][i][2] for n in members) / len(members) for i in range(length)]
        ax.plot(range(1, length + 1), mean, "-" if rewarded else "--",
                color=cmap(cue_ids.index(cue) / max(1, len(cue_ids) - 1)),
                label=f"cue {cue}, {'rewarded' if rewarded else 'no reward'} ({len(members)})")
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel("step within the trial")
    ax.set_ylabel("mean δ")
    ax.set_title(f"TD error by cue, last {len(numbers)} trials")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    print(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", help="td_errors.csv of a td run")
    parser.add_argument("--out", help="PNG to write (default: schultz.png next to the CSV)")
    parser.add_argument("--by-cue", type=int, metavar="N", help="mean delta per cue over the last N trials")
    args = parser.parse_args()
    trials, cues = read_trials(args.csv)
    if args.by_cue:
        plot_by_cue(trials, cues, args.by_cue,
                    args.out or os.path.join(os.path.dirname(os.path.abspath(args.csv)), "by_cue.png"))
        return
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
