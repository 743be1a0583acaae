#!/usr/bin/env bash
# VectorEnv (1 thread) versus a raw Env::step loop, N = 64: instructions per env step, counted by
# callgrind inside the stepping loop only (repeatable whatever else the machine does).
#
#   bench/vector_overhead.sh [BUILD_DIR]
set -euo pipefail
build="${1:-build}"
program="$build/bench/dopa_bench_vector_overhead"
steps=2000
per_step() {  # mode env -> instructions per env step
  local out total
  out=$(mktemp)
  valgrind --tool=callgrind --toggle-collect='step_loop*' --callgrind-out-file="$out" \
    "$program" "$1" "$2" 64 "$steps" >/dev/null 2>&1
  total=$(grep -E '^totals' "$out" | awk '{print $2}')
  rm -f "$out"
  echo $(( total / steps / 64 ))
}
printf "%-14s %8s %8s %9s\n" env raw vector overhead
for env in CartPole-v1 Maze-v0 Bandit-v0; do
  raw=$(per_step raw "$env")
  vec=$(per_step vec "$env")
  printf "%-14s %8d %8d %8.1f%%\n" "$env" "$raw" "$vec" "$(echo "100 * ($vec - $raw) / $raw" | bc -l)"
done
