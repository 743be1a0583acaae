// Population training for meta_a2c: S members of one configuration that differ in their seed,
// trained as one batched computation, like vmap over seeds.
//
//   MetaA2CPopulation population(agent_config, envs[0]->spec(), {0, 1, 2, 3});
//   population.train(envs, total_steps, monitors);   // S VectorEnvs, S monitors
//   population.save_member(2, "run-s2/model.pt");     // what meta_a2c's load() reads
//
// The iteration is meta_a2c's (algorithm.h) with S members (StackedMembers, members.h): each member's
// parameters are a slice of stacked (S, ...) tensors, one batched matrix product per layer and step
// instead of S small ones, one loss, one backward pass, one Adam step (Adam is elementwise, so its
// state is per member), the gradient clipped per member. A member draws its
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

#include <memory>
#include <string>
#include <vector>

#include "agents/meta_a2c/algorithm.h"
#include "agents/meta_a2c/members.h"
#include "agents/meta_a2c/model.h"
#include "dopa/core/tensor_env.h"
#include "dopa/core/vector_env.h"
#include "dopa/train/agent.h"

namespace dopa::agents {

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
  int64_t num_parameters() const override { return members_.num_parameters(); }

 private:
  std::vector<TrainResult> train_on(MemberEnvs& envs, int64_t total_steps, const std::vector<TrainMonitor*>& monitors);

  MetaA2CConfig cfg_;
  int64_t log_interval_;
  std::vector<uint64_t> seeds_;
  torch::Device device_;
  StackedMembers members_;
  MetaA2CAlgorithm algorithm_;
};

}  // namespace dopa::agents
