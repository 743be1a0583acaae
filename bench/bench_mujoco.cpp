// MuJoCo env overhead and threading: each task's Env::step against a bare loop of
// `mj_step x frame_skip` on the same model, and VectorEnv steps with 1 and 2 threads against the
// ceiling this machine allows (two bare loops on two threads of their own).
//
//   build/bench/dopa_bench_mujoco --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// items_per_second = env steps per wall-clock second. The bare loop replays the env's own physics:
// a schedule recorded beforehand from an env stepped with the same pre-drawn random actions gives
// each episode's start state (qpos, qvel) and length, and the bare loop starts each episode there
// (mj_resetData, the state, mj_forward) and steps it for as long, so both simulate exactly the same
// states (the physics is deterministic). What the env adds is its own work: writing ctrl,
// mj_rnePostConstraint (Gymnasium calls it after every step, for cfrc_ext), the observation, reward
// terms and info, the action check, the time limit and drawing the reset noise. Where a task can
// switch termination off (terminate_when_unhealthy = false) it does, so that episodes last the
// 1000-step time limit; the pendulums end their episodes every few steps under random actions, so
// resets weigh on them.
#include <benchmark/benchmark.h>

#include <ATen/ATen.h>

#include <algorithm>
#include <limits>
#include <map>
#include <stdexcept>
#include <thread>

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

// The episodes an env goes through when stepped with `actions` from reset(0): each one's start state
// and length (the last one open-ended).
struct Schedule {
  std::vector<std::vector<double>> starts;
  std::vector<int64_t> lengths;
};

Schedule record_schedule(const Task& task, const std::vector<std::vector<float>>& actions, int64_t steps) {
  auto env = dopa::make(task.id, no_termination(task));
  dopa::EnvSession session(*env);
  session.reset(0);
  Schedule schedule;
  schedule.starts.push_back(env->state());
  int64_t length = 0;
  for (int64_t k = 0; k < steps; ++k) {
    ++length;
    if (session.step(dopa::Action(actions[k % kActionRounds])).done()) {
      schedule.lengths.push_back(length);
      length = 0;
      session.reset();
      schedule.starts.push_back(env->state());
    }
  }
  schedule.lengths.push_back(std::numeric_limits<int64_t>::max());
  return schedule;
}

// The bare physics of `steps` env steps (or endlessly while `state` runs): the schedule's episodes.
class BareLoop {
 public:
  BareLoop(const Task& task, const std::vector<std::vector<float>>& actions, const Schedule& schedule)
      : actions_(actions), schedule_(schedule) {
    auto env = dopa::make(task.id, no_termination(task));  // for its model file and frame_skip
    frame_skip_ = dynamic_cast<const dopa::envs::MujocoEnv&>(*env).frame_skip();
    model_ = dopa::envs::load_mujoco_model(dopa::envs::find_mujoco_model(env->spec().config.get_string("xml_file")));
    data_.reset(mj_makeData(model_.get()));
    start_episode();
  }

  void step() {
    const auto& a = actions_[k_++ % kActionRounds];
    for (int i = 0; i < model_->nu; ++i) data_->ctrl[i] = a[i];
    for (int i = 0; i < frame_skip_; ++i) mj_step(model_.get(), data_.get());
    if (++length_ == schedule_.lengths[episode_]) {
      ++episode_;
      start_episode();
    }
  }
  double probe() const { return data_->qpos[0]; }

 private:
  void start_episode() {
    if (episode_ >= schedule_.starts.size()) throw std::runtime_error("bench: ran past the recorded schedule");
    const auto& state = schedule_.starts[episode_];
    mj_resetData(model_.get(), data_.get());
    std::copy(state.begin(), state.begin() + model_->nq, data_->qpos);
    std::copy(state.begin() + model_->nq, state.end(), data_->qvel);
    mj_forward(model_.get(), data_.get());
    length_ = 0;
  }

  const std::vector<std::vector<float>>& actions_;
  const Schedule& schedule_;
  dopa::envs::MjModelPtr model_;
  dopa::envs::MjDataPtr data_;
  int frame_skip_ = 1;
  size_t episode_ = 0;
  int64_t length_ = 0;
  int64_t k_ = 0;
};

constexpr int64_t kScheduleSteps = 100000;  // more than one run of a benchmark here steps

// Each task's schedule, recorded once (recording steps the env kScheduleSteps times).
const Schedule& schedule_of(const Task& task, const std::vector<std::vector<float>>& actions) {
  static std::map<std::string, Schedule> schedules;
  auto it = schedules.find(task.id);
  if (it == schedules.end()) it = schedules.emplace(task.id, record_schedule(task, actions, kScheduleSteps)).first;
  return it->second;
}

void BM_BareMujoco(benchmark::State& state, Task task) {
  auto env = dopa::make(task.id, no_termination(task));
  const auto actions = random_actions(env->action_space(), 1);
  const Schedule& schedule = schedule_of(task, actions);
  BareLoop loop(task, actions, schedule);
  for (auto _ : state) {
    loop.step();
    benchmark::DoNotOptimize(loop.probe());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["episode_length"] = static_cast<double>(kScheduleSteps) / static_cast<double>(schedule.starts.size());
}

// The ceiling for two threads on this machine: two bare loops on two threads of their own, no pool.
void BM_TwoBareLoops(benchmark::State& state, Task task) {
  auto env = dopa::make(task.id, no_termination(task));
  const auto actions = random_actions(env->action_space(), 1);
  const Schedule& schedule = schedule_of(task, actions);
  constexpr int64_t kBatch = 200;  // steps per thread per iteration
  BareLoop first(task, actions, schedule), second(task, actions, schedule);
  for (auto _ : state) {
    std::thread other([&] {
      for (int64_t i = 0; i < kBatch; ++i) second.step();
    });
    for (int64_t i = 0; i < kBatch; ++i) first.step();
    other.join();
    benchmark::DoNotOptimize(first.probe() + second.probe());
  }
  state.SetItemsProcessed(state.iterations() * 2 * kBatch);
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
    benchmark::RegisterBenchmark(("TwoBareLoops/" + id).c_str(), BM_TwoBareLoops, task)->UseRealTime();
    benchmark::RegisterBenchmark(("VectorEnvStep/" + id).c_str(), BM_VectorEnvStep, task)
        ->ArgsProduct({{1, 2}, {16}})
        ->ArgNames({"threads", "envs"})
        ->UseRealTime();  // wall-clock: the work is on the pool's threads
  }
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
