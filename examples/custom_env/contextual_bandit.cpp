#include "contextual_bandit.h"

#include "dopa/core/error.h"
#include "dopa/core/registry.h"

namespace custom_env {

namespace {

int64_t positive(const dopa::Config& config, const char* key) {
  const int64_t value = config.get_int(key);
  if (value < 1) throw dopa::Error(std::string("ContextualBandit-v0 kwarg '") + key + "' must be >= 1");
  return value;
}

}  // namespace

// The spec: the observation is the cue, one-hot (float32 in [0, 1]); the action an arm; one info
// key, the cue shown.
ContextualBandit::ContextualBandit(const dopa::Config& config)
    : dopa::Env(dopa::Space::box(0.0, 1.0, {positive(config, "contexts")}), dopa::Space::discrete(positive(config, "arms")),
                {{"cue", 1, "the cue shown"}}),
      contexts_(config.get_int("contexts")),
      arms_(config.get_int("arms")),
      p_best_(config.get_float("p_best")),
      p_other_(config.get_float("p_other")) {}

void ContextualBandit::show_new_cue(dopa::ObsOut obs, dopa::InfoOut info) {
  cue_ = rng().integer(contexts_);  // the env's own seeded generator: runs are reproducible
  float* out = obs.as<float>();
  for (int64_t c = 0; c < contexts_; ++c) out[c] = c == cue_ ? 1.0f : 0.0f;
  info.set(0, static_cast<double>(cue_));
}

void ContextualBandit::reset_impl(dopa::ObsOut obs, dopa::InfoOut info) { show_new_cue(obs, info); }

dopa::StepResult ContextualBandit::step_impl(const dopa::Action& action, dopa::ObsOut obs, dopa::InfoOut info) {
  // The base class has checked the action against the space and counts the steps; the time limit
  // (max_episode_steps) ends the episode.
  dopa::StepResult result;
  const bool best = action.index() == cue_ % arms_;
  result.reward = rng().bernoulli(best ? p_best_ : p_other_) ? 1.0 : 0.0;
  show_new_cue(obs, info);
  return result;
}

// The registration: an ID, its kwargs with defaults, a time limit, and how to make one.
dopa::EnvRegistration contextual_bandit_registration() {
  dopa::EnvRegistration r;
  r.id = "ContextualBandit-v0";
  r.description = "a cue says which arm pays (an example of a custom env)";
  r.config = {
      {"contexts", 3, "number of cues"},
      {"arms", 3, "number of arms"},
      {"p_best", 0.9, "payoff probability of the cue's arm"},
      {"p_other", 0.1, "payoff probability of the other arms"},
  };
  r.max_episode_steps = 20;
  r.reward_threshold = 15.0;
  r.factory = [](const dopa::Config& c) -> std::unique_ptr<dopa::Env> { return std::make_unique<ContextualBandit>(c); };
  return r;
}

DOPA_REGISTER_ENV(contextual_bandit_registration());

}  // namespace custom_env
