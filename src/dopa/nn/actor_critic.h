// The actor-critic network of the policy-gradient agents (PPO, REINFORCE), for Discrete and Box
// action spaces, feed-forward or recurrent.
//
//   core = "mlp"   CleanRL's separate actor and critic towers: `layers` hidden layers of `hidden`
//                  tanh units each, orthogonal initialisation (gain sqrt 2; the actor's output 0.01,
//                  the critic's 1). No state.
//   any other core (rnn, lstm, gru, plastic, modplast, modul): one recurrent core shared by a linear
//                  policy head and a linear value head (orthogonal, 0.01 and 1). Its state is
//                  carried from step to step and zeroed when an episode ends.
//
// The policy is categorical over the logits for a Discrete space, and a diagonal Gaussian with a
// state-independent learned log-std for a Box space (actions sampled unbounded; the caller clips
// them to the space for the env, and scores the unclipped ones).
#pragma once

#include <torch/torch.h>

#include "dopa/core/config.h"
#include "dopa/core/space.h"
#include "dopa/nn/recurrent_core.h"

namespace dopa::nn {

// The config keys of the network: the core keys (core "mlp" by default, 64 units) and `layers`.
ConfigSchema actor_critic_config_keys();

// What the network says about a batch of observations.
struct PolicyOutput {
  torch::Tensor logits;  // Discrete: (B, n); Box: the Gaussian's mean (B, dims)
  torch::Tensor value;   // (B,)
};

class ActorCriticImpl : public torch::nn::Module {
 public:
  ActorCriticImpl(const Config& config, const Space& observation_space, const Space& action_space);

  bool recurrent() const { return core_ != nullptr; }
  bool continuous() const { return continuous_; }
  bool uses_dopamine() const { return core_ && core_->uses_dopamine(); }
  // The recurrent state of a batch at the start of its episodes (empty for the mlp network).
  CoreState initial_state(int64_t batch) const;

  // One step: obs (B, inputs). A recurrent network advances `state`; a dopamine-modulated core
  // asks `dopamine` for delta_{t-1} once it knows h_t (value_of_hidden gives V from h_t).
  PolicyOutput forward(const torch::Tensor& obs, CoreState& state, const DopamineFn& dopamine = {});
  torch::Tensor value_of_hidden(const torch::Tensor& h);  // recurrent networks: V(h) (B,)

  // The policy's distribution, from forward()'s logits.
  torch::Tensor sample(const PolicyOutput& out);  // Discrete: (B,) int64; Box: (B, dims) float32
  torch::Tensor mode(const PolicyOutput& out);    // the most likely action, same shapes
  torch::Tensor log_prob(const PolicyOutput& out, const torch::Tensor& actions);  // (B,)
  torch::Tensor entropy(const PolicyOutput& out);                                 // (B,)

 private:
  bool continuous_;
  int64_t action_dims_;
  torch::nn::Sequential actor_{nullptr}, critic_{nullptr};   // mlp network
  std::shared_ptr<RecurrentCore> core_;                      // recurrent network
  torch::nn::Linear policy_head_{nullptr}, value_head_{nullptr};
  torch::Tensor log_std_;  // Box: (1, dims)
};
TORCH_MODULE(ActorCritic);

}  // namespace dopa::nn
