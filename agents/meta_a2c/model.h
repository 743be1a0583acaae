// What meta_a2c's files share (algorithm.h: the iteration; meta_a2c.cpp: one run; population.cpp:
// S seeds as one batched computation): the configuration, the actor-critic (a recurrent core with
// policy and value heads) and small helpers.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>

#include "dopa/core/config.h"
#include "dopa/core/error.h"
#include "dopa/core/vector_env.h"
#include "dopa/nn/recurrent_core.h"
#include "dopa/train/optimizer.h"
#include "dopa/train/schedule.h"

namespace dopa::agents {

// Episodes that ended at the last step, counted from the env buffers (tensor operations would cost
// more than the check).
inline int64_t ended_episodes(const VectorEnv& envs) {
  const bool* terminated = envs.terminations().data_ptr<bool>();
  const bool* truncated = envs.truncations().data_ptr<bool>();
  int64_t ended = 0;
  for (int64_t b = 0; b < envs.num_envs(); ++b) ended += terminated[b] || truncated[b];
  return ended;
}

// The exploration term of the loss: the Simpson index sum_a pi^2 (the official code's penalty) or the
// entropy -H(pi).
enum class ExplorationTerm { SumP2, Entropy };

// meta_a2c's hyperparameters (the core's are nn::CoreOptions', the loop's LoopCadence's).
struct MetaA2CConfig {
  double gamma, gae_lambda, vf_coef, lr, adam_eps, max_grad_norm;
  EntropySchedule ent;
  ExplorationTerm entropy;
  OptimizerKind optimizer;
  int64_t burn_in, record_every;
  bool anneal_lr, baseline_element0, record_modulator;

  static const SettingsTable<MetaA2CConfig>& table();
  // The settings of a resolved config, each checked (dopa::Error naming the key), and the rules
  // between them.
  static MetaA2CConfig read(const Config& config);
};

class MetaActorCriticImpl : public torch::nn::Module {
 public:
  MetaActorCriticImpl(std::shared_ptr<nn::RecurrentCore> core, int64_t actions)
      : core(register_module("core", std::move(core))) {
    policy = register_module("policy", torch::nn::Linear(this->core->hidden_size(), actions));
    value = register_module("value", torch::nn::Linear(this->core->hidden_size(), 1));
  }
  std::shared_ptr<nn::RecurrentCore> core;
  torch::nn::Linear policy{nullptr}, value{nullptr};
};
TORCH_MODULE(MetaActorCritic);

}  // namespace dopa::agents

namespace dopa {
template <>
inline const EnumNames<agents::ExplorationTerm>& enum_names<agents::ExplorationTerm>() {
  static const EnumNames<agents::ExplorationTerm> names = {{agents::ExplorationTerm::SumP2, "sum_p2"},
                                                           {agents::ExplorationTerm::Entropy, "entropy"}};
  return names;
}
}  // namespace dopa
