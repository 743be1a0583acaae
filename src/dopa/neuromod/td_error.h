// The dopamine signal of a rollout: the TD error of the step before,
//
//   delta_{t-1} = r_{t-1} + gamma V(s_t) - V(s_{t-1}),   0 where an episode starts at step t,
//
// which a dopamine-modulated core (modulator = "dopamine" or "both") reads as the third factor of
// its Hebbian rule at step t, given V(s_t) of the agent's critic. Every agent keeps one tracker over
// its envs (rows) and tells it what each step brought:
//
//   TdErrorTracker td;  td.start_episodes();               // every row starts: delta = 0 first
//   at each step t:     core.step(x, state, [&](h) { return td.delta(critic(h), gamma); });
//                       env step -> td.step(reward, value, episode_start)
//
// Trainers that run whole episodes in lockstep pass no episode_start (no row starts mid-batch); those
// that run on through episode ends pass the rows whose next step starts a new episode (1) or
// continues one (0).
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/TensorOptions.h>

#include <vector>

namespace dopa::neuromod {

class TdErrorTracker {
 public:
  // Every row starts an episode at the next step (delta is 0 there, whatever the rows' shape).
  void start_episodes();
  // The same for trainers that continue through episode ends: the rows are masked by episode_start
  // (all 1 here) rather than all zero.
  void start_masked(int64_t rows, const c10::TensorOptions& options);

  // delta_{t-1} given value = V(s_t), (rows).
  at::Tensor delta(const at::Tensor& value, double gamma) const;
  // After step t: its reward r_t and value V(s_t); episode_start (rows, 0/1 float) where the next
  // step starts an episode, undefined when none can (whole episodes in lockstep).
  void step(const at::Tensor& reward, const at::Tensor& value, const at::Tensor& episode_start = at::Tensor());

  // What a checkpoint keeps (episode_start, r_{t-1}, V(s_{t-1})) and back.
  std::vector<at::Tensor> state() const { return {episode_start_, previous_reward_, previous_value_}; }
  void set_state(const std::vector<at::Tensor>& state);

 private:
  bool starting_ = true;  // every row starts an episode at the next step (start_episodes)
  at::Tensor episode_start_, previous_reward_, previous_value_;
};

}  // namespace dopa::neuromod
