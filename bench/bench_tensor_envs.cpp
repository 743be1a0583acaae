// Tensor envs (core/tensor_env.h) against VectorEnv: env steps per second for batches of 30, 1024
// and 16384 envs (items_per_second, summed over envs).
//
//   build/bench/dopa_bench_tensor_envs --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//   DOPA_BENCH_DEVICE=cuda build/bench/dopa_bench_tensor_envs     # tensor envs on a GPU
//
// TensorEnv draws with the device's generator ("device"); VectorEnv steps on one thread with
// SameStep autoreset (what the tensor envs do). Actions are drawn before the timed loop.
#include <benchmark/benchmark.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cstdlib>

#include "dopa/core/tensor_env.h"
#include "dopa/core/vector_env.h"

namespace {

constexpr int kActionRounds = 64;  // distinct action batches cycled through

c10::Device bench_device() {
  const char* name = std::getenv("DOPA_BENCH_DEVICE");
  return c10::Device(name != nullptr ? name : "cpu");
}

std::vector<at::Tensor> action_batches(int64_t actions, int64_t num_envs, c10::Device device) {
  at::manual_seed(0);
  std::vector<at::Tensor> batches;
  for (int k = 0; k < kActionRounds; ++k) batches.push_back(at::randint(actions, {num_envs}, at::kLong).to(device));
  return batches;
}

void BM_TensorEnv(benchmark::State& state, const std::string& id) {
  at::set_num_threads(1);
  const int64_t num_envs = state.range(0);
  const c10::Device device = bench_device();
  const auto envs = dopa::make_tensor_env(id, num_envs, {}, {.device = device, .check_actions = false});
  const auto actions = action_batches(envs->spec().action_space.n(), num_envs, device);
  envs->reset(0);
  int k = 0;
  for (auto _ : state) {
    envs->step(actions[k++ % kActionRounds]);
    benchmark::DoNotOptimize(envs->observations().data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * num_envs);
  state.SetLabel(device.str());
}

void BM_VectorEnv(benchmark::State& state, const std::string& id) {
  at::set_num_threads(1);
  const int64_t num_envs = state.range(0);
  dopa::VectorEnv envs(id, num_envs, {}, {.num_threads = 1, .autoreset = dopa::AutoresetMode::SameStep});
  const auto actions = action_batches(envs.single_action_space().n(), num_envs, c10::kCPU);
  envs.reset(0);
  int k = 0;
  for (auto _ : state) envs.step(actions[k++ % kActionRounds]);
  state.SetItemsProcessed(state.iterations() * num_envs);
}

}  // namespace

#define DOPA_BENCH_ENV(name, id)                                                                  \
  BENCHMARK_CAPTURE(BM_TensorEnv, name, std::string(id))->Arg(30)->Arg(1024)->Arg(16384);        \
  BENCHMARK_CAPTURE(BM_VectorEnv, name, std::string(id))->Arg(30)->Arg(1024)->Arg(16384)

DOPA_BENCH_ENV(Maze, "Maze-v0");
DOPA_BENCH_ENV(Bandit, "Bandit-v0");
DOPA_BENCH_ENV(Conditioning, "Conditioning-v0");
DOPA_BENCH_ENV(CueReward, "CueReward-v0");

BENCHMARK_MAIN();
