#include "dopa/core/vector_env.h"

#include <ATen/Context.h>
#include <ATen/Functions.h>

#include <cstring>

#include "dopa/core/error.h"
#include "dopa/core/memory.h"
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

// Builds the envs once they are known to fit in memory: the first one's heap footprint, measured,
// and a VectorEnv's buffers for its observations and step results, times num_envs.
std::vector<std::unique_ptr<Env>> make_envs(const std::string& id, int64_t num_envs, const Kwargs& kwargs) {
  if (num_envs < 1) throw Error("a VectorEnv needs at least one env, got num_envs = " + std::to_string(num_envs));
  std::vector<std::unique_ptr<Env>> envs;
  const int64_t env_bytes = heap_bytes_of([&] { envs.push_back(make(id, kwargs)); });
  const Space& obs = envs[0]->observation_space();
  const int64_t buffer_bytes = 2 * obs.size() * static_cast<int64_t>(dtype_size(obs.dtype())) + 64;
  check_fits_in_memory(static_cast<double>(num_envs) * static_cast<double>(env_bytes + buffer_bytes),
                       std::to_string(num_envs) + " x " + id,
                       memory_text(static_cast<double>(env_bytes + buffer_bytes)) + " per env");
  envs.reserve(static_cast<size_t>(num_envs));
  for (int64_t i = 1; i < num_envs; ++i) envs.push_back(make(id, kwargs));
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
  records_.resize(envs_.size());
  needs_autoreset_.assign(envs_.size(), 0);
  const Space& obs_space = single_observation_space();
  const Space& action_space = single_action_space();
  obs_dtype_ = obs_space.dtype();
  obs_size_ = obs_space.size();
  obs_row_bytes_ = obs_size_ * static_cast<int64_t>(dtype_size(obs_dtype_));
  action_discrete_ = action_space.is_discrete();
  action_size_ = action_space.size();
  action_low_ = action_space.start();
  action_high_ = action_space.start() + action_space.n() - 1;
  num_info_keys_ = static_cast<int64_t>(spec().info_keys.size());
  action_batch_shape_ = {num_envs()};
  action_batch_shape_.insert(action_batch_shape_.end(), action_space.shape().begin(), action_space.shape().end());
  allocate();
}

void VectorEnv::allocate() {
  const int64_t n = num_envs();
  std::vector<int64_t> obs_shape{n};
  obs_shape.insert(obs_shape.end(), single_observation_space().shape().begin(), single_observation_space().shape().end());
  // Pinned (page-locked) buffers let a GPU policy copy them asynchronously; only with CUDA.
  const auto buffer = at::TensorOptions().pinned_memory(options_.pinned && at::hasCUDA());
  observations_ = at::zeros(obs_shape, buffer.dtype(scalar_type(obs_dtype_)));
  final_observations_ = at::zeros(obs_shape, buffer.dtype(scalar_type(obs_dtype_)));
  rewards_ = at::zeros({n}, buffer.dtype(at::kDouble));
  terminations_ = at::zeros({n}, buffer.dtype(at::kBool));
  truncations_ = at::zeros({n}, buffer.dtype(at::kBool));
  episode_returns_ = at::zeros({n}, at::kDouble);
  episode_lengths_ = at::zeros({n}, at::kLong);
  final_mask_ = at::zeros({n}, buffer.dtype(at::kBool));
  info_values_ = at::zeros({n, std::max<int64_t>(1, spec().info_size)}, at::kDouble);
  info_present_ = at::zeros({n, std::max<int64_t>(1, num_info_keys_)}, at::kBool);
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

InfoOut VectorEnv::info_row(int64_t i) {
  if (num_info_keys_ == 0) return InfoOut();
  bool* present = ptr_.info_present + i * ptr_.present_stride;
  for (int64_t k = 0; k < num_info_keys_; ++k) present[k] = false;
  return InfoOut(ptr_.info_values + i * ptr_.info_stride, present, &spec().info_offsets);
}

// Copies env i's step record into the batch buffers.
void VectorEnv::gather(int64_t i) {
  const StepRecord& record = records_[i];
  ptr_.rewards[i] = record.reward;
  ptr_.terminations[i] = record.terminated;
  ptr_.truncations[i] = record.truncated;
  ptr_.final_mask[i] = record.final;
  if (record.terminated || record.truncated) {
    ptr_.episode_returns[i] = record.episode_return;
    ptr_.episode_lengths[i] = record.episode_length;
  }
}

void VectorEnv::reset_one(int64_t i, std::optional<uint64_t> seed) {
  envs_[i]->reset(seed, obs_row(ptr_.observations, i), info_row(i));
  needs_autoreset_[i] = 0;
  records_[i] = StepRecord{};
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
      reset_one(i, seed ? std::optional<uint64_t>(env_seed(*seed, static_cast<uint64_t>(i), options_.seeding))
                        : std::nullopt);
      gather(i);
    }
  });
}

void VectorEnv::step_range(int64_t begin, int64_t end, const void* actions) {
  for (int64_t i = begin; i < end; ++i) {
    if (needs_autoreset_[i]) {  // NextStep: this step resets and ignores the action
      reset_one(i, std::nullopt);
      continue;
    }
    // check_actions() has checked the action and that the episode is running.
    const StepResult result =
        envs_[i]->step_checked(action_row(actions, i), obs_row(ptr_.observations, i), info_row(i));
    StepRecord& record = records_[i];
    record.reward = result.reward;
    record.terminated = result.terminated;
    record.truncated = result.truncated;
    record.final = false;
    if (result.done()) end_episode(i, result);
  }
  for (int64_t i = begin; i < end; ++i) gather(i);
}

void VectorEnv::end_episode(int64_t i, const StepResult& result) {
  StepRecord& record = records_[i];
  record.episode_return = result.episode_return;
  record.episode_length = result.episode_length;
  switch (options_.autoreset) {
    case AutoresetMode::NextStep: needs_autoreset_[i] = 1; break;
    case AutoresetMode::SameStep:
      std::memcpy(ptr_.final_observations + i * obs_row_bytes_, ptr_.observations + i * obs_row_bytes_,
                  obs_row_bytes_);
      record.final = true;
      // The reset's info replaces the final step's info (Gymnasium keeps it in final_info).
      envs_[i]->reset(std::nullopt, obs_row(ptr_.observations, i), info_row(i));
      break;
    case AutoresetMode::Disabled: break;
  }
}

// Checks every action before any env steps, so that an error leaves the batch untouched. Reads
// only the actions, the batch flags and cached space bounds (the envs live in other threads' caches).
void VectorEnv::check_actions(const void* actions) const {
  const int64_t n = num_envs();
  const bool* terminated = ptr_.terminations;
  const bool* truncated = ptr_.truncations;
  bool any_bad = false;
  if (action_discrete_ && options_.autoreset == AutoresetMode::NextStep) {
    // The common case, branch-free: rows whose episode ended in the last step ignore their action.
    const int64_t* a = static_cast<const int64_t*>(actions);
    for (int64_t i = 0; i < n; ++i)
      any_bad |= (a[i] < action_low_ || a[i] > action_high_) & !(terminated[i] | truncated[i]);
    if (!any_bad) return;
  }
  // The general case, which also finds the offending env for the message.
  const Space& space = single_action_space();
  for (int64_t i = 0; i < n; ++i) {
    const bool ended = terminated[i] || truncated[i];
    if (options_.autoreset == AutoresetMode::NextStep && ended) continue;
    if (options_.autoreset == AutoresetMode::Disabled && ended)
      throw Error(spec().id + " VectorEnv: env " + std::to_string(i) +
                  " ended its episode and autoreset is disabled; reset it (reset with a mask) before stepping");
    if (action_discrete_) {
      const int64_t a = static_cast<const int64_t*>(actions)[i];
      if (a >= action_low_ && a <= action_high_) continue;
    } else {
      const float* a = static_cast<const float*>(actions) + i * action_size_;
      bool ok = true;
      for (int64_t k = 0; k < action_size_; ++k) ok = ok && a[k] >= space.low()[k] && a[k] <= space.high()[k];
      if (ok) continue;
    }
    try {
      envs_[i]->check_action(action_row(actions, i));
    } catch (const Error& e) {
      throw Error("env " + std::to_string(i) + " of the VectorEnv: " + e.what());
    }
  }
}

void VectorEnv::step(const at::Tensor& actions) {
  if (!actions.defined() || actions.sizes() != at::IntArrayRef(action_batch_shape_))
    throw Error(spec().id + " VectorEnv: actions must have shape " + shape_text(action_batch_shape_) + ", got " +
                (actions.defined() ? shape_text(actions.sizes()) : "none"));
  const at::ScalarType want = action_discrete_ ? at::kLong : at::kFloat;
  at::Tensor batch = actions;
  // The common case (CPU, right dtype, contiguous) takes no torch call: it would cost more than a step.
  if (!(actions.device().is_cpu() && actions.scalar_type() == want && actions.is_contiguous())) {
    if (action_discrete_ && actions.is_floating_point()) {
      // 1.5 must not silently become 1.
      const at::Tensor exact = actions.to(at::kCPU).to(at::kDouble);
      if (!exact.eq(exact.floor()).all().item<bool>())
        throw Error(spec().id + " VectorEnv: Discrete actions must be whole numbers");
    }
    batch = actions.to(at::kCPU).to(want).contiguous();
  }
  const void* data = batch.data_ptr();
  check_actions(data);
  // Each thread steps its range of envs into their records, then writes the range's results into the
  // batch buffers in one burst (a cache line shared with another thread's range changes hands once).
  if (pool_.num_threads() == 1) {
    step_range(0, num_envs(), data);
  } else {
    pool_.parallel_for(num_envs(), [&](int64_t begin, int64_t end) { step_range(begin, end, data); });
  }
}

// Snapshots: a header line, then length-prefixed fields ("<bytes>\n<data>").
namespace {

void write_field(std::string& out, const void* data, size_t size) {
  out += std::to_string(size) + "\n";
  out.append(static_cast<const char*>(data), size);
}
void write_field(std::string& out, const std::string& text) { write_field(out, text.data(), text.size()); }
void write_field(std::string& out, const at::Tensor& t) {
  write_field(out, t.data_ptr(), static_cast<size_t>(t.numel()) * t.element_size());
}

class FieldReader {
 public:
  explicit FieldReader(const std::string& data) : data_(data) {}
  std::string next() {
    const size_t newline = data_.find('\n', pos_);
    if (newline == std::string::npos) throw Error("the VectorEnv snapshot is truncated");
    const size_t size = std::stoull(data_.substr(pos_, newline - pos_));
    if (newline + 1 + size > data_.size()) throw Error("the VectorEnv snapshot is truncated");
    pos_ = newline + 1 + size;
    return data_.substr(newline + 1, size);
  }
  void into(at::Tensor& t) {
    const std::string bytes = next();
    if (bytes.size() != static_cast<size_t>(t.numel()) * t.element_size())
      throw Error("the VectorEnv snapshot's buffers do not fit this VectorEnv");
    std::memcpy(t.data_ptr(), bytes.data(), bytes.size());
  }

 private:
  const std::string& data_;
  size_t pos_ = 0;
};

constexpr const char* kSnapshotMagic = "dopa-vector-env-snapshot 1";

}  // namespace

std::string VectorEnv::fingerprint() const {
  std::string kwargs;
  for (const auto& [key, value] : spec().config.values()) kwargs += " " + key + "=" + value.to_string();
  return spec().id + " x " + std::to_string(num_envs()) + ", autoreset " + autoreset_mode_name(options_.autoreset) +
         ", kwargs" + (kwargs.empty() ? " none" : kwargs);
}

void VectorEnv::record_for_snapshots() {
  for (auto& env : envs_) env->record_for_snapshots(true);
}

std::string VectorEnv::snapshot() const {
  std::string out;
  write_field(out, kSnapshotMagic);
  write_field(out, fingerprint());
  for (const at::Tensor* t : {&observations_, &final_observations_, &rewards_, &terminations_, &truncations_,
                              &episode_returns_, &episode_lengths_, &final_mask_, &info_values_, &info_present_})
    write_field(out, *t);
  write_field(out, needs_autoreset_.data(), needs_autoreset_.size());
  for (const auto& env : envs_) write_field(out, env->snapshot());
  return out;
}

bool VectorEnv::snapshot_fits(const std::string& snapshot) const {
  try {
    FieldReader in(snapshot);
    return in.next() == kSnapshotMagic && in.next() == fingerprint();
  } catch (const Error&) {
    return false;
  }
}

void VectorEnv::restore_snapshot(const std::string& snapshot) {
  FieldReader in(snapshot);
  if (in.next() != kSnapshotMagic) throw Error("not a VectorEnv snapshot (or a newer format)");
  const std::string taken_from = in.next();
  if (taken_from != fingerprint())
    throw Error("the envs snapshot was taken from " + taken_from + "; these are " + fingerprint());
  for (at::Tensor* t : {&observations_, &final_observations_, &rewards_, &terminations_, &truncations_,
                        &episode_returns_, &episode_lengths_, &final_mask_, &info_values_, &info_present_})
    in.into(*t);
  const std::string autoreset = in.next();
  if (autoreset.size() != needs_autoreset_.size()) throw Error("the VectorEnv snapshot is malformed");
  std::memcpy(needs_autoreset_.data(), autoreset.data(), autoreset.size());
  for (auto& env : envs_) env->restore_snapshot(in.next());
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
