#include "envs/two_step/two_step.h"

#include "dopa/core/error.h"
#include "dopa/core/registry.h"

namespace dopa::envs {

namespace {

double probability(const Config& config, const char* key) {
  const double p = config.get_float(key);
  if (!(p >= 0 && p <= 1)) throw Error(std::string("TwoStep-v0 kwarg '") + key + "' must be in [0, 1]");
  return p;
}

}  // namespace

TwoStep::TwoStep(const Config& config)
    : Env(Space::box({0, 0, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1, 1}), Space::discrete(2),
          {{"common", 1, "1 when this trial's transition was the common one"},
           {"stage2", 1, "the second-stage state this trial reached (1 or 2)"},
           {"rewarded", 1, "1 when this trial paid"},
           {"good_state", 1, "the second-stage state that paid with reward_prob this trial (1 or 2)"},
           {"stage1_action", 1, "this trial's first-stage choice"}}),
      common_prob_(probability(config, "common_prob")),
      reward_prob_(probability(config, "reward_prob")),
      switch_prob_(probability(config, "switch_prob")),
      trials_(static_cast<int>(config.get_int("trials"))),
      stage2_action_(config.get_bool("stage2_action")) {
  if (trials_ < 1) throw Error("TwoStep-v0 kwarg 'trials' must be >= 1, got " + std::to_string(trials_));
}

void TwoStep::write_obs(ObsOut obs) const {
  float* out = obs.as<float>();
  for (int s = 0; s < 3; ++s) out[s] = s == state_ ? 1.0f : 0.0f;
  out[3] = static_cast<float>(previous_reward_);
  out[4] = previous_action_ == 0 ? 1.0f : 0.0f;
  out[5] = previous_action_ == 1 ? 1.0f : 0.0f;
  out[6] = static_cast<float>(static_cast<double>(elapsed_steps()) / episode_steps());
}

void TwoStep::reset_impl(ObsOut obs, InfoOut) {
  good_state_ = 1 + static_cast<int>(rng().integer(2));
  state_ = 0;
  previous_action_ = -1;
  previous_reward_ = 0.0;
  write_obs(obs);
}

StepResult TwoStep::step_impl(const Action& action, ObsOut obs, InfoOut info) {
  const int a = static_cast<int>(action.index());
  StepResult result;
  bool trial_ends = true;
  if (state_ == 0 || !stage2_action_) {
    // The stage-1 choice, in a new trial: first the good state may swap.
    if (rng().bernoulli(switch_prob_)) good_state_ = 3 - good_state_;
    stage1_action_ = a;
    common_ = rng().bernoulli(common_prob_);
    state_ = common_ ? 1 + a : 2 - a;
    trial_ends = !stage2_action_;
  }
  if (trial_ends) {
    // The second stage pays; the observation shows the stage-2 state (one step per trial) or S1.
    const double p = state_ == good_state_ ? reward_prob_ : 1 - reward_prob_;
    result.reward = rng().bernoulli(p) ? 1.0 : 0.0;
    info.set(kInfoCommon, common_ ? 1.0 : 0.0);
    info.set(kInfoStage2, state_);
    info.set(kInfoRewarded, result.reward);
    info.set(kInfoGoodState, good_state_);
    info.set(kInfoStage1Action, stage1_action_);
    if (stage2_action_) state_ = 0;
  }
  previous_action_ = a;
  previous_reward_ = result.reward;
  result.terminated = elapsed_steps() >= episode_steps();
  write_obs(obs);
  return result;
}

EnvRegistration two_step_registration(const std::string& id, const std::string& description, Kwargs preset) {
  EnvRegistration r;
  r.id = id;
  r.description = description;
  r.config = {
      {"common_prob", 0.8, "probability of the common transition (Wang 2018: 0.8, 2016: 0.75)"},
      {"reward_prob", 0.9, "reward probability of the good second-stage state (the other: 1 - it)"},
      {"switch_prob", 0.025, "probability, before each trial, that the good state swaps"},
      {"trials", 100, "trials per episode"},
      {"stage2_action", false, "two steps per trial, the second an ignored action in S2/S3 (the 2016 form)"},
  };
  r.preset = std::move(preset);
  r.factory = [](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<TwoStep>(c); };
  return r;
}

DOPA_REGISTER_ENV(two_step_registration("TwoStep-v0", "Daw's two-step task as Wang et al. 2018 (common 0.8)", {}));
DOPA_REGISTER_ENV(two_step_registration("TwoStep2016-v0",
                                        "two-step task as Wang et al. 2016 (common 0.75, stage-2 action, good state fixed per 10-trial episode)",
                                        {{"common_prob", 0.75}, {"stage2_action", true}, {"switch_prob", 0.0}, {"trials", 10}}));

}  // namespace dopa::envs
