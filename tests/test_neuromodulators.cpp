// Doya's neuromodulators as meta-parameter sources (src/dopa/neuromod/meta_parameter.h), the ring
// task (Ring-v0) and the Q-learning agent they drive (specs/metarl-dopamine.md §4).
#include <gtest/gtest.h>

#include <cmath>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "dopa/core/vector_env.h"
#include "dopa/neuromod/meta_parameter.h"
#include "dopa/train/agent.h"

namespace {

using dopa::neuromod::MetaParameter;
using dopa::neuromod::Squash;

double mean_reward_of_fixed_action(int action, int states, double r2, int steps) {
  auto env = dopa::make("Ring-v0", {{"states", states}, {"r2", r2}});
  dopa::EnvSession session(*env);
  session.reset(3);
  double total = 0.0;
  for (int t = 0; t < steps; ++t) total += session.step(action).reward;
  return total / steps;
}

TEST(Ring, PatientEarnsAndMyopicLosesWhatTheSpecSays) {
  // (r2 - (n - 1) r1) / n: +0.6 for 10 states, r2 = 15; the myopic action the negative.
  EXPECT_NEAR(mean_reward_of_fixed_action(1, 10, 15.0, 10000), 0.6, 1e-12);
  EXPECT_NEAR(mean_reward_of_fixed_action(0, 10, 15.0, 10000), -0.6, 1e-12);
  EXPECT_NEAR(mean_reward_of_fixed_action(1, 8, 2.0, 8000), (2.0 - 7.0) / 8, 1e-12);
  // The two actions move opposite ways: one of each returns to the start.
  auto env = dopa::make("Ring-v0");
  dopa::EnvSession session(*env);
  session.reset(5);
  const double start = session.info("state");
  session.step(0);
  EXPECT_EQ(session.info("state"), std::fmod(start + 1, 10));
  session.step(1);
  EXPECT_EQ(session.info("state"), start);
  // The switch of Schweighofer & Doya's Fig. 2: r2 2 -> 12 after step 20.
  auto switching = dopa::make("Ring-v0", {{"states", 2}, {"r2", 2.0}, {"switch_step", 20}, {"r2_after", 12.0}});
  dopa::EnvSession s2(*switching);
  s2.reset(0);
  double before = 0, after = 0;
  for (int t = 1; t <= 40; ++t) (t <= 20 ? before : after) += std::max(0.0, s2.step(1).reward);
  EXPECT_GT(after, before);
}

TEST(MetaParameter, FixedLinearAndSurpriseFollowTheirRules) {
  dopa::Rng rng(1);
  MetaParameter fixed("0.3", Squash::Logistic, "alpha");
  fixed.step(1.0, 5.0, 0.5, rng);
  EXPECT_EQ(fixed.value(), 0.3);
  MetaParameter linear("linear:2:10", Squash::Exp, "beta");
  linear.step(0.0, 0.0, 0.25, rng);
  EXPECT_DOUBLE_EQ(linear.value(), 4.0);
  MetaParameter surprise("surprise:0.01:0.5:1", Squash::Logistic, "alpha");
  EXPECT_EQ(surprise.value(), 0.01);
  for (int t = 0; t < 2000; ++t) surprise.step(0.0, 2.0, 0.0, rng);  // |delta| 2 for a long time
  EXPECT_NEAR(surprise.value(), 0.01 + 0.49 * std::tanh(2.0), 1e-6);
  for (int t = 0; t < 2000; ++t) surprise.step(0.0, 0.0, 0.0, rng);  // then no surprise
  EXPECT_NEAR(surprise.value(), 0.01, 1e-6);
  EXPECT_THROW(MetaParameter("1.5", Squash::Logistic, "gamma"), dopa::Error);
  EXPECT_THROW(MetaParameter("meta:0", Squash::Exp, "beta"), dopa::Error);
  EXPECT_THROW(MetaParameter("cosine:1:2", Squash::Exp, "beta"), dopa::Error);
  EXPECT_THROW(MetaParameter("linear:0.5", Squash::Logistic, "alpha"), dopa::Error);
}

TEST(MetaParameter, MetaLearningKeepsPerturbationsThatRaiseTheReward) {
  // A world that pays more the larger the meta-parameter (reward = its value): Schweighofer &
  // Doya's rule must push the base activity up, so the value climbs from 0.3 towards 1.
  for (uint64_t seed : {1, 2, 3}) {
    dopa::Rng rng(seed);
    MetaParameter m("meta:0.3", Squash::Logistic, "gamma");
    double average = 0.0;
    for (int t = 0; t < 200000; ++t) {
      m.step(m.value(), 0.0, 0.0, rng);
      if (t >= 190000) average += m.value() / 10000;
    }
    EXPECT_GT(average, 0.8) << seed;
  }
}

class QuietMonitor : public dopa::TrainMonitor {
 public:
  void log(int64_t, const dopa::Metrics&) override {}
  void progress(int64_t, double) override {}
  bool should_stop() const override { return false; }
};

double ring_reward_per_step(const std::string& serotonin, uint64_t seed) {
  dopa::VectorEnvOptions options;
  options.autoreset = dopa::AutoresetMode::SameStep;
  dopa::VectorEnv envs("Ring-v0", 1, {}, options);
  const auto& registration = dopa::AgentRegistry::global().find("q_learning");
  // Exploration first (beta 0.1), then exploitation (beta 5): enough to find the far reward.
  auto agent = registration.factory(
      dopa::resolve_config(registration.config,
                           {{"acetylcholine", "0.1"}, {"noradrenaline", "linear:0.1:5"}, {"serotonin", serotonin}},
                           "q_learning key"),
      envs.spec(), seed);
  QuietMonitor monitor;
  return agent->train(envs, {seed, 60000, ""}, monitor).final_return;
}

TEST(QLearning, SerotoninSetsTheHorizonThatFindsThePatientPolicy) {
  // With a long horizon (gamma 0.99) Q-learning learns to pay -1 per step for the +15 at the wrap
  // (+0.6 per step); with a short one (0.5) it never does.
  for (uint64_t seed : {0, 1, 2}) {
    EXPECT_GT(ring_reward_per_step("0.99", seed), 0.4) << seed;
    EXPECT_LT(ring_reward_per_step("0.5", seed), 0.1) << seed;
  }
}

}  // namespace
