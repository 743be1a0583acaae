// MuJoCo env overhead and threading: each task's Env::step against a bare loop of
// `mj_step x frame_skip` on the same model, and VectorEnv steps with 1 and 2 threads.
//
//   build/bench/dopa_bench_mujoco --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// items_per_second = env steps per wall-clock second. The bare loop and the env do the same physics: the same
// model, the same pre-drawn random actions, and a reset (mj_resetData + mj_forward) every 1000 steps;
// the env has termination switched off (terminate_when_unhealthy = false) so that its episodes also
// last the 1000-step time limit. What the env adds is its own work: writing ctrl, mj_rnePostConstraint
// (Gymnasium calls it after every step, for cfrc_ext), the observation, reward terms and info, the
// action check and the time limit.
#include <benchmark/benchmark.h>

#include <ATen/ATen.h>

#include "dopa/core/registry.h"
#include "dopa/core/vector_env.h"
#include "envs/mujoco/mujoco_env.h"

namespace {

constexpr int kActionRounds = 1024;
constexpr int kEpisodeSteps = 1000;

struct Task {
  const char* id;
  bool can_turn_off_termination;
};

dopa::Kwargs no_termination(const Task& task) {
  if (!task.can_turn_off_termination) return {};
  return {{"terminate_when_unhealthy", false}};
}

std::vector<std::vector<float>> random_actions(const dopa::Space& space, uint64_t seed) {
  dopa::Rng rng(seed);
  std::vector<std::vector<float>> actions(kActionRounds, std::vector<float>(space.size()));
  for (auto& a : actions) {
    for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(rng.uniform(space.low()[i], space.high()[i]));
  }
  return actions;
}

void BM_BareMujoco(benchmark::State& state, Task task) {
  auto env = dopa::make(task.id);  // for its model file, frame_skip and action space
  const auto& mj = dynamic_cast<const dopa::envs::MujocoEnv&>(*env);
  dopa::envs::MjModelPtr model = dopa::envs::load_mujoco_model(dopa::envs::find_mujoco_model(
      env->spec().config.get_string("xml_file")));
  dopa::envs::MjDataPtr data(mj_makeData(model.get()));
  mj_forward(model.get(), data.get());
  const auto actions = random_actions(env->action_space(), 1);
  const int frame_skip = mj.frame_skip();
  int64_t k = 0;
  for (auto _ : state) {
    const auto& a = actions[k % kActionRounds];
    for (int i = 0; i < model->nu; ++i) data->ctrl[i] = a[i];
    for (int i = 0; i < frame_skip; ++i) mj_step(model.get(), data.get());
    if (++k % kEpisodeSteps == 0) {
      mj_resetData(model.get(), data.get());
      mj_forward(model.get(), data.get());
    }
    benchmark::DoNotOptimize(data->qpos[0]);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_EnvStep(benchmark::State& state, Task task) {
  auto env = dopa::make(task.id, no_termination(task));
  dopa::EnvSession session(*env);
  session.reset(0);
  const auto actions = random_actions(env->action_space(), 1);
  int64_t k = 0;
  for (auto _ : state) {
    const auto r = session.step(dopa::Action(actions[k++ % kActionRounds]));
    if (r.done()) session.reset();
    benchmark::DoNotOptimize(r.reward);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_VectorEnvStep(benchmark::State& state, Task task) {
  dopa::VectorEnvOptions options;
  options.num_threads = static_cast<int>(state.range(0));
  const int64_t num_envs = state.range(1);
  dopa::VectorEnv envs(task.id, num_envs, no_termination(task), options);
  envs.reset(0);
  const auto rows = random_actions(envs.single_action_space(), 1);
  std::vector<at::Tensor> batches;
  for (int k = 0; k < 64; ++k) {
    at::Tensor batch = at::empty({num_envs, envs.single_action_space().size()}, at::kFloat);
    for (int64_t i = 0; i < num_envs; ++i) {
      std::copy(rows[(k * num_envs + i) % kActionRounds].begin(), rows[(k * num_envs + i) % kActionRounds].end(),
                batch.data_ptr<float>() + i * batch.size(1));
    }
    batches.push_back(batch);
  }
  int64_t k = 0;
  for (auto _ : state) {
    envs.step(batches[k++ % 64]);
    benchmark::DoNotOptimize(envs.rewards().data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * num_envs);
}

const Task kTasks[] = {
    {"InvertedPendulum-v5", false}, {"InvertedDoublePendulum-v5", false}, {"Reacher-v5", false},
    {"HalfCheetah-v5", false},      {"Hopper-v5", true},                  {"Walker2d-v5", true},
    {"Ant-v5", true},               {"Swimmer-v5", false},
};

const bool registered = [] {
  for (const Task& task : kTasks) {
    const std::string id = task.id;
    benchmark::RegisterBenchmark(("BareMujoco/" + id).c_str(), BM_BareMujoco, task)->UseRealTime();
    benchmark::RegisterBenchmark(("EnvStep/" + id).c_str(), BM_EnvStep, task)->UseRealTime();
    benchmark::RegisterBenchmark(("VectorEnvStep/" + id).c_str(), BM_VectorEnvStep, task)
        ->ArgsProduct({{1, 2}, {16}})
        ->ArgNames({"threads", "envs"})
        ->UseRealTime();  // wall-clock: the work is on the pool's threads
  }
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
