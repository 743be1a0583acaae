#include "dopa/core/env.h"

#include <cmath>
#include <cstring>
#include <random>
#include <sstream>

#include "dopa/core/error.h"

namespace dopa {

std::string Action::to_string() const {
  if (is_index_) return std::to_string(index_);
  std::ostringstream out;
  out << "[";
  for (int64_t i = 0; i < size_; ++i) out << (i ? ", " : "") << values_[i];
  out << "]";
  return out.str();
}

int EnvSpec::info_index(const std::string& key) const {
  for (size_t i = 0; i < info_keys.size(); ++i)
    if (info_keys[i].name == key) return static_cast<int>(i);
  return -1;
}

Env::Env(Space observation_space, Space action_space, std::vector<InfoKey> info_keys) {
  if (!action_space.is_discrete() && action_space.dtype() != DType::Float32)
    throw std::logic_error("Box action spaces must be float32");
  spec_.observation_space = std::move(observation_space);
  spec_.action_space = std::move(action_space);
  spec_.info_keys = std::move(info_keys);
  for (const auto& key : spec_.info_keys) {
    spec_.info_offsets.push_back(spec_.info_size);
    spec_.info_size += key.size;
  }
}

const std::string& Env::name() const {
  static const std::string unnamed = "env";
  return spec_.id.empty() ? unnamed : spec_.id;
}

void Env::reset(std::optional<uint64_t> seed, ObsOut obs, InfoOut info) {
  if (seed) {
    rng_.seed(*seed);
    seeded_ = true;
  } else if (!seeded_) {
    std::random_device entropy;
    rng_.seed((static_cast<uint64_t>(entropy()) << 32) ^ entropy());
    seeded_ = true;
  }
  elapsed_steps_ = 0;
  episode_return_ = 0.0;
  needs_reset_ = false;
  ever_reset_ = true;
  if (recording_) {
    episode_rng_ = rng_;
    episode_carried_state_ = carried_state();
    episode_indices_.clear();
    episode_values_.clear();
  }
  reset_impl(obs, info);
}

void Env::check_action(const Action& action) const {
  const Space& space = action_space();
  if (space.is_discrete()) {
    if (!action.is_index())
      throw Error(name() + ": action " + action.to_string() + " is a vector; " + space.to_string() +
                  " takes one integer");
    if (action.index() < space.start() || action.index() >= space.start() + space.n())
      throw Error(name() + ": action " + action.to_string() + " is outside " + space.to_string());
    return;
  }
  if (action.is_index() || action.size() != space.size())
    throw Error(name() + ": action " + action.to_string() + " has " + std::to_string(action.size()) +
                " value(s); " + space.to_string() + " takes " + std::to_string(space.size()));
  for (int64_t i = 0; i < space.size(); ++i) {
    const double v = action.values()[i];
    if (std::isnan(v)) throw Error(name() + ": action " + action.to_string() + " contains NaN");
    if (v < space.low()[i] || v > space.high()[i])
      throw Error(name() + ": action " + action.to_string() + " is outside " + space.to_string() +
                  " (element " + std::to_string(i) + ")");
  }
}

StepResult Env::step(const Action& action, ObsOut obs, InfoOut info) {
  if (needs_reset_) {
    throw Error(name() + (ever_reset_ ? ": step() after the episode ended (terminated or truncated); call reset() first"
                                      : ": step() before the first reset()"));
  }
  check_action(action);
  return step_checked(action, obs, info);
}

StepResult Env::step_checked(const Action& action, ObsOut obs, InfoOut info) {
  if (recording_) {
    if (action.is_index()) episode_indices_.push_back(action.index());
    else episode_values_.insert(episode_values_.end(), action.values(), action.values() + action.size());
  }
  ++elapsed_steps_;
  StepResult result = step_impl(action, obs, info);
  episode_return_ += result.reward;
  if (time_limit_ > 0 && elapsed_steps_ >= time_limit_) result.truncated = true;
  if (result.done()) {
    needs_reset_ = true;
    result.episode_return = episode_return_;
    result.episode_length = elapsed_steps_;
  }
  return result;
}

void Env::record_for_snapshots(bool on) {
  if (on && !recording_ && ever_reset_)
    throw Error(name() + ": record_for_snapshots() must be turned on before the first reset()");
  recording_ = on;
}

// The snapshot, in text: "dopa-env-snapshot 1", then the flags, the episode's RNG state and
// elapsed steps, then the actions (floats as their bit patterns, so they come back exactly).
std::string Env::snapshot() const {
  if (!recording_) throw Error(name() + ": snapshot() needs record_for_snapshots(true) from the first reset");
  std::ostringstream out;
  out << "dopa-env-snapshot 1\n" << ever_reset_ << " " << needs_reset_ << " " << elapsed_steps_ << "\n"
      << episode_rng_.save() << "\n" << episode_carried_state_.size() << "\n" << episode_carried_state_ << "\n";
  out << episode_indices_.size() << " " << episode_values_.size() << "\n";
  for (int64_t a : episode_indices_) out << a << " ";
  for (float v : episode_values_) {
    uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    out << bits << " ";
  }
  return out.str();
}

void Env::restore_snapshot(const std::string& snapshot) {
  std::istringstream in(snapshot);
  std::string magic, version;
  bool ever_reset = false, needs_reset = false;
  int64_t elapsed = 0;
  uint64_t rng_words[4];
  size_t num_indices = 0, num_values = 0;
  in >> magic >> version >> ever_reset >> needs_reset >> elapsed;
  for (uint64_t& w : rng_words) in >> w;
  size_t carried_size = 0;
  in >> carried_size;
  in.ignore(1);
  std::string carried(carried_size, '\0');
  in.read(carried.data(), static_cast<std::streamsize>(carried_size));
  in >> num_indices >> num_values;
  if (!in || magic != "dopa-env-snapshot" || version != "1")
    throw Error(name() + ": not an env snapshot (or a newer format)");
  std::vector<int64_t> indices(num_indices);
  std::vector<float> values(num_values);
  for (int64_t& a : indices) in >> a;
  for (float& v : values) {
    uint32_t bits = 0;
    in >> bits;
    std::memcpy(&v, &bits, sizeof v);
  }
  if (!in) throw Error(name() + ": the env snapshot is truncated");
  recording_ = true;
  if (!ever_reset) return;  // nothing happened yet

  // Replay: the episode's reset with its RNG, then its actions.
  std::vector<unsigned char> scratch(observation_space().size() * dtype_size(observation_space().dtype()));
  const ObsOut obs(scratch.data(), observation_space().dtype(), observation_space().size());
  episode_rng_.load(std::to_string(rng_words[0]) + " " + std::to_string(rng_words[1]) + " " +
                    std::to_string(rng_words[2]) + " " + std::to_string(rng_words[3]));
  rng_ = episode_rng_;
  episode_carried_state_ = carried;
  set_carried_state(carried);
  seeded_ = true;
  elapsed_steps_ = 0;
  episode_return_ = 0.0;
  needs_reset_ = false;
  ever_reset_ = true;
  episode_indices_.clear();
  episode_values_.clear();
  reset_impl(obs, InfoOut());
  const int64_t action_size = action_space().is_discrete() ? 1 : action_space().size();
  const size_t steps = action_space().is_discrete() ? indices.size() : values.size() / action_size;
  for (size_t t = 0; t < steps; ++t) {
    if (needs_reset_) throw Error(name() + ": the env snapshot does not replay (its episode ended early)");
    const Action action = action_space().is_discrete() ? Action(indices[t]) : Action(&values[t * action_size], action_size);
    step_checked(action, obs, InfoOut());
  }
  if (elapsed_steps_ != elapsed || needs_reset_ != needs_reset)
    throw Error(name() + ": the env snapshot does not replay (was it taken with other kwargs?)");
}

std::vector<double> Env::state() const { throw Error(name() + " does not expose its physical state"); }

void Env::set_state(const std::vector<double>&, ObsOut) {
  throw Error(name() + " does not expose its physical state");
}

EnvSession::EnvSession(Env& env)
    : env_(env),
      raw_obs_(env.observation_space().size() * dtype_size(env.observation_space().dtype())),
      obs_(env.observation_space().size()),
      info_values_(env.spec().info_size),
      info_present_(new bool[env.spec().info_keys.size() + 1]()) {}

InfoOut EnvSession::info_out() {
  std::memset(info_present_.get(), 0, env_.spec().info_keys.size());
  return InfoOut(info_values_.data(), info_present_.get(), &env_.spec().info_offsets);
}

void EnvSession::convert_obs() {
  const Space& space = env_.observation_space();
  for (int64_t i = 0; i < space.size(); ++i) {
    switch (space.dtype()) {
      case DType::Float32: obs_[i] = reinterpret_cast<const float*>(raw_obs_.data())[i]; break;
      case DType::Float64: obs_[i] = reinterpret_cast<const double*>(raw_obs_.data())[i]; break;
      case DType::Int64: obs_[i] = static_cast<double>(reinterpret_cast<const int64_t*>(raw_obs_.data())[i]); break;
      case DType::UInt8: obs_[i] = raw_obs_[i]; break;
      case DType::Bool: obs_[i] = raw_obs_[i] ? 1.0 : 0.0; break;
    }
  }
}

const std::vector<double>& EnvSession::reset(std::optional<uint64_t> seed) {
  env_.reset(seed, obs_out(), info_out());
  convert_obs();
  return obs_;
}

StepResult EnvSession::step(const Action& action) {
  const StepResult result = env_.step(action, obs_out(), info_out());
  convert_obs();
  return result;
}

const std::vector<double>& EnvSession::set_state(const std::vector<double>& state) {
  env_.set_state(state, obs_out());
  convert_obs();
  return obs_;
}

bool EnvSession::has_info(const std::string& key) const {
  const int index = env_.spec().info_index(key);
  return index >= 0 && info_present_[index];
}

double EnvSession::info(const std::string& key, int64_t element) const {
  const int index = env_.spec().info_index(key);
  if (index < 0 || !info_present_[index]) throw Error(env_.name() + ": no info '" + key + "' in the last step");
  return info_values_[env_.spec().info_offsets[index] + element];
}

}  // namespace dopa
