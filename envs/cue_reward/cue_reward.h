// CueReward-v0: the Backpropamine cue-reward association task ("sr", Miconi et al. 2019 Fig. 1;
// specs/backpropamine.md §5).
//
// Each episode draws `num_cues` (4) distinct random cues, each a vector of `cue_bits` (20) values in
// {-1, +1}, and picks one of them as the target. The episode is a sequence of trials, back to back,
// until `episode_length` (120) steps have passed; then it terminates. A trial lasts
// num_cues/2 + 3 + randint(num_cues) steps (5-8):
//   one empty step; two distinct random cues (of the episode's four) interleaved in random order
//   with the trial's extra empty steps; a Go step; one empty step.
// Only the action on the Go step counts: +1 if (the target was shown and action = 1) or (it was not
// and action = 0), otherwise -1. Every other step pays 0.
//
// Observation, 27 float32: 0-19 cue bits (zero on non-cue steps), 20 Go bit, 21 bias 1, 22 steps
// taken / episode_length, 23 previous reward, 24 unused (0), 25-26 one-hot of the previous action
// (both 0 at t = 0: sr/srbatch.py writes it from the second step on, unlike the maze).
// Info: decision (1 on a Go step), correct (1 when that decision was right), target_shown.
#pragma once

#include <vector>

#include "dopa/core/env.h"

namespace dopa::envs {

class CueReward : public Env {
 public:
  explicit CueReward(const Config& config);

  static constexpr int kInfoDecision = 0, kInfoCorrect = 1, kInfoTargetShown = 2;

  // What each step of the current trial shows: a cue index (0..num_cues-1), kEmpty or kGo.
  static constexpr int kEmpty = -1, kGo = -2;
  const std::vector<int>& trial() const { return trial_; }
  int target() const { return target_; }
  const std::vector<std::vector<float>>& cues() const { return cues_; }

 protected:
  void reset_impl(ObsOut obs, InfoOut info) override;
  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override;

 private:
  void new_trial();
  void write_obs(ObsOut obs) const;

  int cue_bits_, num_cues_, episode_length_;
  std::vector<std::vector<float>> cues_;
  int target_ = 0;
  std::vector<int> trial_;  // the current trial's steps
  int trial_step_ = 0;      // position in trial_ of the step the agent is looking at
  bool target_shown_ = false;
  static constexpr int kNoAction = -1;  // before the first step both previous-action slots are 0
  int previous_action_ = kNoAction;
  double previous_reward_ = 0.0;
};

}  // namespace dopa::envs
