// The bandit baselines: their conventions, and their regret on the Wang tasks against the values in
// specs/metarl-dopamine.md §1.4 (computed there over 50,000 episodes).
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "agents/bandit_baselines/bayes_optimal.h"
#include "agents/bandit_baselines/evaluate.h"
#include "agents/bandit_baselines/policies.h"
#include "dopa/core/error.h"

namespace {

using dopa::agents::BanditPolicyOptions;
using dopa::agents::make_bandit_policy;
using dopa::agents::score_bandit_policy;

BanditPolicyOptions named(const std::string& name) {
  BanditPolicyOptions o;
  o.name = name;
  return o;
}

TEST(BanditBaselines, GreedyBreaksTiesToTheLowestArmAndFollowsTheSmoothedMeans) {
  auto greedy = make_bandit_policy(named("greedy"));
  dopa::Rng rng(0);
  greedy->reset(3, 10);
  EXPECT_EQ(greedy->choose(rng), 0);  // all means 1/2
  greedy->observe(0, 0.0);            // arm 0: 1/3
  EXPECT_EQ(greedy->choose(rng), 1);
  greedy->observe(1, 1.0);  // arm 1: 2/3
  EXPECT_EQ(greedy->choose(rng), 1);
}

TEST(BanditBaselines, TextbookUcb1PullsEveryArmOnceFirst) {
  BanditPolicyOptions o = named("ucb1");
  o.laplace = false;
  auto ucb = make_bandit_policy(o);
  dopa::Rng rng(0);
  ucb->reset(4, 20);
  for (int a = 0; a < 4; ++a) {
    EXPECT_EQ(ucb->choose(rng), a);
    ucb->observe(a, a == 2 ? 1.0 : 0.0);
  }
  EXPECT_EQ(ucb->choose(rng), 2);  // equal bonuses: the best mean
}

TEST(BanditBaselines, RegretOnTheIndependentTwoArmedTaskMatchesTheSpec) {
  // Regret at t = 100, independent p1, p2 ~ U[0, 1]: random 16.6, Thompson 2.79, textbook UCB1 5.58,
  // Gittins at gamma = 0.98 1.77.
  const dopa::Kwargs task = {{"task", "independent"}, {"arms", 2}, {"trials", 100}};
  struct Case {
    BanditPolicyOptions options;
    double regret, tolerance;
  };
  BanditPolicyOptions textbook_ucb = named("ucb1");
  textbook_ucb.laplace = false;
  BanditPolicyOptions gittins = named("gittins");
  gittins.gamma = 0.98;
  for (const Case& c : {Case{named("random"), 16.6, 0.5}, Case{named("thompson"), 2.79, 0.25},
                        Case{textbook_ucb, 5.58, 0.3}, Case{gittins, 1.77, 0.25}}) {
    auto policy = make_bandit_policy(c.options);
    const auto score = score_bandit_policy(*policy, task, 6000, 1000);
    SCOPED_TRACE(policy->label());
    EXPECT_NEAR(score.cumulative_regret.back(), c.regret, c.tolerance)
        << "standard error " << score.cumulative_regret_se.back();
    EXPECT_LT(score.cumulative_regret_se.back(), c.tolerance / 2);
  }
}

TEST(BanditBaselines, BayesOptimalRegretMatchesTheSpecOnEachPrior) {
  // Regret at t = 100 (spec §1.4): independent 1.75, dependent uniform 1.22, dependent medium 1.00.
  for (const auto& [task, regret] :
       std::vector<std::pair<std::string, double>>{{"independent", 1.75}, {"dependent_uniform", 1.22}, {"medium", 1.00}}) {
    auto policy = make_bandit_policy(named("bayes_optimal"));
    const auto score = score_bandit_policy(*policy, {{"task", task}, {"arms", 2}, {"trials", 100}}, 6000, 2000);
    EXPECT_NEAR(score.cumulative_regret.back(), regret, 0.2) << task << " ± " << score.cumulative_regret_se.back();
  }
  // It beats Thompson sampling on the same episodes, and knows its own expected reward.
  auto thompson = make_bandit_policy(named("thompson"));
  const dopa::Kwargs independent = {{"task", "independent"}, {"arms", 2}, {"trials", 100}};
  EXPECT_LT(score_bandit_policy(*make_bandit_policy(named("bayes_optimal")), independent, 6000, 2000).cumulative_regret.back(),
            score_bandit_policy(*thompson, independent, 6000, 2000).cumulative_regret.back());
  const dopa::agents::BayesOptimalTable table("independent", 1);
  EXPECT_DOUBLE_EQ(table.value(), 0.5);
  EXPECT_THROW(dopa::agents::BayesOptimalTable("hardest", 10), dopa::Error);
}

TEST(BanditBaselines, UnknownNamesAndBadParametersAreRefused) {
  EXPECT_THROW(make_bandit_policy(named("ucb")), dopa::Error);
  BanditPolicyOptions o = named("epsilon_greedy");
  o.epsilon = 1.5;
  EXPECT_THROW(make_bandit_policy(o), dopa::Error);
}

}  // namespace

namespace {

TEST(BanditBaselines, PolicyTextsExpandTheirSweeps) {
  const auto ucb = dopa::agents::parse_bandit_policies("ucb1:c=0..1/0.1");
  ASSERT_EQ(ucb.size(), 11u);
  EXPECT_DOUBLE_EQ(ucb[3].c, 0.3);
  EXPECT_DOUBLE_EQ(ucb.back().c, 1.0);
  const auto textbook = dopa::agents::parse_bandit_policies("ucb1:textbook,c=2");
  ASSERT_EQ(textbook.size(), 1u);
  EXPECT_FALSE(textbook[0].laplace);
  EXPECT_DOUBLE_EQ(textbook[0].c, 2.0);
  EXPECT_EQ(dopa::agents::parse_bandit_policies("thompson").size(), 1u);
  EXPECT_THROW(dopa::agents::parse_bandit_policies("ucb1:c=1..0/0.1"), dopa::Error);
  EXPECT_THROW(dopa::agents::parse_bandit_policies("gittins:gamma=1"), dopa::Error);
}

}  // namespace
