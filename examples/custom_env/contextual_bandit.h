// A contextual bandit: each step shows one of `contexts` cues; the arm that pays most depends on
// the cue (arm = cue mod arms). Pulling it pays 1 with probability `p_best`, any other arm with
// probability `p_other`. An agent without memory can learn it; random play earns about
// (p_best + (arms - 1) p_other) / arms per step.
#pragma once

#include "dopa/core/env.h"

namespace custom_env {

class ContextualBandit : public dopa::Env {
 public:
  explicit ContextualBandit(const dopa::Config& config);

 private:
  void reset_impl(dopa::ObsOut obs, dopa::InfoOut info) override;
  dopa::StepResult step_impl(const dopa::Action& action, dopa::ObsOut obs, dopa::InfoOut info) override;
  void show_new_cue(dopa::ObsOut obs, dopa::InfoOut info);

  int64_t contexts_, arms_;
  double p_best_, p_other_;
  int64_t cue_ = 0;
};

}  // namespace custom_env
