#!/usr/bin/env python3
"""RL²'s Table 1 baseline columns: ours (dopa eval, experiments/bandits/rl2_baselines.sh) beside the
paper's (Duan et al. 2016, as specs/metarl-dopamine.md §2.2 lists them), as a markdown table.

    scripts/rl2_table.py experiments/bandits/results/rl2_baselines [--out table.md]

Each cell: our mean total reward ± its standard error / the paper's value (difference in percent);
a star marks a difference over 2%. For starred cells a note weighs the difference against the noise
of the paper's own number: 1,000 instances (a standard error of ours x sqrt(episodes / 1000)) and
rounding to 0.1 (a standard deviation of 0.1 / sqrt(12)). A second table gives the parameter each
sweep chose.
"""
import argparse
import csv
import math
import pathlib
import sys

# The paper's Table 1: (n, k) -> column -> total reward.
PAPER = {
    (10, 5): dict(random=5.0, gittins=6.6, thompson=5.7, ucb1=6.7, epsilon_greedy=6.6, greedy=6.6),
    (10, 10): dict(random=5.0, gittins=6.6, thompson=5.5, ucb1=6.7, epsilon_greedy=6.6, greedy=6.6),
    (10, 50): dict(random=5.1, gittins=6.5, thompson=5.2, ucb1=6.6, epsilon_greedy=6.5, greedy=6.5),
    (100, 5): dict(random=49.9, gittins=78.3, thompson=74.7, ucb1=78.0, epsilon_greedy=75.4, greedy=74.8),
    (100, 10): dict(random=49.9, gittins=82.8, thompson=76.7, ucb1=82.4, epsilon_greedy=77.4, greedy=77.1),
    (100, 50): dict(random=49.8, gittins=85.2, thompson=64.5, ucb1=84.3, epsilon_greedy=78.3, greedy=78.0),
    (500, 5): dict(random=249.8, gittins=405.8, thompson=402.0, ucb1=405.8, epsilon_greedy=388.2, greedy=380.6),
    (500, 10): dict(random=249.0, gittins=437.8, thompson=429.5, ucb1=437.1, epsilon_greedy=408.0, greedy=395.0),
    (500, 50): dict(random=249.6, gittins=463.7, thompson=427.2, ucb1=457.6, epsilon_greedy=413.6, greedy=402.8),
}
COLUMNS = ["random", "gittins", "thompson", "ucb1", "epsilon_greedy", "greedy"]


def table(results):
    """The Markdown text: the table, a line on the differences, notes on starred cells, the chosen parameters."""
    results = pathlib.Path(results)
    lines = ["| n | k | " + " | ".join(COLUMNS) + " |", "|" + " --- |" * (len(COLUMNS) + 2)]
    chosen_lines = ["| n | k | gittins | ucb1 | epsilon_greedy |", "| --- | --- | --- | --- | --- |"]
    worst, over = 0.0, 0
    notes = []
    for (n, k), paper in PAPER.items():
        path = results / f"n{n}_k{k}" / "summary.csv"
        if not path.exists():
            raise FileNotFoundError(path)
        rows = {row["baseline"].split("(")[0]: row for row in csv.DictReader(path.open())}
        cells = []
        digits = 2 if n == 10 else 1
        for column in COLUMNS:
            row = rows[column]
            ours, se = float(row["total_reward"]), float(row["total_reward_se"])
            diff = 100.0 * (ours - paper[column]) / paper[column]
            worst = max(worst, abs(diff))
            over += abs(diff) > 2.0
            star = "*" if abs(diff) > 2.0 else ""
            if star:
                paper_sd = math.hypot(se * math.sqrt(float(row["episodes"]) / 1000.0), 0.1 / math.sqrt(12.0))
                notes.append(f"n = {n}, k = {k}, {column}: {ours - paper[column]:+.2f} is {abs(ours - paper[column]) / paper_sd:.1f} "
                             f"standard deviations of the paper's number ({paper_sd:.3f}); 2% of it is "
                             f"{0.02 * paper[column] / paper_sd:.1f}.")
            cells.append(f"{ours:.{digits}f} ± {se:.{digits}f} / {paper[column]} ({diff:+.1f}%){star}")
        lines.append(f"| {n} | {k} | " + " | ".join(cells) + " |")
        chosen = [rows[c]["baseline"][len(c):].strip("()") for c in ("gittins", "ucb1", "epsilon_greedy")]
        chosen_lines.append(f"| {n} | {k} | " + " | ".join(chosen) + " |")
    episodes = rows["random"]["episodes"]
    lines.append("")
    lines.append(f"{episodes} episodes per cell; {over} of {len(PAPER) * len(COLUMNS)} cells differ from the "
                 f"paper by more than 2%; the largest difference is {worst:.1f}%.")
    if notes:
        lines += [""] + ["* " + note for note in notes]
    lines += ["", "Parameters the sweeps chose:", ""] + chosen_lines
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path)
    args = parser.parse_args()
    try:
        text = table(args.results)
    except FileNotFoundError as missing:
        sys.exit(f"missing {missing}: run experiments/bandits/rl2_baselines.sh first")
    if args.out:
        args.out.write_text(text)
    print(text, end="")


if __name__ == "__main__":
    main()
