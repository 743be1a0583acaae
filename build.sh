#!/usr/bin/env bash
# dopa's set-up and everyday commands. Each one first installs the missing system packages
# (third_party/install-deps.sh, Debian 12) and builds into build/.
#
#   ./build.sh test    build and run the test suite (ctest)
#   ./build.sh demo    build and run the main experiment: a Backpropamine maze run, with a plot
#   ./build.sh bench   build and run the env benchmarks
#   ./build.sh build   build only
#   ./build.sh sanitize  AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan/), whole suite
#   ./build.sh tsan      ThreadSanitizer build (build-tsan/): the thread pool and VectorEnv tests
#                        (dopa_thread_tests: the code that runs threads in one process)
#
# DOPA_LIBTORCH=pypi ./build.sh ...  the same against PyTorch 2.15's CUDA LibTorch (build-cuda/)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

command="${1:-build}"
configure=(-DCMAKE_BUILD_TYPE=Release)
case "$command" in
  sanitize) default_dir=build-asan; configure+=(-DDOPA_SANITIZE=address,undefined) ;;
  tsan) default_dir=build-tsan; configure+=(-DDOPA_SANITIZE=thread) ;;
  *) default_dir=build ;;
esac
[[ "${DOPA_LIBTORCH:-}" == pypi ]] && default_dir=build-cuda
build_dir="${DOPA_BUILD_DIR:-$default_dir}"
[[ "$command" == sanitize || "$command" == tsan ]] &&
  configure+=(-DDOPA_BUILD_BENCHMARKS=OFF -DDOPA_TEST_TIMEOUT=1800 "-DCMAKE_CXX_FLAGS=-g1")

third_party/install-deps.sh
# dopa's Python environment (third_party/requirements.txt): Gymnasium for the live reference tests,
# and PyTorch 2.x with CUDA, whose LibTorch DOPA_LIBTORCH=pypi builds against (into build-cuda/)
# instead of Debian's libtorch-dev (1.13, CPU only).
python="$(third_party/install-deps.sh --python)"
configure+=("-DDOPA_REFERENCE_PYTHON=$python")
case "${DOPA_LIBTORCH:-debian}" in
  pypi) configure+=("-DDOPA_PYTHON=$python") ;;
  debian) configure+=(-DDOPA_PYTHON=) ;;
  *) echo "DOPA_LIBTORCH=${DOPA_LIBTORCH}: pypi or debian" >&2; exit 2 ;;
esac
cmake -S . -B "$build_dir" -G Ninja "${configure[@]}" >/dev/null
# The tests need the program and the test binary, not the benchmarks (a few minutes on 2 cores).
targets=()
[[ "$command" == test || "$command" == sanitize ]] && targets=(--target dopa dopa_tests dopa_thread_tests)
[[ "$command" == tsan ]] && targets=(--target dopa_thread_tests)
cmake --build "$build_dir" "${targets[@]}"
suppressions="$PWD/tests/sanitizers"

case "$command" in
  build) ;;
  test)
    ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
    ;;
  sanitize)
    # The install test builds a separate project against the installed (instrumented) libraries
    # without the sanitizer runtime: left out.
    ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1" \
    LSAN_OPTIONS="suppressions=$suppressions/lsan.supp:print_suppressions=0" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
      ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" -E '^InstallAndCustomEnv$'
    ;;
  tsan)
    TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
      ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" -R '^(ThreadPool|VectorEnv)\.'
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
    echo "usage: ./build.sh [test|demo|bench|build|sanitize|tsan]" >&2
    exit 2
    ;;
esac
