// VectorEnv: determinism across thread counts, autoreset modes, masks, zero-copy buffers, errors.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <thread>
#include <vector>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "dopa/core/vector_env.h"

namespace {

using dopa::AutoresetMode;
using dopa::VectorEnv;

at::Tensor random_actions(const VectorEnv& envs, dopa::Rng& rng) {
  at::Tensor actions = at::empty({envs.num_envs()}, at::kLong);
  for (int64_t i = 0; i < envs.num_envs(); ++i) actions[i] = rng.integer(envs.single_action_space().n());
  return actions;
}

struct Trajectory {
  std::vector<at::Tensor> obs, rewards, terminated, truncated;
};

Trajectory run(const std::string& id, int threads, AutoresetMode mode, int steps, const dopa::Kwargs& kwargs = {}) {
  dopa::VectorEnvOptions options;
  options.num_threads = threads;
  options.autoreset = mode;
  VectorEnv envs(id, 16, kwargs, options);
  dopa::Rng rng(99);
  Trajectory t;
  envs.reset(42);
  t.obs.push_back(envs.observations().clone());
  for (int s = 0; s < steps; ++s) {
    envs.step(random_actions(envs, rng));
    t.obs.push_back(envs.observations().clone());
    t.rewards.push_back(envs.rewards().clone());
    t.terminated.push_back(envs.terminations().clone());
    t.truncated.push_back(envs.truncations().clone());
  }
  return t;
}

void expect_same(const Trajectory& a, const Trajectory& b) {
  ASSERT_EQ(a.obs.size(), b.obs.size());
  for (size_t s = 0; s < a.obs.size(); ++s) ASSERT_TRUE(a.obs[s].equal(b.obs[s])) << "step " << s;
  for (size_t s = 0; s < a.rewards.size(); ++s) {
    ASSERT_TRUE(a.rewards[s].equal(b.rewards[s])) << "step " << s;
    ASSERT_TRUE(a.terminated[s].equal(b.terminated[s])) << "step " << s;
    ASSERT_TRUE(a.truncated[s].equal(b.truncated[s])) << "step " << s;
  }
}

TEST(VectorEnv, SameSeedSameTrajectoryWith1_2_4Threads) {
  for (const std::string id : {"CartPole-v1", "Maze-v0", "Bandit-v0"}) {
    const Trajectory one = run(id, 1, AutoresetMode::NextStep, 600);
    expect_same(one, run(id, 2, AutoresetMode::NextStep, 600));
    expect_same(one, run(id, 4, AutoresetMode::NextStep, 600));
  }
}

// Oversubscription: four VectorEnvs of 8 threads each (32 threads on a 2-core machine), stepped at
// the same time from four caller threads, as a population of four steps its members: every one
// gives the single-threaded trajectory.
TEST(VectorEnv, OversubscribedEnvsSteppedConcurrentlyGiveTheSingleThreadedTrajectory) {
  const Trajectory one = run("CartPole-v1", 1, AutoresetMode::NextStep, 150);
  std::vector<Trajectory> concurrent(4);
  std::vector<std::thread> callers;
  for (auto& trajectory : concurrent)
    callers.emplace_back([&trajectory] { trajectory = run("CartPole-v1", 8, AutoresetMode::NextStep, 150); });
  for (auto& caller : callers) caller.join();
  for (const Trajectory& t : concurrent) expect_same(one, t);
}

// How env i's seed follows from the reset's seed: tests/test_seeding.cpp.

TEST(VectorEnv, NextStepAutoresetIgnoresTheActionAndReturnsTheResetObservation) {
  VectorEnv envs("Bandit-v0", 3, {{"trials", 5}});
  envs.reset(0);
  const at::Tensor ones = at::ones({3}, at::kLong);
  for (int t = 1; t <= 5; ++t) {
    envs.step(ones);
    EXPECT_EQ(envs.terminations().all().item<bool>(), t == 5);
  }
  // The final observation: previous action 1, time 5/5.
  EXPECT_EQ(envs.observations()[0][3].item<float>(), 1.0f);
  EXPECT_EQ(envs.episode_lengths()[0].item<int64_t>(), 5);
  // The next step resets: reward 0, flags false, the reset observation (all zeros), action ignored.
  envs.step(at::full({3}, 5, at::kLong));  // 5 is out of range but ignored: these envs are resetting
  EXPECT_EQ(envs.rewards().abs().sum().item<double>(), 0.0);
  EXPECT_FALSE(envs.terminations().any().item<bool>());
  EXPECT_EQ(envs.observations().abs().sum().item<float>(), 0.0f);
  // Now the action counts again.
  EXPECT_THROW(envs.step(at::full({3}, 5, at::kLong)), dopa::Error);
}

TEST(VectorEnv, SameStepAutoresetKeepsTheFinalObservation) {
  dopa::VectorEnvOptions options;
  options.autoreset = AutoresetMode::SameStep;
  VectorEnv same("Bandit-v0", 2, {{"trials", 4}}, options);
  VectorEnv next("Bandit-v0", 2, {{"trials", 4}});
  same.reset(3);
  next.reset(3);
  const at::Tensor zeros = at::zeros({2}, at::kLong);
  for (int t = 1; t <= 4; ++t) {
    same.step(zeros);
    next.step(zeros);
    EXPECT_TRUE(same.rewards().equal(next.rewards()));
    EXPECT_EQ(same.final_mask().all().item<bool>(), t == 4);
  }
  EXPECT_TRUE(same.terminations().all().item<bool>());
  EXPECT_TRUE(same.final_observations().equal(next.observations()));
  EXPECT_EQ(same.observations().abs().sum().item<float>(), 0.0f);  // already the next episode's first obs
  same.step(zeros);  // no reset step in between: the new episode's first step
  EXPECT_FALSE(same.final_mask().any().item<bool>());
  EXPECT_EQ(same.observations()[0][3].item<float>(), 0.25f);  // time 1/4
}

TEST(VectorEnv, ResetByMaskResetsOnlyTheSelectedEnvs) {
  VectorEnv envs("Maze-v0", 4);
  envs.reset(1);
  const at::Tensor actions = at::full({4}, 1, at::kLong);
  envs.step(actions);
  envs.step(actions);
  const at::Tensor before = envs.observations().clone();
  at::Tensor mask = at::zeros({4}, at::kBool);
  mask[2] = true;
  envs.reset(std::nullopt, mask);
  for (int64_t i = 0; i < 4; ++i) {
    if (i == 2) EXPECT_EQ(envs.observations()[i][11].item<float>(), 0.0f);  // time back to 0
    else EXPECT_TRUE(envs.observations()[i].equal(before[i]));
  }
  EXPECT_EQ(envs.env(2).elapsed_steps(), 0);
  EXPECT_EQ(envs.env(0).elapsed_steps(), 2);
}

TEST(VectorEnv, BuffersAreTheSameTensorsEveryStep) {
  VectorEnv envs("CartPole-v1", 8, {}, {2, AutoresetMode::NextStep});
  envs.reset(0);
  const void* obs = envs.observations().data_ptr();
  const void* rewards = envs.rewards().data_ptr();
  at::Tensor view = envs.observations();
  const at::Tensor before = view.clone();
  envs.step(at::zeros({8}, at::kLong));
  EXPECT_EQ(envs.observations().data_ptr(), obs);
  EXPECT_EQ(envs.rewards().data_ptr(), rewards);
  EXPECT_FALSE(view.equal(before));  // a tensor taken earlier sees the new step: no copy was made
  EXPECT_EQ(envs.observations().scalar_type(), at::kFloat);
  EXPECT_EQ(envs.rewards().scalar_type(), at::kDouble);
}

TEST(VectorEnv, DisabledAutoresetRequiresAResetByMask) {
  VectorEnv envs("Bandit-v0", 2, {{"trials", 2}}, {1, AutoresetMode::Disabled});
  envs.reset(0);
  const at::Tensor zeros = at::zeros({2}, at::kLong);
  envs.step(zeros);
  envs.step(zeros);
  EXPECT_THROW(envs.step(zeros), dopa::Error);
  envs.reset(std::nullopt, at::ones({2}, at::kBool));
  EXPECT_NO_THROW(envs.step(zeros));
}

TEST(VectorEnv, BadActionsAreRejectedBeforeAnyEnvSteps) {
  VectorEnv envs("Maze-v0", 4);
  envs.reset(0);
  EXPECT_THROW(envs.step(at::zeros({3}, at::kLong)), dopa::Error);     // wrong shape
  EXPECT_THROW(envs.step(at::zeros({4, 1}, at::kLong)), dopa::Error);  // wrong shape
  EXPECT_THROW(envs.step(at::full({4}, 0.5, at::kFloat)), dopa::Error);  // not whole numbers
  at::Tensor actions = at::zeros({4}, at::kLong);
  actions[3] = 4;  // out of range in env 3
  try {
    envs.step(actions);
    FAIL() << "expected dopa::Error";
  } catch (const dopa::Error& e) {
    EXPECT_NE(std::string(e.what()).find("env 3"), std::string::npos) << e.what();
  }
  for (int64_t i = 0; i < 4; ++i) EXPECT_EQ(envs.env(i).elapsed_steps(), 0);
  EXPECT_NO_THROW(envs.step(at::full({4}, 2, at::kInt)));  // int32 is converted
}

TEST(VectorEnv, InfoIsBatchedWithMasks) {
  VectorEnv envs("Bandit-v0", 3);
  envs.reset(0);
  EXPECT_TRUE(envs.info_mask("arm_means").all().item<bool>());
  EXPECT_FALSE(envs.info_mask("expected_regret").any().item<bool>());  // not written by reset
  envs.step(at::zeros({3}, at::kLong));
  EXPECT_TRUE(envs.info_mask("expected_regret").all().item<bool>());
  EXPECT_EQ(envs.info("arm_means").sizes(), at::IntArrayRef({3, 2}));
  const at::Tensor regret = envs.info("expected_regret").squeeze(1);
  const at::Tensor probs = envs.info("arm_means");
  EXPECT_TRUE(regret.allclose(std::get<0>(probs.max(1)) - probs.select(1, 0)));
  EXPECT_THROW(envs.info("regret"), dopa::Error);
}

}  // namespace
