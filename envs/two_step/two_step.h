// TwoStep-v0: the two-step task of Daw et al. 2011 as Wang et al. used it for meta-RL
// (2016 Exp. 5, 2018 Fig. 3; specs/metarl-dopamine.md §1.6), in the form of the reproduction that
// matched the 2018 figure (mtrazzi/two-step-task, biorxiv-final).
//
// A trial: from the first-stage state S1 the agent picks action 0 or 1; action a leads to
// second-stage state S2 + a with probability `common_prob` (a "common" transition), otherwise to the
// other one (a "rare" transition). The second-stage state pays 1 with probability `reward_prob` if
// it is the currently good one, else with 1 - reward_prob, and the agent is back in S1. Before each
// trial the good state swaps with probability `switch_prob`.
//
// With `stage2_action` = false (default, as the 2018 reproduction) one env step is one trial: the
// action is the stage-1 choice, and the observation that follows shows the stage-2 state reached
// and its reward. With `stage2_action` = true (the 2016 form) a trial takes two steps: the stage-1
// choice, then a second action in S2/S3 that is ignored and collects the reward.
//
// The episode terminates after `trials` trials. The good state is drawn uniformly at reset (the
// reproduction instead carried it over between episodes). TwoStep2016-v0 is the reproduction's 2016
// notebook: common 0.75, the stage-2 action, no swaps, 10 trials per episode.
//
// Observation, 7 float32: one-hot of the state shown (S1, S2, S3), the previous reward, one-hot of
// the previous action (zeros at t = 0), steps taken / episode steps.
// Info: common (1 when the trial's transition was common), stage2 (1 or 2), rewarded, good_state
// (1 or 2) and stage1_action, set on the step that ends a trial: what a stay-probability analysis needs.
#pragma once

#include "dopa/core/env.h"

namespace dopa::envs {

class TwoStep : public Env {
 public:
  explicit TwoStep(const Config& config);

  static constexpr int kInfoCommon = 0, kInfoStage2 = 1, kInfoRewarded = 2, kInfoGoodState = 3,
                       kInfoStage1Action = 4;
  int good_state() const { return good_state_; }

 protected:
  void reset_impl(ObsOut obs, InfoOut info) override;
  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override;

 private:
  void write_obs(ObsOut obs) const;
  int episode_steps() const { return stage2_action_ ? 2 * trials_ : trials_; }

  double common_prob_, reward_prob_, switch_prob_;
  int trials_;
  bool stage2_action_;
  int state_ = 0;       // 0 = S1, 1 = S2, 2 = S3: the state the observation shows
  int good_state_ = 1;  // 1 or 2
  int stage1_action_ = 0;
  bool common_ = true;
  int previous_action_ = -1;
  double previous_reward_ = 0.0;
};

}  // namespace dopa::envs
