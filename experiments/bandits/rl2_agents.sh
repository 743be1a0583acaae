#!/usr/bin/env bash
# The RL² column of Table 1 (Duan et al. 2016; specs/metarl-dopamine.md §2.2) with our meta-trained
# agent: for each cell (n pulls, k arms) an agent is trained with rl2_lstm.toml's settings on
# BanditKArmed-v0 and scored with frozen weights on 1,000 instances, as the paper did (total reward
# per instance, mean ± standard error), beside Gittins and Thompson sampling on the same instances.
#
#   experiments/bandits/rl2_agents.sh [CELLS] [OUT]     # CELLS: "n:k ..." (default "100:5 100:10")
#   experiments/bandits/rl2_agents.sh "10:5 10:10 10:50 100:5 100:10 100:50 500:5 500:10 500:50"
#   EPISODES=2500000 experiments/bandits/rl2_agents.sh "100:10"   # training episodes per cell (default 1.2M)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
cells="${1:-100:5 100:10}"
out="${2:-experiments/bandits/results/rl2_agents}"
dopa="${DOPA:-build/dopa}"
seed="${SEED:-0}"
episodes="${EPISODES:-1200000}"
mkdir -p "$out"
for cell in $cells; do
  n="${cell%%:*}" k="${cell##*:}"
  run="$out/n${n}_k${k}-s$seed"
  if [[ ! -f "$run/summary.json" ]]; then
    rm -rf "$run"
    # The same number of episodes per cell: steps scale with n (the step size anneals to 0 over them).
    /usr/bin/time -f "%U" -o "$run.cpu" "$dopa" run experiments/bandits/rl2_lstm.toml --set "seed=$seed" \
      --set "env.kwargs.arms=$k" --set "env.kwargs.trials=$n" --set "total_steps=$((episodes * n))" \
      --out "$run" --no-progress 2>"$run.log"
  fi
  "$dopa" eval --run "$run" --episodes 1000 --seed 2016 --policy gittins:gamma=0.99 --policy thompson \
    --out "$run/eval" >/dev/null
  printf 'n=%-4s k=%-3s cpu %5.0f s  ' "$n" "$k" "$(cat "$run.cpu")"
  cut -d, -f1,5,6 "$run/eval/summary.csv" | tail -n +2 | tr '\n' ' '
  echo
done
