// Bandit-v0: Bernoulli bandits for meta-RL (Wang et al. 2016/2018, Duan et al. 2016 RL²).
//
// Each episode draws new arm probabilities, then the agent pulls arms for `trials` steps; each pull
// pays 1 with the arm's probability, else 0. The episode terminates after the last trial (the trial
// index is observed, so the horizon is part of the task). Tasks (specs/metarl-dopamine.md §1.2):
//
//   independent        every arm p_i ~ U[0, 1] independently (any number of arms: RL²'s k-armed task)
//   dependent_uniform  p1 ~ U[0, 1], p2 = 1 - p1          (two arms)
//   easy               p1 in {0.1, 0.9} equiprobable, p2 = 1 - p1
//   medium             p1 in {0.25, 0.75}, p2 = 1 - p1
//   hard               p1 in {0.4, 0.6}, p2 = 1 - p1
//
// Observation (arms + 2 float32): one-hot of the previous action (all zero at t = 0), the previous
// reward, and trials done / trials. Info: expected_regret (max_i p_i - p_a of this pull), best_arm,
// arm_probs (all p_i).
#pragma once

#include <string>
#include <vector>

#include "dopa/core/env.h"

namespace dopa::envs {

class Bandit : public Env {
 public:
  explicit Bandit(const Config& config);

  const std::vector<double>& arm_probs() const { return probs_; }
  int arms() const { return arms_; }

  // state() = the arm probabilities followed by the previous action and reward.
  std::vector<double> state() const override;
  void set_state(const std::vector<double>& state, ObsOut obs) override;

  static constexpr int kInfoExpectedRegret = 0, kInfoBestArm = 1, kInfoArmProbs = 2;

 protected:
  void reset_impl(ObsOut obs, InfoOut info) override;
  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override;

 private:
  void write_obs(ObsOut obs) const;
  int best_arm() const;

  enum class Task { Independent, DependentUniform, Easy, Medium, Hard };
  Task task_;
  int arms_;
  int trials_;
  std::vector<double> probs_;
  int previous_action_ = -1;  // -1: none yet
  double previous_reward_ = 0.0;
};

}  // namespace dopa::envs
