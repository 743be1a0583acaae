// meta_a2c's iteration, written once over a member dimension (members.h): a single run (meta_a2c.cpp)
// is a population of one, a population (population.h) trains S seeds in the same computation.
//
// The trainer of Backpropamine (Miconi et al. 2019; specs/backpropamine.md §3), also fit for Wang
// et al.'s bandits. One iteration:
//   1. run each member's B episodes in lockstep to their end (they must end together: fixed-length
//      tasks), the recurrent core starting each from zero state, choosing actions from the softmax
//      policy;
//   2. replay the episodes through the cores with gradients (unroll: full backpropagation through
//      time, through the plastic traces) and compute per member, with G_t = r_t + gamma G_{t+1}
//      (Monte Carlo, G_T = 0; with gae_lambda < 1 the lambda-return instead, neuromod/returns.h) and
//      advantage A_t = G_t - V_t:
//        L = (1/T) sum_t [ -mean_b log pi(a_t) sg(A_t) + c_ent * mean_b sum_a pi^2 + c_v * mean_b A_t^2 ]
//      (c_ent weighs the Simpson index sum_a pi^2, the official code's "entropy" penalty; entropy =
//      "entropy" uses -H(pi) instead). The loss minimised is the members' sum, so each member's
//      gradient is its own loss's;
//   3. one optimiser step (each member's gradient clipped to its own norm), once the burn-in is over.
// Quirks of the official code are flags: baseline_element0 (the value of batch element 0 as every
// element's baseline and the only value trained). The official code computes gradients during the
// burn-in but does not step; it zeroes them every iteration, so skipping the backward pass there is
// the same.
//
// Neuromodulation by dopamine: for cores with modulator = "dopamine" or "both", the TD error
// delta_{t-1} = r_{t-1} + gamma V(s_t) - V(s_{t-1}) of the member's critic (delta = 0 at t = 0) is the
// third factor of the Hebbian rule at step t.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <vector>

#include "agents/meta_a2c/members.h"
#include "agents/meta_a2c/model.h"
#include "dopa/train/agent.h"

namespace dopa::agents {

class MetaA2CAlgorithm {
 public:
  MetaA2CAlgorithm(const MetaA2CConfig& config, Members& members) : cfg_(config), members_(members) {}

  // What after_step sees at step t, all (S, B): the reward, the critic's V(s_t) and the TD error
  // delta_{t-1} (defined when the cores used them or critic values were asked for); and the cores'
  // state after the step.
  using AfterStepFn = std::function<void(int64_t t, const torch::Tensor& reward, const torch::Tensor& value,
                                         const torch::Tensor& delta, const nn::CoreState& state)>;

  // What a rollout keeps for the update: per step, the cores' input, the actions, the rewards and
  // (for dopamine-modulated cores) the TD errors fed to the plastic rule; each episode's return.
  struct Rollout {
    std::vector<torch::Tensor> inputs, actions, rewards, deltas;
    torch::Tensor episode_returns;  // (S, B) float32 on the CPU
  };

  // Runs the members' episodes of `envs` (already reset) in lockstep to their end with the current
  // parameters, the cores starting from `state`. `critic_values`: compute value and delta for
  // after_step also when the cores do not use them. `record` (may be null) keeps what the update
  // replays; `after_step` may be empty.
  void run_episodes(MemberEnvs& envs, nn::CoreState& state, double gamma, bool critic_values, Rollout* record,
                    const AfterStepFn& after_step);

  // What one iteration's update measured: per member (S) the losses and the episodes' returns.
  struct Update {
    int64_t episode_length = 0;                 // T
    torch::Tensor episode_returns;              // (S, B) float32 on the CPU
    torch::Tensor policy_loss, value_loss, entropy;  // (S)
    double surprise = 0.0;  // mean |advantage| over all members: the dopamine update modulators see
  };
  // One iteration (steps 1-3 above) with this iteration's discount and entropy weight; the optimiser
  // steps when `learn` (after the burn-in). `after_step` (may be empty) sees the rollout's steps, with
  // critic values.
  Update iterate(MemberEnvs& envs, double gamma, double entropy_coef, bool learn, bool want_surprise,
                 torch::optim::Optimizer& optimizer, const AfterStepFn& after_step = {});

 private:
  const MetaA2CConfig& cfg_;
  Members& members_;
};

// The loss columns of a metrics row (member s of `update`), after the loop's episode columns.
Metrics meta_a2c_columns(int64_t iteration, const MetaA2CAlgorithm::Update& update, int64_t s, double entropy_coef);

}  // namespace dopa::agents
