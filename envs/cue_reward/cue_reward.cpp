#include "envs/cue_reward/cue_reward.h"

#include <algorithm>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"

namespace dopa::envs {

namespace {

int checked(const Config& config, const char* key, int64_t low, int64_t high) {
  const int64_t v = config.get_int(key);
  if (v < low || v > high)
    throw Error(std::string("CueReward-v0 kwarg '") + key + "' must be from " + std::to_string(low) + " to " +
                std::to_string(high) + ", got " + std::to_string(v));
  return static_cast<int>(v);
}

Space cue_reward_observation_space(int cue_bits) {
  std::vector<double> low(cue_bits + 7, 0.0), high(cue_bits + 7, 1.0);
  for (int i = 0; i < cue_bits; ++i) low[i] = -1.0;
  low[cue_bits + 1] = 1.0;   // bias
  low[cue_bits + 3] = -1.0;  // previous reward
  high[cue_bits + 4] = 0.0;  // unused
  return Space::box(low, high);
}

}  // namespace

CueReward::CueReward(const Config& config)
    : Env(cue_reward_observation_space(checked(config, "cue_bits", 1, 1000)), Space::discrete(2),
          {{"decision", 1, "1 on a Go step (the step whose action is scored)"},
           {"correct", 1, "1 when this step's decision was right"},
           {"target_shown", 1, "1 when the current trial shows the target cue"}}),
      cue_bits_(checked(config, "cue_bits", 1, 1000)),
      num_cues_(checked(config, "num_cues", 2, 64)),
      episode_length_(checked(config, "episode_length", 1, 1000000)) {
  cues_.assign(num_cues_, std::vector<float>(cue_bits_));
}

void CueReward::new_trial() {
  // Two distinct cues, and randint(num_cues) extra empty steps, shuffled together.
  const int first = static_cast<int>(rng().integer(num_cues_));
  int second = static_cast<int>(rng().integer(num_cues_ - 1));
  if (second >= first) ++second;
  // Trial length num_cues/2 + 3 + randint(num_cues); five steps are fixed (empty, 2 cues, Go, empty).
  const int extra = std::max(0, num_cues_ / 2 + 3 + static_cast<int>(rng().integer(num_cues_)) - 5);
  std::vector<int> middle = {first, second};
  middle.insert(middle.end(), extra, kEmpty);
  for (int i = static_cast<int>(middle.size()) - 1; i > 0; --i)  // Fisher-Yates
    std::swap(middle[i], middle[rng().integer(i + 1)]);
  trial_.clear();
  trial_.push_back(kEmpty);
  trial_.insert(trial_.end(), middle.begin(), middle.end());
  trial_.push_back(kGo);
  trial_.push_back(kEmpty);
  trial_step_ = 0;
  target_shown_ = first == target_ || second == target_;
}

void CueReward::write_obs(ObsOut obs) const {
  float* out = obs.as<float>();
  const int shown = trial_[trial_step_];
  for (int i = 0; i < cue_bits_; ++i) out[i] = shown >= 0 ? cues_[shown][i] : 0.0f;
  out[cue_bits_] = shown == kGo ? 1.0f : 0.0f;
  out[cue_bits_ + 1] = 1.0f;
  out[cue_bits_ + 2] = static_cast<float>(static_cast<double>(elapsed_steps()) / episode_length_);
  out[cue_bits_ + 3] = static_cast<float>(previous_reward_);
  out[cue_bits_ + 4] = 0.0f;
  out[cue_bits_ + 5] = previous_action_ == 0 ? 1.0f : 0.0f;
  out[cue_bits_ + 6] = previous_action_ == 1 ? 1.0f : 0.0f;
}

void CueReward::reset_impl(ObsOut obs, InfoOut info) {
  // Distinct cues: redraw a cue that repeats an earlier one.
  for (int c = 0; c < num_cues_; ++c) {
    bool repeated;
    do {
      for (float& bit : cues_[c]) bit = rng().integer(2) == 0 ? -1.0f : 1.0f;
      repeated = false;
      for (int d = 0; d < c; ++d) repeated = repeated || cues_[d] == cues_[c];
    } while (repeated);
  }
  target_ = static_cast<int>(rng().integer(num_cues_));
  previous_action_ = kNoAction;
  previous_reward_ = 0.0;
  new_trial();
  write_obs(obs);
  info.set(kInfoTargetShown, target_shown_ ? 1.0 : 0.0);
}

StepResult CueReward::step_impl(const Action& action, ObsOut obs, InfoOut info) {
  StepResult result;
  const bool decision = trial_[trial_step_] == kGo;
  bool correct = false;
  if (decision) {
    correct = (action.index() == 1) == target_shown_;
    result.reward = correct ? 1.0 : -1.0;
  }
  info.set(kInfoDecision, decision ? 1.0 : 0.0);
  info.set(kInfoCorrect, correct ? 1.0 : 0.0);
  previous_action_ = static_cast<int>(action.index());
  previous_reward_ = result.reward;
  if (++trial_step_ == static_cast<int>(trial_.size())) new_trial();
  result.terminated = elapsed_steps() >= episode_length_;
  write_obs(obs);
  info.set(kInfoTargetShown, target_shown_ ? 1.0 : 0.0);
  return result;
}

EnvRegistration cue_reward_registration() {
  EnvRegistration r;
  r.id = "CueReward-v0";
  r.description = "Backpropamine cue-reward association: respond 1 on Go when the episode's target cue was shown";
  r.config = {
      {"cue_bits", 20, "bits per cue (each -1 or +1)"},
      {"num_cues", 4, "distinct cues per episode, one of them the target"},
      {"episode_length", 120, "steps per episode (the episode then terminates)"},
  };
  r.factory = [](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<CueReward>(c); };
  return r;
}

DOPA_REGISTER_ENV(cue_reward_registration());

}  // namespace dopa::envs
