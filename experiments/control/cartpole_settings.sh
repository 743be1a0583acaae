#!/usr/bin/env bash
# CartPole PPO settings compared on seeds 0-4: the file as it is, and three --set variants of it,
# 100K steps each (about 10-60 s a run). Run folders go to experiments/control/results/ (the file's
# own runs are cartpole_ppo-sS, the variants cartpole_ppo_VARIANT-sS); finished runs are skipped.
# scripts/results.py's control-cartpole-settings table reads their summary.json.
#
#   experiments/control/cartpole_settings.sh [SEEDS...]     # default: 0 1 2 3 4
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
dopa="${DOPA:-build/dopa}"
seeds=("$@")
[[ ${#seeds[@]} -gt 0 ]] || seeds=(0 1 2 3 4)
variant_args() {  # SUFFIX -> the --set words of that variant
  case $1 in
    "") ;;
    _gamma099) echo --set agent.gamma=0.99 ;;
    _minibatches4_epochs10) echo --set agent.num_minibatches=4 --set agent.update_epochs=10 ;;
    _no_bootstrap) echo --set agent.bootstrap_truncated=false ;;
  esac
}
for suffix in "" _gamma099 _minibatches4_epochs10 _no_bootstrap; do
  for seed in "${seeds[@]}"; do
    run=experiments/control/results/cartpole_ppo$suffix-s$seed
    [[ -f $run/summary.json ]] && continue
    rm -rf "$run"
    # shellcheck disable=SC2086  # the variant's --set words are meant to split
    "$dopa" run experiments/control/cartpole_ppo.toml --set seed="$seed" $(variant_args "$suffix") \
      --out "$run" --no-progress
    echo "$run: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["final_return"])' "$run/summary.json" 2>/dev/null)"
  done
done
