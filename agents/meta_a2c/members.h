// The S actor-critics one meta_a2c update trains (algorithm.h), and the envs their episodes come
// from. meta_a2c is written once, over a member dimension: a single run is a population of one.
//
// Tensors carry the member dimension S before the batch: (S, B, ...) per step, (T, S, B, ...) per
// episode.
//
//   OneMember       a single run's model (MetaActorCritic, any core, the fused CPU kernels): S = 1.
//   StackedMembers  S seeds' parameters stacked (S, ...): one batched matrix product per layer and
//                   step instead of S small ones (population.h); cores rnn, plastic, modplast, modul.
//   VectorEnvMembers  S VectorEnvs (one each), each member's actions from its own generator.
//   TensorEnvRows     one TensorEnv of S x B rows on a device, actions drawn there.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "agents/meta_a2c/model.h"
#include "dopa/core/tensor_env.h"
#include "dopa/core/vector_env.h"
#include "dopa/nn/recurrent_core.h"

namespace dopa::agents {

// Given h_t (S, B, N), the members' TD errors delta_{t-1} (S, B).
using MemberCriticFn = std::function<torch::Tensor(const torch::Tensor& h)>;

class Members {
 public:
  virtual ~Members() = default;
  virtual int64_t size() const = 0;
  virtual nn::CoreState initial_state(int64_t batch) const = 0;
  // Whether the cores take the critic's TD error as their modulator, and whether they have one.
  virtual bool uses_dopamine() const = 0;
  virtual bool has_modulator() const = 0;
  // One step of every member's core: x (S, B, inputs) -> h_t (S, B, N); a dopamine-modulated core
  // asks critic(h_t) for delta_{t-1}.
  virtual torch::Tensor step(const torch::Tensor& x, nn::CoreState& state, const MemberCriticFn& critic) = 0;
  // The episode again, with gradients: x (T, S, B, inputs) and the rollout's deltas (T, S, B;
  // undefined without dopamine) -> h (T, S, B, N). `tape`: what the rollout recorded (may be null).
  virtual torch::Tensor unroll(const torch::Tensor& x, const torch::Tensor& deltas, const nn::RolloutTape* tape) = 0;
  // The heads on h (S, B, N) or (T, S, B, N): policy logits (..., A) and values (...).
  virtual torch::Tensor policy(const torch::Tensor& h) = 0;
  virtual torch::Tensor value(const torch::Tensor& h) = 0;
  // The members' M_t, averaged over channels and neurons: (S, B). Only for cores with a modulator.
  virtual torch::Tensor modulator(const nn::CoreState& state) const = 0;
  virtual std::vector<torch::Tensor> parameters() const = 0;
  // Scales each member's gradient to a global norm of at most max_norm, as
  // torch::nn::utils::clip_grad_norm_ clips one model's.
  virtual void clip_grad_norm(double max_norm) = 0;
};

// A single run's model as a population of one.
class OneMember : public Members {
 public:
  explicit OneMember(MetaActorCritic model) : model_(std::move(model)) {}
  MetaActorCritic& model() { return model_; }
  const MetaActorCritic& model() const { return model_; }

  int64_t size() const override { return 1; }
  nn::CoreState initial_state(int64_t batch) const override { return model_->core->initial_state(batch); }
  bool uses_dopamine() const override { return model_->core->uses_dopamine(); }
  bool has_modulator() const override { return model_->core->has_modulator(); }
  torch::Tensor step(const torch::Tensor& x, nn::CoreState& state, const MemberCriticFn& critic) override;
  torch::Tensor unroll(const torch::Tensor& x, const torch::Tensor& deltas, const nn::RolloutTape* tape) override;
  torch::Tensor policy(const torch::Tensor& h) override;
  torch::Tensor value(const torch::Tensor& h) override;
  torch::Tensor modulator(const nn::CoreState& state) const override;
  std::vector<torch::Tensor> parameters() const override { return model_->parameters(); }
  void clip_grad_norm(double max_norm) override;

 private:
  MetaActorCritic model_;
};

// S members of one configuration, each built as a single run builds its model for its seed, their
// parameters stacked (S, ...) as leaves on `device`.
class StackedMembers : public Members {
 public:
  StackedMembers(const Config& agent_config, const EnvSpec& env, const std::vector<uint64_t>& seeds,
                 torch::Device device);

  int64_t size() const override { return static_cast<int64_t>(members_.size()); }
  nn::CoreState initial_state(int64_t batch) const override;
  bool uses_dopamine() const override;
  bool has_modulator() const override { return nn::has_modulator(core_.type); }
  torch::Tensor step(const torch::Tensor& x, nn::CoreState& state, const MemberCriticFn& critic) override;
  torch::Tensor unroll(const torch::Tensor& x, const torch::Tensor& deltas, const nn::RolloutTape* tape) override;
  torch::Tensor policy(const torch::Tensor& h) override { return heads("policy", h); }
  torch::Tensor value(const torch::Tensor& h) override { return heads("value", h).squeeze(-1); }
  torch::Tensor modulator(const nn::CoreState& state) const override;
  std::vector<torch::Tensor> parameters() const override { return stacked_; }
  void clip_grad_norm(double max_norm) override;

  // Member s's model with the trained parameters (a meta_a2c model file when saved).
  MetaActorCritic member(int64_t s) const;
  int64_t num_parameters() const;

 private:
  const torch::Tensor& parameter(const std::string& name) const;
  // x (S, N, in) through the layer `name`: weight (S, out, in), bias (S, out) -> (S, N, out).
  torch::Tensor linear(const std::string& name, const torch::Tensor& x) const;
  // The layer `name` on h (S, B, N) or (T, S, B, N).
  torch::Tensor heads(const std::string& name, const torch::Tensor& h) const;

  nn::CoreOptions core_;
  std::vector<MetaActorCritic> members_;  // the members' models, for their layout and for saving
  std::vector<std::string> names_;        // parameter names, in the members' order
  std::vector<torch::Tensor> stacked_;    // (S, ...) leaves, one per name
};

// Where the members' episodes come from and how their actions are drawn: tensors are (S, B, ...).
class MemberEnvs {
 public:
  virtual ~MemberEnvs() = default;
  virtual const EnvSpec& spec() const = 0;
  virtual int64_t batch() const = 0;                             // B, each member's envs
  virtual torch::Tensor observations() = 0;                      // (S, B, inputs) float32, a copy
  virtual torch::Tensor sample(const torch::Tensor& probs) = 0;  // (S, B, A) -> (S, B) int64
  virtual torch::Tensor step(const torch::Tensor& actions) = 0;  // -> the rewards, (S, B) float32
  virtual int64_t ended() = 0;                                   // episodes the last step ended
  virtual torch::Tensor episode_returns() = 0;                   // (S, B) float32 on the CPU
};

// Member s steps *envs[s] and draws its actions from generators[s] (a single run: LibTorch's global
// generator, which its checkpoints keep; a population: member s's own, seeded as its separate run
// seeds the global one, so each member sees its separate run's episodes and actions).
class VectorEnvMembers : public MemberEnvs {
 public:
  VectorEnvMembers(std::vector<VectorEnv*> envs, std::vector<at::Generator> generators, torch::Device device);
  const EnvSpec& spec() const override { return envs_[0]->spec(); }
  int64_t batch() const override { return envs_[0]->num_envs(); }
  torch::Tensor observations() override;
  torch::Tensor sample(const torch::Tensor& probs) override;
  torch::Tensor step(const torch::Tensor& actions) override;
  int64_t ended() override { return ended_; }
  torch::Tensor episode_returns() override;

 private:
  std::vector<VectorEnv*> envs_;
  std::vector<at::Generator> generators_;
  torch::Device device_;
  int64_t ended_ = 0;
};

// One TensorEnv whose S x B rows are the members' batches (member s: rows s B ... s B + B - 1), on
// the device, actions drawn there from one generator on the first seed's sampling stream
// (core/seeding.h): a rollout that never leaves the device but for the checks whether episodes
// ended. The members' numbers are not their separate runs'.
class TensorEnvRows : public MemberEnvs {
 public:
  TensorEnvRows(TensorEnv& envs, int64_t members, uint64_t seed);
  const EnvSpec& spec() const override { return envs_.spec(); }
  int64_t batch() const override { return B_; }
  torch::Tensor observations() override { return envs_.observations().view({S_, B_, -1}); }
  torch::Tensor sample(const torch::Tensor& probs) override;
  torch::Tensor step(const torch::Tensor& actions) override;
  int64_t ended() override;
  torch::Tensor episode_returns() override;

 private:
  TensorEnv& envs_;
  int64_t S_, B_;
  at::Generator generator_;
};

}  // namespace dopa::agents
