// Bandit-v0: Bernoulli bandits for meta-RL (Wang et al. 2016/2018, Duan et al. 2016 RL²).
//
// Each episode draws new arms, then the agent pulls arms for `trials` steps. The episode terminates
// after the last trial (the trial index is observed, so the horizon is part of the task). Tasks
// (specs/metarl-dopamine.md §1.2); on the Bernoulli tasks a pull pays 1 with the arm's probability,
// else 0:
//
//   independent        every arm p_i ~ U[0, 1] independently (any number of arms: RL²'s k-armed task)
//   dependent_uniform  p1 ~ U[0, 1], p2 = 1 - p1          (two arms)
//   easy               p1 in {0.1, 0.9} equiprobable, p2 = 1 - p1
//   medium             p1 in {0.25, 0.75}, p2 = 1 - p1
//   hard               p1 in {0.4, 0.6}, p2 = 1 - p1
//   restless           two arms p_t, 1 - p_t whose p_t drifts within the episode (awjuliani/Meta-RL's
//                      variant of Wang 2018's volatile bandit): at reset, v ~ U[0, 0.5] and a random
//                      walk of 1.5 x trials increments U[-v, v] is rescaled to [0, 1]; pull t sees p_t.
//                      With `hazard` > 0 the arms also swap (p -> 1 - p, for the rest of the episode)
//                      with that probability after each pull (Behrens 2007-style reversals)
//   informative        Wang 2016's 11 arms ("dependent arms II"), deterministic payoffs: one of arms
//                      0-9, drawn uniformly, pays 5 and the other nine pay 1; arm 10 pays 0.1 x (1 + the
//                      index of the paying arm), so it tells where the 5 is (5 trials per episode)
//
// Observation (arms + 2 float32): one-hot of the previous action (all zero at t = 0), the previous
// reward, and trials done / trials. Info: expected_regret (max_i m_i - m_a of this pull, m the
// expected payoffs at the time of the pull), best_arm, arm_means (all m_i; on the Bernoulli tasks the
// probabilities).
#pragma once

#include <string>
#include <vector>

#include "dopa/core/env.h"

namespace dopa::envs {

class Bandit : public Env {
 public:
  explicit Bandit(const Config& config);

  // The expected payoff of each arm now (the Bernoulli tasks: the probabilities).
  const std::vector<double>& arm_means() const { return means_; }
  int arms() const { return arms_; }

  // state() = the arm means followed by the previous action and reward.
  std::vector<double> state() const override;
  void set_state(const std::vector<double>& state, ObsOut obs) override;

  static constexpr int kInfoExpectedRegret = 0, kInfoBestArm = 1, kInfoArmMeans = 2;
  // The informative task: one of arms 0-9 pays kInformativeTarget, the others kInformativeOther;
  // the last arm pays kInformativeHintStep x (1 + the paying arm's index).
  static constexpr int kInformativeArms = 11;
  static constexpr double kInformativeTarget = 5.0, kInformativeOther = 1.0, kInformativeHintStep = 0.1;

 protected:
  void reset_impl(ObsOut obs, InfoOut info) override;
  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override;

 private:
  void write_obs(ObsOut obs) const;
  int best_arm() const;
  void draw_restless_walk();
  void move_restless_arms();

  enum class Task { Independent, DependentUniform, Easy, Medium, Hard, Restless, Informative };
  bool bernoulli() const { return task_ != Task::Informative; }

  Task task_;
  int arms_;
  int trials_;
  double hazard_;              // restless
  std::vector<double> walk_;   // restless: p_t for every pull
  bool reversed_ = false;      // restless: the arms have swapped an odd number of times
  std::vector<double> means_;
  int previous_action_ = -1;  // -1: none yet
  double previous_reward_ = 0.0;
};

}  // namespace dopa::envs
