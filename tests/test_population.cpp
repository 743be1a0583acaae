// Population training (agents/meta_a2c/population.h): each member's run equals a separate meta_a2c
// run with its seed: the same episodes, actions and returns, parameters and losses to 1e-5.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <filesystem>

#include "agents/meta_a2c/model.h"
#include "agents/meta_a2c/population.h"
#include "dopa/core/error.h"
#include "dopa/core/vector_env.h"
#include "dopa/train/agent.h"
#include "dopa/train/device.h"
#include "tests/recording_monitor.h"

namespace {

namespace fs = std::filesystem;

using dopa::testing::metric;
using dopa::testing::RecordingMonitor;

std::unique_ptr<dopa::VectorEnv> maze_envs() {
  return std::make_unique<dopa::VectorEnv>("Maze-v0", 6, dopa::Kwargs{{"size", 7}, {"episode_length", 25}},
                                           dopa::VectorEnvOptions{.num_threads = 1, .autoreset = dopa::AutoresetMode::SameStep});
}

dopa::Config agent_config(const dopa::Kwargs& extra) {
  dopa::Kwargs given = {{"core", "rnn"}, {"hidden", 16}, {"lr", 1e-2}, {"burn_in", 1},
                        {"log_interval", 1}, {"checkpoint_every", 0}, {"max_grad_norm", 0.5}};
  for (const auto& [key, value] : extra) given[key] = value;
  return dopa::resolve_config(dopa::AgentRegistry::global().find("meta_a2c").config, given, "meta_a2c");
}

// The parameters of a meta_a2c model file, by name.
std::map<std::string, torch::Tensor> load_parameters(const dopa::Config& config, const dopa::EnvSpec& spec,
                                                     const std::string& path) {
  dopa::agents::MetaActorCritic model(
      dopa::nn::make_core(dopa::nn::core_options(config, spec.observation_space.size())), spec.action_space.n());
  torch::load(model, path);
  std::map<std::string, torch::Tensor> out;
  for (const auto& item : model->named_parameters()) out[item.key()] = item.value().detach().clone();
  return out;
}

void expect_members_equal_separate_runs(const dopa::Kwargs& extra) {
  const dopa::Config config = agent_config(extra);
  const std::vector<uint64_t> seeds = {3, 5, 8};
  const int64_t total_steps = 8 * 6 * 25;  // 8 iterations
  const fs::path dir = fs::temp_directory_path() / ("dopa_population_" + std::to_string(::getpid()));
  fs::create_directories(dir);

  std::vector<RecordingMonitor> separate(seeds.size());
  for (size_t s = 0; s < seeds.size(); ++s) {
    const auto envs = maze_envs();
    auto agent = dopa::AgentRegistry::global().find("meta_a2c").factory(config, envs->spec(), seeds[s]);
    agent->train(*envs, {seeds[s], total_steps, ""}, separate[s]);
    agent->save((dir / ("separate" + std::to_string(s) + ".pt")).string());
  }

  std::vector<std::unique_ptr<dopa::VectorEnv>> envs;
  std::vector<dopa::VectorEnv*> env_pointers;
  for (size_t s = 0; s < seeds.size(); ++s) env_pointers.push_back(envs.emplace_back(maze_envs()).get());
  std::vector<RecordingMonitor> members(seeds.size());
  std::vector<dopa::TrainMonitor*> monitors;
  for (auto& m : members) monitors.push_back(&m);
  dopa::agents::MetaA2CPopulation population(config, envs[0]->spec(), seeds);
  const auto results = population.train(env_pointers, total_steps, monitors);

  for (size_t s = 0; s < seeds.size(); ++s) {
    SCOPED_TRACE("member " + std::to_string(s));
    EXPECT_EQ(results[s].global_step, total_steps);
    ASSERT_EQ(members[s].rows.size(), separate[s].rows.size());
    for (size_t i = 0; i < members[s].rows.size(); ++i) {
      const auto &a = members[s].rows[i], &b = separate[s].rows[i];
      EXPECT_EQ(metric(a, "episodic_return"), metric(b, "episodic_return")) << "row " << i;
      for (const char* name : {"policy_loss", "value_loss", "entropy"})
        EXPECT_NEAR(metric(a, name), metric(b, name), 1e-5) << name << ", row " << i;
    }
    population.save_member(static_cast<int64_t>(s), (dir / "member.pt").string());
    const auto mine = load_parameters(config, envs[0]->spec(), (dir / "member.pt").string());
    const auto theirs = load_parameters(config, envs[0]->spec(), (dir / ("separate" + std::to_string(s) + ".pt")).string());
    for (const auto& [name, value] : theirs) {
      EXPECT_LT((mine.at(name) - value).abs().max().item<double>(), 1e-5) << name;
    }
  }
  // The comparison means something: the members' runs differ from each other.
  const auto first = load_parameters(config, envs[0]->spec(), (dir / "separate0.pt").string());
  const auto second = load_parameters(config, envs[0]->spec(), (dir / "separate1.pt").string());
  EXPECT_GT((first.at("core.w") - second.at("core.w")).abs().max().item<double>(), 1e-3);
  EXPECT_NE(metric(separate[0].rows.back(), "policy_loss"), metric(separate[1].rows.back(), "policy_loss"));
  fs::remove_all(dir);
}

TEST(Population, MembersEqualSeparateRuns) { expect_members_equal_separate_runs({}); }

TEST(Population, MembersEqualSeparateRunsWithLambdaReturnsEntropyAndAnnealing) {
  expect_members_equal_separate_runs(
      {{"gae_lambda", 0.5}, {"entropy", "entropy"}, {"anneal_lr", true}, {"baseline_element0", true}});
}

// On one TensorEnv of S x B rows (the device path, here on the CPU): repeatable, and the members
// train apart (their own parameters, their own rows).
TEST(Population, TrainsOnATensorEnvsRows) {
  const dopa::Config config = agent_config({});
  auto train = [&](std::vector<RecordingMonitor>& members) {
    const auto envs = dopa::make_tensor_env("Maze-v0", 3 * 6, {{"size", 7}, {"episode_length", 25}});
    dopa::agents::MetaA2CPopulation population(config, envs->spec(), {3, 5, 8});
    std::vector<dopa::TrainMonitor*> monitors;
    for (auto& m : members) monitors.push_back(&m);
    return population.train(*envs, 6 * 6 * 25, monitors);
  };
  std::vector<RecordingMonitor> first(3), second(3);
  const auto results = train(first);
  train(second);
  for (size_t s = 0; s < 3; ++s) {
    EXPECT_EQ(results[s].global_step, 6 * 6 * 25);
    ASSERT_EQ(first[s].rows.size(), 6u);
    for (size_t i = 0; i < 6; ++i)
      EXPECT_EQ(metric(first[s].rows[i], "policy_loss"), metric(second[s].rows[i], "policy_loss")) << s << " " << i;
  }
  EXPECT_NE(metric(first[0].rows.back(), "policy_loss"), metric(first[1].rows.back(), "policy_loss"));
  const auto envs = dopa::make_tensor_env("Maze-v0", 7);
  dopa::agents::MetaA2CPopulation population(config, envs->spec(), {0, 1});
  std::vector<RecordingMonitor> two(2);
  EXPECT_THROW(population.train(*envs, 100, {&two[0], &two[1]}), dopa::Error);  // 7 rows, 2 members
}

// On a GPU: the population and its TensorEnv on the device (runs where CUDA is). The device's
// sampling draws other actions than the CPU's, so the check is that it trains: every member logs
// each iteration, finite losses, members apart.
TEST(CudaPopulation, TrainsOnACudaTensorEnv) {
  if (!dopa::cuda_available()) GTEST_SKIP() << "no CUDA GPU";
  const auto envs = dopa::make_tensor_env("Maze-v0", 3 * 6, {{"size", 7}, {"episode_length", 25}}, {.device = c10::kCUDA});
  dopa::agents::MetaA2CPopulation population(agent_config({}), envs->spec(), {3, 5, 8}, c10::kCUDA);
  std::vector<RecordingMonitor> members(3);
  const auto results = population.train(*envs, 6 * 6 * 25, {&members[0], &members[1], &members[2]});
  for (size_t s = 0; s < 3; ++s) {
    EXPECT_EQ(results[s].global_step, 6 * 6 * 25);
    ASSERT_EQ(members[s].rows.size(), 6u);
    for (const auto& row : members[s].rows) EXPECT_TRUE(std::isfinite(metric(row, "policy_loss"))) << s;
  }
  EXPECT_NE(metric(members[0].rows.back(), "policy_loss"), metric(members[1].rows.back(), "policy_loss"));
}

// Plastic members equal separate runs with fused = false: LibTorch's operations in both (the fused
// kernel sums in another order).
TEST(Population, PlasticMembersEqualSeparateRuns) {
  expect_members_equal_separate_runs({{"core", "plastic"}, {"hidden", 10}, {"fused", false}, {"eta_init", 0.1}});
  expect_members_equal_separate_runs({{"core", "plastic"}, {"hidden", 10}, {"fused", false}, {"trace_rule", "oja"}});
}

TEST(Population, ModulatedMembersEqualSeparateRuns) {
  expect_members_equal_separate_runs({{"core", "modplast"}, {"hidden", 10}, {"fused", false}});
  expect_members_equal_separate_runs(
      {{"core", "modplast"}, {"hidden", 10}, {"fused", false}, {"modulator", "dopamine"}, {"trace_rule", "soft"}});
  expect_members_equal_separate_runs(
      {{"core", "modul"}, {"hidden", 10}, {"fused", false}, {"modulator", "both"}, {"fanout", true}, {"eta_init", 0.1}});
}

TEST(Population, UnsupportedSettingsAreNamed) {
  const auto envs = maze_envs();
  try {
    dopa::agents::MetaA2CPopulation population(agent_config({{"core", "lstm"}}), envs->spec(), {0, 1});
    FAIL() << "lstm is not batched yet";
  } catch (const dopa::Error& e) {
    EXPECT_NE(std::string(e.what()).find("lstm"), std::string::npos) << e.what();
  }
  EXPECT_THROW(dopa::agents::MetaA2CPopulation(agent_config({{"optimizer", "rmsprop"}}), envs->spec(), {0}), dopa::Error);
  EXPECT_THROW(dopa::agents::MetaA2CPopulation(agent_config({}), envs->spec(), {}), dopa::Error);
}

}  // namespace
