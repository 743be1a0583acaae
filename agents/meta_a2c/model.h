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

struct MetaA2CConfig {
  double gamma, gae_lambda, vf_coef, lr, adam_eps, max_grad_norm;
  EntropySchedule ent;
  std::string entropy, optimizer;
  int64_t burn_in, record_every;
  bool anneal_lr, baseline_element0, record_modulator;

  explicit MetaA2CConfig(const Config& c)
      : gamma(c.get_float("gamma")),
        gae_lambda(c.get_float("gae_lambda")),
        vf_coef(c.get_float("vf_coef")),
        lr(c.get_float("lr")),
        adam_eps(c.get_float("adam_eps")),
        max_grad_norm(c.get_float("max_grad_norm")),
        ent(c),
        entropy(c.get_string("entropy")),
        optimizer(c.get_string("optimizer")),
        burn_in(c.get_int("burn_in")),
        record_every(c.get_int("record_every")),
        anneal_lr(c.get_bool("anneal_lr")),
        baseline_element0(c.get_bool("baseline_element0")),
        record_modulator(c.get_bool("record_modulator")) {
    if (!(lr > 0)) throw Error("meta_a2c 'lr' must be > 0");
    if (!c.get_string("acetylcholine").empty() && anneal_lr)
      throw Error("meta_a2c: 'acetylcholine' sets the step size; it and 'anneal_lr' exclude each other");
    if (!(gamma >= 0 && gamma <= 1)) throw Error("meta_a2c 'gamma' must be in [0, 1]");
    if (!(gae_lambda >= 0 && gae_lambda <= 1)) throw Error("meta_a2c 'gae_lambda' must be in [0, 1]");
    if (burn_in < 0 || record_every < 1) throw Error("meta_a2c 'burn_in' must be >= 0, 'record_every' >= 1");
  }
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
