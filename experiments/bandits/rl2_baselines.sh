#!/usr/bin/env bash
# The baseline columns of RL²'s Table 1 (Duan et al. 2016; specs/metarl-dopamine.md §2.2): k-armed
# Bernoulli bandits, p_i ~ U[0, 1], n pulls, total reward, for k in {5, 10, 50} and n in {10, 100, 500},
# with the conventions of the authors' evaluation script (Laplace-smoothed means, ties to the lowest
# arm, c and epsilon swept over 0..1 by 0.1 with the best kept on the same episodes).
#
#   experiments/bandits/rl2_baselines.sh [EPISODES] [OUT]     # default 10000 episodes per cell
#   scripts/rl2_table.py OUT                                  # the table beside the paper's
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
episodes="${1:-10000}"
out="${2:-experiments/bandits/results/rl2_baselines}"
dopa="${DOPA:-build/dopa}"
for n in 10 100 500; do
  for k in 5 10 50; do
    "$dopa" eval --kw task=independent --kw "arms=$k" --kw "trials=$n" --episodes "$episodes" --seed 0 \
      --policy random --policy gittins:gamma=0.99 --policy thompson --policy "ucb1:c=0..1/0.1" \
      --policy "epsilon_greedy:epsilon=0..1/0.1" --policy greedy --out "$out/n${n}_k${k}" >/dev/null
    echo "n=$n k=$k done"
  done
done
