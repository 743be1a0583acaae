#!/usr/bin/env bash
# Q-learning on the ring task with fixed meta-parameters, for comparison with meta-learning
# (ring_success.sh): the learning rate fixed at 0.1, the inverse temperature beta rising linearly
# from 0.1 to 5 or constant (0.3, 1, 3), the discount gamma 0.5, 0.9 or 0.99; 60,000 steps, seeds
# 0-2 (36 runs, about 1 CPU s each). The reward per step over the last 10% tells the policy apart:
# patient +0.6, myopic -0.6, dithering 0.
#
#   experiments/dopamine/ring_fixed.sh [OUT]      # default experiments/dopamine/results/ring_fixed
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out="${1:-experiments/dopamine/results/ring_fixed}"
dopa="${DOPA:-build/dopa}"
mkdir -p "$out"
for beta in linear:0.1:5 0.3 1 3; do
  for gamma in 0.5 0.9 0.99; do
    for seed in 0 1 2; do
      run="$out/beta${beta//:/_}_gamma$gamma-s$seed"
      [[ -f "$run/summary.json" ]] && continue
      rm -rf "$run"
      "$dopa" run experiments/dopamine/schweighofer_doya.toml --set "seed=$seed" --set total_steps=60000 \
        --set agent.acetylcholine=0.1 --set "agent.noradrenaline=$beta" --set "agent.serotonin=$gamma" \
        --out "$run" --no-progress --log-level warn >/dev/null
    done
  done
done
cp "$out/betalinear_0.1_5_gamma0.99-s0/config.toml" "$out/config-betalinear_0.1_5_gamma0.99.toml"
# The data committed (the run folders are not): scripts/results.py makes RESULTS.md's table from it.
scripts/results.py summarize-runs "$out"
