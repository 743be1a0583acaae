#!/usr/bin/python3
"""What a Backpropamine network's modulator did around rewards: M(t) aligned on the rewarded steps.

Each input is either a run folder, whose modulator.csv `meta_a2c` writes during training with
`agent.record_modulator = true` (batch element 0's reward, TD error and modulator at every step of
every `agent.record_every`-th iteration), or the CSV of `dopa play` (frozen weights; a modulated
core's play has a modulator column). The reward of step t enters the network as an input at step
t + 1, so a modulator that signals the reward moves at offset +1.

Top row, one panel per input: mean M (± standard error) at each offset from a step with a nonzero
reward, one line per reward value, over the last --last recorded iterations (every episode of a
play CSV). Bottom row, for training recordings: M one step after each reward value, across
training (means over --block recorded iterations), where a learned reward signal shows as the
lines parting, and M over every step (dashed), where a modulator stuck at tanh's bound shows.

    dopa run EXPERIMENT.toml --set agent.record_modulator=true --set agent.record_every=200 --out RUN
    dopa play --run RUN --episodes 300 --out RUN/play.csv
    scripts/plot_modulator.py RUN RUN/play.csv [--out modulator.png] [--last 20] [--table modulator.md]
"""
import argparse
import csv
import math
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_recording(source):
    """({iteration or episode: [(reward, modulator)] in step order}, whether it is a training recording)."""
    path = os.path.join(source, "modulator.csv") if os.path.isdir(source) else source
    if not os.path.exists(path):
        sys.exit(f"plot_modulator: {path} does not exist (train with agent.record_modulator = true, "
                 "or give the CSV of dopa play)")
    groups = defaultdict(list)
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        columns = set(reader.fieldnames or [])
        group = "iteration" if "iteration" in columns else "episode"
        missing = {group, "t", "reward", "modulator"} - columns
        if missing:
            sys.exit(f"plot_modulator: {path} lacks the columns {sorted(missing)} "
                     "(a play CSV has a modulator column only for modulated cores)")
        skipped = 0
        for row in reader:
            try:
                groups[int(row[group])].append((float(row["reward"]), float(row["modulator"])))
            except (TypeError, ValueError):  # a row being written by a live run
                skipped += 1
        if skipped:
            print(f"plot_modulator: {path}: skipped {skipped} incomplete row(s)", file=sys.stderr)
    if not groups:
        sys.exit(f"plot_modulator: {path} has no steps")
    return dict(sorted(groups.items())), group == "iteration"


def mean_and_error(values):
    n = len(values)
    if n == 0:
        return math.nan, math.nan
    mean = sum(values) / n
    if n == 1:
        return mean, 0.0
    variance = sum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, math.sqrt(variance / n)


def aligned(iterations, offsets):
    """{reward value: {offset: [M at that offset from a step paying that value]}} within each iteration."""
    by_reward = defaultdict(lambda: defaultdict(list))
    for steps in iterations.values():
        for t, (reward, _) in enumerate(steps):
            if reward == 0:
                continue
            for k in offsets:
                if 0 <= t + k < len(steps):
                    by_reward[reward][k].append(steps[t + k][1])
    return by_reward


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", help="run folders with a modulator.csv, or CSVs of dopa play")
    parser.add_argument("--out", help="the PNG (default: modulator.png beside the first input)")
    parser.add_argument("--last", type=int, default=20, help="recorded iterations at the end for the top row (recordings)")
    parser.add_argument("--block", type=int, default=5, help="recorded iterations per point in the bottom row")
    parser.add_argument("--before", type=int, default=3, help="offsets before the rewarded step")
    parser.add_argument("--after", type=int, default=4, help="offsets after the rewarded step")
    parser.add_argument("--table", help="also write the table of M one step after each reward value (Markdown)")
    args = parser.parse_args()
    if args.last < 1 or args.block < 1:
        sys.exit("plot_modulator: --last and --block must be >= 1")
    offsets = list(range(-args.before, args.after + 1))

    recordings = [read_recording(source) for source in args.inputs]
    rows = 2 if any(training for _, training in recordings) else 1
    fig, axes = plt.subplots(rows, len(args.inputs), figsize=(4.2 * len(args.inputs), 3.2 * rows + 0.4),
                             squeeze=False)
    table = ["| input | steps of | reward | rewarded steps | M one step later (mean ± SE) |",
             "| --- | --- | --- | --- | --- |"]
    for column, (source, (iterations, training)) in enumerate(zip(args.inputs, recordings)):
        names = list(iterations)
        last = {i: iterations[i] for i in (names[-args.last:] if training else names)}
        name = os.path.normpath(source)
        span = (f"iterations {names[-len(last)]}–{names[-1]} ({len(last)} recorded)" if training
                else f"{len(last)} episodes played")

        top = axes[0][column]
        for reward, by_offset in sorted(aligned(last, offsets).items()):
            stats = [mean_and_error(by_offset[k]) for k in offsets]
            means = [m for m, _ in stats]
            errors = [e for _, e in stats]
            top.errorbar(offsets, means, yerr=errors, marker="o", capsize=2, label=f"reward {reward:g}")
            mean, error = stats[offsets.index(1)] if 1 in offsets else (math.nan, math.nan)
            table.append(f"| {name} | {span} | {reward:g} | {len(by_offset[0])} | {mean:+.3f} ± {error:.3f} |")
        top.axvline(0, color="grey", lw=0.5)
        top.axhline(0, color="grey", lw=0.5)
        top.set_title(f"{name}\n{span}", fontsize=9)
        top.set_xlabel("steps from a rewarded step")
        top.set_ylabel("modulator M(t)")
        top.legend(fontsize=8)

        if rows == 1:
            continue
        bottom = axes[1][column]
        if not training:
            bottom.axis("off")
            continue
        series = defaultdict(lambda: ([], []))
        all_steps = ([], [])  # M over every step: a modulator stuck at tanh's bound (+-1) shows here
        for start in range(0, len(names), args.block):
            block = {i: iterations[i] for i in names[start:start + args.block]}
            block_end = names[min(start + args.block, len(names)) - 1]
            all_steps[0].append(block_end)
            all_steps[1].append(mean_and_error([m for steps in block.values() for _, m in steps])[0])
            for reward, by_offset in aligned(block, [1]).items():
                mean, _ = mean_and_error(by_offset[1])
                xs, ys = series[reward]
                xs.append(block_end)
                ys.append(mean)
        for reward, (xs, ys) in sorted(series.items()):
            bottom.plot(xs, ys, label=f"after reward {reward:g}")
        bottom.plot(*all_steps, color="grey", ls="--", label="every step")
        bottom.axhline(0, color="grey", lw=0.5)
        bottom.set_xlabel("iteration")
        bottom.set_ylabel("mean M")
        bottom.legend(fontsize=8)

    fig.tight_layout()
    first = args.inputs[0]
    out = args.out or os.path.join(first if os.path.isdir(first) else os.path.dirname(first) or ".", "modulator.png")
    fig.savefig(out, dpi=110)
    print("\n".join(table))
    if args.table:
        with open(args.table, "w") as f:
            f.write("\n".join(table) + "\n")
    print(f"plot_modulator: wrote {out}")


if __name__ == "__main__":
    main()
