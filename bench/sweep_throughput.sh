#!/usr/bin/env bash
# Trial throughput of `dopa sweep` with --jobs 1 and --jobs 2: the same 6 short CartPole PPO trials
# (6 seeds, 20,480 steps each), wall time of the whole sweep, repeated and alternated so that both
# see the same machine. Prints each run and the median of each, and their ratio.
#
#   bench/sweep_throughput.sh [BUILD_DIR] [REPEATS]
set -euo pipefail
build="${1:-build}"
repeats="${2:-3}"
dopa="$build/dopa"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() {  # jobs -> seconds
  local out="$work/sweep-$1-$RANDOM" start end
  start=$(date +%s.%N)
  "$dopa" --log-level warn sweep experiments/control/cartpole_ppo.toml --seeds 0-5 --jobs "$1" \
    --set total_steps=20480 --out "$out" >/dev/null
  end=$(date +%s.%N)
  rm -rf "$out"
  awk -v a="$start" -v b="$end" 'BEGIN {print b - a}'
}
one=(); two=()
for ((r = 0; r < repeats; ++r)); do
  one+=("$(run 1)")
  two+=("$(run 2)")
  printf "repeat %d: --jobs 1 %.2f s, --jobs 2 %.2f s\n" "$r" "${one[-1]}" "${two[-1]}"
done
median() { printf "%s\n" "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
m1=$(median "${one[@]}"); m2=$(median "${two[@]}")
printf "median: --jobs 1 %.2f s, --jobs 2 %.2f s: %.2fx the trial throughput\n" "$m1" "$m2" "$(awk -v a="$m1" -v b="$m2" 'BEGIN {print a / b}')"
