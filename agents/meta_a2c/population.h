// Population training for meta_a2c: S members of one configuration that differ in their seed,
// trained as one batched computation, like vmap over seeds.
//
//   MetaA2CPopulation population(agent_config, envs[0]->spec(), {0, 1, 2, 3});
//   population.train(envs, total_steps, monitors);   // S VectorEnvs, S monitors
//   population.save_member(2, "run-s2/model.pt");     // what meta_a2c's load() reads
//
// Each member's parameters are a slice of stacked (S, ...) tensors: one batched matrix product per
// layer and step instead of S small ones, one loss, one backward pass, one Adam step (Adam is
// elementwise, so its state is per member), the gradient clipped per member. A member draws its
// initial parameters, its env episodes and its actions from the same streams as a separate run with
// its seed, so its result equals that run's (tests/test_population.cpp: to 1e-5 on CPU); the members'
// per-operation cost is shared, which is where a small network spends its time on a CPU
// (docs/benchmarks.md).
//
// On a device (a GPU), train(TensorEnv&) keeps the rollout there: the envs are one TensorEnv of
// S x B rows and the actions are drawn on the device.
//
// Cores: rnn, plastic, modplast, modul (every modulator, fanout and trace rule), in LibTorch
// operations with autograd: a plastic member equals its separate run with fused = false (the fused
// CPU kernel sums in another order; on a CPU that kernel is also the faster way to train one).
// Adam only, no update modulators, no checkpoints; other settings throw dopa::Error naming what is
// missing.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agents/meta_a2c/model.h"
#include "dopa/core/tensor_env.h"
#include "dopa/core/vector_env.h"
#include "dopa/train/agent.h"

namespace dopa::agents {

class MemberEnvs;  // population.cpp: where the members' episodes come from

class MetaA2CPopulation : public PopulationTrainer {
 public:
  MetaA2CPopulation(const Config& agent_config, const EnvSpec& env, std::vector<uint64_t> seeds,
                    torch::Device device = torch::kCPU);

  int64_t size() const { return static_cast<int64_t>(seeds_.size()); }

  // Trains every member for total_steps env steps: member s on *envs[s] (same env, SameStep
  // autoreset), reporting to *monitors[s]. Each member's run equals its separate run.
  std::vector<TrainResult> train(const std::vector<VectorEnv*>& envs, int64_t total_steps,
                                 const std::vector<TrainMonitor*>& monitors) override;
  // The same on one TensorEnv of S x B rows on the population's device (member s: rows s B to
  // s B + B - 1), actions drawn on the device: for GPUs; the members' numbers are their own.
  std::vector<TrainResult> train(TensorEnv& envs, int64_t total_steps, const std::vector<TrainMonitor*>& monitors);

  // Member s's parameters as a meta_a2c model file.
  void save_member(int64_t s, const std::string& path) const override;
  int64_t num_parameters() const override;

 private:
  std::vector<TrainResult> train_on(MemberEnvs& envs, int64_t B, int64_t total_steps,
                                    const std::vector<TrainMonitor*>& monitors);
  // x (S, N, in) through the layer `name`.weight (S, out, in), `name`.bias (S, out) -> (S, N, out).
  torch::Tensor linear(const std::string& name, const torch::Tensor& x) const;
  // What a core carries from step to step, every member: h (S, B, N), the Hebbian trace and the
  // eligibility trace (S, B, N, N; undefined where the core has none).
  struct CoreState {
    torch::Tensor h, hebb, elig;
  };
  // Given h_t (S, B, N), the members' TD errors delta_{t-1} (S, B).
  using DopamineFn = std::function<torch::Tensor(const torch::Tensor& h)>;
  CoreState initial_state(int64_t B) const;
  // One step of every member's core (the equations of standard_cores.h's ElmanCore and of
  // plastic_rnn.h, in LibTorch operations): x (S, B, inputs) -> h_t; `state` advances.
  torch::Tensor core_step(const torch::Tensor& x, CoreState& state, const DopamineFn& dopamine) const;
  bool uses_dopamine() const { return core_.type != "rnn" && core_.type != "plastic" && core_.modulator != "learned"; }
  const torch::Tensor& parameter(const std::string& name) const;

  MetaA2CConfig cfg_;
  int64_t log_interval_;
  std::vector<uint64_t> seeds_;
  torch::Device device_;
  std::vector<MetaActorCritic> members_;      // the members' models, for their layout and for saving
  std::vector<std::string> names_;            // parameter names, in the members' order
  std::vector<torch::Tensor> stacked_;        // (S, ...) leaves, one per name
  int64_t hidden_;
  nn::CoreOptions core_;
};

}  // namespace dopa::agents
