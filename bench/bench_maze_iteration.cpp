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
// BM_MazePopulation/rnn139/4 trains 4 seeds as one population (population.h): against 4 x
// BM_MazeIteration/rnn139, the speed-up over 4 sequential runs.
// BM_BanditIteration: the Wang et al. meta-RL update instead (32 episodes of 100 pulls of the
// independent two-armed bandit, an LSTM of 48 or 96), with the fused LSTM episode (lstm_episode.h)
// and with LSTMCell through autograd (fused = false): their ratio is the fused path's speed-up.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <torch/torch.h>

#include "agents/meta_a2c/population.h"
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

// Population training (agents/meta_a2c/population.h): S seeds of the same network as one batched
// computation; s_per_iteration is the time for one iteration of every member. Compare it with S x
// the single run's (BM_MazeIteration) for the speed-up over S sequential runs.
void BM_MazePopulation(benchmark::State& state, const std::string& core, int64_t hidden) {
  at::set_num_threads(1);
  const int64_t S = state.range(0);
  dopa::VectorEnvOptions env_options;
  env_options.autoreset = dopa::AutoresetMode::SameStep;
  std::vector<std::unique_ptr<dopa::VectorEnv>> envs;
  std::vector<dopa::VectorEnv*> env_pointers;
  std::vector<SilentMonitor> monitors(S);
  std::vector<dopa::TrainMonitor*> monitor_pointers;
  std::vector<uint64_t> seeds;
  for (int64_t s = 0; s < S; ++s) {
    envs.push_back(std::make_unique<dopa::VectorEnv>("Maze-v0", 30, dopa::Kwargs{{"size", 13}}, env_options));
    env_pointers.push_back(envs.back().get());
    monitor_pointers.push_back(&monitors[s]);
    seeds.push_back(s);
  }
  const auto& registration = dopa::AgentRegistry::global().find("meta_a2c");
  const dopa::Config config = dopa::resolve_config(
      registration.config, {{"core", core}, {"hidden", hidden}, {"burn_in", 0}, {"checkpoint_every", 0}}, "meta_a2c");
  dopa::agents::MetaA2CPopulation population(config, envs[0]->spec(), seeds);
  for (auto _ : state) population.train(env_pointers, kIterations * 30 * 200, monitor_pointers);
  state.counters["s_per_iteration"] =
      benchmark::Counter(kIterations, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["peak_rss_MB"] = peak_rss_mb();
}

void BM_BanditIteration(benchmark::State& state, int64_t hidden, bool fused) {
  at::set_num_threads(1);
  constexpr int64_t kEnvs = 32, kPulls = 100, kBanditIterations = 20;
  dopa::VectorEnvOptions env_options;
  env_options.autoreset = dopa::AutoresetMode::SameStep;
  dopa::VectorEnv envs("Bandit-v0", kEnvs, {{"task", "independent"}, {"trials", kPulls}}, env_options);
  const auto& registration = dopa::AgentRegistry::global().find("meta_a2c");
  const dopa::Config config = dopa::resolve_config(
      registration.config,
      {{"core", "lstm"}, {"hidden", hidden}, {"fused", fused}, {"burn_in", 0}, {"checkpoint_every", 0}, {"gamma", 0.95},
       {"gae_lambda", 0.7}, {"lr", 2e-3}},
      "meta_a2c");
  auto agent = registration.factory(config, envs.spec(), 0);
  SilentMonitor monitor;
  uint64_t seed = 0;
  for (auto _ : state) agent->train(envs, {seed++, kBanditIterations * kEnvs * kPulls, ""}, monitor);
  state.counters["s_per_iteration"] = benchmark::Counter(
      kBanditIterations, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["steps_per_s"] =
      benchmark::Counter(kBanditIterations * kEnvs * kPulls, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

BENCHMARK_CAPTURE(BM_BanditIteration, lstm48_fused, 48, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BanditIteration, lstm48_autograd, 48, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BanditIteration, lstm96_fused, 96, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BanditIteration, lstm96_autograd, 96, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MazePopulation, rnn139, std::string("rnn"), 139)->Arg(1)->Arg(4)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MazeIteration, modplast, std::string("modplast"), 100)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MazeIteration, modul, std::string("modul"), 100)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MazeIteration, plastic, std::string("plastic"), 101)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MazeIteration, rnn139, std::string("rnn"), 139)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
