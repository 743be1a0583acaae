// TwoStep-v0 against the task of specs/metarl-dopamine.md §1.6: transition and reward statistics,
// the swap rate of the good state, and the two step layouts.
#include <gtest/gtest.h>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "envs/two_step/two_step.h"

namespace {

using dopa::Action;

TEST(TwoStep, TransitionRewardAndSwapStatistics) {
  auto env = dopa::make("TwoStep-v0", {{"trials", 200000}});
  dopa::EnvSession session(*env);
  session.reset(11);
  double common = 0, good_pulls = 0, good_paid = 0, bad_pulls = 0, bad_paid = 0, swaps = 0;
  int previous_good = static_cast<int>(static_cast<dopa::envs::TwoStep&>(*env).good_state());
  const int n = 200000;
  for (int t = 0; t < n; ++t) {
    const int a = t % 2;
    const auto r = session.step(Action(a));
    const int stage2 = static_cast<int>(session.info("stage2"));
    const int good = static_cast<int>(session.info("good_state"));
    const bool was_common = session.info("common") == 1.0;
    common += was_common;
    EXPECT_EQ(stage2, was_common ? 1 + a : 2 - a);
    EXPECT_EQ(session.info("stage1_action"), a);
    EXPECT_EQ(session.info("rewarded"), r.reward);
    (stage2 == good ? good_pulls : bad_pulls) += 1;
    (stage2 == good ? good_paid : bad_paid) += r.reward;
    swaps += good != previous_good;
    previous_good = good;
    // One step per trial: the observation shows the stage-2 state reached and its reward.
    EXPECT_EQ(session.obs()[stage2], 1.0);
    EXPECT_EQ(session.obs()[0], 0.0);
    EXPECT_EQ(session.obs()[3], r.reward);
    EXPECT_EQ(session.obs()[4 + a], 1.0);
  }
  EXPECT_NEAR(common / n, 0.8, 0.005);
  EXPECT_NEAR(good_paid / good_pulls, 0.9, 0.005);
  EXPECT_NEAR(bad_paid / bad_pulls, 0.1, 0.005);
  EXPECT_NEAR(swaps / n, 0.025, 0.002);
}

TEST(TwoStep, EpisodeOfOneStepTrials) {
  auto env = dopa::make("TwoStep-v0");
  dopa::EnvSession session(*env);
  const auto& first = session.reset(2);
  ASSERT_EQ(first.size(), 7u);
  EXPECT_EQ(first[0], 1.0);  // S1
  for (int i = 1; i < 7; ++i) EXPECT_EQ(first[i], 0.0) << i;
  dopa::StepResult r;
  for (int t = 1; t <= 100; ++t) {
    r = session.step(Action(1));
    EXPECT_EQ(r.terminated, t == 100);
    EXPECT_FLOAT_EQ(session.obs()[6], t / 100.0f);
  }
}

TEST(TwoStep, The2016FormHasAnIgnoredSecondStageAction) {
  auto env = dopa::make("TwoStep2016-v0");
  dopa::EnvSession session(*env);
  session.reset(4);
  double common = 0;
  const int good = static_cast<dopa::envs::TwoStep&>(*env).good_state();
  for (int trial = 0; trial < 10; ++trial) {
    const auto first = session.step(Action(0));  // stage 1: to S2 (common) or S3, nothing paid yet
    EXPECT_EQ(first.reward, 0.0);
    EXPECT_FALSE(session.has_info("stage2"));
    const int stage2 = session.obs()[1] == 1.0 ? 1 : 2;
    EXPECT_EQ(session.obs()[stage2], 1.0);
    const auto second = session.step(Action(trial % 2));  // stage 2: pays, back to S1
    EXPECT_EQ(session.info("stage2"), stage2);
    EXPECT_EQ(session.info("good_state"), good);  // no swaps in the 2016 form
    common += session.info("common");
    EXPECT_EQ(session.obs()[0], 1.0);
    EXPECT_EQ(second.terminated, trial == 9);
  }
  EXPECT_GT(common, 0);
}

TEST(TwoStep, RejectsBadKwargs) {
  EXPECT_THROW(dopa::make("TwoStep-v0", {{"common_prob", 1.2}}), dopa::Error);
  EXPECT_THROW(dopa::make("TwoStep-v0", {{"trials", 0}}), dopa::Error);
  EXPECT_THROW(dopa::make("TwoStep-v0", {{"common", 0.7}}), dopa::Error);  // no such kwarg
}

}  // namespace
