// The device benchmark (issue 10), one command, a few minutes:
//
//   build/bench/dopa_bench_device                              # a GPU if LibTorch has one, else the CPU
//   DOPA_BENCH_DEVICE=cpu build/bench/dopa_bench_device
//
//   BM_TensorEnvSteps/B        Maze-v0 as a TensorEnv on the device, B = 30, 1024, 16384: env steps/s
//                              (items_per_second)
//   BM_MazeA2C/<core>          one meta_a2c run on the maze (30 episodes of 200 steps, size 13; envs on
//                              the CPU, the network on the device): iterations/s
//   BM_PpoHalfCheetah          ppo on HalfCheetah-v5, 8 envs x 256 steps per update, the physics on the
//                              CPU into pinned buffers, the network on the device: env steps/s
//   BM_MazePopulation/<core>/S a population of S seeds (rnn139: 1, 10, 100; modplast: 1, 10) on one
//                              TensorEnv of S x 30 rows on the device: iterations/s of the whole
//                              population (each member does one iteration) and member_iterations/s
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cstdlib>

#include "agents/meta_a2c/population.h"
#include "dopa/core/tensor_env.h"
#include "dopa/core/vector_env.h"
#include "dopa/train/agent.h"
#include "dopa/train/device.h"

namespace {

class SilentMonitor : public dopa::TrainMonitor {
 public:
  void log(int64_t, const dopa::Metrics&) override {}
  void progress(int64_t, double) override {}
  bool should_stop() const override { return false; }
};

torch::Device bench_device() {
  const char* name = std::getenv("DOPA_BENCH_DEVICE");
  if (name != nullptr) return torch::Device(name);
  return dopa::cuda_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

const dopa::Kwargs kMaze = {{"size", 13}, {"episode_length", 200}};

dopa::Config meta_a2c_config(const std::string& core, int64_t hidden) {
  const auto& registration = dopa::AgentRegistry::global().find("meta_a2c");
  return dopa::resolve_config(registration.config,
                              {{"core", core}, {"hidden", hidden}, {"burn_in", 0}, {"checkpoint_every", 0}}, "meta_a2c");
}

void BM_TensorEnvSteps(benchmark::State& state) {
  const int64_t B = state.range(0);
  const torch::Device device = bench_device();
  const auto envs = dopa::make_tensor_env("Maze-v0", B, kMaze, {.device = device, .check_actions = false});
  std::vector<torch::Tensor> actions;
  for (int k = 0; k < 16; ++k) actions.push_back(torch::randint(4, {B}, torch::TensorOptions(torch::kLong).device(device)));
  envs->reset(0);
  int k = 0;
  for (auto _ : state) envs->step(actions[k++ % 16]);
  state.SetItemsProcessed(state.iterations() * B);
  state.SetLabel(device.str());
}

void BM_MazeA2C(benchmark::State& state, const std::string& core, int64_t hidden) {
  const torch::Device device = bench_device();
  dopa::VectorEnv envs("Maze-v0", 30, kMaze, {.num_threads = 1, .autoreset = dopa::AutoresetMode::SameStep});
  auto agent = dopa::AgentRegistry::global().find("meta_a2c").factory(meta_a2c_config(core, hidden), envs.spec(), 0);
  SilentMonitor monitor;
  dopa::TrainOptions options;
  options.total_steps = 2 * 30 * 200;  // two iterations per benchmark iteration
  options.device = device;
  for (auto _ : state) agent->train(envs, options, monitor);
  state.counters["iterations_per_s"] = benchmark::Counter(2, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(device.str());
}

void BM_MazePopulation(benchmark::State& state, const std::string& core, int64_t hidden) {
  const int64_t S = state.range(0);
  const torch::Device device = bench_device();
  const auto envs = dopa::make_tensor_env("Maze-v0", S * 30, kMaze, {.device = device, .check_actions = false});
  std::vector<uint64_t> seeds(S);
  for (int64_t s = 0; s < S; ++s) seeds[s] = s;
  dopa::agents::MetaA2CPopulation population(meta_a2c_config(core, hidden), envs->spec(), seeds, device);
  std::vector<SilentMonitor> monitors(S);
  std::vector<dopa::TrainMonitor*> pointers;
  for (auto& m : monitors) pointers.push_back(&m);
  for (auto _ : state) population.train(*envs, 30 * 200, pointers);  // one iteration of every member
  state.counters["iterations_per_s"] = benchmark::Counter(1, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["member_iterations_per_s"] = benchmark::Counter(S, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(device.str());
}

// PPO on a MuJoCo task: the physics on the CPU (pinned buffers), the network on the device.
void BM_PpoHalfCheetah(benchmark::State& state) {
  const torch::Device device = bench_device();
  const auto& registration = dopa::AgentRegistry::global().find("ppo");
  dopa::VectorEnv envs("HalfCheetah-v5", 8, {},
                       {.num_threads = 1, .autoreset = registration.autoreset, .pinned = !device.is_cpu()});
  const dopa::Config config =
      dopa::resolve_config(registration.config, {{"num_steps", 256}, {"checkpoint_every", 0}}, "ppo");
  auto agent = registration.factory(config, envs.spec(), 0);
  SilentMonitor monitor;
  dopa::TrainOptions options;
  options.total_steps = 8 * 256;  // one update (rollout and 10 epochs of minibatches)
  options.device = device;
  for (auto _ : state) agent->train(envs, options, monitor);
  state.SetItemsProcessed(state.iterations() * options.total_steps);
  state.SetLabel(device.str());
}

}  // namespace

BENCHMARK(BM_PpoHalfCheetah)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_TensorEnvSteps)->Arg(30)->Arg(1024)->Arg(16384)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_MazeA2C, modplast, std::string("modplast"), 100)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(BM_MazeA2C, rnn139, std::string("rnn"), 139)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(BM_MazePopulation, rnn139, std::string("rnn"), 139)
    ->Arg(1)->Arg(10)->Arg(100)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(BM_MazePopulation, modplast, std::string("modplast"), 100)
    ->Arg(1)->Arg(10)->Unit(benchmark::kMillisecond)->MinTime(2.0);

BENCHMARK_MAIN();
