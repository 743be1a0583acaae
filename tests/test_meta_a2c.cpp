// meta_a2c: it learns (a plastic, modulated core on a meta-RL bandit), the burn-in holds the
// parameters, dopamine-modulated cores run, the modulator is recorded, and every experiment file's
// quick variant runs.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "dopa/neuromod/returns.h"
#include "dopa/core/error.h"
#include "dopa/core/vector_env.h"
#include "dopa/train/agent.h"
#include "tests/recording_monitor.h"

namespace {

namespace fs = std::filesystem;

using dopa::testing::metric;
using dopa::testing::RecordingMonitor;

std::unique_ptr<dopa::Agent> make_agent(const dopa::Kwargs& kwargs, const dopa::EnvSpec& spec) {
  const auto& registration = dopa::AgentRegistry::global().find("meta_a2c");
  return registration.factory(dopa::resolve_config(registration.config, kwargs, "meta_a2c key"), spec, 0);
}

dopa::VectorEnv envs_for(const std::string& id, int64_t n, const dopa::Kwargs& kwargs) {
  dopa::VectorEnvOptions options;
  options.autoreset = dopa::AutoresetMode::SameStep;
  return dopa::VectorEnv(id, n, kwargs, options);
}

TEST(MetaA2C, LambdaReturnsSpanOneStepTargetsToMonteCarloReturns) {
  torch::manual_seed(3);
  const torch::Tensor reward = torch::rand({6, 3}, torch::kFloat64), values = torch::rand({6, 3}, torch::kFloat64);
  const double gamma = 0.9;
  torch::Tensor monte_carlo = torch::zeros_like(reward), g = torch::zeros({3}, torch::kFloat64);
  for (int64_t t = 5; t >= 0; --t) monte_carlo[t] = g = reward[t] + gamma * g;
  EXPECT_TRUE(torch::allclose(dopa::neuromod::lambda_returns(reward, values, gamma, 1.0), monte_carlo, 1e-12, 1e-12));
  torch::Tensor one_step = reward.clone();
  one_step.slice(0, 0, 5) += gamma * values.slice(0, 1, 6);
  EXPECT_TRUE(torch::allclose(dopa::neuromod::lambda_returns(reward, values, gamma, 0.0), one_step, 1e-12, 1e-12));
  // In between: R_t = r_t + gamma ((1 - lambda) V_{t+1} + lambda R_{t+1}).
  const torch::Tensor r = dopa::neuromod::lambda_returns(reward, values, gamma, 0.3);
  EXPECT_TRUE(torch::allclose(r[2], reward[2] + gamma * (0.7 * values[3] + 0.3 * r[3]), 1e-12, 1e-12));
}

TEST(MetaA2C, ReturnLoopsGiveTheTensorOpsNumbersExactly) {
  // The CPU loops round each operation as LibTorch's float ops do: runs keep their numbers.
  torch::manual_seed(4);
  const torch::Tensor reward = torch::randn({50, 3, 7}), values = torch::randn({50, 3, 7});
  const double gamma = 0.95, lambda = 0.7;
  torch::Tensor monte_carlo = torch::empty_like(reward), g = torch::zeros({3, 7});
  torch::Tensor lambda_return = torch::empty_like(reward), advantage = torch::zeros({3, 7});
  for (int64_t t = 49; t >= 0; --t) {
    monte_carlo[t] = g = reward[t] + gamma * g;
    const torch::Tensor next_value = t < 49 ? values[t + 1] : torch::zeros({3, 7});
    advantage = reward[t] + gamma * next_value - values[t] + gamma * lambda * advantage;
    lambda_return[t] = advantage + values[t];
  }
  EXPECT_TRUE(torch::equal(dopa::neuromod::discounted_returns(reward, gamma), monte_carlo));
  EXPECT_TRUE(torch::equal(dopa::neuromod::lambda_returns(reward, values, gamma, lambda), lambda_return));
  EXPECT_THROW(dopa::neuromod::lambda_returns(reward, values[0], gamma, lambda), dopa::Error);
}

TEST(MetaA2C, ModulatedPlasticNetworkLearnsTheEasyBandit) {
  // Random play earns 10 per 20-pull episode (+- 0.22 over 100 episodes), the better arm 18.
  // Measured with seeds 0, 1, 2: 15.98, 16.12, 16.28 (about 5 s each).
  auto envs = envs_for("BanditEasy-v0", 30, {{"trials", 20}});
  auto agent = make_agent({{"core", "modplast"}, {"hidden", 32}, {"lr", 1e-3}, {"burn_in", 0}, {"log_interval", 50},
                           {"checkpoint_every", 0}},
                          envs.spec());
  RecordingMonitor monitor;
  const auto result = agent->train(envs, {0, 480000, ""}, monitor);
  EXPECT_EQ(result.global_step, 480000);
  EXPECT_EQ(result.episodes, 480000 / 20);
  EXPECT_GT(result.final_return, 13.0);
}

TEST(MetaA2C, BurnInHoldsTheParameters) {
  auto envs = envs_for("Maze-v0", 4, {{"size", 7}, {"episode_length", 10}});
  const auto& registration = dopa::AgentRegistry::global().find("meta_a2c");
  const dopa::Config config = dopa::resolve_config(
      registration.config, {{"core", "modul"}, {"hidden", 8}, {"burn_in", 3}, {"lr", 1e-2}, {"checkpoint_every", 0}},
      "meta_a2c");
  auto agent = registration.factory(config, envs.spec(), 0);
  const fs::path dir = fs::temp_directory_path() / ("dopa-burn-in-" + std::to_string(getpid()));
  fs::create_directories(dir);
  // Two parameters of the saved model, flattened together.
  auto saved = [&](const std::string& name) {
    agent->save((dir / name).string());
    torch::serialize::InputArchive archive;
    archive.load_from((dir / name).string());
    torch::serialize::InputArchive core_archive, policy_archive;
    archive.read("core", core_archive);
    archive.read("policy", policy_archive);
    torch::Tensor w, policy;
    core_archive.read("w", w);
    policy_archive.read("weight", policy);
    return torch::cat({w.flatten(), policy.flatten()});
  };
  RecordingMonitor monitor;
  const torch::Tensor before = saved("before.pt");
  agent->train(envs, {0, 3 * 40, ""}, monitor);  // three iterations: all burn-in
  EXPECT_TRUE(saved("burn_in.pt").equal(before));
  agent->train(envs, {0, 4 * 40, ""}, monitor);  // a fresh count: iteration 4 steps the optimiser
  EXPECT_FALSE(saved("after.pt").equal(before));
  fs::remove_all(dir);
}

TEST(MetaA2C, DopamineModulatedCoresTrain) {
  for (const std::string core : {"modplast", "modul"}) {
    auto envs = envs_for("Maze-v0", 6, {{"size", 7}, {"episode_length", 20}});
    auto agent = make_agent({{"core", core}, {"modulator", "dopamine"}, {"hidden", 10}, {"burn_in", 0},
                             {"log_interval", 1}, {"checkpoint_every", 0}},
                            envs.spec());
    RecordingMonitor monitor;
    agent->train(envs, {1, 6 * 20 * 3, ""}, monitor);
    ASSERT_EQ(monitor.rows.size(), 3u);
    for (const auto& row : monitor.rows)
      for (const auto& [name, value] : row) EXPECT_TRUE(std::isfinite(value)) << core << " " << name;
  }
}

// record_modulator: batch element 0's reward, TD error and M_t at every step of every record_every-th
// iteration. A learned modulator does not use the TD error, but the record carries the critic's.
TEST(MetaA2C, RecordsTheModulatorAndTheTdErrorEveryKIterations) {
  auto envs = envs_for("Maze-v0", 4, {{"size", 7}, {"episode_length", 10}});
  auto agent = make_agent({{"core", "modplast"}, {"hidden", 10}, {"burn_in", 0}, {"checkpoint_every", 0},
                           {"record_modulator", true}, {"record_every", 2}},
                          envs.spec());
  const fs::path dir = fs::temp_directory_path() / ("dopa-record-modulator-" + std::to_string(getpid()));
  fs::create_directories(dir);
  RecordingMonitor monitor;
  agent->train(envs, {1, 4 * 10 * 5, dir.string()}, monitor);  // five iterations: 2 and 4 recorded
  std::ifstream in(dir / "modulator.csv");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "iteration,t,reward,delta,modulator");
  std::vector<std::pair<int, int>> steps;  // (iteration, t) of every row
  int nonzero_deltas = 0;
  while (std::getline(in, line)) {
    int iteration = 0, t = 0;
    double reward = 0, delta = 0, modulator = 0;
    ASSERT_EQ(std::sscanf(line.c_str(), "%d,%d,%lf,%lf,%lf", &iteration, &t, &reward, &delta, &modulator), 5) << line;
    steps.emplace_back(iteration, t);
    if (t == 0) EXPECT_EQ(delta, 0.0) << line;
    else if (delta != 0.0) ++nonzero_deltas;
    EXPECT_LE(std::abs(modulator), 1.0) << line;  // tanh
  }
  ASSERT_EQ(steps.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(steps[i], std::make_pair(2 + 2 * (i / 10), i % 10));
  EXPECT_EQ(nonzero_deltas, 18);
  fs::remove_all(dir);
}

// A core without a modulator has nothing to record: say so rather than write an empty modulator.csv.
TEST(MetaA2C, RecordingTheModulatorNeedsAModulatedCore) {
  auto envs = envs_for("Maze-v0", 4, {{"size", 7}, {"episode_length", 10}});
  EXPECT_THROW(make_agent({{"core", "plastic"}, {"hidden", 10}, {"record_modulator", true}}, envs.spec()), dopa::Error);
  EXPECT_NO_THROW(make_agent({{"core", "modplast"}, {"hidden", 10}, {"modulator", "dopamine"}, {"record_modulator", true}},
                             envs.spec()));
}

TEST(MetaA2C, EpisodesMustEndTogether) {
  auto envs = envs_for("CartPole-v1", 4, {});
  auto agent = make_agent({{"core", "rnn"}, {"hidden", 8}, {"burn_in", 0}, {"checkpoint_every", 0}}, envs.spec());
  RecordingMonitor monitor;
  EXPECT_THROW(agent->train(envs, {0, 100000, ""}, monitor), dopa::Error);
}

// Every experiment file (experiments/<family>/*.toml; not the run folders under results/) runs
// its quick variant through `dopa run --quick` and writes its run folder.
std::vector<std::string> experiment_files() {
  std::vector<std::string> files;
  for (const auto& family : fs::directory_iterator(fs::path(DOPA_SOURCE_DIR) / "experiments")) {
    if (!family.is_directory()) continue;
    for (const auto& entry : fs::directory_iterator(family.path()))
      if (entry.path().extension() == ".toml") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class ExperimentFile : public ::testing::TestWithParam<std::string> {};

TEST_P(ExperimentFile, QuickVariantRuns) {
  const fs::path out = fs::temp_directory_path() /
                       ("dopa-quick-" + std::to_string(getpid()) + "-" + fs::path(GetParam()).stem().string());
  fs::remove_all(out);
  const std::string command = std::string(DOPA_BINARY) + " run " + GetParam() + " --quick --no-progress --out " +
                              out.string() + " --log-level warn > /dev/null 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command;
  for (const char* file : {"config.toml", "metrics.csv", "summary.json", "model.pt"})
    EXPECT_TRUE(fs::exists(out / file)) << file;
  fs::remove_all(out);
}

INSTANTIATE_TEST_SUITE_P(Experiments, ExperimentFile, ::testing::ValuesIn(experiment_files()), [](const auto& info) {
  const fs::path path(info.param);
  std::string name = path.parent_path().filename().string() + "_" + path.stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
});

}  // namespace

namespace {

TEST(MetaA2C, NeuromodulatorsSetTheStepSizeAndTheEntropyWeight) {
  // Acetylcholine by the surprise rule: the step size rises from 1e-3 with the mean |advantage|
  // (here large: untrained values) and stays within its bounds; noradrenaline fixed at 0.2 is the
  // entropy weight of every update.
  auto envs = envs_for("BanditEasy-v0", 8, {{"trials", 10}});
  auto agent = make_agent({{"core", "lstm"}, {"hidden", 8}, {"burn_in", 0}, {"log_interval", 5}, {"checkpoint_every", 0},
                           {"acetylcholine", "surprise:0.001:0.01:1"}, {"noradrenaline", "fixed:0.2"}},
                          envs.spec());
  RecordingMonitor monitor;
  agent->train(envs, {0, 8 * 10 * 100, ""}, monitor);
  ASSERT_EQ(monitor.rows.size(), 20u);
  double lowest = 1.0, highest = 0.0;
  for (const auto& row : monitor.rows) {
    EXPECT_EQ(metric(row, "entropy_coef"), 0.2);
    lowest = std::min(lowest, metric(row, "lr"));
    highest = std::max(highest, metric(row, "lr"));
  }
  EXPECT_GE(lowest, 0.001);
  EXPECT_LE(highest, 0.01);
  EXPECT_GT(highest, 0.002);  // surprise raised it
  EXPECT_THROW(make_agent({{"acetylcholine", "fixed:0.01"}, {"anneal_lr", true}}, envs.spec()), dopa::Error);
  EXPECT_THROW(make_agent({{"noradrenaline", "sometimes"}}, envs.spec()), dopa::Error);
}

}  // namespace
