// Tensor envs (core/tensor_env.h): with the CPU envs' random streams they step identically to the
// CPU envs, step for step; with the device's generator they keep the task's statistics.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "dopa/core/error.h"
#include "dopa/core/random_source.h"
#include "dopa/core/rng.h"
#include "dopa/core/seeding.h"
#include "dopa/core/tensor_env.h"
#include "dopa/core/vector_env.h"
#include "dopa/train/device.h"

namespace {

using dopa::Kwargs;

struct Case {
  std::string id;
  Kwargs kwargs;
  int64_t steps;
};

std::string describe(const Case& c) {
  std::string text = c.id;
  for (const auto& [key, value] : c.kwargs) text += " " + key + "=" + value.to_string();
  return text;
}

// Steps VectorEnv (SameStep autoreset) and the tensor env with the same seed and random actions;
// every buffer must agree at every step (a GPU's buffers copied back to compare).
void expect_identical(const Case& c, int64_t num_envs, c10::Device device = c10::kCPU) {
  SCOPED_TRACE(describe(c));
  dopa::VectorEnv cpu(c.id, num_envs, c.kwargs, {.num_threads = 1, .autoreset = dopa::AutoresetMode::SameStep});
  const auto on_device = dopa::make_tensor_env(c.id, num_envs, c.kwargs, {.device = device, .random = "streams"});
  const auto host = [](const at::Tensor& buffer) { return buffer.cpu(); };
  cpu.reset(7);
  on_device->reset(7);
  ASSERT_TRUE(at::equal(cpu.observations(), host(on_device->observations()))) << "after reset";
  dopa::Rng actions_rng(99);
  const int64_t n = cpu.single_action_space().n();
  int64_t episodes_ended = 0;
  for (int64_t t = 0; t < c.steps; ++t) {
    at::Tensor actions = at::empty({num_envs}, at::kLong);
    for (int64_t i = 0; i < num_envs; ++i) actions[i] = actions_rng.integer(n);
    cpu.step(actions);
    on_device->step(actions.to(device));
    ASSERT_TRUE(at::equal(cpu.rewards(), host(on_device->rewards()))) << "step " << t;
    ASSERT_TRUE(at::equal(cpu.terminations(), host(on_device->terminations()))) << "step " << t;
    ASSERT_TRUE(at::equal(cpu.truncations(), host(on_device->truncations()))) << "step " << t;
    ASSERT_TRUE(at::equal(cpu.observations(), host(on_device->observations()))) << "step " << t;
    const at::Tensor ended = cpu.terminations() | cpu.truncations();
    ASSERT_TRUE(at::equal(ended, host(on_device->final_mask()))) << "step " << t;
    ASSERT_TRUE(at::equal(cpu.episode_returns().masked_select(ended), host(on_device->episode_returns()).masked_select(ended)));
    ASSERT_TRUE(at::equal(cpu.episode_lengths().masked_select(ended), host(on_device->episode_lengths()).masked_select(ended)));
    const at::Tensor rows = ended.unsqueeze(1).expand_as(cpu.final_observations());
    ASSERT_TRUE(at::equal(cpu.final_observations().masked_select(rows), host(on_device->final_observations()).masked_select(rows)))
        << "step " << t;
    episodes_ended += ended.sum().item<int64_t>();
  }
  EXPECT_GT(episodes_ended, 0) << "the case should exercise the autoreset";
}

const std::vector<Case>& identical_cases() {
  static const std::vector<Case> cases = {
      {"Maze-v0", {{"size", 13}, {"episode_length", 50}}, 160},
      {"Maze-v0", {{"size", 5}, {"wp", 0.1}, {"rew", 3.0}, {"episode_length", 30}}, 100},  // many rewards, teleports
      {"Maze-v0", {{"max_episode_steps", 7}}, 30},                                          // truncations
      {"Bandit-v0", {{"trials", 10}}, 40},
      {"BanditKArmed-v0", {{"arms", 7}, {"trials", 12}}, 40},
      {"BanditDependentUniform-v0", {{"trials", 10}}, 40},
      {"BanditEasy-v0", {{"trials", 10}}, 40},
      {"BanditMedium-v0", {{"trials", 10}}, 40},
      {"BanditHard-v0", {{"trials", 10}}, 40},
      {"BanditRestless-v0", {{"trials", 20}, {"hazard", 0.2}}, 70},
      {"BanditRestless-v0", {{"trials", 15}}, 40},
      {"BanditInformative-v0", {}, 25},
      {"Conditioning-v0", {{"trial_steps", 20}, {"cs_onset", 4}, {"isi", 6}}, 70},
      {"Conditioning-v0",
       {{"trial_steps", 12}, {"cs_onset", 3}, {"isi", 2}, {"cs_duration", 4}, {"cue_probs", "0.1,0.5,0.9"},
        {"reward_sizes", "0.1,1,5"}, {"reward_freqs", "1,2,1"}, {"extra_cs_onsets", "2,7"}, {"omit_every", 3},
        {"extinction_trial", 6}},
       90},
      {"CueReward-v0", {}, 260},
      {"CueReward-v0", {{"cue_bits", 3}, {"num_cues", 6}, {"episode_length", 40}}, 130},  // many repeated cues redrawn
  };
  return cases;
}

TEST(TensorEnvs, StepLikeTheCpuEnvsWithTheirStreams) {
  for (const Case& c : identical_cases()) expect_identical(c, 9);
}

// The same on a GPU: the device's operations give the CPU envs' numbers (runs where CUDA is).
TEST(CudaTensorEnvs, StepLikeTheCpuEnvsWithTheirStreams) {
  if (!dopa::cuda_available()) GTEST_SKIP() << "no CUDA GPU";
  for (const Case& c : identical_cases()) expect_identical(c, 9, c10::kCUDA);
}

TEST(TensorEnvs, ShareTheCpuEnvsSpec) {
  for (const std::string& id : dopa::tensor_env_ids()) {
    const auto tensor = dopa::make_tensor_env(id, 3);
    const auto cpu = dopa::make(id);
    EXPECT_EQ(tensor->spec().observation_space.shape(), cpu->spec().observation_space.shape()) << id;
    EXPECT_EQ(tensor->spec().action_space.n(), cpu->spec().action_space.n()) << id;
    tensor->reset(0);
    EXPECT_EQ(tensor->observations().sizes()[1], cpu->spec().observation_space.shape()[0]) << id;
  }
  for (const char* id : {"Maze-v0", "Bandit-v0", "Conditioning-v0", "CueReward-v0"})
    EXPECT_TRUE(dopa::has_tensor_env(id)) << id;
}

// The device generator draws other numbers from the same distributions: random play on the maze
// earns the same mean return as on the CPU envs (about 5.3 per 200 steps), and a 10% / 90% bandit
// arm pays at its rate.
TEST(TensorEnvs, DeviceRandomnessKeepsTheTasksStatistics) {
  auto mean_return = [](const std::string& random) {
    const auto envs = dopa::make_tensor_env("Maze-v0", 2000, {{"size", 13}}, {.random = random});
    envs->reset(3);
    dopa::Rng rng(5);
    double total = 0;
    for (int t = 0; t < 200; ++t) {
      at::Tensor actions = at::empty({2000}, at::kLong);
      for (int64_t i = 0; i < 2000; ++i) actions[i] = rng.integer(4);
      envs->step(actions);
      total += envs->rewards().sum().item<double>();
    }
    return total / 2000;
  };
  const double device = mean_return("device"), streams = mean_return("streams");
  EXPECT_NEAR(device, streams, 0.1 * streams);
  EXPECT_NEAR(device, 5.3, 0.6);

  const auto bandit = dopa::make_tensor_env("BanditEasy-v0", 4000, {{"trials", 1}}, {.random = "device"});
  bandit->reset(1);
  bandit->step(at::zeros({4000}, at::kLong));  // arm 0: p in {0.1, 0.9}, so pays half the time
  EXPECT_NEAR(bandit->rewards().mean().item<double>(), 0.5, 0.03);
}

TEST(TensorEnvs, ClearErrors) {
  EXPECT_THROW(
      {
        try {
          dopa::make_tensor_env("CartPole-v1", 4);
        } catch (const dopa::Error& e) {
          EXPECT_NE(std::string(e.what()).find("Maze-v0"), std::string::npos) << e.what();
          throw;
        }
      },
      dopa::Error);
  EXPECT_THROW(dopa::make_tensor_env("Maze-v0", 4, {{"sise", 13}}), dopa::Error);  // unknown kwarg
  EXPECT_THROW(dopa::make_tensor_env("Maze-v0", 4, {{"size", 12}}), dopa::Error);  // even size
  EXPECT_THROW(dopa::make_tensor_env("Maze-v0", 4, {}, {.random = "dice"}), dopa::Error);
  const auto envs = dopa::make_tensor_env("Maze-v0", 4);
  envs->reset(0);
  EXPECT_THROW(envs->step(at::zeros({3}, at::kLong)), dopa::Error);   // wrong shape
  EXPECT_THROW(envs->step(at::zeros({4}, at::kFloat)), dopa::Error);  // not integers
  try {
    envs->step(at::tensor({0, 1, 4, 2}, at::kLong));
    FAIL() << "action 4 is outside Discrete(4)";
  } catch (const dopa::Error& e) {
    EXPECT_NE(std::string(e.what()).find("env 2"), std::string::npos) << e.what();
  }
}

TEST(RandomSource, StreamsAreTheCpuEnvsStreams) {
  const auto source = dopa::make_random_source("streams", 3, at::kCPU);
  source->seed(40);
  const at::Tensor rows = at::tensor({1, 0, 1}, at::kLong).to(at::kBool);
  const at::Tensor u = source->uniforms(rows, 2);
  const at::Tensor k = source->integer(6, at::ones({3}, at::kBool));
  // Row i is seeded as env i of a VectorEnv reset with seed 40.
  const auto seed = [](uint64_t i) { return dopa::env_seed(40, i, dopa::Seeding::Mixed); };
  dopa::Rng row0(seed(0)), row1(seed(1)), row2(seed(2));
  EXPECT_EQ(u[0][0].item<double>(), row0.uniform());
  EXPECT_EQ(u[0][1].item<double>(), row0.uniform());
  EXPECT_EQ(u[1][0].item<double>(), 0.0);  // row 1 drew nothing...
  row2.uniform();
  EXPECT_EQ(u[2][1].item<double>(), row2.uniform());
  EXPECT_EQ(k[1].item<int64_t>(), row1.integer(6));  // ...so its stream starts here
  EXPECT_EQ(k[2].item<int64_t>(), row2.integer(6));
  // Save and load give the same continuation.
  const std::string saved = source->save();
  const at::Tensor next = source->uniforms(at::ones({3}, at::kBool), 4);
  source->load(saved);
  EXPECT_TRUE(at::equal(source->uniforms(at::ones({3}, at::kBool), 4), next));
}

TEST(RandomSource, ConsecutiveStreamsAreSeedPlusRow) {
  const auto source = dopa::make_random_source("streams", 3, at::kCPU, dopa::Seeding::Consecutive);
  source->seed(40);
  const at::Tensor u = source->uniform(at::ones({3}, at::kBool));
  for (int64_t i = 0; i < 3; ++i) EXPECT_EQ(u[i].item<double>(), dopa::Rng(40 + i).uniform()) << "row " << i;
}

TEST(RandomSource, DeviceDrawsAreSeededAndInRange) {
  const auto a = dopa::make_random_source("device", 1000, at::kCPU);
  const auto b = dopa::make_random_source("device", 1000, at::kCPU);
  const at::Tensor all = at::ones({1000}, at::kBool);
  a->seed(3);
  b->seed(3);
  const at::Tensor k = a->integers(5, all, 2);
  EXPECT_TRUE(at::equal(k, b->integers(5, all, 2)));
  EXPECT_EQ(k.min().item<int64_t>(), 0);
  EXPECT_EQ(k.max().item<int64_t>(), 4);
  const std::string saved = a->save();
  const at::Tensor u = a->uniforms(all, 3);
  EXPECT_GE(u.min().item<double>(), 0.0);
  EXPECT_LT(u.max().item<double>(), 1.0);
  a->load(saved);
  EXPECT_TRUE(at::equal(a->uniforms(all, 3), u));
}

}  // namespace
