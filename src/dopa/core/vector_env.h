// VectorEnv: N envs stepped together, on a pool of threads, into preallocated batch buffers.
//
//   dopa::VectorEnv envs("CartPole-v1", 64, {}, {.num_threads = 2});
//   envs.reset(42);                       // env i is seeded with stream_seed(42, i) (core/seeding.h)
//   envs.step(actions);                   // (N,) int64 for Discrete, (N, *shape) float32 for Box
//   envs.observations();                  // (N, *obs_shape) tensor, the obs space's dtype
//
// The batch buffers (observations, rewards, terminations, truncations, episode statistics, info)
// are torch tensors allocated once; envs write into them in place and the accessors return the same
// tensors every time, without copies. The next step() overwrites them: clone what you keep (a tensor
// saved by autograd included).
//
// Autoreset modes (Gymnasium's AutoresetMode):
//   NextStep (default) the step that ends an episode returns its final observation; the next step()
//                      resets that env, ignores its action and returns the reset observation with
//                      reward 0 and both flags false.
//   SameStep           the ending step resets at once: observations() holds the new episode's first
//                      observation, final_observations() the last one (final_mask() says which rows).
//   Disabled           ended envs must be reset by the caller (reset with a mask); stepping one throws.
// Episode statistics (episode_returns(), episode_lengths()) are valid in the rows where the step
// ended an episode (terminations() | truncations()).
#pragma once

#include <ATen/core/Tensor.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dopa/core/env.h"
#include "dopa/core/seeding.h"
#include "dopa/core/thread_pool.h"

namespace dopa {

enum class AutoresetMode { NextStep, SameStep, Disabled };

const char* autoreset_mode_name(AutoresetMode mode);            // "next_step", "same_step", "disabled"
AutoresetMode parse_autoreset_mode(const std::string& name);    // throws dopa::Error

struct VectorEnvOptions {
  int num_threads = 1;  // 0: one per hardware thread
  AutoresetMode autoreset = AutoresetMode::NextStep;
  // Batch buffers in page-locked (pinned) host memory, so that copies to a GPU can be asynchronous
  // (tensor.to(device, non_blocking = true)); ignored when LibTorch has no CUDA.
  bool pinned = false;
  // How env i's seed comes from the seed of a reset (core/seeding.h): mixed from (seed, i), or
  // seed + i as Gymnasium's vector envs do.
  Seeding seeding = Seeding::Mixed;
};

class VectorEnv {
 public:
  // Makes `num_envs` copies of a registered env.
  VectorEnv(const std::string& id, int64_t num_envs, const Kwargs& kwargs = {}, VectorEnvOptions options = {});
  // Takes ownership of envs that share one spec (same spaces and info keys).
  explicit VectorEnv(std::vector<std::unique_ptr<Env>> envs, VectorEnvOptions options = {});

  int64_t num_envs() const { return static_cast<int64_t>(envs_.size()); }
  int num_threads() const { return pool_.num_threads(); }
  AutoresetMode autoreset_mode() const { return options_.autoreset; }
  const EnvSpec& spec() const { return envs_[0]->spec(); }
  const Space& single_observation_space() const { return spec().observation_space; }
  const Space& single_action_space() const { return spec().action_space; }
  Env& env(int64_t i) { return *envs_[i]; }

  // Resets all envs, or those where `mask` ((N,) bool) is true. A seed seeds env i with
  // env_seed(seed, i, options.seeding).
  void reset(std::optional<uint64_t> seed = std::nullopt, const at::Tensor& mask = {});
  // Steps every env with its row of `actions`. Throws dopa::Error for a wrong shape or an invalid
  // action (naming the env index), with no env stepped when the shape is wrong.
  void step(const at::Tensor& actions);

  const at::Tensor& observations() const { return observations_; }  // (N, *obs_shape)
  const at::Tensor& rewards() const { return rewards_; }            // (N,) float64
  const at::Tensor& terminations() const { return terminations_; }  // (N,) bool
  const at::Tensor& truncations() const { return truncations_; }    // (N,) bool
  const at::Tensor& episode_returns() const { return episode_returns_; }  // (N,) float64
  const at::Tensor& episode_lengths() const { return episode_lengths_; }  // (N,) int64
  // SameStep mode: the final observation of rows whose episode ended in the last step.
  const at::Tensor& final_observations() const { return final_observations_; }  // (N, *obs_shape)
  const at::Tensor& final_mask() const { return final_mask_; }                  // (N,) bool

  // Exact snapshots, for checkpoints (Env::snapshot: each env replays its current episode). Turn
  // recording on before the first reset. A snapshot holds the batch buffers too, so a restored
  // VectorEnv returns the same observations(), rewards(), ... as the one it was taken from.
  void record_for_snapshots();
  std::string snapshot() const;
  // Whether `snapshot` was taken from a VectorEnv of this env ID, kwargs, size and autoreset mode.
  bool snapshot_fits(const std::string& snapshot) const;
  // Restores a snapshot that fits (dopa::Error otherwise, saying what differs).
  void restore_snapshot(const std::string& snapshot);

  // Info of the last step or reset: (N, size) float64 for a declared key, and its (N,) bool mask.
  at::Tensor info(const std::string& key) const;
  at::Tensor info_mask(const std::string& key) const;
  const std::vector<InfoKey>& info_keys() const { return spec().info_keys; }

 private:
  // What one env's step produced. Threads step their range of envs into these records and then
  // copy the range into the batch buffers in one burst: writing the (N,) flag buffers env by env
  // would have neighbouring threads write to the same cache lines all through the step.
  struct StepRecord {
    double reward = 0.0;
    double episode_return = 0.0;
    int64_t episode_length = 0;
    bool terminated = false;
    bool truncated = false;
    bool final = false;            // SameStep: the episode ended and the env was reset
  };

  void allocate();
  std::string fingerprint() const;  // what a snapshot must come from: ID, kwargs, size, autoreset
  void step_range(int64_t begin, int64_t end, const void* actions);
  void end_episode(int64_t i, const StepResult& result);
  void reset_one(int64_t i, std::optional<uint64_t> seed);
  void gather(int64_t i);
  void check_actions(const void* actions) const;
  ObsOut obs_row(unsigned char* buffer, int64_t i) const {
    return ObsOut(buffer + i * obs_row_bytes_, obs_dtype_, obs_size_);
  }
  InfoOut info_row(int64_t i);
  Action action_row(const void* actions, int64_t i) const {
    if (action_discrete_) return Action(static_cast<const int64_t*>(actions)[i]);
    return Action(static_cast<const float*>(actions) + i * action_size_, action_size_);
  }

  VectorEnvOptions options_;
  std::vector<std::unique_ptr<Env>> envs_;
  ThreadPool pool_;
  std::vector<StepRecord> records_;
  std::vector<unsigned char> needs_autoreset_;  // NextStep: reset on the next step (owned by the stepping thread)
  std::vector<int64_t> action_batch_shape_;  // (N, *action_shape)
  // Copies of spec values read in the hot loop.
  DType obs_dtype_;
  int64_t obs_size_ = 0, obs_row_bytes_ = 0, action_size_ = 0, num_info_keys_ = 0;
  bool action_discrete_ = true;
  int64_t action_low_ = 0, action_high_ = 0;  // Discrete: valid indices [low, high]

  at::Tensor observations_, rewards_, terminations_, truncations_;
  at::Tensor episode_returns_, episode_lengths_, final_observations_, final_mask_;
  at::Tensor info_values_;   // (N, info_size) float64
  at::Tensor info_present_;  // (N, num_info_keys) bool

  // Raw pointers into the buffers above (the hot loop avoids the tensors' checked accessors).
  struct Pointers {
    unsigned char* observations;
    unsigned char* final_observations;
    double* rewards;
    bool* terminations;
    bool* truncations;
    double* episode_returns;
    int64_t* episode_lengths;
    bool* final_mask;
    double* info_values;
    bool* info_present;
    int64_t info_stride, present_stride;
  } ptr_{};
};

}  // namespace dopa
