// Seconds per Backpropamine training iteration, as the official code's speed is reported
// (specs/backpropamine.md §7): one iteration = 30 maze episodes of 200 steps (size 13) rolled out,
// backpropagated through and one Adam step, with the paper's parameter-matched cores, on 1 thread.
// Each benchmark iteration trains for kIterations iterations in one call (steady state: the
// optimiser and envs are made once per call); the counter s_per_iteration is the time per training
// iteration.
// Peak RSS is the process's, after all benchmarks ran so far (run one core per process to see its own:
// --benchmark_filter=modplast).
//
//   build/bench/dopa_bench_maze_iteration --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <torch/torch.h>

#include "dopa/core/vector_env.h"
#include "dopa/train/agent.h"

namespace {

constexpr int kIterations = 5;

class SilentMonitor : public dopa::TrainMonitor {
 public:
  void log(int64_t, const dopa::Metrics&) override {}
  void progress(int64_t, double) override {}
  bool should_stop() const override { return false; }
};

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

void BM_MazeIteration(benchmark::State& state, const std::string& core, int64_t hidden) {
  at::set_num_threads(1);
  dopa::VectorEnvOptions env_options;
  env_options.autoreset = dopa::AutoresetMode::SameStep;
  dopa::VectorEnv envs("Maze-v0", 30, {{"size", 13}}, env_options);
  const auto& registration = dopa::AgentRegistry::global().find("meta_a2c");
  const dopa::Config config = dopa::resolve_config(
      registration.config, {{"core", core}, {"hidden", hidden}, {"burn_in", 0}, {"checkpoint_every", 0}}, "meta_a2c");
  auto agent = registration.factory(config, envs.spec(), 0);
  SilentMonitor monitor;
  uint64_t seed = 0;
  for (auto _ : state) agent->train(envs, {seed++, kIterations * 30 * 200, ""}, monitor);
  state.counters["s_per_iteration"] =
      benchmark::Counter(kIterations, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["peak_rss_MB"] = peak_rss_mb();
}

}  // namespace

BENCHMARK_CAPTURE(BM_MazeIteration, modplast, std::string("modplast"), 100)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MazeIteration, modul, std::string("modul"), 100)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MazeIteration, plastic, std::string("plastic"), 101)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MazeIteration, rnn139, std::string("rnn"), 139)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
