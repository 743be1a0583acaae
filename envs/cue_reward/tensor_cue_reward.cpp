// CueReward-v0 as tensor operations (core/tensor_env.h): the episodes and trials of cue_reward.h,
// every row at once. Per row: the episode's cues and target, the current trial laid out as a row of
// step codes (a cue index, kEmpty or kGo), the position in it, the previous action and reward.
#include <ATen/ATen.h>

#include <algorithm>

#include "dopa/core/tensor_env.h"
#include "envs/cue_reward/cue_reward.h"

namespace dopa::envs {

namespace {

constexpr int64_t kEmpty = CueReward::kEmpty, kGo = CueReward::kGo;

class TensorCueReward : public TensorEnv {
 public:
  TensorCueReward(const EnvSpec& spec, int64_t num_envs, const TensorEnvOptions& options)
      : TensorEnv(spec, num_envs, options),
        cue_bits_(spec.config.get_int("cue_bits")),
        num_cues_(spec.config.get_int("num_cues")),
        episode_length_(spec.config.get_int("episode_length")),
        // The longest trial's middle: two cues and num_cues/2 + 3 + (num_cues - 1) - 5 empty steps.
        max_middle_(2 + std::max<int64_t>(0, num_cues_ / 2 + 3 + num_cues_ - 1 - 5)) {
    cues_ = at::zeros({num_envs, num_cues_, cue_bits_}, float_options());
    target_ = at::zeros({num_envs}, long_options());
    trial_ = at::full({num_envs, max_middle_ + 3}, kEmpty, long_options());
    trial_length_ = at::ones({num_envs}, long_options());
    trial_step_ = at::zeros({num_envs}, long_options());
    target_shown_ = at::zeros({num_envs}, bool_options());
    previous_action_ = at::full({num_envs}, -1, long_options());
    previous_reward_ = at::zeros({num_envs}, double_options());
  }

 protected:
  void reset_rows(const at::Tensor& rows) override {
    // Distinct cues: draw cue c's bits again in the rows where it repeats an earlier cue.
    for (int64_t c = 0; c < num_cues_; ++c) {
      at::Tensor redraw = rows;
      while (redraw.any().item<bool>()) {
        const at::Tensor bits = at::where(random().integers(2, redraw, cue_bits_) == 0, -1.0, 1.0).to(at::kFloat);
        at::Tensor cue = cues_.select(1, c);
        cue.copy_(at::where(redraw.unsqueeze(1), bits, cue));
        at::Tensor repeated = at::zeros_like(redraw);
        for (int64_t d = 0; d < c; ++d) repeated = repeated | (cues_.select(1, d) == cue).all(1);
        redraw = redraw & repeated;
      }
    }
    target_ = at::where(rows, random().integer(num_cues_, rows), target_);
    previous_action_ = previous_action_.masked_fill(rows, -1);
    previous_reward_ = previous_reward_.masked_fill(rows, 0.0);
    new_trial(rows);
    write_observations();
  }

  void step_rows(const at::Tensor& actions) override {
    const at::Tensor decision = shown() == kGo;
    const at::Tensor correct = decision & ((actions == 1) == target_shown_);
    const at::Tensor reward = at::where(decision, at::where(correct, 1.0, -1.0), 0.0).to(at::kDouble);
    previous_action_ = actions;
    previous_reward_ = reward;
    rewards_ = reward;
    trial_step_ = trial_step_ + 1;
    const at::Tensor trial_over = trial_step_ == trial_length_;
    if (trial_over.any().item<bool>()) new_trial(trial_over);
    terminations_ = elapsed_steps() >= episode_length_;
    write_observations();
  }

 private:
  // A new trial in `rows`: an empty step, two distinct cues shuffled with randint(num_cues) - 2
  // (at least 0) empty steps, Go, an empty step (the draws in cue_reward.cpp's order).
  void new_trial(const at::Tensor& rows) {
    const at::Tensor first = random().integer(num_cues_, rows);
    at::Tensor second = random().integer(num_cues_ - 1, rows);
    second = second + (second >= first).to(at::kLong);
    const at::Tensor extra = (num_cues_ / 2 + 3 + random().integer(num_cues_, rows) - 5).clamp_min(0);
    const at::Tensor middle_length = 2 + extra;
    at::Tensor middle = at::full({num_envs(), max_middle_}, kEmpty, long_options());
    middle.select(1, 0).copy_(first);
    middle.select(1, 1).copy_(second);
    for (int64_t i = max_middle_ - 1; i > 0; --i) {  // Fisher-Yates, in the rows whose middle reaches i
      const at::Tensor active = rows & (i < middle_length);
      const at::Tensor j = random().integer(i + 1, active).unsqueeze(1);
      const at::Tensor at_i = middle.select(1, i).clone(), at_j = middle.gather(1, j).squeeze(1);
      middle.scatter_(1, j, at::where(active, at_i, at_j).unsqueeze(1));
      middle.select(1, i).copy_(at::where(active, at_j, at_i));
    }
    // The trial: kEmpty, the middle, kGo, kEmpty.
    const at::Tensor position = at::arange(max_middle_ + 3, long_options()).unsqueeze(0);
    const at::Tensor from_middle = middle.gather(1, (position - 1).clamp(0, max_middle_ - 1).expand({num_envs(), -1}));
    const at::Tensor length = middle_length.unsqueeze(1);
    at::Tensor trial = at::where((position >= 1) & (position <= length), from_middle, at::full_like(from_middle, kEmpty));
    trial = at::where(position == length + 1, at::full_like(trial, kGo), trial);
    trial_ = at::where(rows.unsqueeze(1), trial, trial_);
    trial_length_ = at::where(rows, middle_length + 3, trial_length_);
    trial_step_ = trial_step_.masked_fill(rows, 0);
    target_shown_ = at::where(rows, (first == target_) | (second == target_), target_shown_);
  }

  at::Tensor shown() const { return trial_.gather(1, trial_step_.unsqueeze(1)).squeeze(1); }

  // cue_reward.h's cue_bits + 7 numbers: the shown cue's bits, Go, bias 1, time, previous reward,
  // 0, previous action one-hot (both 0 before the first action).
  void write_observations() {
    const int64_t B = num_envs();
    const at::Tensor code = shown();
    const at::Tensor cue_index = code.clamp_min(0).view({B, 1, 1}).expand({B, 1, cue_bits_});
    const at::Tensor bits = at::where((code >= 0).unsqueeze(1), cues_.gather(1, cue_index).squeeze(1), 0.0f);
    const at::Tensor time = (elapsed_steps().to(at::kDouble) / static_cast<double>(episode_length_)).to(at::kFloat);
    const auto column = [&](const at::Tensor& values) { return values.to(at::kFloat).unsqueeze(1); };
    observations_ = at::cat({bits, column(code == kGo), at::ones({B, 1}, float_options()), column(time),
                             column(previous_reward_), at::zeros({B, 1}, float_options()),
                             column(previous_action_ == 0), column(previous_action_ == 1)},
                            1);
  }

  int64_t cue_bits_, num_cues_, episode_length_, max_middle_;
  at::Tensor cues_, target_, trial_, trial_length_, trial_step_, target_shown_, previous_action_, previous_reward_;
};

}  // namespace

DOPA_REGISTER_TENSOR_ENV("CueReward-v0", [](const EnvSpec& spec, int64_t num_envs, const TensorEnvOptions& options) {
  return std::unique_ptr<TensorEnv>(std::make_unique<TensorCueReward>(spec, num_envs, options));
});

}  // namespace dopa::envs
