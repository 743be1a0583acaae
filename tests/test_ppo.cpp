// PPO and REINFORCE: they learn CartPole-v1 in a few thousand steps; recurrent PPO's minibatch
// replay reproduces the rollout's action probabilities exactly for every core (so its gradients are
// those of the policy that acted); the Gaussian policy's log-density and entropy; the running
// normalisers' statistics.
#include <gtest/gtest.h>

#include <cmath>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "dopa/core/vector_env.h"
#include "dopa/nn/actor_critic.h"
#include "dopa/nn/running_mean_std.h"
#include "dopa/train/agent.h"

namespace {

class RecordingMonitor : public dopa::TrainMonitor {
 public:
  void log(int64_t, const dopa::Metrics& metrics) override { rows.push_back(metrics); }
  void progress(int64_t, double) override {}
  bool should_stop() const override { return false; }
  double last(const std::string& name) const {
    for (const auto& [key, value] : rows.back())
      if (key == name) return value;
    throw std::runtime_error("no metric " + name);
  }
  std::vector<dopa::Metrics> rows;
};

std::unique_ptr<dopa::Agent> make_agent(const std::string& algo, const dopa::Kwargs& kwargs, const dopa::EnvSpec& spec,
                                        uint64_t seed = 0) {
  const auto& registration = dopa::AgentRegistry::global().find(algo);
  return registration.factory(dopa::resolve_config(registration.config, kwargs, algo + " key"), spec, seed);
}

dopa::VectorEnv make_envs(const std::string& id, int64_t n, const std::string& algo) {
  dopa::VectorEnvOptions options;
  options.autoreset = dopa::AgentRegistry::global().find(algo).autoreset;
  return dopa::VectorEnv(id, n, {}, options);
}

dopa::TrainOptions steps(uint64_t seed, int64_t total_steps) {
  dopa::TrainOptions options;
  options.seed = seed;
  options.total_steps = total_steps;
  return options;
}

// SB3 zoo's CartPole settings (experiments/control/cartpole_ppo.toml).
const dopa::Kwargs kCartPolePpo = {{"num_steps", 32}, {"num_minibatches", 2}, {"gae_lambda", 0.8}, {"gamma", 0.98},
                                   {"update_epochs", 20}, {"ent_coef", 0.0}, {"lr", 1e-3}};

TEST(Ppo, LearnsCartPole) {
  auto envs = make_envs("CartPole-v1", 8, "ppo");
  auto agent = make_agent("ppo", kCartPolePpo, envs.spec());
  RecordingMonitor monitor;
  const dopa::TrainResult result = agent->train(envs, steps(0, 15000), monitor);
  EXPECT_EQ(result.global_step, 15000 / 256 * 256);
  // Random play returns about 22. Measured 138.2 with this seed at 15K steps.
  EXPECT_GT(result.final_return, 70.0);
  EXPECT_GT(monitor.last("explained_variance"), 0.0);
}

TEST(Reinforce, LearnsCartPole) {
  auto envs = make_envs("CartPole-v1", 8, "reinforce");
  auto agent = make_agent("reinforce", {{"lr", 3e-3}}, envs.spec());
  RecordingMonitor monitor;
  const dopa::TrainResult result = agent->train(envs, steps(0, 20000), monitor);
  // Measured 133.1 with this seed; random play returns about 22.
  EXPECT_GT(result.final_return, 50.0);
}

// One update of one minibatch holding the whole rollout: its ratio is computed before the optimiser
// step, so approx_kl and clipfrac must be 0 unless the replay differs from the rollout.
class PpoReplay : public ::testing::TestWithParam<std::vector<std::pair<std::string, dopa::Value>>> {};

TEST_P(PpoReplay, ReproducesTheRolloutsProbabilities) {
  dopa::Kwargs kwargs = {{"num_steps", 64}, {"num_minibatches", 1}, {"update_epochs", 1}, {"hidden", 16}};
  for (const auto& [key, value] : GetParam()) kwargs[key] = value;
  auto envs = make_envs("CartPole-v1", 4, "ppo");  // episodes end inside the rollout: resets are replayed
  auto agent = make_agent("ppo", kwargs, envs.spec());
  RecordingMonitor monitor;
  const dopa::TrainResult result = agent->train(envs, steps(3, 256), monitor);
  ASSERT_EQ(monitor.rows.size(), 1u);
  EXPECT_GT(result.episodes, 0);
  EXPECT_LT(std::fabs(monitor.last("old_approx_kl")), 1e-6);
  EXPECT_LT(monitor.last("approx_kl"), 1e-9);
  EXPECT_EQ(monitor.last("clipfrac"), 0.0);
}

INSTANTIATE_TEST_SUITE_P(
    Cores, PpoReplay,
    ::testing::Values(std::vector<std::pair<std::string, dopa::Value>>{{"core", "mlp"}},
                      std::vector<std::pair<std::string, dopa::Value>>{{"core", "lstm"}},
                      std::vector<std::pair<std::string, dopa::Value>>{{"core", "gru"}},
                      std::vector<std::pair<std::string, dopa::Value>>{{"core", "plastic"}},
                      std::vector<std::pair<std::string, dopa::Value>>{{"core", "modplast"}, {"modulator", "dopamine"}},
                      std::vector<std::pair<std::string, dopa::Value>>{{"core", "modul"}, {"modulator", "both"}},
                      std::vector<std::pair<std::string, dopa::Value>>{{"core", "mlp"}, {"normalize_obs", true},
                                                                       {"normalize_reward", true}}),
    [](const auto& info) {
      std::string name;
      for (const auto& [key, value] : info.param) name += (name.empty() ? "" : "_") +
                (value.type() == dopa::ValueType::String ? value.as_string() : key);
      for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return name + "_" + std::to_string(info.index);
    });

TEST(Ppo, RecurrentMinibatchesSplitEnvs) {
  auto envs = make_envs("CartPole-v1", 6, "ppo");
  auto agent = make_agent("ppo", {{"core", "lstm"}, {"num_minibatches", 4}}, envs.spec());
  RecordingMonitor monitor;
  try {
    agent->train(envs, steps(0, 1000), monitor);
    FAIL() << "expected dopa::Error";
  } catch (const dopa::Error& e) {
    EXPECT_NE(std::string(e.what()).find("multiple of num_minibatches"), std::string::npos) << e.what();
  }
}

TEST(ActorCritic, GaussianLogDensityAndEntropy) {
  const auto spec = dopa::make("Pendulum-v1")->spec();
  const auto& registration = dopa::AgentRegistry::global().find("ppo");
  dopa::nn::ActorCritic net(dopa::resolve_config(registration.config, {}, "key"), spec.observation_space,
                            spec.action_space);
  ASSERT_TRUE(net->continuous());
  torch::NoGradGuard no_grad;
  net->named_parameters()["log_std"].fill_(std::log(0.5));
  const dopa::nn::PolicyOutput out{torch::tensor({{0.25f}, {-1.0f}}), torch::zeros({2})};
  const torch::Tensor actions = torch::tensor({{1.0f}, {-1.0f}});
  const torch::Tensor log_prob = net->log_prob(out, actions);
  // N(a; mu, 0.5): -(a - mu)^2 / (2 * 0.25) - log(0.5) - log(2 pi) / 2
  const double want0 = -0.75 * 0.75 / 0.5 - std::log(0.5) - 0.5 * std::log(2 * M_PI);
  const double want1 = -std::log(0.5) - 0.5 * std::log(2 * M_PI);
  EXPECT_NEAR(log_prob[0].item<double>(), want0, 1e-6);
  EXPECT_NEAR(log_prob[1].item<double>(), want1, 1e-6);
  EXPECT_NEAR(net->entropy(out)[1].item<double>(), 0.5 + 0.5 * std::log(2 * M_PI) + std::log(0.5), 1e-6);
  // Samples have the policy's spread.
  torch::manual_seed(0);
  dopa::nn::PolicyOutput many{torch::zeros({20000, 1}), torch::zeros({20000})};
  EXPECT_NEAR(net->sample(many).std().item<double>(), 0.5, 0.01);
}

TEST(ActorCritic, CategoricalEntropyOfUniformLogits) {
  const auto spec = dopa::make("Acrobot-v1")->spec();
  const auto& registration = dopa::AgentRegistry::global().find("ppo");
  dopa::nn::ActorCritic net(dopa::resolve_config(registration.config, {}, "key"), spec.observation_space,
                            spec.action_space);
  const dopa::nn::PolicyOutput out{torch::zeros({2, 3}), torch::zeros({2})};
  EXPECT_NEAR(net->entropy(out)[0].item<double>(), std::log(3.0), 1e-6);
  EXPECT_NEAR(net->log_prob(out, torch::tensor({2, 0}, torch::kLong))[0].item<double>(), -std::log(3.0), 1e-6);
}

TEST(RunningMeanStd, MatchesTheStatisticsOfAllBatches) {
  dopa::nn::RunningMeanStd stats(2);
  torch::manual_seed(1);
  const torch::Tensor data = torch::randn({300, 2}, torch::kFloat64) * torch::tensor({2.0, 0.5}, torch::kFloat64) + 3.0;
  for (int64_t begin = 0; begin < 300; begin += 50) stats->update(data.slice(0, begin, begin + 50));
  // The prior (count 1e-4, mean 0, variance 1) moves them by about 1e-4 / 300 relative.
  EXPECT_TRUE(torch::allclose(stats->mean(), data.mean(0), 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(stats->var(), data.var(0, /*unbiased=*/false), 1e-5, 1e-5));
  EXPECT_NEAR(stats->count(), 300.0001, 1e-9);
}

TEST(RewardNormalizer, DividesByTheStdOfTheDiscountedReturn) {
  dopa::nn::RewardNormalizer normalizer(0.5, 10.0);
  // Reward 1 every step, never terminated: the return runs 1, 1.5, 1.75, 1.875.
  std::vector<double> returns;
  double G = 0, scaled = 0;
  for (int t = 0; t < 4; ++t) {
    G = 0.5 * G + 1.0;
    returns.push_back(G);
    scaled = normalizer(torch::ones({1}, torch::kFloat64), torch::zeros({1}, torch::kBool)).item<double>();
  }
  auto population_variance = [](const std::vector<double>& xs) {
    double mean = 0, var = 0;
    for (double x : xs) mean += x / static_cast<double>(xs.size());
    for (double x : xs) var += (x - mean) * (x - mean) / static_cast<double>(xs.size());
    return var;
  };
  // The prior count of 1e-4 moves the variance by about 1e-4 relative.
  const double var = population_variance(returns);
  EXPECT_NEAR(scaled, 1.0 / std::sqrt(var), 1e-3 / std::sqrt(var));
  // A termination restarts the running return: this step's return is its reward, 1.
  G = 1.0;
  returns.push_back(G);
  normalizer(torch::ones({1}, torch::kFloat64), torch::ones({1}, torch::kBool));
  const double var_after = population_variance(returns);
  EXPECT_NEAR(normalizer->scale(), 1.0 / std::sqrt(var_after), 1e-3 / std::sqrt(var_after));
}

}  // namespace
