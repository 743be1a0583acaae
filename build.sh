#!/usr/bin/env bash
# dopa's set-up and everyday commands. Each one first installs the missing system packages
# (third_party/install-deps.sh, Debian 12) and builds into build/.
#
#   ./build.sh test    build and run the test suite (ctest)
#   ./build.sh demo    build and run the main experiment: a Backpropamine maze run, with a plot
#   ./build.sh bench   build and run the env benchmarks
#   ./build.sh build   build only
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

command="${1:-build}"
build_dir="${DOPA_BUILD_DIR:-build}"

third_party/install-deps.sh
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
# The tests need the program and the test binary, not the benchmarks (a few minutes on 2 cores).
targets=()
[[ "$command" == test ]] && targets=(--target dopa dopa_tests)
cmake --build "$build_dir" "${targets[@]}"

case "$command" in
  build) ;;
  test)
    ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
    ;;
  demo)
    run_dir="runs/demo-$(date +%Y%m%d-%H%M%S)"
    "$build_dir/dopa" run experiments/maze/demo.toml --out "$run_dir"
    scripts/plot_run.py "$run_dir" --hline 5.4:random >/dev/null
    echo
    echo "Trained a neuromodulated plastic network (Backpropamine's simple modulation, 100 neurons)"
    echo "on the 13x13 maze for 400 iterations of 30 episodes. Return per 200-step episode:"
    echo "  random play about 5.4; this run, mean of the last 100 episodes:"
    grep -E '"final_return"' "$run_dir/summary.json"
    echo "Learning curve (episodic return against env steps):"
    awk -F, 'NR == 1 { for (i = 1; i <= NF; ++i) col[$i] = i; next }
             { printf "  %10d steps  %6.1f\n", $col["global_step"], $col["episodic_return"] }' "$run_dir/metrics.csv" |
      awk 'NR % 4 == 0'
    echo "Run folder: $run_dir (config.toml, metrics.csv, summary.json, model.pt)"
    echo "Plot: $run_dir/learning_curve.png"
    ;;
  bench)
    "$build_dir/bench/dopa_bench_envs" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
    ;;
  *)
    echo "usage: ./build.sh [test|demo|bench|build]" >&2
    exit 2
    ;;
esac
