#include "envs/conditioning/conditioning.h"

#include <algorithm>
#include <cmath>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "dopa/core/strings.h"

namespace dopa::envs {

namespace {

int checked(const Config& config, const char* key, int64_t low, int64_t high) {
  const int64_t v = config.get_int(key);
  if (v < low || v > high)
    throw Error(std::string("Conditioning-v0 kwarg '") + key + "' must be from " + std::to_string(low) + " to " +
                std::to_string(high) + ", got " + std::to_string(v));
  return static_cast<int>(v);
}

// A list kwarg: "0.1, 0.5,0.9" -> {0.1, 0.5, 0.9}; "" -> {}.
std::vector<double> number_list(const Config& config, const char* key) {
  return dopa::number_list(config.get_string(key), ',', std::string("Conditioning-v0 kwarg '") + key + "'");
}

int cue_count(const Config& config) { return std::max<int>(1, static_cast<int>(number_list(config, "cue_probs").size())); }

int stimulus_count(const Config& config) {
  return cue_count(config) + static_cast<int>(number_list(config, "extra_cs_onsets").size());
}

}  // namespace

Conditioning::Conditioning(const Config& config)
    : Env(Space::box(0.0, 1.0, {stimulus_count(config)}), Space::discrete(1),
          {{"trial", 1, "this trial's number in the session, from 1"},
           {"cue", 1, "the CS this trial shows (0 with a single CS)"},
           {"us", 1, "1 on the step that pays the US"},
           {"omitted", 1, "1 on the step whose US was withheld (probe, extinction or probability)"}}),
      trial_steps_(checked(config, "trial_steps", 2, 1000000)),
      cs_onset_(checked(config, "cs_onset", 1, trial_steps_ - 1)),
      cs_duration_(checked(config, "cs_duration", 0, 1000000)),
      isi_(checked(config, "isi", 1, trial_steps_ - cs_onset_)),
      omit_every_(checked(config, "omit_every", 0, 1000000000)),
      extinction_trial_(checked(config, "extinction_trial", 0, 1000000000)),
      reward_(config.get_float("reward")),
      reward_prob_(config.get_float("reward_prob")),
      cue_probs_(number_list(config, "cue_probs")),
      sizes_(number_list(config, "reward_sizes")) {
  auto is_probability = [](double p) { return p >= 0.0 && p <= 1.0; };
  if (!is_probability(reward_prob_)) throw Error("Conditioning-v0 kwarg 'reward_prob' must be in [0, 1]");
  for (double p : cue_probs_)
    if (!is_probability(p)) throw Error("Conditioning-v0 kwarg 'cue_probs' must hold probabilities in [0, 1]");
  const std::vector<double> freqs = number_list(config, "reward_freqs");
  if (freqs.size() != sizes_.size())
    throw Error("Conditioning-v0 kwargs 'reward_sizes' and 'reward_freqs' must have the same length (" +
                std::to_string(sizes_.size()) + " and " + std::to_string(freqs.size()) + ")");
  double total = 0.0;
  for (double f : freqs) {
    if (!(f >= 0.0)) throw Error("Conditioning-v0 kwarg 'reward_freqs' must be >= 0");
    total += f;
    size_cdf_.push_back(total);
  }
  if (!sizes_.empty() && !(total > 0.0)) throw Error("Conditioning-v0 kwarg 'reward_freqs' must not all be 0");
  for (double& c : size_cdf_) c /= total;
  for (double onset : number_list(config, "extra_cs_onsets")) {
    if (onset != std::floor(onset) || onset < 1 || onset > trial_steps_)
      throw Error("Conditioning-v0 kwarg 'extra_cs_onsets' must hold steps from 1 to trial_steps (" +
                  std::to_string(trial_steps_) + ")");
    extra_onsets_.push_back(static_cast<int>(onset));
  }
}

void Conditioning::write_obs(ObsOut obs) const {
  float* out = obs.as<float>();
  const int t = static_cast<int>(elapsed_steps());
  auto on_from = [&](int onset) { return t >= onset && (cs_duration_ == 0 || t < onset + cs_duration_); };
  const int cues = static_cast<int>(obs.size() - extra_onsets_.size());
  for (int c = 0; c < cues; ++c) out[c] = on_from(cs_onset_) && c == cue_ ? 1.0f : 0.0f;
  for (size_t k = 0; k < extra_onsets_.size(); ++k) out[cues + k] = on_from(extra_onsets_[k]) ? 1.0f : 0.0f;
}

void Conditioning::reset_impl(ObsOut obs, InfoOut info) {
  ++trial_;
  cue_ = cue_probs_.empty() ? 0 : static_cast<int>(rng().integer(static_cast<int64_t>(cue_probs_.size())));
  us_due_ = rng().bernoulli(cue_probs_.empty() ? reward_prob_ : cue_probs_[cue_]);
  magnitude_ = reward_;
  if (!sizes_.empty()) {
    const double u = rng().uniform();
    size_t k = 0;
    while (k + 1 < sizes_.size() && u >= size_cdf_[k]) ++k;
    magnitude_ = sizes_[k];
  }
  if (omit_every_ > 0 && trial_ % omit_every_ == 0) us_due_ = false;
  if (extinction_trial_ > 0 && trial_ >= extinction_trial_) us_due_ = false;
  write_obs(obs);
  info.set(kInfoTrial, static_cast<double>(trial_));
  info.set(kInfoCue, cue_);
}

StepResult Conditioning::step_impl(const Action&, ObsOut obs, InfoOut info) {
  StepResult result;
  const bool us_step = elapsed_steps() == cs_onset_ + isi_;
  if (us_step && us_due_) result.reward = magnitude_;
  info.set(kInfoTrial, static_cast<double>(trial_));
  info.set(kInfoCue, cue_);
  info.set(kInfoUs, us_step && us_due_ ? 1.0 : 0.0);
  info.set(kInfoOmitted, us_step && !us_due_ ? 1.0 : 0.0);
  result.terminated = elapsed_steps() >= trial_steps_;
  write_obs(obs);
  return result;
}

EnvRegistration conditioning_registration() {
  EnvRegistration r;
  r.id = "Conditioning-v0";
  r.description = "Pavlovian conditioning: a CS, then a reward (US) isi steps later; probes, extinction, cue probabilities";
  r.config = {
      {"trial_steps", 40, "steps per trial (the episode then terminates)"},
      {"cs_onset", 9, "observation at which the CS comes on (>= 1: the step into it is the CS response)"},
      {"cs_duration", 0, "steps the CS stays on (0: to the end of the trial)"},
      {"isi", 10, "steps from CS onset to the US"},
      {"reward", 1.0, "US magnitude (without reward_sizes)"},
      {"reward_prob", 1.0, "probability that the US follows the CS (single CS)"},
      {"cue_probs", "", "one CS per entry, e.g. \"0.1,0.5,0.9\": a random one each trial, US with its probability"},
      {"reward_sizes", "", "US magnitudes to draw from, e.g. \"0.1,0.3,1.2,2.5,5,10,20\" (empty: reward)"},
      {"reward_freqs", "", "relative frequencies of reward_sizes"},
      {"extra_cs_onsets", "", "more CSs, one per entry, on in every trial from these steps, e.g. \"4\""},
      {"omit_every", 0, "withhold the US on every n-th trial (probe trials; 0: never)"},
      {"extinction_trial", 0, "no US from this trial on (extinction; 0: never)"},
  };
  r.factory = [](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<Conditioning>(c); };
  return r;
}

DOPA_REGISTER_ENV(conditioning_registration());

}  // namespace dopa::envs
