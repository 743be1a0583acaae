// Env stepping speed: raw Env::step in a loop versus VectorEnv with 1 and 2 threads, N = 64.
//
//   build/bench/dopa_bench_envs --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// items_per_second = env steps per second (summed over envs). Actions are drawn once, before the
// timed loop, so that both paths do the same work: step 64 envs with given actions.
// Also: the uniform-random policy's mean return on Maze-v0 (counter "mean_return"), to compare with
// the spec (about 7.6 for size 11 and 5.4 for size 13).
#include <benchmark/benchmark.h>

#include <ATen/ATen.h>

#include "dopa/core/registry.h"
#include "dopa/core/vector_env.h"

namespace {

constexpr int64_t kNumEnvs = 64;
constexpr int kActionRounds = 256;  // distinct action batches cycled through

// kActionRounds batches of random valid actions: (num_envs,) int64 for Discrete, (num_envs, size)
// float32 for Box.
std::vector<at::Tensor> action_batches(const dopa::Space& space, uint64_t seed, int64_t num_envs = kNumEnvs) {
  dopa::Rng rng(seed);
  std::vector<at::Tensor> batches;
  for (int k = 0; k < kActionRounds; ++k) {
    at::Tensor batch = space.is_discrete() ? at::empty({num_envs}, at::kLong) : at::empty({num_envs, space.size()}, at::kFloat);
    auto* row = static_cast<unsigned char*>(batch.data_ptr());
    for (int64_t i = 0; i < num_envs; ++i) space.sample(rng, row + i * space.size() * batch.element_size());
    batches.push_back(batch);
  }
  return batches;
}

// Row i of an action batch.
dopa::Action action_row(const at::Tensor& batch, int64_t i) {
  if (batch.dim() == 1) return dopa::Action(batch.data_ptr<int64_t>()[i]);
  return dopa::Action(batch.data_ptr<float>() + i * batch.size(1), batch.size(1));
}

// Raw: a loop over 64 envs calling Env::step, resetting ended episodes, writing observations and
// info into buffers of its own (the env's own work, which a VectorEnv does too).
void BM_RawStep(benchmark::State& state, const std::string& id) {
  std::vector<std::unique_ptr<dopa::Env>> envs;
  for (int64_t i = 0; i < kNumEnvs; ++i) envs.push_back(dopa::make(id));
  const dopa::Space& obs_space = envs[0]->observation_space();
  const int64_t row = obs_space.size() * static_cast<int64_t>(dopa::dtype_size(obs_space.dtype()));
  std::vector<unsigned char> obs(kNumEnvs * row);
  std::vector<double> rewards(kNumEnvs);
  auto out = [&](int64_t i) { return dopa::ObsOut(obs.data() + i * row, obs_space.dtype(), obs_space.size()); };
  const dopa::EnvSpec& spec = envs[0]->spec();
  std::vector<double> info_values(kNumEnvs * std::max<int64_t>(1, spec.info_size));
  std::unique_ptr<bool[]> info_present(new bool[kNumEnvs * (spec.info_keys.size() + 1)]());
  auto info = [&](int64_t i) {
    if (spec.info_keys.empty()) return dopa::InfoOut();
    return dopa::InfoOut(info_values.data() + i * spec.info_size, info_present.get() + i * spec.info_keys.size(),
                         &spec.info_offsets);
  };
  for (int64_t i = 0; i < kNumEnvs; ++i) envs[i]->reset(i, out(i), info(i));
  const auto batches = action_batches(envs[0]->action_space(), 1);
  int k = 0;
  for (auto _ : state) {
    const at::Tensor& actions = batches[k++ % kActionRounds];
    for (int64_t i = 0; i < kNumEnvs; ++i) {
      if (envs[i]->needs_reset()) {
        envs[i]->reset(std::nullopt, out(i), info(i));
        continue;
      }
      rewards[i] = envs[i]->step(action_row(actions, i), out(i), info(i)).reward;
    }
    benchmark::DoNotOptimize(rewards.data());
  }
  state.SetItemsProcessed(state.iterations() * kNumEnvs);
}

void BM_VectorEnvStep(benchmark::State& state, const std::string& id) {
  dopa::VectorEnvOptions options;
  options.num_threads = static_cast<int>(state.range(0));
  const int64_t num_envs = state.range(1);
  dopa::VectorEnv envs(id, num_envs, {}, options);
  envs.reset(0);
  const auto batches = action_batches(envs.single_action_space(), 1, num_envs);
  int k = 0;
  for (auto _ : state) {
    envs.step(batches[k++ % kActionRounds]);
    benchmark::DoNotOptimize(envs.rewards().data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * num_envs);
}

void BM_MazeRandomPolicyReturn(benchmark::State& state) {
  const int size = static_cast<int>(state.range(0));
  auto env = dopa::make("Maze-v0", {{"size", size}});
  dopa::EnvSession session(*env);
  dopa::Rng rng(5);
  double total = 0;
  int64_t episodes = 0;
  session.reset(0);
  for (auto _ : state) {
    dopa::StepResult r;
    do {
      r = session.step(dopa::Action(rng.integer(4)));
    } while (!r.done());
    total += r.episode_return;
    ++episodes;
    session.reset();
  }
  state.counters["mean_return"] = total / static_cast<double>(episodes);
  state.counters["episodes"] = static_cast<double>(episodes);
}

}  // namespace

BENCHMARK_CAPTURE(BM_RawStep, Maze, std::string("Maze-v0"));
BENCHMARK_CAPTURE(BM_RawStep, Bandit, std::string("Bandit-v0"));
BENCHMARK_CAPTURE(BM_RawStep, CartPole, std::string("CartPole-v1"));
BENCHMARK_CAPTURE(BM_RawStep, Acrobot, std::string("Acrobot-v1"));
BENCHMARK_CAPTURE(BM_RawStep, MountainCar, std::string("MountainCar-v0"));
BENCHMARK_CAPTURE(BM_RawStep, MountainCarContinuous, std::string("MountainCarContinuous-v0"));
BENCHMARK_CAPTURE(BM_RawStep, Pendulum, std::string("Pendulum-v1"));
BENCHMARK_CAPTURE(BM_RawStep, LunarLander, std::string("LunarLander-v3"));
BENCHMARK_CAPTURE(BM_RawStep, LunarLanderContinuous, std::string("LunarLanderContinuous-v3"));
BENCHMARK_CAPTURE(BM_RawStep, BipedalWalker, std::string("BipedalWalker-v3"));
BENCHMARK_CAPTURE(BM_RawStep, BipedalWalkerHardcore, std::string("BipedalWalkerHardcore-v3"));
BENCHMARK_CAPTURE(BM_VectorEnvStep, Maze, std::string("Maze-v0"))->ArgsProduct({{1, 2}, {kNumEnvs, 1024}})->ArgNames({"threads", "envs"});
BENCHMARK_CAPTURE(BM_VectorEnvStep, Bandit, std::string("Bandit-v0"))->ArgsProduct({{1, 2}, {kNumEnvs, 1024}})->ArgNames({"threads", "envs"});
BENCHMARK_CAPTURE(BM_VectorEnvStep, CartPole, std::string("CartPole-v1"))->ArgsProduct({{1, 2}, {kNumEnvs, 1024}})->ArgNames({"threads", "envs"});
BENCHMARK(BM_MazeRandomPolicyReturn)->Arg(11)->Arg(13)->ArgName("size")->Iterations(20000);

BENCHMARK_MAIN();
