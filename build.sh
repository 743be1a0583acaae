#!/usr/bin/env bash
# dopa's set-up and everyday commands. Each one first installs the missing system packages
# (third_party/install-deps.sh, Debian 12) and builds into build/.
#
#   ./build.sh test    build and run the test suite (ctest)
#   ./build.sh demo    build and run the main experiment: meta-RL on a two-armed bandit, with a plot
#   ./build.sh bench   build and run the env benchmarks
#   ./build.sh build   build only
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

command="${1:-build}"
build_dir="${DOPA_BUILD_DIR:-build}"

third_party/install-deps.sh
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir"

case "$command" in
  build) ;;
  test)
    ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
    ;;
  demo)
    run_dir="runs/demo-$(date +%Y%m%d-%H%M%S)"
    "$build_dir/dopa" run experiments/bandits/easy_lstm_quick.toml --out "$run_dir"
    scripts/plot_run.py "$run_dir" --hline 50:random --hline 90:oracle >/dev/null
    echo
    echo "Trained an LSTM actor-critic on Wang et al.'s easy two-armed bandit (400k pulls)."
    echo "Mean return of the last 100 episodes (random play: 50, always the better arm: 90):"
    grep -E '"final_return"' "$run_dir/summary.json"
    echo "Run folder: $run_dir (config.toml, metrics.csv, summary.json, model.pt)"
    echo "Learning curve: $run_dir/learning_curve.png"
    ;;
  bench)
    "$build_dir/bench/dopa_bench_envs" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
    ;;
  *)
    echo "usage: ./build.sh [test|demo|bench|build]" >&2
    exit 2
    ;;
esac
