#!/usr/bin/python3
"""Stay probabilities on the two-step task (Daw et al. 2011; Wang et al. 2018 Fig. 3) from `dopa play`.

The first-stage choice of each trial is compared with the previous trial's, split by whether the
previous trial paid and whether its transition was common or rare. A model-free learner repeats
what paid whatever the transition; a model-based one, after a rare transition, switches when it
was paid and stays when it was not (the reward x transition interaction).

    dopa play --run RUN_DIR --episodes 300 --out play.csv
    scripts/plot_two_step.py play.csv [--out stay.png]     # default: next to the CSV
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

CONDITIONS = [(1, 1, "rewarded\ncommon"), (1, 0, "rewarded\nrare"), (0, 1, "unrewarded\ncommon"),
              (0, 0, "unrewarded\nrare")]


def trials_by_episode(path):
    episodes = defaultdict(list)
    with open(path) as f:
        reader = csv.DictReader(f)
        missing = {"episode", "t", "stage1_action", "common", "rewarded"} - set(reader.fieldnames or [])
        if missing:
            sys.exit(f"{path} lacks {sorted(missing)}: is it `dopa play` output of a TwoStep-v0 run?")
        for row in reader:
            if row["stage1_action"] == "":  # a step that did not end a trial (the 2016 form's stage 1)
                continue
            episodes[int(row["episode"])].append(
                (int(row["t"]), int(float(row["stage1_action"])), int(float(row["rewarded"])),
                 int(float(row["common"]))))
    return [sorted(trials) for trials in episodes.values()]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("play_csv")
    parser.add_argument("--out")
    args = parser.parse_args()
    stays = defaultdict(int)
    counts = defaultdict(int)
    episodes = trials_by_episode(args.play_csv)
    for trials in episodes:
        for previous, current in zip(trials, trials[1:]):
            key = (previous[2], previous[3])
            counts[key] += 1
            stays[key] += current[1] == previous[1]
    print(f"{len(episodes)} episodes")
    print(f"{'previous trial':<22} {'trials':>7} {'stay probability':>18}")
    probabilities, errors = [], []
    for rewarded, common, label in CONDITIONS:
        n = counts[(rewarded, common)]
        p = stays[(rewarded, common)] / n if n else float("nan")
        se = math.sqrt(p * (1 - p) / n) if n else float("nan")
        probabilities.append(p)
        errors.append(se)
        print(f"{label.replace(chr(10), ' '):<22} {n:>7} {p:>11.3f} ± {se:.3f}")
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.bar(range(4), probabilities, yerr=errors, color=["tab:blue", "tab:red", "tab:blue", "tab:red"], capsize=4)
    ax.set_xticks(range(4))
    ax.set_xticklabels([c[2] for c in CONDITIONS])
    ax.set_ylim(0, 1)
    ax.set_ylabel("stay probability")
    ax.set_title(f"two-step task, {len(episodes)} test episodes")
    fig.tight_layout()
    out = args.out or os.path.join(os.path.dirname(os.path.abspath(args.play_csv)), "stay.png")
    fig.savefig(out, dpi=120)
    print(out)


if __name__ == "__main__":
    main()
