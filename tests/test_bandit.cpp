// Bandit-v0 and its presets against the task definitions of specs/metarl-dopamine.md §1.2.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "envs/bandits/bandit.h"

namespace {

using dopa::Action;
using dopa::envs::Bandit;

std::vector<double> draw_probs(const std::string& id, uint64_t seed, const dopa::Kwargs& kwargs = {}) {
  auto env = dopa::make(id, kwargs);
  dopa::EnvSession session(*env);
  session.reset(seed);
  return static_cast<Bandit&>(*env).arm_means();
}

TEST(Bandit, DependentTasksDrawFromTheirSets) {
  const std::map<std::string, std::set<double>> sets = {
      {"BanditEasy-v0", {0.1, 0.9}}, {"BanditMedium-v0", {0.25, 0.75}}, {"BanditHard-v0", {0.4, 0.6}}};
  for (const auto& [id, allowed] : sets) {
    std::set<double> seen;
    for (uint64_t seed = 0; seed < 200; ++seed) {
      const auto p = draw_probs(id, seed);
      ASSERT_EQ(p.size(), 2u);
      EXPECT_TRUE(allowed.count(p[0])) << id << " p1 = " << p[0];
      EXPECT_DOUBLE_EQ(p[0] + p[1], 1.0) << id;
      seen.insert(p[0]);
    }
    EXPECT_EQ(seen, allowed) << id << ": both values should occur in 200 episodes";
  }
}

TEST(Bandit, UniformTasksHaveUniformMarginals) {
  double sum_independent = 0, sum_dependent = 0, below_quarter = 0;
  const int n = 4000;
  for (int seed = 0; seed < n; ++seed) {
    const auto independent = draw_probs("Bandit-v0", seed);
    const auto dependent = draw_probs("BanditDependentUniform-v0", seed);
    EXPECT_DOUBLE_EQ(dependent[0] + dependent[1], 1.0);
    sum_independent += independent[0] + independent[1];
    sum_dependent += dependent[0];
    below_quarter += independent[1] < 0.25;
  }
  EXPECT_NEAR(sum_independent / (2 * n), 0.5, 0.02);
  EXPECT_NEAR(sum_dependent / n, 0.5, 0.02);
  EXPECT_NEAR(below_quarter / n, 0.25, 0.03);
}

TEST(Bandit, RewardsAreBernoulliWithTheArmProbability) {
  auto env = dopa::make("BanditMedium-v0", {{"trials", 100000}});
  dopa::EnvSession session(*env);
  session.reset(5);
  const auto probs = static_cast<Bandit&>(*env).arm_means();
  double pulls[2] = {0, 0}, wins[2] = {0, 0}, regret = 0;
  for (int t = 0; t < 20000; ++t) {
    const int arm = t % 2;
    const auto r = session.step(Action(arm));
    pulls[arm] += 1;
    wins[arm] += r.reward;
    EXPECT_TRUE(r.reward == 0.0 || r.reward == 1.0);
    regret += session.info("expected_regret");
  }
  for (int arm = 0; arm < 2; ++arm) EXPECT_NEAR(wins[arm] / pulls[arm], probs[arm], 0.015);
  EXPECT_NEAR(regret, 10000 * 0.5, 1e-6);  // half the pulls on the worse arm, 0.5 regret each
}

TEST(Bandit, ObservationAndTermination) {
  auto env = dopa::make("BanditKArmed-v0", {{"arms", 5}, {"trials", 10}});
  dopa::EnvSession session(*env);
  const auto& first = session.reset(1);
  ASSERT_EQ(first.size(), 7u);
  for (double v : first) EXPECT_EQ(v, 0.0);
  dopa::StepResult r;
  for (int t = 1; t <= 10; ++t) {
    r = session.step(Action(3));
    const auto& obs = session.obs();
    for (int a = 0; a < 5; ++a) EXPECT_EQ(obs[a], a == 3 ? 1.0 : 0.0);
    EXPECT_EQ(obs[5], r.reward);
    EXPECT_FLOAT_EQ(obs[6], t / 10.0f);
    EXPECT_EQ(r.terminated, t == 10);
  }
  EXPECT_EQ(r.episode_length, 10);
  EXPECT_EQ(session.info("best_arm"), static_cast<double>(std::max_element(
      static_cast<Bandit&>(*env).arm_means().begin(), static_cast<Bandit&>(*env).arm_means().end()) -
      static_cast<Bandit&>(*env).arm_means().begin()));
}

TEST(Bandit, DependentTaskNeedsTwoArms) {
  EXPECT_THROW(dopa::make("BanditEasy-v0", {{"arms", 3}}), dopa::Error);
  EXPECT_THROW(dopa::make("Bandit-v0", {{"task", "eazy"}}), dopa::Error);
  EXPECT_THROW(dopa::make("Bandit-v0", {{"arms", 1}}), dopa::Error);
}

TEST(Bandit, InformativeArmTellsWhereTheFiveIs) {
  std::set<int> targets;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    auto env = dopa::make("BanditInformative-v0");
    ASSERT_EQ(env->spec().action_space.n(), 11);
    EXPECT_EQ(env->spec().observation_space.high()[11], 5.0);  // the previous reward can be 5
    dopa::EnvSession session(*env);
    session.reset(seed);
    // The hint arm first: it pays 0.1 x (1 + target), deterministically.
    const auto hint = session.step(Action(10));
    const int target = static_cast<int>(std::lround(hint.reward / 0.1)) - 1;
    ASSERT_GE(target, 0);
    ASSERT_LT(target, 10);
    targets.insert(target);
    EXPECT_NEAR(session.info("expected_regret"), 5.0 - hint.reward, 1e-12);
    EXPECT_EQ(session.info("best_arm"), target);
    EXPECT_EQ(session.obs()[11], static_cast<float>(hint.reward));
    for (int t = 0; t < 3; ++t) EXPECT_EQ(session.step(Action(target)).reward, 5.0);
    const auto last = session.step(Action((target + 1) % 10));  // a wrong arm pays 1
    EXPECT_EQ(last.reward, 1.0);
    EXPECT_EQ(session.info("expected_regret"), 4.0);
    EXPECT_TRUE(last.terminated);  // five pulls
  }
  EXPECT_EQ(targets.size(), 10u) << "every arm should be the target in 100 episodes";
  EXPECT_THROW(dopa::make("Bandit-v0", {{"task", "informative"}, {"arms", 10}}), dopa::Error);
}

TEST(Bandit, RestlessArmsDriftOverTheWholeRangeAndSwapWithTheHazard) {
  // Without hazard: p_t is a walk rescaled to [0, 1] over 150 steps, of which 100 are pulled, so each
  // episode covers most of [0, 1] (the whole of it when the extremes fall in the first 100).
  double covered = 0;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    auto env = dopa::make("BanditRestless-v0");
    dopa::EnvSession session(*env);
    session.reset(seed);
    double low = 1, high = 0, largest_step = 0, previous = static_cast<Bandit&>(*env).arm_means()[0];
    for (int t = 0; t < 100; ++t) {
      const auto& m = static_cast<Bandit&>(*env).arm_means();
      EXPECT_DOUBLE_EQ(m[0] + m[1], 1.0);
      low = std::min(low, m[0]);
      high = std::max(high, m[0]);
      largest_step = std::max(largest_step, std::abs(m[0] - previous));
      previous = m[0];
      session.step(Action(t % 2));
    }
    EXPECT_GE(low, 0.0);
    EXPECT_LE(high, 1.0);
    EXPECT_LT(largest_step, 0.5) << "the walk moves smoothly (increments at most v <= 0.5 before rescaling)";
    covered += high - low;
  }
  EXPECT_GT(covered / 50, 0.6);
  {  // hazard 1: the arms swap after every pull
    auto env = dopa::make("BanditRestless-v0", {{"hazard", 1.0}});
    dopa::EnvSession session(*env);
    session.reset(3);
    double previous = static_cast<Bandit&>(*env).arm_means()[0];
    int far = 0;
    for (int t = 0; t < 20; ++t) {
      session.step(Action(0));
      const double p = static_cast<Bandit&>(*env).arm_means()[0];
      far += std::abs(p - (1 - previous)) < std::abs(p - previous);
      previous = p;
    }
    EXPECT_GE(far, 15) << "p should jump to near 1 - p at almost every pull";
  }
  EXPECT_THROW(dopa::make("Bandit-v0", {{"hazard", 0.1}}), dopa::Error);  // only the restless task swaps
  EXPECT_THROW(dopa::make("BanditRestless-v0", {{"hazard", 1.5}}), dopa::Error);
}

}  // namespace
