#include "dopa/core/tensor_env.h"

#include <ATen/ATen.h>

#include <map>
#include <sstream>

#include "dopa/core/error.h"
#include "dopa/core/strings.h"

namespace dopa {

TensorEnv::TensorEnv(EnvSpec spec, int64_t num_envs, const TensorEnvOptions& options)
    : spec_(std::move(spec)),
      num_envs_(num_envs),
      device_(options.device),
      check_actions_(options.check_actions),
      random_(make_random_source(options.random, num_envs, options.device, options.seeding)) {
  if (num_envs < 1) throw Error(spec_.id + " TensorEnv: num_envs must be >= 1, got " + std::to_string(num_envs));
  if (!spec_.action_space.is_discrete())
    throw Error(spec_.id + " TensorEnv: only Discrete action spaces are supported");
  std::vector<int64_t> obs_shape = {num_envs};
  for (int64_t d : spec_.observation_space.shape()) obs_shape.push_back(d);
  observations_ = at::zeros(obs_shape, float_options());
  final_observations_ = at::zeros(obs_shape, float_options());
  rewards_ = at::zeros({num_envs}, double_options());
  episode_returns_ = at::zeros({num_envs}, double_options());
  running_returns_ = at::zeros({num_envs}, double_options());
  terminations_ = at::zeros({num_envs}, bool_options());
  truncations_ = at::zeros({num_envs}, bool_options());
  final_mask_ = at::zeros({num_envs}, bool_options());
  elapsed_ = at::zeros({num_envs}, long_options());
  episode_lengths_ = at::zeros({num_envs}, long_options());
}

at::TensorOptions TensorEnv::float_options() const { return at::TensorOptions().dtype(at::kFloat).device(device_); }
at::TensorOptions TensorEnv::double_options() const { return at::TensorOptions().dtype(at::kDouble).device(device_); }
at::TensorOptions TensorEnv::long_options() const { return at::TensorOptions().dtype(at::kLong).device(device_); }
at::TensorOptions TensorEnv::bool_options() const { return at::TensorOptions().dtype(at::kBool).device(device_); }

void TensorEnv::reset(uint64_t seed) {
  random_->seed(seed);
  elapsed_ = at::zeros_like(elapsed_);
  running_returns_.zero_();
  rewards_.zero_();
  terminations_.zero_();
  truncations_.zero_();
  final_mask_.zero_();
  reset_rows(at::ones({num_envs_}, bool_options()));
}

void TensorEnv::step(const at::Tensor& actions) {
  if (!actions.defined() || actions.dim() != 1 || actions.size(0) != num_envs_)
    throw Error(spec_.id + " TensorEnv: actions must have shape (" + std::to_string(num_envs_) + ",), got " +
                (actions.defined() ? c10::str(actions.sizes()) : "none"));
  if (actions.is_floating_point() || actions.scalar_type() == at::kBool)
    throw Error(spec_.id + " TensorEnv: Discrete actions must be an integer tensor");
  const at::Tensor a = actions.to(device_, at::kLong);
  if (check_actions_) {
    const Space& space = spec_.action_space;
    const at::Tensor bad = (a < space.start()) | (a >= space.start() + space.n());
    if (bad.any().item<bool>()) {
      const int64_t row = bad.nonzero()[0][0].item<int64_t>();
      throw Error(spec_.id + " TensorEnv: env " + std::to_string(row) + ": action " +
                  std::to_string(a[row].item<int64_t>()) + " is outside " + space.to_string());
    }
  }
  elapsed_ = elapsed_ + 1;
  step_rows(a - spec_.action_space.start());
  if (spec_.max_episode_steps > 0) {
    truncations_ = elapsed_ >= spec_.max_episode_steps;
  }
  running_returns_ += rewards_;
  const at::Tensor ended = terminations_ | truncations_;
  final_mask_ = ended;
  episode_returns_ = at::where(ended, running_returns_, at::zeros_like(running_returns_));
  episode_lengths_ = at::where(ended, elapsed_, at::zeros_like(elapsed_));
  // One host sync per step: most steps end no episode, and a reset costs more than the check.
  if (ended.any().item<bool>()) {
    const at::Tensor ended_rows = ended.view({num_envs_, -1}).expand({num_envs_, observations_[0].numel()});
    final_observations_ = at::where(ended_rows.view(observations_.sizes()), observations_, final_observations_);
    running_returns_.masked_fill_(ended, 0.0);
    elapsed_ = elapsed_.masked_fill(ended, 0);
    reset_rows(ended);
  }
}

namespace {

std::map<std::string, TensorEnvFactory>& tensor_env_factories() {
  static std::map<std::string, TensorEnvFactory> factories;
  return factories;
}

}  // namespace

void register_tensor_env(const std::string& id, TensorEnvFactory factory) {
  if (!tensor_env_factories().emplace(id, std::move(factory)).second)
    throw Error("tensor env '" + id + "' is already registered");
}

bool has_tensor_env(const std::string& id) { return tensor_env_factories().count(id) > 0; }

std::vector<std::string> tensor_env_ids() {
  std::vector<std::string> ids;
  for (const auto& [id, factory] : tensor_env_factories()) ids.push_back(id);
  return ids;
}

std::unique_ptr<TensorEnv> make_tensor_env(const std::string& id, int64_t num_envs, const Kwargs& kwargs,
                                           const TensorEnvOptions& options) {
  const auto found = tensor_env_factories().find(id);
  if (found == tensor_env_factories().end())
    throw Error("'" + id + "' has no tensor version; these do: " + join(tensor_env_ids()));
  const std::unique_ptr<Env> cpu_env = make(id, kwargs);  // checks the kwargs, resolves the spec
  return found->second(cpu_env->spec(), num_envs, options);
}

}  // namespace dopa
