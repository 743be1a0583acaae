#!/usr/bin/python3
"""Cumulative-regret curves from a `dopa eval` folder (its regret.csv), mean ± one standard error.

    scripts/plot_regret.py EVAL_DIR [--out FILE.png]      # default EVAL_DIR/regret.png
"""
import argparse
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("eval_dir")
    parser.add_argument("--out")
    args = parser.parse_args()
    path = os.path.join(args.eval_dir, "regret.csv")
    if not os.path.exists(path):
        sys.exit(f"no {path}: is {args.eval_dir} a dopa eval folder?")
    with open(path) as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [[float(x) for x in row] for row in reader]
    t = [row[0] for row in rows]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    # Columns after t come in pairs: a policy's mean, then its standard error.
    for i in range(1, len(header), 2):
        mean = [row[i] for row in rows]
        se = [row[i + 1] for row in rows]
        (line,) = ax.plot(t, mean, label=header[i])
        ax.fill_between(t, [m - s for m, s in zip(mean, se)], [m + s for m, s in zip(mean, se)],
                        color=line.get_color(), alpha=0.2)
    ax.set_xlabel("pull")
    ax.set_ylabel("cumulative expected regret")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    out = args.out or os.path.join(args.eval_dir, "regret.png")
    fig.savefig(out, dpi=120)
    print(out)


if __name__ == "__main__":
    main()
