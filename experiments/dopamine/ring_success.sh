#!/usr/bin/env bash
# Success rate of Schweighofer & Doya's meta-learning on the ring task over many seeds, from each of
# the paper's starting points (specs/metarl-dopamine.md §4.2 asks for rates, not single runs).
# A run succeeds when its reward per step over the last 10% of steps (summary.json's final_return)
# is at least 0.3: half of the patient policy's 0.6 (the myopic policy earns -0.6, dithering 0).
#
#   experiments/dopamine/ring_success.sh [SEEDS] [OUT]      # default 300 seeds, OUT/runs.csv
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seeds="${1:-300}"
out="${2:-experiments/dopamine/results/ring_success}"
dopa="${DOPA:-build/dopa}"
mkdir -p "$out"
for start in "1:0.99" "10:0.5"; do
  beta="${start%%:*}" gamma="${start##*:}"
  successes=0
  for ((seed = 0; seed < seeds; ++seed)); do
    run="$out/beta${beta}_gamma${gamma}-s$seed"
    if [[ ! -f "$run/summary.json" ]]; then
      rm -rf "$run"
      "$dopa" run experiments/dopamine/schweighofer_doya.toml --set "seed=$seed" \
        --set "agent.noradrenaline=meta:$beta" --set "agent.serotonin=meta:$gamma" \
        --out "$run" --no-progress --log-level warn >/dev/null
    fi
    final=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["final_return"])' "$run/summary.json")
    if awk -v r="$final" 'BEGIN { exit !(r >= 0.3) }'; then successes=$((successes + 1)); fi
  done
  echo "start beta $beta, gamma $gamma: $successes of $seeds seeds succeed (reward per step >= 0.3 over the last 10%)"
  cp "$out/beta${beta}_gamma${gamma}-s0/config.toml" "$out/config-beta${beta}_gamma${gamma}.toml"
done
# The data committed (the run folders are not): each run's final return and meta-parameters, and one
# config per start; scripts/results.py makes RESULTS.md's table from them.
scripts/results.py summarize-runs "$out"
