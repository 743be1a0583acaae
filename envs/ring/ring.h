// Ring-v0: the ring task of Tanaka et al. 2004 and Schweighofer & Doya 2003, where only a long enough
// time horizon (serotonin: gamma) finds the better policy (specs/metarl-dopamine.md §4.2).
//
// `states` states on a ring. Action 0 ("myopic") moves one way, s -> s + 1, and pays +r1, except the
// move that wraps around (n - 1 -> 0), which pays -r2. Action 1 ("patient") moves the other way,
// s -> s - 1, and pays -r1, except the wrap (0 -> n - 1), which pays +r2. Always patient earns
// (r2 - (n - 1) r1) / n per step (+0.6 with the defaults), always myopic the negative of that.
// With `switch_step` > 0, r2 becomes `r2_after` from that step on (Schweighofer & Doya Fig. 2:
// 8 states, r2 2 -> 12 at step 20,000). The task never ends (no termination; set a time limit
// with the run's total_steps).
//
// Observation: one-hot of the state, float32. Info: state.
#pragma once

#include <string>

#include "dopa/core/env.h"

namespace dopa::envs {

class Ring : public Env {
 public:
  explicit Ring(const Config& config);

  int position() const { return state_; }  // the current state

 protected:
  void reset_impl(ObsOut obs, InfoOut info) override;
  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override;
  std::string carried_state() const override { return std::to_string(steps_); }
  void set_carried_state(const std::string& state) override { steps_ = std::stoll(state); }

 private:
  void write_obs(ObsOut obs) const;

  int states_;
  double r1_, r2_, r2_after_;
  long long switch_step_;
  long long steps_ = 0;  // since the env was made (the switch counts across resets)
  int state_ = 0;
};

}  // namespace dopa::envs
