#!/usr/bin/env bash
# Side-by-side timing of two or more builds of a Google Benchmark binary, for a shared, noisy machine:
# the binaries run in turn, ROUNDS times, and each benchmark's median real time (and fastest) is
# printed per binary. Compare a change against the commit before it:
#
#   git worktree add /tmp/base HEAD~1 && (cd /tmp/base && ./build.sh build)
#   bench/compare.sh 'modplast|modul' 7 build/bench/dopa_bench_maze_iteration \
#       /tmp/base/build/bench/dopa_bench_maze_iteration
#
# PAUSE='pattern' stops the processes matching it (pkill -f) while the benchmarks run (long training
# runs in the background, say) and resumes them after.
set -euo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 FILTER ROUNDS BINARY [BINARY ...]" >&2
  exit 2
fi
filter="$1" rounds="$2"
shift 2
if [[ -n "${PAUSE:-}" ]]; then
  pkill -STOP -f "$PAUSE" || true
  trap 'pkill -CONT -f "$PAUSE" || true' EXIT
fi
declare -A times
for ((r = 0; r < rounds; ++r)); do
  for binary in "$@"; do
    while IFS=, read -r name _ real _; do
      times["$binary|$name"]+="$real "
    done < <("$binary" --benchmark_filter="$filter" --benchmark_min_time=0.5 --benchmark_format=csv 2>/dev/null |
             grep '^"BM')
  done
done
printf '%-60s %12s %12s\n' "binary | benchmark" "median ms" "fastest ms"
for key in "${!times[@]}"; do
  sorted=$(tr ' ' '\n' <<<"${times[$key]}" | grep . | sort -g)
  median=$(awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}' <<<"$sorted")
  printf '%-60s %12.1f %12.1f\n' "${key//\"/}" "$median" "$(head -1 <<<"$sorted")"
done | sort
