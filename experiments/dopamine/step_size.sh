#!/usr/bin/env bash
# meta_a2c on the dependent medium bandit with its step size set by acetylcholine's surprise rule
# (from the mean |advantage| of each update) or constant, against the file's linear annealing
# (experiments/bandits/results/medium_lstm-s0, the same settings otherwise): seed 0, 15M steps, then
# regret@100 with frozen weights on 300 and 3,000 test episodes. About 4 CPU minutes a run.
#
#   experiments/dopamine/step_size.sh [OUT]      # default experiments/dopamine/results/step_size
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out="${1:-experiments/dopamine/results/step_size}"
dopa="${DOPA:-build/dopa}"
mkdir -p "$out"
variant_args() {  # NAME -> its --set words
  case $1 in
    surprise1) echo --set agent.anneal_lr=false --set agent.acetylcholine=surprise:0.0001:0.004:1 ;;
    surprise3) echo --set agent.anneal_lr=false --set agent.acetylcholine=surprise:0.0001:0.004:3 ;;
    constant_no_warmup) echo --set agent.anneal_lr=false --set warmup.steps=0 ;;
  esac
}
for name in surprise1 surprise3 constant_no_warmup; do
  run="$out/$name-s0"
  if [[ ! -f "$run/summary.json" ]]; then
    rm -rf "$run"
    # shellcheck disable=SC2046  # the variant's --set words are meant to split
    "$dopa" run experiments/bandits/medium_lstm.toml --set seed=0 $(variant_args "$name") --out "$run" --no-progress
  fi
  [[ -f "$run/eval300/summary.csv" ]] || "$dopa" eval --run "$run" --episodes 300 --seed 12345 --out "$run/eval300"
  [[ -f "$run/eval3000/summary.csv" ]] || "$dopa" eval --run "$run" --episodes 3000 --seed 777 --out "$run/eval3000"
done
