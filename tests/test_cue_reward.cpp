// CueReward-v0 against specs/backpropamine.md §5: cues, trial layout, the scoring rule, inputs.
#include <gtest/gtest.h>

#include <set>

#include "dopa/core/registry.h"
#include "envs/cue_reward/cue_reward.h"

namespace {

using dopa::Action;
using dopa::envs::CueReward;

TEST(CueReward, CuesAreDistinctPlusMinusOneVectors) {
  auto env = dopa::make("CueReward-v0");
  dopa::EnvSession session(*env);
  for (uint64_t seed = 0; seed < 50; ++seed) {
    session.reset(seed);
    const auto& cues = static_cast<CueReward&>(*env).cues();
    ASSERT_EQ(cues.size(), 4u);
    std::set<std::vector<float>> distinct(cues.begin(), cues.end());
    EXPECT_EQ(distinct.size(), 4u);
    for (const auto& cue : cues) {
      ASSERT_EQ(cue.size(), 20u);
      for (float bit : cue) EXPECT_TRUE(bit == -1.0f || bit == 1.0f);
    }
  }
}

TEST(CueReward, TrialsHaveTheSpecifiedLayoutAndScoring) {
  auto env = dopa::make("CueReward-v0", {{"episode_length", 100000}});
  dopa::EnvSession session(*env);
  session.reset(3);
  int decisions = 0, shown = 0;
  dopa::Rng rng(1);
  for (int t = 0; t < 20000; ++t) {
    const auto& obs = session.obs();
    const int64_t action = rng.integer(2);
    const bool go = obs[20] == 1.0;
    const bool target_shown = session.has_info("target_shown") && session.info("target_shown") == 1.0;
    const auto r = session.step(Action(action));
    if (go) {
      ++decisions;
      shown += target_shown;
      EXPECT_EQ(session.info("decision"), 1.0);
      const bool right = (action == 1) == target_shown;
      EXPECT_EQ(r.reward, right ? 1.0 : -1.0);
      EXPECT_EQ(session.info("correct"), right ? 1.0 : 0.0);
    } else {
      EXPECT_EQ(r.reward, 0.0);
      EXPECT_EQ(session.info("decision"), 0.0);
    }
    EXPECT_EQ(session.obs()[23], r.reward);                    // previous reward
    EXPECT_EQ(session.obs()[25 + action], 1.0);               // previous action
  }
  // About half the trials show the target (2 of 4 cues).
  EXPECT_NEAR(static_cast<double>(shown) / decisions, 0.5, 0.03);
  // Trials of 5-8 steps: 20000 steps / 6.5 per trial.
  EXPECT_NEAR(decisions, 20000 / 6.5, 150);
}

TEST(CueReward, EachTrialIsEmptyCuesGoEmpty) {
  auto env = dopa::make("CueReward-v0", {{"episode_length", 100000}});
  auto& task = static_cast<CueReward&>(*env);
  dopa::EnvSession session(*env);
  session.reset(0);
  std::set<size_t> lengths;
  for (int k = 0; k < 500; ++k) {
    const auto trial = task.trial();
    lengths.insert(trial.size());
    ASSERT_GE(trial.size(), 5u);
    ASSERT_LE(trial.size(), 8u);
    EXPECT_EQ(trial.front(), CueReward::kEmpty);
    EXPECT_EQ(trial[trial.size() - 2], CueReward::kGo);
    EXPECT_EQ(trial.back(), CueReward::kEmpty);
    std::vector<int> cues;
    for (int s : trial)
      if (s >= 0) cues.push_back(s);
    ASSERT_EQ(cues.size(), 2u);
    EXPECT_NE(cues[0], cues[1]);
    // Walk through the trial, checking what each step shows.
    for (size_t s = 0; s < trial.size(); ++s) {
      const auto& obs = session.obs();
      EXPECT_EQ(obs[20], trial[s] == CueReward::kGo ? 1.0 : 0.0);
      for (int b = 0; b < 20; ++b) EXPECT_EQ(obs[b], trial[s] >= 0 ? task.cues()[trial[s]][b] : 0.0f);
      EXPECT_EQ(obs[21], 1.0);
      EXPECT_EQ(obs[24], 0.0);
      session.step(Action(0));
    }
  }
  EXPECT_EQ(lengths, (std::set<size_t>{5, 6, 7, 8}));
}

TEST(CueReward, EpisodeTerminatesAfterEpisodeLength) {
  auto env = dopa::make("CueReward-v0");
  dopa::EnvSession session(*env);
  const auto& first = session.reset(9);
  EXPECT_EQ(first.size(), 27u);
  // No action precedes the first step: both previous-action slots are 0 (sr/srbatch.py writes the
  // one-hot only from step 1 on; the maze, unlike this task, starts with slot 0 set).
  EXPECT_EQ(first[25], 0.0);
  EXPECT_EQ(first[26], 0.0);
  dopa::StepResult r;
  for (int t = 1; t <= 120; ++t) {
    r = session.step(Action(1));
    EXPECT_EQ(r.terminated, t == 120);
  }
  EXPECT_FLOAT_EQ(session.obs()[22], 1.0f);
}

}  // namespace
