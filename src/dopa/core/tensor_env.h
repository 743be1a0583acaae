// TensorEnv: a batch of envs as tensor operations, on any device.
//
//   auto envs = dopa::make_tensor_env("Maze-v0", 1024, {{"size", 13}}, {.device = at::kCUDA});
//   envs->reset(42);
//   envs->step(actions);          // (B,) int64 on envs->device()
//   envs->observations();         // (B, *obs_shape) float32 on the device
//
// For the simple envs (bandits, maze, conditioning, cue-reward) whose state is a few numbers per
// row: a rollout with the policy on a GPU then never leaves the GPU. The buffers mean what
// VectorEnv's mean in its SameStep autoreset mode (the only mode here): a step that ends an episode
// resets that row at once, observations() holds the new episode's first observation,
// final_observations() the last one, final_mask() the rows that ended; rewards and episode
// returns are float64, as VectorEnv's. Unlike VectorEnv's buffers, a step makes new tensors: what a
// caller keeps from the last step stays as it was (no clone needed).
//
// With options.random = "streams" a tensor env draws from the same per-row streams as the CPU env
// (random_source.h): given the same seed and actions it steps identically to
// VectorEnv(id, B, kwargs, {.autoreset = SameStep}) (tests/test_tensor_envs.cpp checks every step).
// With "device" it draws on the device: the same distributions, other numbers, no host round trip.
//
// An env family writes a TensorEnv subclass next to its CPU env (envs/maze/tensor_maze.cpp) and
// registers it under the CPU env's ID with DOPA_REGISTER_TENSOR_ENV; it takes the same kwargs.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dopa/core/env.h"
#include "dopa/core/random_source.h"
#include "dopa/core/registry.h"

namespace dopa {

struct TensorEnvOptions {
  c10::Device device = c10::Device(c10::kCPU);
  std::string random = "device";  // "device" or "streams" (the CPU envs' numbers)
  bool check_actions = true;      // throw for an action outside the space (costs a device sync)
  Seeding seeding = Seeding::Mixed;  // with "streams": row i's seed, as VectorEnv's (core/seeding.h)
};

class TensorEnv {
 public:
  TensorEnv(EnvSpec spec, int64_t num_envs, const TensorEnvOptions& options);
  virtual ~TensorEnv() = default;

  const EnvSpec& spec() const { return spec_; }
  int64_t num_envs() const { return num_envs_; }
  c10::Device device() const { return device_; }

  // Starts a new episode in every row; row i's stream is seeded as env i of a VectorEnv.
  void reset(uint64_t seed);
  // Steps every row: actions (B,) integer, on any device.
  void step(const at::Tensor& actions);

  const at::Tensor& observations() const { return observations_; }  // (B, *obs_shape) float32
  const at::Tensor& rewards() const { return rewards_; }            // (B,) float64
  const at::Tensor& terminations() const { return terminations_; }  // (B,) bool
  const at::Tensor& truncations() const { return truncations_; }    // (B,) bool
  const at::Tensor& episode_returns() const { return episode_returns_; }  // (B,) float64, valid where ended
  const at::Tensor& episode_lengths() const { return episode_lengths_; }  // (B,) int64, valid where ended
  const at::Tensor& final_observations() const { return final_observations_; }
  const at::Tensor& final_mask() const { return final_mask_; }
  const at::Tensor& elapsed_steps() const { return elapsed_; }      // (B,) int64, this episode's steps

 protected:
  // Begin an episode in the rows where `rows` ((B,) bool) is true (elapsed_steps() is 0 there):
  // draw what the episode needs and rewrite observations_ (for every row; the others keep theirs).
  // Update state out of place (x = at::where(rows, new, x)): a state tensor may be the caller's
  // actions or the last step's rewards.
  virtual void reset_rows(const at::Tensor& rows) = 0;
  // One step of every row with its action (from 0; Discrete(n, start) envs get action - start);
  // elapsed_steps() already counts it. Sets rewards_ and terminations_ and rewrites observations_.
  virtual void step_rows(const at::Tensor& actions) = 0;

  RandomSource& random() { return *random_; }
  at::TensorOptions float_options() const;  // float32 on the device
  at::TensorOptions double_options() const;
  at::TensorOptions long_options() const;
  at::TensorOptions bool_options() const;

  at::Tensor observations_, rewards_, terminations_;

 private:
  EnvSpec spec_;
  int64_t num_envs_;
  c10::Device device_;
  bool check_actions_;
  std::unique_ptr<RandomSource> random_;
  at::Tensor truncations_, episode_returns_, episode_lengths_, final_observations_, final_mask_;
  at::Tensor elapsed_, running_returns_;
};

// Makes the tensor env from the spec of its CPU env (spaces, resolved kwargs in spec.config).
using TensorEnvFactory =
    std::function<std::unique_ptr<TensorEnv>(const EnvSpec& spec, int64_t num_envs, const TensorEnvOptions& options)>;

// Registers a tensor version of the registered CPU env `id` (same kwargs). Throws if taken.
void register_tensor_env(const std::string& id, TensorEnvFactory factory);
bool has_tensor_env(const std::string& id);
std::vector<std::string> tensor_env_ids();  // sorted
// Checks the kwargs as dopa::make() does (it makes one CPU env for its spec); an ID without a tensor
// version throws dopa::Error naming those that have one.
std::unique_ptr<TensorEnv> make_tensor_env(const std::string& id, int64_t num_envs, const Kwargs& kwargs = {},
                                           const TensorEnvOptions& options = {});

}  // namespace dopa

#define DOPA_REGISTER_TENSOR_ENV(id, ...)                                        \
  static const bool DOPA_CONCAT(dopa_tensor_env_registered_, __COUNTER__) = [] { \
    ::dopa::register_tensor_env(id, __VA_ARGS__);                                \
    return true;                                                                 \
  }()
