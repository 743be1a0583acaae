#!/usr/bin/env python3
"""Regenerate every results table in experiments/*/RESULTS.md from the run data committed beside it.

    scripts/results.py            rewrite each table between its markers
    scripts/results.py --check    change nothing; print a diff and exit 1 where a table differs from its data
    scripts/results.py --list     the tables and the data each is computed from
    scripts/results.py summarize-play RUN/play.csv    write RUN/play_summary.json (see below)
    scripts/results.py summarize-runs DIR             write DIR/runs.csv: one row per run folder in DIR

A generated table sits between two HTML comments in a RESULTS.md:

    <!-- results-table: maze-seeds -->
    | ... the table ... |
    <!-- end results-table -->

and is defined once below, by a function registered under that name (`@table("maze-seeds", ...)`):
which runs, which column of which file, which window, which rounding. Everything is read from small
committed files under experiments/<family>/results/: a run folder's config.toml, metrics.csv and
summary.json (what `dopa run` writes), `dopa eval`'s summary.csv, and play_summary.json, the
summary of a `dopa play` CSV (the CSV itself is large and not committed):

    dopa play --run RUN --episodes 300 --out RUN/play.csv
    scripts/results.py summarize-play RUN/play.csv      # mean return ± SE, M after each reward value

Standard library only (Python >= 3.11 for tomllib). ctest runs `--check` (ResultsTablesMatchData).
"""
import argparse
import csv
import difflib
import functools
import gzip
import json
import math
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = ROOT / "experiments"
CLOCK_COLUMNS = {"wall_time", "SPS"}  # metrics.csv columns that depend on the machine, not the run

# ---------------------------------------------------------------------------------------------
# Reading run data


@functools.lru_cache(maxsize=None)
def read_csv(path):
    """The rows of a CSV (or CSV.gz) as dicts; cached, so tables share reads."""
    path = Path(path)
    if not path.exists() and Path(str(path) + ".gz").exists():
        path = Path(str(path) + ".gz")
    if not path.exists():
        raise DataMissing(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", newline="") as f:
        return tuple(csv.DictReader(f))


@functools.lru_cache(maxsize=None)
def read_json(path):
    path = Path(path)
    if not path.exists():
        raise DataMissing(path)
    with open(path) as f:
        return json.load(f)


class DataMissing(FileNotFoundError):
    pass


def run_dir(family, run):
    return EXPERIMENTS / family / "results" / run


def returns_by_iteration(family, run):
    """[(iteration, episodic return)] of the rows of metrics.csv that have a return."""
    return [(int(float(r["iteration"])), float(r["episodic_return"]))
            for r in read_csv(run_dir(family, run) / "metrics.csv")
            if r.get("episodic_return") and r.get("iteration")]


def last_iteration(family, run):
    return max(it for it, _ in returns_by_iteration(family, run))


def mean_return_last_fraction(family, run, fraction, up_to=None):
    """Mean episodic return of the rows with iteration > (1 - fraction) x the run's last iteration
    (or x up_to, when given; rows past up_to still count: scripts/plot_curves.py's rule)."""
    curve = returns_by_iteration(family, run)
    end = up_to if up_to is not None else max(it for it, _ in curve)
    tail = [v for it, v in curve if it > (1 - fraction) * end]
    return sum(tail) / len(tail)


def mean_return_last_iterations(family, run, iterations):
    """Mean episodic return of the rows logged in the run's last `iterations` iterations."""
    curve = returns_by_iteration(family, run)
    end = max(it for it, _ in curve)
    tail = [v for it, v in curve if it > end - iterations]
    return sum(tail) / len(tail)


def block_means(family, run, block):
    """{block index: mean return} over blocks of `block` iterations (iterations 1..block are block 0)."""
    sums = defaultdict(list)
    for it, v in returns_by_iteration(family, run):
        sums[(it - 1) // block].append(v)
    return {b: sum(v) / len(v) for b, v in sorted(sums.items())}


def summary(family, run):
    return read_json(run_dir(family, run) / "summary.json")


def eval_row(family, run, folder, baseline=None):
    """A row of `dopa eval`'s summary.csv (the first, or the one whose baseline starts with `baseline`)."""
    rows = read_csv(run_dir(family, run) / folder / "summary.csv")
    if baseline is None:
        return rows[0]
    return next(r for r in rows if r["baseline"].split("(")[0] == baseline)


# ---------------------------------------------------------------------------------------------
# Statistics and formatting


def quantile(values, q):
    """Linear interpolation between order statistics (numpy's default)."""
    values = sorted(values)
    position = q * (len(values) - 1)
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def median_iqr(values, digits=1):
    return (f"{statistics.median(values):.{digits}f} [{quantile(values, 0.25):.{digits}f}, "
            f"{quantile(values, 0.75):.{digits}f}]")


def num(value, digits, minus="-", sign=False):
    """value with `digits` decimals; minus="−" writes a typographic minus."""
    text = f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"
    return text.replace("-", minus)


def thousands(value):
    return f"{value:,}"


def markdown(header, rows):
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["|" + "".join(f" {c} |" if str(c) else " |" for c in row) for row in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The tables. Each function returns the Markdown that goes between its markers; `data` says which
# committed files it reads (for --list).

TABLES = {}
PENDING = set()  # tables defined for runs not committed yet: they may be marked in no RESULTS.md


def table(name, data, pending=False):
    def register(function):
        TABLES[name] = (function, data)
        if pending:
            PENDING.add(name)
        return function
    return register


SEEDS = (0, 1, 2)

# ---- experiments/maze/RESULTS.md -------------------------------------------------------------

MAZE_NETWORKS = [  # (experiment, label)
    ("modplast", "modplast (simple neuromodulation, N = 100)"),
    ("modplast_dopamine", "modplast_dopamine (simple neuromodulation by the TD error, N = 100)"),
    ("modul", "modul (retroactive neuromodulation, N = 100)"),
    ("modul_dopamine", "modul_dopamine (retroactive, by the TD error, N = 100)"),
    ("plastic", "plastic (non-modulated plasticity, N = 101)"),
    ("rnn139", "rnn139 (non-plastic, parameter-matched)"),
    ("rnn100", "rnn100 (non-plastic, N = 100)"),
]


@table("maze-seeds", "experiments/maze/results/NET-sS/metrics.csv")
def maze_seeds():
    """Mean episodic return over the last 10% of each run's iterations, one decimal."""
    rows = []
    for experiment, label in MAZE_NETWORKS:
        runs = [f"{experiment}-s{s}" for s in SEEDS]
        iterations = {last_iteration("maze", r) for r in runs}
        rows.append([label] + [num(mean_return_last_fraction("maze", r, 0.1), 1) for r in runs]
                    + [f"{thousands(iterations.pop())} each" if len(iterations) == 1
                       else ", ".join(thousands(last_iteration("maze", r)) for r in runs)])
    return markdown(["experiment", "seed 0", "seed 1", "seed 2", "iterations"], rows)


def median_over_seeds_table(family, experiments):
    """scripts/plot_curves.py's table: per experiment, the iterations all seeds reached (common) and
    the median [IQR] over seeds of each run's mean return at iterations > 0.9 x common."""
    rows = []
    for experiment in experiments:
        runs = [f"{experiment}-s{s}" for s in SEEDS]
        common = min(last_iteration(family, r) for r in runs)
        finals = [mean_return_last_fraction(family, r, 0.1, up_to=common) for r in runs]
        rows.append([experiment, ", ".join(map(str, SEEDS)), common, median_iqr(finals)])
    return markdown(["experiment", "seeds", "iterations (all seeds)", "final return, median [IQR]"], rows)


@table("maze-median", "experiments/maze/results/NET-sS/metrics.csv")
def maze_median():
    return median_over_seeds_table("maze", sorted(e for e, _ in MAZE_NETWORKS))


# ---- experiments/cue_reward/RESULTS.md -------------------------------------------------------

CUE_NETWORKS = [  # (experiment, label)
    ("modplast", "modplast (simple neuromodulation)"),
    ("modul", "modul (retroactive)"),
    ("plastic", "plastic (non-modulated)"),
    ("rnn", "rnn (non-plastic)"),
]
CUE_FULL_RUN = 40_000  # iterations
CUE_ONSET_BLOCK = 2_000  # iterations per block when looking for the onset of learning
CUE_ONSET_LEVEL = 0.2  # a block mean above this has left chance (every chance block: |mean| < 0.05)


def cue_onset(run):
    """The start of the first 2K-iteration block whose mean return exceeds 0.2, or None."""
    for block, mean in block_means("cue_reward", run, CUE_ONSET_BLOCK).items():
        if mean > CUE_ONSET_LEVEL:
            return block * CUE_ONSET_BLOCK
    return None


def at_iterations(run):
    """' (at 28,170)' for a run stopped before the full 40K iterations."""
    end = last_iteration("cue_reward", run)
    return "" if end >= CUE_FULL_RUN else f" (at {thousands(end)})"


@table("cue-reward-final", "experiments/cue_reward/results/NET-sS/metrics.csv")
def cue_reward_final():
    """Mean return over each run's last 500 iterations, two decimals; 'learns from about XK' where a
    2K block has left chance (cue_onset), 'chance' otherwise."""
    rows = []
    for experiment, label in CUE_NETWORKS:
        cells = []
        for seed in SEEDS:
            run = f"{experiment}-s{seed}"
            value = num(mean_return_last_iterations("cue_reward", run, 500), 2, minus="−")
            onset = cue_onset(run)
            words = "chance" if onset is None else f"learns from about {onset // 1000}K"
            cells.append(f"{words}: {value}{at_iterations(run)}")
        rows.append([label] + cells)
    return markdown(["network", "seed 0", "seed 1", "seed 2"], rows)


@table("cue-reward-play", "experiments/cue_reward/results/NET-sS/play_summary.json")
def cue_reward_play():
    """Frozen-weight play, 300 episodes: mean return ± its standard error, two decimals."""
    rows = []
    for experiment, _ in CUE_NETWORKS:
        cells = []
        for seed in SEEDS:
            run = f"{experiment}-s{seed}"
            play = read_json(run_dir("cue_reward", run) / "play_summary.json")
            cells.append(f"{num(play['mean_return'], 2, minus='−')} ± {play['mean_return_se']:.2f}"
                         f"{at_iterations(run)}")
        rows.append([experiment] + cells)
    return markdown(["network", "seed 0", "seed 1", "seed 2"], rows)


def modulator_after_reward_training(run, first, last):
    """{reward value: (rewarded steps, M one step later: mean, SE)} over the iterations first..last of
    a run's training recording, modulator.csv (scripts/plot_modulator.py's table)."""
    steps = defaultdict(list)  # iteration -> [(reward, modulator)]
    for row in read_csv(run_dir("cue_reward", run) / "modulator.csv"):
        if first <= int(row["iteration"]) <= last:
            steps[int(row["iteration"])].append((float(row["reward"]), float(row["modulator"])))
    after, rewarded = defaultdict(list), defaultdict(int)
    for trajectory in steps.values():
        for t, (reward, _) in enumerate(trajectory):
            if reward != 0:
                rewarded[f"{reward:g}"] += 1
                if t + 1 < len(trajectory):
                    after[f"{reward:g}"].append(trajectory[t + 1][1])
    return len(steps), {r: (rewarded[r], *mean_and_se(v)) for r, v in sorted(after.items(), key=lambda kv: float(kv[0]))}


@table("cue-reward-modulator-final", "experiments/cue_reward/results/modul-s2/{modulator.csv,play_summary.json}")
def cue_reward_modulator_final():
    """modul-s2's modulator one step after each reward value: training (its last 10 recorded
    iterations, 38,200-40,000) and frozen-weight play (300 episodes)."""
    first, last = 38_200, 40_000
    recorded, training = modulator_after_reward_training("modul-s2", first, last)
    rows = [["modul-s2 (training)", f"iterations {first}–{last} ({recorded} recorded)", reward.replace("-", "−"), n,
             f"{num(mean, 3, minus='−', sign=True)} ± {se:.3f}"] for reward, (n, mean, se) in training.items()]
    play = read_json(run_dir("cue_reward", "modul-s2") / "play_summary.json")
    for reward, stats in sorted(play["modulator_one_step_after_reward"].items(), key=lambda kv: float(kv[0])):
        rows.append(["modul-s2 (play)", f"{play['episodes']} episodes", reward.replace("-", "−"), stats["rewarded_steps"],
                     f"{num(stats['mean'], 3, minus='−', sign=True)} ± {stats['se']:.3f}"])
    return markdown(["input", "steps of", "reward", "rewarded steps", "M one step later (mean ± SE)"], rows)


@table("cue-reward-median", "experiments/cue_reward/results/NET-sS/metrics.csv")
def cue_reward_median():
    return median_over_seeds_table("cue_reward", [e for e, _ in CUE_NETWORKS])


# ---- experiments/bandits/RESULTS.md ----------------------------------------------------------


@table("bandits-rl2-baselines", "experiments/bandits/results/rl2_baselines/nN_kK/summary.csv")
def bandits_rl2_baselines():
    """RL² Table 1's baseline columns beside the paper's: scripts/rl2_table.py's text."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import rl2_table
    return rl2_table.table(EXPERIMENTS / "bandits" / "results" / "rl2_baselines")


def regret_at_100(run, folder, digits=2, family="bandits"):
    """Frozen-weight regret at t = 100 ± its standard error from `dopa eval --run RUN --out RUN/folder`."""
    row = eval_row(family, run, folder)
    return f"{float(row['regret_100']):.{digits}f} ± {float(row['regret_100_se']):.{digits}f}"


def bandit_seed_table(experiment, target):
    """Per seed: regret@100 on the 300 test episodes (seed 12345; bold where it meets the issue's
    target) and on 3,000 (seed 777), and the run's wall time (summary.json)."""
    rows = []
    for seed in SEEDS:
        run = f"{experiment}-s{seed}"
        test = regret_at_100(run, "eval300")
        met = float(eval_row("bandits", run, "eval300")["regret_100"]) <= target
        rows.append([seed, f"**{test}**" if met else test, regret_at_100(run, "eval3000"),
                     f"{summary('bandits', run)['wall_time_s']:.0f}"])
    return markdown(["seed", "300 test episodes (seed 12345)", "3,000 (seed 777)", "wall s"], rows)


@table("bandits-independent-lstm", "experiments/bandits/results/independent_lstm-sS/{summary.json,eval300,eval3000}")
def bandits_independent_lstm():
    return bandit_seed_table("independent_lstm", target=2.5)


@table("bandits-medium-lstm", "experiments/bandits/results/medium_lstm-sS/{summary.json,eval300,eval3000}")
def bandits_medium_lstm():
    return bandit_seed_table("medium_lstm", target=1.6)


BANDIT_CORES = [  # (run folder prefix under cores-warmup/, label)
    ("lstm", "lstm 48"),
    ("modplast", "modplast 70 (simple neuromodulation)"),
    ("plastic", "plastic 70 (non-modulated)"),
    ("modul", "modul 70 (retroactive)"),
    ("rnn", "rnn 98 (non-plastic)"),
]


@table("bandits-cores", "experiments/bandits/results/cores-warmup/CORE-sS/{eval300,eval3000}, CORE-sS.cpu")
def bandits_cores():
    """experiments/bandits/cores.sh S experiments/bandits/results/cores-warmup, S = 0, 1, 2: frozen-weight
    regret@100 per seed on 300 and 3,000 test episodes, the median over seeds of the 3,000 (bold: the
    lowest), CPU seconds per run (CORE-sS.cpu: the user time cores.sh records; the machine is shared,
    so wall time says less)."""
    rows, medians = [], []
    for core, label in BANDIT_CORES:
        runs = [f"cores-warmup/{core}-s{s}" for s in SEEDS]
        short = [float(eval_row("bandits", r, "eval300")["regret_100"]) for r in runs]
        long = [float(eval_row("bandits", r, "eval3000")["regret_100"]) for r in runs]
        medians.append(statistics.median(long))
        cpu = [float((run_dir("bandits", r + ".cpu")).read_text()) for r in runs]
        rows.append([label, " / ".join(f"{v:.2f}" for v in short), " / ".join(f"{v:.2f}" for v in long),
                     f"{medians[-1]:.2f}", span(cpu, "{:.0f}")])
    best = min(medians)
    for row, median in zip(rows, medians):
        if median == best:
            row[3] = f"**{row[3]}**"
    return markdown(["core", "300 test episodes (seed 12345), seeds 0 / 1 / 2", "3,000 (seed 777), seeds 0 / 1 / 2",
                     "median (3,000)", "CPU s each"], rows)


INFORMATIVE_OPTIMUM = 20.55  # the informative arm first, then the paying arm four times


def percent(part, whole):
    """'100%' and '0%' only when exact, else one decimal."""
    if part == whole:
        return "100%"
    return "0%" if part == 0 else f"{100 * part / whole:.1f}%"


@table("bandits-informative", "experiments/bandits/results/informative_lstm-sS/{summary.json,eval3000,play1000}")
def bandits_informative():
    """Per seed: total reward on 3,000 test episodes (`dopa eval --run RUN --episodes 3000 --seed 777
    --out RUN/eval3000`; bold within 0.01 of the optimal 20.55) and the choices over 1,000 played
    episodes (`dopa play --run RUN --episodes 1000 --seed 1 --out RUN/play1000/play.csv`, summarised:
    play_summary.json's informative_first_pull); wall time range (summary.json)."""
    runs = [f"informative_lstm-s{s}" for s in SEEDS]
    rewards, choices = [], []
    for run in runs:
        row = eval_row("bandits", run, "eval3000")
        value = f"{float(row['total_reward']):.3f} ± {float(row['total_reward_se']):.3f}"
        rewards.append(f"**{value}**" if float(row["total_reward"]) >= INFORMATIVE_OPTIMUM - 0.01 else value)
        pulls = read_json(run_dir("bandits", run) / "play1000" / "play_summary.json")["informative_first_pull"]
        choices.append(f"{percent(pulls['informative_first_pulls'], pulls['episodes_paying_arm_not_tenth'])} / "
                       f"{percent(pulls['later_pulls_on_paying_arm'], pulls['later_pulls'])}")
    steps = {summary("bandits", r)["global_step"] for r in runs}
    walls = [summary("bandits", r)["wall_time_s"] for r in runs]
    label = f"entropy 1 -> 0 over 70%, {thousands(steps.pop()) if len(steps) == 1 else '?'} steps"
    return markdown(["run", "seed 0", "seed 1", "seed 2", "wall s"],
                    [[label] + rewards + [span(walls, "{:.0f}")],
                     ["informative first pull / pulls 2–5 on the paying arm"] + choices + [""]])


@table("bandits-two-step", "experiments/bandits/results/two_step_lstm-s0/play300/play_summary.json")
def bandits_two_step():
    """Stay probability (± its binomial standard error) after each kind of trial, 300 frozen-weight
    episodes (`dopa play --run RUN --episodes 300 --seed 1 --out RUN/play300/play.csv`, summarised:
    play_summary.json's two_step_stays; scripts/plot_two_step.py's table)."""
    stays = read_json(run_dir("bandits", "two_step_lstm-s0") / "play300" / "play_summary.json")["two_step_stays"]
    rows = []
    for name, _, _ in TWO_STEP_CONDITIONS:
        n, k = stays[name]["trials"], stays[name]["stays"]
        p = k / n
        rows.append([name.replace("_", ", "), thousands(n), f"{p:.3f} ± {math.sqrt(p * (1 - p) / n):.3f}"])
    return markdown(["previous trial", "trials", "stay probability"], rows)


# ---- experiments/control/RESULTS.md ----------------------------------------------------------


def control_runs(experiment):
    """The seeds of an experiment that have a finished run folder, in order."""
    folder = EXPERIMENTS / "control" / "results"
    return [int(p.name.rsplit("-s", 1)[1]) for p in sorted(folder.glob(f"{experiment}-s*"))
            if (p / "summary.json").exists()]


def deterministic(family, run, digits=1):
    """`dopa play --run RUN --episodes 100 --seed 1000 --set agent.deterministic=true`: mean ± SE."""
    play = read_json(run_dir(family, run) / "play_deterministic" / "play_summary.json")
    return f"{num(play['mean_return'], digits, minus='−')} ± {play['mean_return_se']:.{digits}f}"


CONTROL_EXPERIMENTS = ["acrobot_ppo", "bipedal_walker_ppo", "cartpole_ppo", "cartpole_ppo_modplast", "mountain_car_continuous_ppo",
                       "mountain_car_ppo", "pendulum_ppo"]  # those with data


@table("control-runs", "experiments/control/results/EXP-sS/summary.json")
def control_runs_table():
    """scripts/plot_control.py's table: final return (summary.json's final_return: the mean of the
    last 100 training episodes) per seed, their mean ± standard deviation, median wall time and
    steps/s over the seeds."""
    rows = []
    for experiment in CONTROL_EXPERIMENTS:
        seeds = control_runs(experiment)
        if not seeds:
            raise DataMissing(EXPERIMENTS / "control" / "results" / f"{experiment}-s0")
        runs = [summary("control", f"{experiment}-s{s}") for s in seeds]
        finals = [r["final_return"] for r in runs]
        spread = statistics.stdev(finals) if len(finals) > 1 else 0.0
        rows.append([experiment, runs[0]["env"], ", ".join(map(str, seeds)), thousands(runs[0]["global_step"]),
                     ", ".join(f"{v:.1f}" for v in finals), f"{statistics.mean(finals):.1f} ± {spread:.1f}",
                     f"{statistics.median(r['wall_time_s'] for r in runs):.0f} s",
                     f"{statistics.median(r['steps_per_second'] for r in runs):,.0f}"])
    return markdown(["experiment", "env", "seeds", "steps", "final return per seed", "mean ± std",
                     "wall time per run", "steps/s"], rows)


@table("control-acrobot-mountain-car", "experiments/control/results/{acrobot,mountain_car}_ppo-sS/summary.json")
def control_acrobot_mountain_car():
    """Final return per seed beside CleanRL's (3 seeds), wall time and steps/s ranges over the seeds."""
    cleanrl = {"acrobot_ppo": "−86.4 ± 1.3", "mountain_car_ppo": "−200 ± 0"}
    rows = []
    for experiment, reference in cleanrl.items():
        seeds = control_runs(experiment)
        sums = [summary("control", f"{experiment}-s{s}") for s in seeds]
        finals = " / ".join(num(s["final_return"], 1, minus="−") for s in sums)
        walls = sorted(s["wall_time_s"] for s in sums)
        sps = sorted(s["steps_per_second"] / 1000 for s in sums)
        rows.append([sums[0]["env"], finals if len(seeds) == 3 else f"{finals} (seed {', '.join(map(str, seeds))})",
                     reference, span(walls, "{:.0f}") + " s", span(sps, "{:.1f}") + "K"])
    return markdown(["env", "final, seeds 0/1/2", "CleanRL (3 seeds)", "wall time", "steps/s"], rows)


def span(values, form):
    """'low–high', or one value when they agree at that rounding."""
    low, high = form.format(min(values)), form.format(max(values))
    return low if low == high else f"{low}–{high}"


@table("control-lunar-lander", "experiments/control/results/lunar_lander*_ppo-sS/{summary.json,play_deterministic}")
def control_lunar_lander():
    """Final (training) and deterministic returns per seed, SB3 zoo's number, wall time and steps/s ranges."""
    zoo = {"lunar_lander_ppo": "242 ± 32", "lunar_lander_continuous_ppo": "271 ± 32"}
    rows = []
    for experiment, reference in zoo.items():
        runs = [f"{experiment}-s{s}" for s in SEEDS]
        sums = [summary("control", r) for r in runs]
        walls = [s["wall_time_s"] for s in sums]
        sps = [s["steps_per_second"] / 1000 for s in sums]
        rows.append([sums[0]["env"], " / ".join(f"{s['final_return']:.1f}" for s in sums),
                     " / ".join(deterministic("control", r) for r in runs), reference,
                     span(walls, "{:.0f}") + " s", span(sps, "{:.1f}") + "K"])
    return markdown(["env", "final (training), seeds 0/1/2", "deterministic, seeds 0/1/2",
                     "SB3 zoo (1 run, deterministic)", "wall time", "steps/s"], rows)


CARTPOLE_SETTINGS = [  # (run-folder suffix, label): experiments/control/cartpole_settings.sh
    ("", "the file (2 minibatches, γ 0.98)"),
    ("_gamma099", "γ 0.99"),
    ("_minibatches4_epochs10", "4 minibatches, 10 epochs"),
    ("_no_bootstrap", "`bootstrap_truncated = false` (CleanRL's handling of the 500-step limit)"),
]


@table("control-cartpole-settings", "experiments/control/results/cartpole_ppo*-sS/summary.json, S = 0..4")
def control_cartpole_settings():
    """Final return (last 100 training episodes) of each variant on seeds 0-4; solved at >= 475."""
    rows = []
    for suffix, label in CARTPOLE_SETTINGS:
        finals = [summary("control", f"cartpole_ppo{suffix}-s{s}")["final_return"] for s in range(5)]
        rows.append([label, ", ".join(f"{v:.1f}" for v in finals), "yes" if min(finals) >= 475 else "no"])
    return markdown(["variant", "seeds 0–4", "all ≥ 475"], rows)


@table("control-pendulum", "experiments/control/results/pendulum_ppo-sS/{summary.json,play_deterministic}")
def control_pendulum():
    """Final (training) and deterministic return per seed; deterministic >= -200 (solved) in bold."""
    rows = []
    for seed in SEEDS:
        run = f"pendulum_ppo-s{seed}"
        det = deterministic("control", run)
        solved = read_json(run_dir("control", run) / "play_deterministic" / "play_summary.json")["mean_return"] >= -200
        rows.append([seed, num(summary("control", run)["final_return"], 1, minus="−"),
                     f"**{det}**" if solved else det])
    return markdown(["seed", "final (training)", "deterministic"], rows)


@table("control-bipedal-walker", "experiments/control/results/bipedal_walker_ppo-sS/{summary.json,play_deterministic}")
def control_bipedal_walker():
    """Final (training) and best logged interval, deterministic play (20 episodes, seed 1000), wall time."""
    rows = []
    for seed in control_runs("bipedal_walker_ppo"):
        run = f"bipedal_walker_ppo-s{seed}"
        s = summary("control", run)
        rows.append([seed, thousands(s["global_step"]), num(s["final_return"], 1), num(s["best_return"], 1),
                     deterministic("control", run), f"{s['wall_time_s'] / 60:.0f} min", f"{s['steps_per_second']:,.0f}"])
    return markdown(["seed", "steps", "final (training)", "best logged interval", "deterministic (20 episodes)",
                     "wall time", "steps/s"], rows)


# ---- experiments/mujoco/RESULTS.md -----------------------------------------------------------

MUJOCO_TARGETS = [  # (experiment, target of issue 7: CleanRL's 1M-step return less 10%)
    ("half_cheetah_ppo", "≥ 1443"),
    ("hopper_ppo", "≥ 2383"),
    ("inverted_pendulum_ppo", "≥ 950"),
]


def play_mean(family, run):
    return read_json(run_dir(family, run) / "play_deterministic" / "play_summary.json")["mean_return"]


@table("mujoco-ppo", "experiments/mujoco/results/EXP-sS/{summary.json,play_deterministic}")
def mujoco_ppo():
    """Final return (last 100 training episodes) per seed, mean ± std over seeds (bold where it meets
    the target), deterministic play per seed (100 episodes), steps/s range over the seeds."""
    rows = []
    for experiment, target in MUJOCO_TARGETS:
        runs = [f"{experiment}-s{s}" for s in SEEDS]
        sums = [summary("mujoco", r) for r in runs]
        finals = [s["final_return"] for s in sums]
        mean = statistics.mean(finals)
        mean_text = f"{mean:.1f}"
        if mean >= float(target.split()[-1]):
            mean_text = f"**{mean_text}**"
        rows.append([sums[0]["env"], ", ".join(map(str, SEEDS)), ", ".join(f"{v:.1f}" for v in finals),
                     f"{mean_text} ± {statistics.stdev(finals):.1f}", target,
                     ", ".join(f"{play_mean('mujoco', r):.1f}" for r in runs),
                     span([s["steps_per_second"] for s in sums], "{:,.0f}")])
    return markdown(["task", "seeds", "final return per seed", "mean ± std", "target (issue)",
                     "deterministic per seed", "steps/s"], rows)


@table("mujoco-walker-ant", "experiments/mujoco/results/{walker2d,ant}_ppo-s0/{summary.json,play_deterministic}",
       pending=True)
def mujoco_walker_ant():
    """Seed 0 of walker2d_ppo and ant_ppo: final return, deterministic play (mean ± SE), steps/s."""
    rows = []
    for experiment in ("walker2d_ppo", "ant_ppo"):
        run = f"{experiment}-s0"
        s = summary("mujoco", run)
        rows.append([s["env"], 0, f"{s['final_return']:.1f}", deterministic("mujoco", run),
                     f"{s['steps_per_second']:,.0f}"])
    return markdown(["task", "seed", "final return", "deterministic (100 episodes, mean ± SE)", "steps/s"], rows)


# ---- experiments/dopamine/RESULTS.md ---------------------------------------------------------


def td_errors(run, name="td_errors.csv"):
    """{trial: {t: row}} from a td run's td_errors.csv (committed gzipped, or as the rows a table needs:
    the `name` given); t counts a trial's steps from 1."""
    trials = defaultdict(dict)
    for row in read_csv(run_dir("dopamine", run) / name):
        trials[int(row["trial"])][int(row["t"])] = row
    return trials


def delta_text(value, digits=3):
    """A TD error: exact 0 and 1 as integers (before learning), else `digits` decimals, typographic minus."""
    return str(int(value)) if value in (0.0, 1.0) else num(value, digits, minus="−")


@table("dopamine-montague1996", "experiments/dopamine/results/montague1996/td_errors.csv.gz")
def dopamine_montague1996():
    """delta at the CS (step 41) and the US (step 54) on the first trial and the last two."""
    trials = td_errors("montague1996")
    last = max(trials)
    labels = {1: "1 (before learning)", last - 1: f"{last - 1} (learned, rewarded)",
              last: f"{last} (learned, reward withheld)"}
    rows = [[label, delta_text(float(trials[n][41]["delta"])),
             delta_text(float(trials[n][54]["delta"]))] for n, label in labels.items()]
    return markdown(["trial", "δ at the CS (step 41)", "δ at the US (step 54)"], rows)


@table("dopamine-neuromatch", "experiments/dopamine/results/neuromatch/td_errors.csv.gz")
def dopamine_neuromatch():
    """delta at the CS (step 9) and the US (step 19) early (trial 100) and at the end (trial 20,000)."""
    trials = td_errors("neuromatch")
    rows = [[thousands(n), num(float(trials[n][9]["delta"]), 3, minus="−"),
             num(float(trials[n][19]["delta"]), 3, minus="−")] for n in (100, max(trials))]
    return markdown(["trial", "δ at the CS (step 9)", "δ at the US (step 19)"], rows)


@table("dopamine-fiorillo2003", "experiments/dopamine/results/fiorillo2003/td_errors_last2000_cs_us.csv.gz")
def dopamine_fiorillo2003():
    """Mean delta over trials 8,001-10,000 per cue (cue k predicts reward with p = k/4) at the CS and
    at the reward step, split by whether the reward came; beside gamma^10 p, 1 - p and -p."""
    config = run_config("dopamine", "fiorillo2003")
    kwargs, gamma = config["env"]["kwargs"], config["agent"]["gamma"]
    probs = [float(p) for p in kwargs["cue_probs"].split(",")]
    cs, us = kwargs["cs_onset"], kwargs["cs_onset"] + kwargs["isi"]
    at_cs, delivered, omitted = defaultdict(list), defaultdict(list), defaultdict(list)
    for trial, steps in td_errors("fiorillo2003", "td_errors_last2000_cs_us.csv").items():
        if trial <= 8000:
            continue
        cue = int(steps[cs]["cue"])
        at_cs[cue].append(float(steps[cs]["delta"]))
        (delivered if float(steps[us]["reward"]) != 0 else omitted)[cue].append(float(steps[us]["delta"]))

    def mean(values):
        return num(sum(values) / len(values), 3, minus="−") if values else "–"

    def expected(value, when):
        return f"{value + 0.0:g}".replace("-", "−") if when else "–"  # + 0.0: -0 prints as 0
    rows = []
    for cue, p in enumerate(probs):
        rows.append([f"{p:g}", mean(at_cs[cue]), f"{gamma ** kwargs['isi'] * p:.3f}".rstrip("0").rstrip(".") if p else "0",
                     mean(delivered[cue]), expected(1 - p, delivered[cue]), mean(omitted[cue]),
                     expected(-p, omitted[cue])])
    return markdown(["p", "δ at the CS", "expected γ^10 p", "δ at a delivered reward", "expected 1 − p",
                     "δ at an omitted reward", "expected −p"], rows)


@table("dopamine-ludvig2008", "experiments/dopamine/results/ludvig2008/td_errors_first_last.csv.gz")
def dopamine_ludvig2008():
    """delta at the CS and the US on the first recorded trial and the last two, and the deepest delta
    of the learned trials."""
    trials = td_errors("ludvig2008", "td_errors_first_last.csv")
    first, last = min(trials), max(trials)
    rewarded = max(n for n in trials if n != last)
    rows = []
    for n, label in [(first, f"{first} (first recorded)"), (rewarded, f"{rewarded} (learned, rewarded)"),
                     (last, f"{last} (learned, reward withheld)")]:
        steps = trials[n]
        deepest = "" if n == first else min(steps.values(), key=lambda r: float(r["delta"]))
        rows.append([label, num(float(steps[20]["delta"]), 3, minus="−"), num(float(steps[30]["delta"]), 3, minus="−"),
                     deepest and f"{num(float(deepest['delta']), 3, minus='−')} at step {deepest['t']}"])
    return markdown(["trial", "δ at the CS (20)", "δ at the US (30)", "deepest δ"], rows)


@table("dopamine-ring-success", "experiments/dopamine/results/ring_success/runs.csv")
def dopamine_ring_success():
    """Success (final reward per step >= 0.3, half the patient policy's 0.6) over the seeds of each
    start of experiments/dopamine/ring_success.sh, and the final gamma's median [10%, 90%]."""
    runs = read_csv(EXPERIMENTS / "dopamine" / "results" / "ring_success" / "runs.csv")
    rows = []
    for prefix, label in (("beta1_gamma0.99-", "β 1, γ 0.99"), ("beta10_gamma0.5-", "β 10, γ 0.5")):
        start = [r for r in runs if r["run"].startswith(prefix)]
        successes = sum(float(r["final_return"]) >= 0.3 for r in start)
        gammas = [float(r["gamma"]) for r in start]
        share = f" ({100 * successes / len(start):.0f}%)" if successes else ""
        rows.append([label, f"**{successes} of {len(start)}{share}**",
                     f"{quantile(gammas, 0.5):.3f} [{quantile(gammas, 0.1):.3f}, {quantile(gammas, 0.9):.3f}]"])
    return markdown(["start", "successes", "final γ, median [10%, 90%]"], rows)


@table("dopamine-ring-fixed", "experiments/dopamine/results/ring_fixed/runs.csv")
def dopamine_ring_fixed():
    """experiments/dopamine/ring_fixed.sh: reward per step over the last 10% (summary.json's
    final_return) of seeds 0/1/2, for each fixed beta (rows) and gamma (columns)."""
    runs = {r["run"]: float(r["final_return"]) for r in
            read_csv(EXPERIMENTS / "dopamine" / "results" / "ring_fixed" / "runs.csv")}
    gammas = ("0.5", "0.9", "0.99")
    rows = []
    for beta, label in (("linear_0.1_5", "rising linearly 0.1 → 5"), ("0.3", "0.3"), ("1", "1"), ("3", "3")):
        rows.append([label] + [" / ".join(num(runs[f"beta{beta}_gamma{g}-s{s}"] + 0.0, 2, minus="−")
                                          .replace("−0.00", "0.00") for s in SEEDS)
                               for g in gammas])
    return markdown(["β", *(f"γ {g}" for g in gammas)], rows)


@table("dopamine-step-size", "experiments/{bandits/results/medium_lstm-s0,dopamine/results/step_size/NAME-s0}/"
       "{eval300,eval3000}")
def dopamine_step_size():
    """experiments/dopamine/step_size.sh: meta_a2c on the medium bandit, seed 0, with the step size
    annealed (the file's run), constant, or set by acetylcholine's surprise rule; frozen-weight
    regret@100 on the 300 and 3,000 test episodes."""
    variants = [("bandits", "medium_lstm-s0", "linear 2e-3 → 0 (the file)"),
                ("dopamine", "step_size/constant_no_warmup-s0", "constant 2e-3, no warm-up"),
                ("dopamine", "step_size/surprise1-s0", "surprise:0.0001:0.004:1"),
                ("dopamine", "step_size/surprise3-s0", "surprise:0.0001:0.004:3")]
    rows = [[label, regret_at_100(run, "eval300", family=family), regret_at_100(run, "eval3000", family=family)]
            for family, run, label in variants]
    return markdown(["step size", "300 test episodes", "3,000 episodes"], rows)


@table("dopamine-dabney2020", "experiments/dopamine/results/dabney2020/{reversal_points.csv,config.toml}")
def dopamine_dabney2020():
    """Each predictor's reversal point (reversal_points.csv) beside the exact tau-expectile of the
    reward distribution in config.toml, three decimals."""
    kwargs = run_config("dopamine", "dabney2020")["env"]["kwargs"]
    sizes = [float(v) for v in kwargs["reward_sizes"].split(",")]
    freqs = [float(v) for v in kwargs["reward_freqs"].split(",")]
    points = [(float(r["tau"]), float(r["reversal_point"]))
              for r in read_csv(run_dir("dopamine", "dabney2020") / "reversal_points.csv")]
    return markdown(["τ"] + [f"{tau:g}" for tau, _ in points],
                    [["reversal point"] + [f"{p:.3f}" for _, p in points],
                     ["exact τ-expectile"] + [f"{expectile(sizes, freqs, tau):.3f}" for tau, _ in points]])


def expectile(sizes, freqs, tau):
    """The e with tau E[(X - e)+] = (1 - tau) E[(e - X)+], by bisection (scripts/plot_reversal_points.py uses it)."""
    low, high = min(sizes), max(sizes)
    for _ in range(200):
        mid = (low + high) / 2
        balance = sum(p * ((x - mid) * tau if x > mid else (x - mid) * (1 - tau)) for x, p in zip(sizes, freqs))
        low, high = (mid, high) if balance > 0 else (low, mid)
    return (low + high) / 2


def run_config(family, run):
    import tomllib
    with open(run_dir(family, run) / "config.toml", "rb") as f:
        return tomllib.load(f)


# ---------------------------------------------------------------------------------------------
# play.csv -> play_summary.json


def mean_and_se(values):
    n = len(values)
    mean = sum(values) / n
    if n == 1:
        return mean, 0.0
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1) / n)


def informative_first_pull(rows):
    """BanditInformative-v0 (the play CSV has best_arm and arm_means_10; it has no action column, so
    choices are read from rewards): the first pull is informative where its reward is 0.1 x (1 + the
    paying arm's index), counted over the episodes whose paying arm is not the tenth (there that
    reward is 1, as any other arm pays); a later pull (2-5) is on the paying arm where it paid 5."""
    episodes = defaultdict(list)
    for row in rows:
        episodes[int(row["episode"])].append((int(row["t"]), float(row["reward"]), int(float(row["best_arm"]))))
    counted = informative = later = on_paying = 0
    for steps in episodes.values():
        steps.sort()
        best = steps[0][2]
        if best != 9:
            counted += 1
            informative += abs(steps[0][1] - 0.1 * (1 + best)) < 1e-9
        for _, reward, _ in steps[1:]:
            later += 1
            on_paying += reward == 5
    return {"episodes_paying_arm_not_tenth": counted, "informative_first_pulls": informative,
            "later_pulls": later, "later_pulls_on_paying_arm": on_paying}


TWO_STEP_CONDITIONS = [("rewarded_common", 1, 1), ("rewarded_rare", 1, 0), ("unrewarded_common", 0, 1),
                       ("unrewarded_rare", 0, 0)]


def two_step_stays(rows):
    """TwoStep-v0 (the play CSV has stage1_action, common, rewarded): scripts/plot_two_step.py's counts,
    trials after each kind of trial and how many of them repeat its first-stage choice."""
    episodes = defaultdict(list)
    for row in rows:
        if row["stage1_action"] == "":
            continue
        episodes[int(row["episode"])].append((int(row["t"]), int(float(row["stage1_action"])),
                                              int(float(row["rewarded"])), int(float(row["common"]))))
    counts, stays = defaultdict(int), defaultdict(int)
    for trials in episodes.values():
        trials.sort()
        for previous, current in zip(trials, trials[1:]):
            counts[previous[2:]] += 1
            stays[previous[2:]] += current[1] == previous[1]
    return {name: {"trials": counts[(r, c)], "stays": stays[(r, c)]} for name, r, c in TWO_STEP_CONDITIONS}


def summarize_play(path):
    """Per-episode returns of a `dopa play` CSV, their mean and standard error, and (for a modulated
    core) the modulator one step after each nonzero reward value (scripts/plot_modulator.py's table);
    on the informative-arm bandit the first-pull counts, on the two-step task the stay counts."""
    path = Path(path)
    episodes = defaultdict(list)  # episode -> [(reward, modulator or None)]
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        modulator = row.get("modulator")
        episodes[int(row["episode"])].append((float(row["reward"]), float(modulator) if modulator else None))
    returns = [sum(r for r, _ in steps) for _, steps in sorted(episodes.items())]
    mean, se = mean_and_se(returns)
    out = {"source": f"dopa play --out {path.name}", "episodes": len(returns), "mean_return": mean,
           "mean_return_se": se, "episode_returns": [round(r, 6) for r in returns]}
    if all(m is not None for steps in episodes.values() for _, m in steps):
        after = defaultdict(list)
        for steps in episodes.values():
            for t, (reward, _) in enumerate(steps):
                if reward != 0 and t + 1 < len(steps):
                    after[f"{reward:g}"].append(steps[t + 1][1])
        rewarded = defaultdict(int)
        for steps in episodes.values():
            for reward, _ in steps:
                if reward != 0:
                    rewarded[f"{reward:g}"] += 1
        out["modulator_one_step_after_reward"] = {
            reward: {"rewarded_steps": rewarded[reward], "mean": mean_and_se(values)[0],
                     "se": mean_and_se(values)[1]} for reward, values in sorted(after.items())}
    fields = set(rows[0]) if rows else set()
    if {"best_arm", "arm_means_10"} <= fields:
        out["informative_first_pull"] = informative_first_pull(rows)
    if {"stage1_action", "common", "rewarded"} <= fields:
        out["two_step_stays"] = two_step_stays(rows)
    target = path.with_name("play_summary.json")
    target.write_text(json.dumps(out, indent=1) + "\n")
    print(f"{target}: {len(returns)} episodes, mean return {mean:.3f} ± {se:.3f}")


def summarize_runs(directory):
    """One row per run folder of `directory` (many short runs, e.g. ring_success.sh's 600): its name,
    seed and final_return (summary.json) and the last metrics row's columns, clock columns aside, so
    that the folders themselves need not be committed."""
    directory = Path(directory)
    rows = []
    for run in sorted(directory.iterdir(), key=lambda p: natural_key(p.name)):
        if not (run / "summary.json").exists():
            continue
        result = read_json(run / "summary.json")
        last = read_csv(run / "metrics.csv")[-1]
        row = {"run": run.name, "seed": result["seed"], "final_return": result["final_return"]}
        row.update({k: v for k, v in last.items() if k not in CLOCK_COLUMNS})
        rows.append(row)
    if not rows:
        sys.exit(f"{directory} holds no finished run folders")
    target = directory / "runs.csv"
    with open(target, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{target}: {len(rows)} runs")


def natural_key(name):
    """'s2' before 's10'."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


# ---------------------------------------------------------------------------------------------
# Markers in RESULTS.md

MARKER = re.compile(r"(<!-- results-table: (?P<name>[\w.-]+) -->\n)(?P<body>.*?)(<!-- end results-table -->)",
                    re.DOTALL)


def results_files():
    return sorted(EXPERIMENTS.glob("*/RESULTS.md"))


def regenerate(text, used, errors, where):
    def replace(match):
        name = match.group("name")
        if name not in TABLES:
            errors.append(f"{where}: unknown table '{name}' (known: {', '.join(sorted(TABLES))})")
            return match.group(0)
        used.add(name)
        try:
            body = TABLES[name][0]().rstrip("\n") + "\n"
        except FileNotFoundError as missing:
            errors.append(f"{where}: table '{name}': missing data file {missing}")
            return match.group(0)
        return match.group(1) + body + match.group(4)
    return MARKER.sub(replace, text)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "summarize-play":
        for path in sys.argv[2:]:
            summarize_play(path)
        return 0
    if len(sys.argv) >= 2 and sys.argv[1] == "summarize-runs":
        for path in sys.argv[2:]:
            summarize_runs(path)
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 with a diff if a table differs")
    parser.add_argument("--list", action="store_true", help="list the tables and their data")
    args = parser.parse_args()
    if args.list:
        for name, (function, data) in TABLES.items():
            print(f"{name:28} {data}{'  (pending: no data committed yet)' if name in PENDING else ''}")
        return 0

    used, errors, differ = set(), [], False
    for path in results_files():
        where = path.relative_to(ROOT)
        old = path.read_text()
        new = regenerate(old, used, errors, where)
        if new == old:
            continue
        if args.check:
            differ = True
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                                       f"a/{where}", f"b/{where} (from its data)"))
        else:
            path.write_text(new)
            print(f"rewrote tables in {where}")
    for name in sorted(set(TABLES) - used - PENDING):
        errors.append(f"table '{name}' is defined in scripts/results.py but marked in no RESULTS.md")
    for error in errors:
        print(f"results.py: {error}", file=sys.stderr)
    if args.check and differ:
        print("results.py: RESULTS.md tables differ from their data (run scripts/results.py to rewrite them)",
              file=sys.stderr)
    return 1 if differ or errors else 0


if __name__ == "__main__":
    sys.exit(main())
