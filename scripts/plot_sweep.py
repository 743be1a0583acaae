#!/usr/bin/python3
"""Learning curves of a sweep: per grid point, the mean episodic return across seeds with a 95% band.

    scripts/plot_sweep.py SWEEP_DIR [--out FILE.png] [--points 200]

SWEEP_DIR holds run folders named <point>-s<seed> (dopa sweep makes them). Each seed's curve
(metrics.csv: episodic_return against global_step, rows that finished an episode) is interpolated on a
common grid of steps up to the shortest seed's last step; the band is mean ± t(0.975, n-1) · sd / √n.
`dopa report SWEEP_DIR` runs this and writes SWEEP_DIR/curves.png.
"""
import argparse
import csv
import math
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
        2.045, 2.042]


def read_curve(folder):
    points = []
    path = os.path.join(folder, "metrics.csv")
    if not os.path.exists(path):
        return points
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            value = row.get("episodic_return", "")
            if value and not math.isnan(float(value)):
                points.append((float(row["global_step"]), float(value)))
    return points


def interpolate(curve, xs):
    out, j = [], 0
    for x in xs:
        while j + 1 < len(curve) and curve[j + 1][0] < x:
            j += 1
        if x <= curve[0][0]:
            out.append(curve[0][1])
        elif j + 1 >= len(curve):
            out.append(curve[-1][1])
        else:
            (x0, y0), (x1, y1) = curve[j], curve[j + 1]
            out.append(y0 + (y1 - y0) * (x - x0) / (x1 - x0) if x1 > x0 else y1)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sweep")
    parser.add_argument("--out", help="PNG (default: SWEEP/curves.png)")
    parser.add_argument("--points", type=int, default=200, help="steps on the common grid")
    args = parser.parse_args()

    groups = {}
    for name in sorted(os.listdir(args.sweep)):
        match = re.fullmatch(r"(.+)-s(\d+)", name)
        folder = os.path.join(args.sweep, name)
        if match and os.path.isdir(folder):
            curve = read_curve(folder)
            if len(curve) >= 2:
                groups.setdefault(match.group(1), []).append(curve)
    if not groups:
        sys.exit(f"plot_sweep: no run folders with learning curves in {args.sweep}")

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for point, curves in groups.items():
        end = min(c[-1][0] for c in curves)
        start = max(c[0][0] for c in curves)
        xs = [start + (end - start) * i / (args.points - 1) for i in range(args.points)]
        ys = [interpolate(c, xs) for c in curves]
        n = len(ys)
        means = [sum(col) / n for col in zip(*ys)]
        line, = ax.plot(xs, means, lw=1.2, label=f"{point} (n={n})")
        if n > 1:
            t = T975[n - 2] if n - 1 <= len(T975) else 1.96
            half = [t * math.sqrt(sum((v - m) ** 2 for v in col) / (n - 1)) / math.sqrt(n)
                    for col, m in zip(zip(*ys), means)]
            ax.fill_between(xs, [m - h for m, h in zip(means, half)], [m + h for m, h in zip(means, half)],
                            color=line.get_color(), alpha=0.2, lw=0)
    ax.set_xlabel("env steps")
    ax.set_ylabel("episodic return (mean, 95% CI)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    out = args.out or os.path.join(args.sweep, "curves.png")
    fig.savefig(out, dpi=100)
    print(out)


if __name__ == "__main__":
    main()
