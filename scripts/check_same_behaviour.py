#!/usr/bin/env python3
"""Runs a fixed list of short training runs with two dopa binaries and compares what they wrote.

A refactoring that should not change behaviour is checked with it: the old binary (built from the
commit before the change) and the new one run the same experiments, one after the other, and their
metrics.csv and summary.json must agree in every column but the clock ones (wall_time, SPS,
wall_time_s, steps_per_second). Columns are matched by name, so a column that moved is no
difference; a column that one run has and the other lacks is.

    scripts/check_same_behaviour.py OLD_DOPA NEW_DOPA [--work DIR] [--only NAME...] [--rel-tol X]

Exit status 0 when every run agrees (exactly, or within --rel-tol where given), 1 otherwise; a
table per run says what differed.

With --speed ROUNDS it times instead: each run ROUNDS times with each binary, the two alternated,
and prints the median steps per second (summary.json) of each and their ratio (new / old):

    scripts/check_same_behaviour.py OLD NEW --speed 5 --only maze-modplast maze-modul half-cheetah-ppo
"""
import argparse
import csv
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOCK_COLUMNS = {"wall_time", "SPS", "wall_time_s", "steps_per_second"}

REINFORCE_CARTPOLE = """
name = "cartpole-reinforce"
seed = 0
total_steps = 20_000
[env]
id = "CartPole-v1"
num_envs = 8
[agent]
algo = "reinforce"
"""

# name -> (arguments after `dopa run`, with {out} for the run folder; optional follow-up arguments
# that continue the same folder, e.g. a resume).
RUNS = {
    "maze-modplast": (["experiments/maze/modplast.toml", "--set", "total_steps=300000",
                       "--set", "agent.burn_in=0", "--set", "agent.log_interval=1"], None),
    "maze-modul": (["experiments/maze/modul.toml", "--set", "total_steps=120000",
                    "--set", "agent.burn_in=0", "--set", "agent.log_interval=1"], None),
    "maze-modul-dopamine": (["experiments/maze/modul_dopamine.toml", "--set", "total_steps=300000",
                             "--set", "agent.burn_in=0", "--set", "agent.log_interval=1"], None),
    "bandit-medium-warmup": (["experiments/bandits/medium_lstm.toml", "--set", "total_steps=60000",
                              "--set", "warmup.steps=20000", "--set", "agent.log_interval=5",
                              "--set", "agent.checkpoint_every=20"], None),
    "cartpole-ppo": (["experiments/control/cartpole_ppo.toml", "--set", "total_steps=20480"], None),
    "half-cheetah-ppo": (["experiments/mujoco/half_cheetah_ppo.toml", "--set", "total_steps=20480"], None),
    "bandit-a2c": (["experiments/bandits/easy_lstm_quick.toml"], None),
    "cartpole-reinforce": (["{reinforce}"], None),
    # A run stopped by its step budget, then resumed to a larger one: the checkpoint's round trip.
    "cartpole-ppo-resumed": (["experiments/control/cartpole_ppo.toml", "--set", "total_steps=10240",
                              "--set", "agent.checkpoint_every=3"],
                             ["--resume", "{out}", "--set", "total_steps=20480"]),
    "maze-modplast-resumed": (["experiments/maze/modplast.toml", "--set", "total_steps=120000",
                               "--set", "agent.burn_in=0", "--set", "agent.log_interval=1",
                               "--set", "agent.checkpoint_every=7"],
                              ["--resume", "{out}", "--set", "total_steps=240000"]),
    "maze-population": (["experiments/maze/modplast.toml", "--set", "total_steps=120000",
                         "--set", "agent.burn_in=0", "--set", "agent.log_interval=1",
                         "--set", "agent.fused=false", "--set", "agent.checkpoint_every=0",
                         "--population", "0-1"], None),
}


def run(binary, name, out, reinforce_toml, root=ROOT):
    args, follow_up = RUNS[name]
    subs = {"out": str(out), "reinforce": str(reinforce_toml)}
    first = [a.format(**subs) for a in args]
    subprocess.run([binary, "--log-level", "warn", "run", *first, "--out", str(out), "--no-progress"],
                   cwd=root, check=True)
    if follow_up:
        subprocess.run([binary, "--log-level", "warn", "run", *[a.format(**subs) for a in follow_up],
                        "--no-progress"], cwd=root, check=True)


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def same_value(a, b, rel_tol):
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    if math.isnan(x) and math.isnan(y):
        return True
    return rel_tol > 0 and math.isclose(x, y, rel_tol=rel_tol, abs_tol=rel_tol)


def compare_tables(old_rows, new_rows, rel_tol, label):
    problems = []
    if len(old_rows) != len(new_rows):
        problems.append(f"{label}: {len(old_rows)} rows before, {len(new_rows)} after")
    old_cols = set(old_rows[0]) if old_rows else set()
    new_cols = set(new_rows[0]) if new_rows else set()
    if old_cols != new_cols:
        problems.append(f"{label}: columns only before {sorted(old_cols - new_cols)}, "
                        f"only after {sorted(new_cols - old_cols)}")
    columns = sorted((old_cols & new_cols) - CLOCK_COLUMNS)
    for i, (o, n) in enumerate(zip(old_rows, new_rows)):
        for c in columns:
            if not same_value(o[c], n[c], rel_tol):
                problems.append(f"{label} row {i + 1} {c}: {o[c]} before, {n[c]} after")
    return problems


def compare_folders(old, new, rel_tol):
    problems, checked = [], 0
    for metrics in sorted(old.rglob("metrics.csv")):
        rel = metrics.relative_to(old)
        other = new / rel
        if not other.exists():
            problems.append(f"{rel}: missing after")
            continue
        problems += compare_tables(read_csv(metrics), read_csv(other), rel_tol, str(rel))
        checked += 1
    for summary in sorted(old.rglob("summary.json")):
        rel = summary.relative_to(old)
        other = new / rel
        if not other.exists():
            problems.append(f"{rel}: missing after")
            continue
        a, b = json.loads(summary.read_text()), json.loads(other.read_text())
        for key in sorted((set(a) | set(b)) - CLOCK_COLUMNS):
            if key not in a or key not in b or not same_value(str(a[key]), str(b[key]), rel_tol):
                problems.append(f"{rel} {key}: {a.get(key)} before, {b.get(key)} after")
        checked += 1
    if checked == 0:
        problems.append("no metrics.csv or summary.json written")
    return problems


def time_runs(sides, names, rounds, work, reinforce_toml):
    """sides: {"old": (binary, root), "new": (binary, root)}."""
    for name in names:
        speeds = {side: [] for side in sides}
        for r in range(rounds):
            for side, (binary, root) in sides.items():
                out = work / side / f"{name}-{r}"
                if out.exists():
                    shutil.rmtree(out)
                run(os.path.abspath(binary), name, out, reinforce_toml, root)
                summaries = sorted(out.rglob("summary.json"))
                speeds[side].append(json.loads(summaries[0].read_text())["steps_per_second"])
                shutil.rmtree(out)
        old, new = statistics.median(speeds["old"]), statistics.median(speeds["new"])
        print(f"{name}: median steps/s old {old:.1f}, new {new:.1f}, new/old {new / old:.3f} "
              f"(old {sorted(round(x, 1) for x in speeds['old'])}, new {sorted(round(x, 1) for x in speeds['new'])})",
              flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--work", help="folder for the runs (default: a temporary one, removed)")
    parser.add_argument("--only", nargs="*", choices=sorted(RUNS), help="run only these")
    parser.add_argument("--rel-tol", type=float, default=0.0,
                        help="relative tolerance for numbers (default 0: identical text)")
    parser.add_argument("--old-root", default=str(ROOT),
                        help="the checkout whose experiment files the old binary reads (when keys were renamed)")
    parser.add_argument("--speed", type=int, default=0, metavar="ROUNDS",
                        help="time the runs instead of comparing them (alternated, medians)")
    args = parser.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="same-behaviour-"))
    work.mkdir(parents=True, exist_ok=True)
    reinforce_toml = work / "cartpole_reinforce.toml"
    reinforce_toml.write_text(REINFORCE_CARTPOLE)
    if args.speed > 0:
        time_runs({"old": (args.old, args.old_root), "new": (args.new, ROOT)}, args.only or RUNS, args.speed, work,
                  reinforce_toml)
        if not args.work:
            shutil.rmtree(work)
        return 0
    failed = False
    for name in args.only or RUNS:
        outs = {}
        for side, binary, root in (("old", args.old, args.old_root), ("new", args.new, ROOT)):
            outs[side] = work / side / name
            if outs[side].exists():
                shutil.rmtree(outs[side])
            run(os.path.abspath(binary), name, outs[side], reinforce_toml, root)
        problems = compare_folders(outs["old"], outs["new"], args.rel_tol)
        print(f"{name}: {'same' if not problems else f'{len(problems)} difference(s)'}", flush=True)
        for p in problems[:20]:
            print("   ", p)
        failed |= bool(problems)
    if not args.work:
        shutil.rmtree(work)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
