#include "envs/ring/ring.h"

#include "dopa/core/error.h"
#include "dopa/core/registry.h"

namespace dopa::envs {

namespace {

int checked_states(const Config& config) {
  const int64_t n = config.get_int("states");
  if (n < 2 || n > 1000000) throw Error("Ring-v0 kwarg 'states' must be from 2 to 1000000, got " + std::to_string(n));
  return static_cast<int>(n);
}

}  // namespace

Ring::Ring(const Config& config)
    : Env(Space::box(0.0, 1.0, {checked_states(config)}), Space::discrete(2),
          {{"state", 1, "the state the step arrived at"}}),
      states_(checked_states(config)),
      r1_(config.get_float("r1")),
      r2_(config.get_float("r2")),
      r2_after_(config.get_float("r2_after")),
      switch_step_(config.get_int("switch_step")) {
  if (switch_step_ < 0) throw Error("Ring-v0 kwarg 'switch_step' must be >= 0");
}

void Ring::write_obs(ObsOut obs) const {
  float* out = obs.as<float>();
  for (int s = 0; s < states_; ++s) out[s] = s == state_ ? 1.0f : 0.0f;
}

void Ring::reset_impl(ObsOut obs, InfoOut info) {
  state_ = static_cast<int>(rng().integer(states_));
  write_obs(obs);
  info.set(0, state_);
}

StepResult Ring::step_impl(const Action& action, ObsOut obs, InfoOut info) {
  StepResult result;
  ++steps_;
  const double r2 = switch_step_ > 0 && steps_ > switch_step_ ? r2_after_ : r2_;
  if (action.index() == 0) {  // myopic
    const bool wraps = state_ == states_ - 1;
    result.reward = wraps ? -r2 : r1_;
    state_ = wraps ? 0 : state_ + 1;
  } else {  // patient
    const bool wraps = state_ == 0;
    result.reward = wraps ? r2 : -r1_;
    state_ = wraps ? states_ - 1 : state_ - 1;
  }
  write_obs(obs);
  info.set(0, state_);
  return result;
}

EnvRegistration ring_registration() {
  EnvRegistration r;
  r.id = "Ring-v0";
  r.description = "Tanaka 2004 / Schweighofer-Doya ring: small gains now and a big loss later, or the reverse";
  r.config = {
      {"states", 10, "states on the ring"},
      {"r1", 1.0, "per-step reward of the myopic action (paid by the patient one)"},
      {"r2", 15.0, "wrap-around reward of the patient action (paid by the myopic one)"},
      {"switch_step", 0, "from this step on r2 is r2_after (0: never)"},
      {"r2_after", 12.0, "r2 after the switch"},
  };
  r.factory = [](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<Ring>(c); };
  return r;
}

DOPA_REGISTER_ENV(ring_registration());

}  // namespace dopa::envs
