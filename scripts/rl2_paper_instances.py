#!/usr/bin/env python3
"""The baselines of RL²'s Table 1 on the paper's own bandit instances.

The authors' evaluation (rllab-curriculum, sandbox/rocky/neural_learner/scripts/bandits/
evaluate_bandits.py) scores every algorithm and cell on seeds 0..999 of numpy's legacy generator:
np.random.seed(s), the k arm means as one uniform draw of size (1, k), then per pull the policy's
draws and np.random.binomial(1, p) for the reward, all from that one stream. numpy's legacy
RandomState keeps its streams across versions, so this script replays those instances and prints
the cells with the paper's numbers beside them (ties go to the lowest arm, as np.argmax; greedy's
means are Laplace-smoothed, (1 + successes) / (2 + pulls); Thompson samples Beta(1 + s, 1 + f)).
With --seeds 10000 it estimates what the same procedure gives on ten times the instances, to set
beside dopa's C++ baselines (experiments/bandits/rl2_baselines.sh).

    /usr/bin/python3 scripts/rl2_paper_instances.py                 # the paper's 1,000 seeds, n = 10 and 100
    /usr/bin/python3 scripts/rl2_paper_instances.py --seeds 10000 --n 10 --policies thompson

Needs numpy (Debian: python3-numpy, which python3-matplotlib pulls in). Pure Python loops: about a
minute for the default cells.
"""
import argparse
import math

import numpy as np

from rl2_table import PAPER


def run_instance(policy, k, n, seed):
    """Total reward of one trial of n pulls on the instance of `seed`."""
    np.random.seed(seed)
    successes, failures = np.zeros(k), np.zeros(k)
    means = np.random.uniform(size=(1, k))[0]
    total = 0
    for _ in range(n):
        if policy == "random":
            arm = np.random.choice(np.arange(k))
        elif policy == "greedy":
            arm = int(np.argmax((1 + successes) / (2 + successes + failures)))
        else:  # thompson
            arm = int(np.argmax(np.random.beta(1 + successes, 1 + failures)))
        reward = np.random.binomial(1, means[[arm]])[0]
        successes[arm] += reward
        failures[arm] += 1 - reward
        total += reward
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=1000, help="instances 0..seeds-1 (the paper: 1000)")
    parser.add_argument("--n", type=int, nargs="+", default=[10, 100], choices=[10, 100, 500])
    parser.add_argument("--k", type=int, nargs="+", default=[5, 10, 50], choices=[5, 10, 50])
    parser.add_argument("--policies", nargs="+", default=["random", "greedy", "thompson"],
                        choices=["random", "greedy", "thompson"])
    args = parser.parse_args()
    print(f"{args.seeds} instances (seeds 0..{args.seeds - 1}); each cell: mean ± standard error / the paper's value\n")
    print("| n | k | " + " | ".join(args.policies) + " |")
    print("|" + " --- |" * (len(args.policies) + 2))
    for n in args.n:
        for k in args.k:
            cells = []
            for policy in args.policies:
                totals = np.array([run_instance(policy, k, n, s) for s in range(args.seeds)], dtype=float)
                se = totals.std() / math.sqrt(args.seeds - 1)
                cells.append(f"{totals.mean():.2f} ± {se:.2f} / {PAPER[(n, k)][policy]}")
            print(f"| {n} | {k} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
