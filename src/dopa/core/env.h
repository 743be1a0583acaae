// The environment contract, with Gymnasium's semantics.
//
//   reset(seed, obs, info)          starts an episode and writes its first observation
//   step(action, obs, info) -> r    advances one step: reward, terminated, truncated
//
// `terminated` means the MDP reached a terminal state (do not bootstrap); `truncated` means the time
// limit (spec().max_episode_steps) cut the episode (bootstrap from the final observation). Both can
// be true together. After either, the env must be reset: stepping it throws dopa::Error.
//
// The base class does, for every env, what Gymnasium's wrappers do: it checks each action against
// the action space (out of range, wrong size or NaN => dopa::Error naming the env and the space),
// enforces reset-before-step, applies the time limit and keeps episode statistics (return, length),
// reported on the step that ends the episode. An env implements only reset_impl() and step_impl().
//
// Observations and info are written into memory the caller provides (ObsOut, InfoOut), so a
// VectorEnv can hand each env a row of its batch buffers and nothing is copied. For stepping one env
// by hand, EnvSession owns that memory.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dopa/core/config.h"
#include "dopa/core/rng.h"
#include "dopa/core/space.h"

namespace dopa {

// Where an env writes one observation: size() elements of dtype().
class ObsOut {
 public:
  ObsOut(void* data, DType dtype, int64_t size) : data_(data), dtype_(dtype), size_(size) {}

  template <class T>
  T* as() const {
    if (dtype_size(dtype_) != sizeof(T)) throw std::logic_error("ObsOut::as: type does not match the obs dtype");
    return static_cast<T*>(data_);
  }
  void* data() const { return data_; }
  DType dtype() const { return dtype_; }
  int64_t size() const { return size_; }

 private:
  void* data_;
  DType dtype_;
  int64_t size_;
};

// One action: an index for a Discrete space, float32 values for a Box space.
class Action {
 public:
  Action(int64_t index) : index_(index) {}  // NOLINT(google-explicit-constructor)
  Action(int index) : index_(index) {}      // NOLINT
  Action(const float* values, int64_t size) : values_(values), size_(size), is_index_(false) {}
  Action(const std::vector<float>& values)  // NOLINT
      : values_(values.data()), size_(static_cast<int64_t>(values.size())), is_index_(false) {}

  bool is_index() const { return is_index_; }
  int64_t index() const { return index_; }
  const float* values() const { return values_; }
  int64_t size() const { return is_index_ ? 1 : size_; }
  std::string to_string() const;

 private:
  int64_t index_ = 0;
  const float* values_ = nullptr;
  int64_t size_ = 0;
  bool is_index_ = true;
};

// An info entry an env declares: a name and a number of doubles.
struct InfoKey {
  std::string name;
  int64_t size = 1;
  std::string doc;
};

// Where an env writes the info of one step. Keys are addressed by their position in the env's
// declared info_keys; a key not written in a step is absent from that step's info (its mask is 0),
// as Gymnasium's vector info masks say. A default-constructed InfoOut discards everything.
class InfoOut {
 public:
  InfoOut() = default;
  InfoOut(double* values, bool* present, const std::vector<int64_t>* offsets)
      : values_(values), present_(present), offsets_(offsets) {}

  void set(int key, double value) {
    if (values_ == nullptr) return;
    values_[(*offsets_)[key]] = value;
    present_[key] = true;
  }
  void set(int key, const double* values, int64_t n) {
    if (values_ == nullptr) return;
    for (int64_t i = 0; i < n; ++i) values_[(*offsets_)[key] + i] = values[i];
    present_[key] = true;
  }

 private:
  double* values_ = nullptr;
  bool* present_ = nullptr;
  const std::vector<int64_t>* offsets_ = nullptr;
};

// What one step produced.
struct StepResult {
  double reward = 0.0;
  bool terminated = false;
  bool truncated = false;
  // Episode statistics, filled on the step that ends an episode (terminated or truncated).
  double episode_return = 0.0;
  int64_t episode_length = 0;

  bool done() const { return terminated || truncated; }
};

// An env's declared spec: what it reads and writes, and how it was configured.
struct EnvSpec {
  std::string id;  // registry ID, e.g. "Maze-v0"; empty for an env built without the registry
  Space observation_space;
  Space action_space;
  std::vector<InfoKey> info_keys;
  std::vector<int64_t> info_offsets;  // start of each key in a flat array of info_size doubles
  int64_t info_size = 0;
  int64_t max_episode_steps = 0;  // time limit; 0 = none
  std::optional<double> reward_threshold;
  Config config;  // the resolved kwargs

  int info_index(const std::string& name) const;  // -1 when absent
};

class Env {
 public:
  virtual ~Env() = default;
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  const EnvSpec& spec() const { return spec_; }
  const Space& observation_space() const { return spec_.observation_space; }
  const Space& action_space() const { return spec_.action_space; }
  const std::string& name() const;  // spec().id, or "env" when unregistered

  // Starts a new episode. A seed re-seeds the env's RNG; no seed keeps its stream going (the first
  // reset of an env never seeded draws a seed from std::random_device).
  void reset(std::optional<uint64_t> seed, ObsOut obs, InfoOut info = {});
  StepResult step(const Action& action, ObsOut obs, InfoOut info = {});

  int64_t elapsed_steps() const { return elapsed_steps_; }
  bool needs_reset() const { return needs_reset_; }
  void set_max_episode_steps(int64_t steps) { spec_.max_episode_steps = time_limit_ = steps; }

  // The env's physical state as numbers, for tests against reference trajectories (not every env
  // has one: the default throws dopa::Error). set_state() also writes the matching observation.
  virtual std::vector<double> state() const;
  virtual void set_state(const std::vector<double>& state, ObsOut obs);
  void set_elapsed_steps(int64_t steps) { elapsed_steps_ = steps; }

  // Exact snapshots, for checkpoints. While recording, the env keeps its RNG (and its
  // carried_state()) as they were when the current episode's reset began, and the actions taken
  // since; restore_snapshot() on a fresh env made with the same kwargs replays them and so reaches
  // the same state bit for bit: an episode is a function of those (the test
  // EveryEnvSnapshot.ReplaysExactly holds every registered env to it).
  // The cost is a few bytes per step of the current episode, and replaying it on restore.
  void record_for_snapshots(bool on);
  bool recording_for_snapshots() const { return recording_; }
  std::string snapshot() const;  // dopa::Error when not recording
  // Replays `snapshot` (from an env with the same ID and kwargs); observations and info go to
  // scratch memory: the caller keeps the last ones it had.
  void restore_snapshot(const std::string& snapshot);

  // Throws dopa::Error when `action` is not in the action space.
  void check_action(const Action& action) const;

 protected:
  Env(Space observation_space, Space action_space, std::vector<InfoKey> info_keys = {});

  Rng& rng() { return rng_; }
  // The state an env carries from one episode into the next, as text (a trial counter, say; most
  // envs carry none). Snapshots keep it as it was when the episode's reset began, and set it back
  // before replaying the episode.
  virtual std::string carried_state() const { return ""; }
  virtual void set_carried_state(const std::string& state) {}

  // Begin an episode: write the first observation (elapsed_steps() is 0).
  virtual void reset_impl(ObsOut obs, InfoOut info) = 0;
  // The dynamics: return reward and terminated (truncated and episode statistics are the base's).
  // elapsed_steps() already counts this step.
  virtual StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) = 0;

 private:
  friend class EnvRegistry;
  friend class VectorEnv;  // checks a batch of actions itself, then steps with step_checked()
  StepResult step_checked(const Action& action, ObsOut obs, InfoOut info);

  // The per-step state first: it shares a cache line with the vtable pointer.
  bool seeded_ = false;
  bool needs_reset_ = true;
  bool ever_reset_ = false;
  int64_t elapsed_steps_ = 0;
  int64_t time_limit_ = 0;  // = spec_.max_episode_steps
  double episode_return_ = 0.0;
  bool recording_ = false;
  Rng rng_;
  EnvSpec spec_;
  // Recording for snapshots: the RNG when the current episode's reset began, and its actions since.
  Rng episode_rng_;
  std::string episode_carried_state_;
  std::vector<int64_t> episode_indices_;  // Discrete
  std::vector<float> episode_values_;     // Box, flattened
};

// Owns the observation and info memory for stepping one env by hand (tests, `dopa rollout`).
class EnvSession {
 public:
  explicit EnvSession(Env& env);

  const std::vector<double>& reset(std::optional<uint64_t> seed = std::nullopt);
  StepResult step(const Action& action);
  // Sets the env's physical state (see Env::set_state) and returns the matching observation.
  const std::vector<double>& set_state(const std::vector<double>& state);

  Env& env() { return env_; }
  const std::vector<double>& obs() const { return obs_; }   // last observation, as doubles
  const void* raw_obs() const { return raw_obs_.data(); }   // same, in the space's dtype
  bool has_info(const std::string& key) const;
  double info(const std::string& key, int64_t element = 0) const;  // throws when absent

 private:
  ObsOut obs_out() { return ObsOut(raw_obs_.data(), env_.observation_space().dtype(), env_.observation_space().size()); }
  InfoOut info_out();
  void convert_obs();

  Env& env_;
  std::vector<unsigned char> raw_obs_;
  std::vector<double> obs_;
  std::vector<double> info_values_;
  std::unique_ptr<bool[]> info_present_;
};

}  // namespace dopa
