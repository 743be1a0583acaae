#include "dopa/core/vector_env.h"

#include <ATen/Functions.h>

#include <cstring>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "dopa/core/strings.h"

namespace dopa {

namespace {

at::ScalarType scalar_type(DType dtype) {
  switch (dtype) {
    case DType::Float32: return at::kFloat;
    case DType::Float64: return at::kDouble;
    case DType::Int64: return at::kLong;
    case DType::UInt8: return at::kByte;
    case DType::Bool: return at::kBool;
  }
  return at::kFloat;
}

std::vector<std::unique_ptr<Env>> make_envs(const std::string& id, int64_t num_envs, const Kwargs& kwargs) {
  if (num_envs < 1) throw Error("a VectorEnv needs at least one env, got num_envs = " + std::to_string(num_envs));
  std::vector<std::unique_ptr<Env>> envs;
  for (int64_t i = 0; i < num_envs; ++i) envs.push_back(make(id, kwargs));
  return envs;
}

std::string shape_text(at::IntArrayRef shape) {
  std::string out = "(";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace

const char* autoreset_mode_name(AutoresetMode mode) {
  switch (mode) {
    case AutoresetMode::NextStep: return "next_step";
    case AutoresetMode::SameStep: return "same_step";
    case AutoresetMode::Disabled: return "disabled";
  }
  return "?";
}

AutoresetMode parse_autoreset_mode(const std::string& name) {
  if (name == "next_step") return AutoresetMode::NextStep;
  if (name == "same_step") return AutoresetMode::SameStep;
  if (name == "disabled") return AutoresetMode::Disabled;
  throw Error("unknown autoreset mode '" + name + "'; valid: next_step, same_step, disabled");
}

VectorEnv::VectorEnv(const std::string& id, int64_t num_envs, const Kwargs& kwargs, VectorEnvOptions options)
    : VectorEnv(make_envs(id, num_envs, kwargs), options) {}

VectorEnv::VectorEnv(std::vector<std::unique_ptr<Env>> envs, VectorEnvOptions options)
    : options_(options),
      envs_(std::move(envs)),
      pool_(options.num_threads > 0 ? options.num_threads : hardware_threads()) {
  if (envs_.empty()) throw Error("a VectorEnv needs at least one env");
  for (const auto& env : envs_) {
    if (!(env->observation_space() == envs_[0]->observation_space()) ||
        !(env->action_space() == envs_[0]->action_space()) ||
        env->spec().info_size != envs_[0]->spec().info_size)
      throw Error("the envs of a VectorEnv must share their spaces and info keys");
  }
  needs_autoreset_.assign(envs_.size(), 0);
  action_batch_shape_ = {num_envs()};
  const auto& action_shape = single_action_space().shape();
  action_batch_shape_.insert(action_batch_shape_.end(), action_shape.begin(), action_shape.end());
  allocate();
}

void VectorEnv::allocate() {
  const int64_t n = num_envs();
  const Space& obs_space = single_observation_space();
  std::vector<int64_t> obs_shape{n};
  obs_shape.insert(obs_shape.end(), obs_space.shape().begin(), obs_space.shape().end());
  const auto obs_options = at::TensorOptions().dtype(scalar_type(obs_space.dtype()));
  observations_ = at::zeros(obs_shape, obs_options);
  final_observations_ = at::zeros(obs_shape, obs_options);
  obs_row_bytes_ = obs_space.size() * static_cast<int64_t>(dtype_size(obs_space.dtype()));
  rewards_ = at::zeros({n}, at::kDouble);
  terminations_ = at::zeros({n}, at::kBool);
  truncations_ = at::zeros({n}, at::kBool);
  episode_returns_ = at::zeros({n}, at::kDouble);
  episode_lengths_ = at::zeros({n}, at::kLong);
  final_mask_ = at::zeros({n}, at::kBool);
  info_values_ = at::zeros({n, std::max<int64_t>(1, spec().info_size)}, at::kDouble);
  info_present_ = at::zeros({n, std::max<int64_t>(1, static_cast<int64_t>(spec().info_keys.size()))}, at::kBool);
  ptr_.observations = static_cast<unsigned char*>(observations_.data_ptr());
  ptr_.final_observations = static_cast<unsigned char*>(final_observations_.data_ptr());
  ptr_.rewards = rewards_.data_ptr<double>();
  ptr_.terminations = terminations_.data_ptr<bool>();
  ptr_.truncations = truncations_.data_ptr<bool>();
  ptr_.episode_returns = episode_returns_.data_ptr<double>();
  ptr_.episode_lengths = episode_lengths_.data_ptr<int64_t>();
  ptr_.final_mask = final_mask_.data_ptr<bool>();
  ptr_.info_values = info_values_.data_ptr<double>();
  ptr_.info_present = info_present_.data_ptr<bool>();
  ptr_.info_stride = info_values_.size(1);
  ptr_.present_stride = info_present_.size(1);
}

ObsOut VectorEnv::obs_row(unsigned char* buffer, int64_t i) const {
  const Space& space = single_observation_space();
  return ObsOut(buffer + i * obs_row_bytes_, space.dtype(), space.size());
}

InfoOut VectorEnv::info_row(int64_t i) {
  bool* present = ptr_.info_present + i * ptr_.present_stride;
  std::memset(present, 0, ptr_.present_stride);
  return InfoOut(ptr_.info_values + i * ptr_.info_stride, present, &spec().info_offsets);
}

Action VectorEnv::action_row(const at::Tensor& actions, int64_t i) const {
  if (single_action_space().is_discrete()) return Action(actions.data_ptr<int64_t>()[i]);
  const int64_t size = single_action_space().size();
  return Action(actions.data_ptr<float>() + i * size, size);
}

void VectorEnv::reset(std::optional<uint64_t> seed, const at::Tensor& mask) {
  const bool* selected = nullptr;
  at::Tensor mask_cpu;
  if (mask.defined()) {
    if (mask.dim() != 1 || mask.size(0) != num_envs())
      throw Error("reset mask must have shape (" + std::to_string(num_envs()) + ",), got " + shape_text(mask.sizes()));
    mask_cpu = mask.to(at::kCPU).to(at::kBool).contiguous();
    selected = mask_cpu.data_ptr<bool>();
  }
  pool_.parallel_for(num_envs(), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      if (selected != nullptr && !selected[i]) continue;
      std::optional<uint64_t> env_seed;
      if (seed) env_seed = *seed + static_cast<uint64_t>(i);
      envs_[i]->reset(env_seed, obs_row(ptr_.observations, i), info_row(i));
      needs_autoreset_[i] = 0;
      ptr_.rewards[i] = 0.0;
      ptr_.terminations[i] = false;
      ptr_.truncations[i] = false;
      ptr_.final_mask[i] = false;
    }
  });
}

void VectorEnv::step_one(int64_t i, const at::Tensor& actions) {
  double& reward = ptr_.rewards[i];
  bool& terminated = ptr_.terminations[i];
  bool& truncated = ptr_.truncations[i];
  Env& env = *envs_[i];

  if (options_.autoreset == AutoresetMode::NextStep && needs_autoreset_[i]) {
    env.reset(std::nullopt, obs_row(ptr_.observations, i), info_row(i));
    needs_autoreset_[i] = 0;
    reward = 0.0;
    terminated = truncated = false;
    return;
  }
  if (options_.autoreset == AutoresetMode::SameStep) ptr_.final_mask[i] = false;

  const StepResult result = env.step(action_row(actions, i), obs_row(ptr_.observations, i), info_row(i));
  reward = result.reward;
  terminated = result.terminated;
  truncated = result.truncated;
  if (!result.done()) return;

  ptr_.episode_returns[i] = result.episode_return;
  ptr_.episode_lengths[i] = result.episode_length;
  switch (options_.autoreset) {
    case AutoresetMode::NextStep: needs_autoreset_[i] = 1; break;
    case AutoresetMode::SameStep:
      std::memcpy(ptr_.final_observations + i * obs_row_bytes_, ptr_.observations + i * obs_row_bytes_,
                  obs_row_bytes_);
      ptr_.final_mask[i] = true;
      // The reset's info replaces the final step's info (Gymnasium keeps it in final_info).
      env.reset(std::nullopt, obs_row(ptr_.observations, i), info_row(i));
      break;
    case AutoresetMode::Disabled: break;
  }
}

void VectorEnv::step(const at::Tensor& actions) {
  const Space& space = single_action_space();
  if (!actions.defined() || actions.sizes() != at::IntArrayRef(action_batch_shape_))
    throw Error(spec().id + " VectorEnv: actions must have shape " + shape_text(action_batch_shape_) + ", got " +
                (actions.defined() ? shape_text(actions.sizes()) : "none"));
  const at::ScalarType want = space.is_discrete() ? at::kLong : at::kFloat;
  at::Tensor batch = actions;
  // The common case (CPU, right dtype, contiguous) takes no torch call: it would cost more than a step.
  if (!(actions.device().is_cpu() && actions.scalar_type() == want && actions.is_contiguous())) {
    if (space.is_discrete() && actions.is_floating_point()) {
      // 1.5 must not silently become 1.
      const at::Tensor exact = actions.to(at::kCPU).to(at::kDouble);
      if (!exact.eq(exact.floor()).all().item<bool>())
        throw Error(spec().id + " VectorEnv: Discrete actions must be whole numbers");
    }
    batch = actions.to(at::kCPU).to(want).contiguous();
  }
  // Check every action before stepping any env, so that an error leaves the batch untouched.
  for (int64_t i = 0; i < num_envs(); ++i) {
    const bool ignored = options_.autoreset == AutoresetMode::NextStep && needs_autoreset_[i];
    if (ignored) continue;
    if (envs_[i]->needs_reset())
      throw Error(spec().id + " VectorEnv: env " + std::to_string(i) +
                  " ended its episode and autoreset is disabled; reset it (reset with a mask) before stepping");
    try {
      envs_[i]->check_action(action_row(batch, i));
    } catch (const Error& e) {
      throw Error("env " + std::to_string(i) + " of the VectorEnv: " + e.what());
    }
  }
  pool_.parallel_for(num_envs(), [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) step_one(i, batch);
  });
}

at::Tensor VectorEnv::info(const std::string& key) const {
  const int index = spec().info_index(key);
  if (index < 0) {
    std::vector<std::string> names;
    for (const auto& k : info_keys()) names.push_back(k.name);
    throw Error(spec().id + " has no info key '" + key + "'." + did_you_mean(key, names) +
                " Keys: " + (names.empty() ? "none" : join(names)));
  }
  const int64_t offset = spec().info_offsets[index];
  return info_values_.narrow(1, offset, spec().info_keys[index].size);
}

at::Tensor VectorEnv::info_mask(const std::string& key) const {
  const int index = spec().info_index(key);
  if (index < 0) info(key);  // throws the same message
  return info_present_.select(1, index);
}

}  // namespace dopa
