// The Bandit-v0 family as tensor operations (core/tensor_env.h): every task of bandit.h, every row
// at once. Per row: the arm means, the previous action and reward; the restless task also keeps the
// episode's walk and whether the arms are swapped.
#include <ATen/ATen.h>

#include "dopa/core/error.h"
#include "dopa/core/tensor_env.h"
#include "envs/bandits/bandit.h"

namespace dopa::envs {

namespace {

constexpr int kInformativeArms = Bandit::kInformativeArms;
constexpr double kInformativeTarget = Bandit::kInformativeTarget, kInformativeOther = Bandit::kInformativeOther,
                 kInformativeHintStep = Bandit::kInformativeHintStep;

class TensorBandit : public TensorEnv {
 public:
  TensorBandit(const EnvSpec& spec, int64_t num_envs, const TensorEnvOptions& options)
      : TensorEnv(spec, num_envs, options),
        task_(spec.config.get_string("task")),
        arms_(spec.config.get_int("arms")),
        trials_(spec.config.get_int("trials")),
        hazard_(spec.config.get_float("hazard")),
        walk_length_(trials_ + trials_ / 2) {
    means_ = at::zeros({num_envs, arms_}, double_options());
    previous_action_ = at::full({num_envs}, -1, long_options());
    previous_reward_ = at::zeros({num_envs}, double_options());
    if (task_ == "restless") {
      walk_ = at::zeros({num_envs, walk_length_}, double_options());
      reversed_ = at::zeros({num_envs}, bool_options());
    }
  }

 protected:
  void reset_rows(const at::Tensor& rows) override {
    const at::Tensor row_mask = rows.unsqueeze(1);
    at::Tensor first;  // the first arm's mean, for the two-armed tasks
    // A pick between a and b: integer(2) == 0 gives a.
    const auto pick = [&](double a, double b) {
      return at::where(random().integer(2, rows) == 0, at::full_like(previous_reward_, a), at::full_like(previous_reward_, b));
    };
    if (task_ == "independent") {
      means_ = at::where(row_mask, random().uniforms(rows, arms_), means_);
    } else if (task_ == "dependent_uniform") {
      first = random().uniform(rows);
    } else if (task_ == "restless") {
      // A walk of 1.5 x trials increments U[-v, v], v ~ U[0, 0.5], rescaled to [0, 1].
      const at::Tensor v = 0.5 * random().uniform(rows);
      const at::Tensor steps = v.unsqueeze(1) * (2 * random().uniforms(rows, walk_length_) - 1);
      const at::Tensor walk = steps.cumsum(1);
      const at::Tensor low = std::get<0>(walk.min(1, true)), span = std::get<0>(walk.max(1, true)) - low;
      const at::Tensor scaled = at::where(span > 0, (walk - low) / span, at::full_like(walk, 0.5));
      walk_ = at::where(row_mask, scaled, walk_);
      reversed_ = reversed_.masked_fill(rows, false);
      first = walk_.select(1, 0);
    } else if (task_ == "easy") {
      first = pick(0.1, 0.9);
    } else if (task_ == "medium") {
      first = pick(0.25, 0.75);
    } else if (task_ == "hard") {
      first = pick(0.4, 0.6);
    } else if (task_ == "informative") {
      const at::Tensor target = random().integer(kInformativeArms - 1, rows).unsqueeze(1);
      const at::Tensor arm = at::arange(kInformativeArms, long_options()).unsqueeze(0);
      at::Tensor means = at::where(arm == target, kInformativeTarget, kInformativeOther).to(at::kDouble);
      means = at::where(arm == kInformativeArms - 1, kInformativeHintStep * (target + 1).to(at::kDouble), means);
      means_ = at::where(row_mask, means, means_);
    } else {
      throw Error("Bandit TensorEnv: unknown task '" + task_ + "'");
    }
    if (first.defined()) set_two_arms(first, rows);
    previous_action_ = previous_action_.masked_fill(rows, -1);
    previous_reward_ = previous_reward_.masked_fill(rows, 0.0);
    write_observations();
  }

  void step_rows(const at::Tensor& actions) override {
    const at::Tensor chosen = means_.gather(1, actions.unsqueeze(1)).squeeze(1);
    const at::Tensor everyone = at::ones({num_envs()}, bool_options());
    const at::Tensor reward =
        task_ == "informative" ? chosen : (random().uniform(everyone) < chosen).to(at::kDouble);
    rewards_ = reward;
    terminations_ = elapsed_steps() >= trials_;
    previous_action_ = actions;
    previous_reward_ = reward;
    write_observations();
    if (task_ == "restless") {
      // After pull t the walk's value t + 1 (swapped while reversed); a swap with probability hazard.
      if (hazard_ > 0) reversed_ = reversed_ ^ (random().uniform(everyone) < hazard_);
      const at::Tensor p = walk_.gather(1, elapsed_steps().clamp_max(walk_length_ - 1).unsqueeze(1)).squeeze(1);
      set_two_arms(at::where(reversed_, 1 - p, p), everyone);
    }
  }

 private:
  // The two-armed tasks: means (p, 1 - p) in `rows`.
  void set_two_arms(const at::Tensor& first, const at::Tensor& rows) {
    at::Tensor means = means_.clone();
    means.select(1, 0).copy_(first);
    if (arms_ == 2 && task_ != "independent") means.select(1, 1).copy_(1.0 - first);
    means_ = at::where(rows.unsqueeze(1), means, means_);
  }

  // bandit.h's arms + 2 numbers: the previous action one-hot, the previous reward, the time.
  void write_observations() {
    const at::Tensor actions = at::arange(arms_, long_options()).unsqueeze(0) == previous_action_.unsqueeze(1);
    const at::Tensor time = (elapsed_steps().to(at::kDouble) / static_cast<double>(trials_)).to(at::kFloat);
    observations_ = at::cat({actions.to(at::kFloat), previous_reward_.to(at::kFloat).unsqueeze(1), time.unsqueeze(1)}, 1);
  }

  std::string task_;
  int64_t arms_, trials_;
  double hazard_;
  int64_t walk_length_;
  at::Tensor means_, previous_action_, previous_reward_, walk_, reversed_;
};

std::unique_ptr<TensorEnv> make_tensor_bandit(const EnvSpec& spec, int64_t num_envs, const TensorEnvOptions& options) {
  return std::make_unique<TensorBandit>(spec, num_envs, options);
}

}  // namespace

DOPA_REGISTER_TENSOR_ENV("Bandit-v0", make_tensor_bandit);
DOPA_REGISTER_TENSOR_ENV("BanditDependentUniform-v0", make_tensor_bandit);
DOPA_REGISTER_TENSOR_ENV("BanditEasy-v0", make_tensor_bandit);
DOPA_REGISTER_TENSOR_ENV("BanditMedium-v0", make_tensor_bandit);
DOPA_REGISTER_TENSOR_ENV("BanditHard-v0", make_tensor_bandit);
DOPA_REGISTER_TENSOR_ENV("BanditRestless-v0", make_tensor_bandit);
DOPA_REGISTER_TENSOR_ENV("BanditInformative-v0", make_tensor_bandit);
DOPA_REGISTER_TENSOR_ENV("BanditKArmed-v0", make_tensor_bandit);

}  // namespace dopa::envs
