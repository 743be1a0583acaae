#include "agents/meta_a2c/algorithm.h"

#include <memory>

#include "dopa/core/error.h"
#include "dopa/neuromod/returns.h"
#include "dopa/neuromod/td_error.h"

namespace dopa::agents {

void MetaA2CAlgorithm::run_episodes(MemberEnvs& envs, nn::CoreState& state, double gamma, bool critic_values,
                                    Rollout* record, const AfterStepFn& after_step) {
  const int64_t all_episodes = members_.size() * envs.batch();
  neuromod::TdErrorTracker td;
  td.start_episodes();
  torch::Tensor delta, value;  // V(s_t) and delta_{t-1}, (S, B)
  const MemberCriticFn critic = [&](const torch::Tensor& h) {
    value = members_.value(h);
    return delta = td.delta(value, gamma);
  };
  const bool dopamine = members_.uses_dopamine();
  for (int64_t t = 0;; ++t) {
    const torch::Tensor input = envs.observations();  // (S, B, inputs)
    const torch::Tensor h = members_.step(input, state, critic);  // a dopamine core calls critic(h_t)
    if (critic_values && !dopamine) critic(h);
    const torch::Tensor action = envs.sample(torch::softmax(members_.policy(h), -1));
    const torch::Tensor reward = envs.step(action);
    td.step(reward, value);  // value is this step's when it was computed
    if (record != nullptr) {
      record->inputs.push_back(input);
      record->actions.push_back(action);
      record->rewards.push_back(reward);
      if (dopamine) record->deltas.push_back(delta);
    }
    if (after_step) after_step(t, reward, value, delta, state);
    const int64_t ended = envs.ended();
    if (ended == all_episodes) break;
    if (ended > 0)
      throw Error("meta_a2c runs whole episodes in lockstep: " + envs.spec().id +
                  "'s episodes must all end at the same step (fixed-length tasks)");
  }
  if (record != nullptr) record->episode_returns = envs.episode_returns();
}

MetaA2CAlgorithm::Update MetaA2CAlgorithm::iterate(MemberEnvs& envs, double gamma, double entropy_coef, bool learn,
                                                   bool want_surprise, torch::optim::Optimizer& optimizer,
                                                   const AfterStepFn& after_step) {
  const int64_t S = members_.size(), B = envs.batch();

  // 1. The rollout: every member's B episodes to their end, without gradients.
  Rollout rollout;
  const auto tape = std::make_shared<nn::RolloutTape>();  // lets the update skip the forward pass
  {
    torch::NoGradGuard no_grad;
    nn::CoreState state = members_.initial_state(B);
    state.tape = tape;
    run_episodes(envs, state, gamma, static_cast<bool>(after_step), &rollout, after_step);
  }
  const int64_t T = static_cast<int64_t>(rollout.inputs.size());
  const torch::Tensor reward = torch::stack(rollout.rewards);  // (T, S, B)

  // 2. The update: the episodes again, with gradients; each member's loss, summed.
  Update out;
  out.episode_length = T;
  out.episode_returns = rollout.episode_returns;
  torch::Tensor loss;
  {
    std::unique_ptr<torch::NoGradGuard> no_grad;
    if (!learn) no_grad = std::make_unique<torch::NoGradGuard>();
    const torch::Tensor deltas = members_.uses_dopamine() ? torch::stack(rollout.deltas) : torch::Tensor();
    const torch::Tensor hs = members_.unroll(torch::stack(rollout.inputs), deltas, tape.get());  // (T, S, B, N)
    const torch::Tensor log_policy = torch::log_softmax(members_.policy(hs), 3);  // (T, S, B, A)
    const torch::Tensor policy = log_policy.exp();
    torch::Tensor values = members_.value(hs);  // (T, S, B)
    if (cfg_.baseline_element0) values = values.select(2, 0).unsqueeze(2).expand({T, S, B});
    // The value regresses on the Monte Carlo return (gae_lambda = 1, the papers' form) or on the
    // lambda-return; the policy's advantage is that target minus the value.
    const torch::Tensor target = cfg_.gae_lambda == 1.0
                                     ? neuromod::discounted_returns(reward, gamma)
                                     : neuromod::lambda_returns(reward, values.detach(), gamma, cfg_.gae_lambda);
    const torch::Tensor advantage = target - values;
    if (want_surprise) out.surprise = advantage.detach().abs().mean().item<double>();
    const torch::Tensor actions = torch::stack(rollout.actions).to(log_policy.device());
    const torch::Tensor log_prob = log_policy.gather(3, actions.unsqueeze(3)).squeeze(3);
    out.policy_loss = -(log_prob * advantage.detach()).mean(2).sum(0) / T;  // (S)
    out.value_loss = advantage.pow(2).mean(2).sum(0) / T;
    out.entropy = -(policy * log_policy).sum(3).mean(at::IntArrayRef{0, 2});
    const torch::Tensor exploration =
        cfg_.entropy == ExplorationTerm::SumP2 ? policy.pow(2).sum(3).mean(2).sum(0) / T : -out.entropy;
    loss = (out.policy_loss + entropy_coef * exploration + cfg_.vf_coef * out.value_loss).sum();
  }

  // 3. The optimiser step.
  if (learn) {
    optimizer.zero_grad();
    loss.backward();
    if (cfg_.max_grad_norm > 0) members_.clip_grad_norm(cfg_.max_grad_norm);
    optimizer.step();
  }
  return out;
}

Metrics meta_a2c_columns(int64_t iteration, const MetaA2CAlgorithm::Update& update, int64_t s, double entropy_coef) {
  const torch::Tensor losses = torch::stack({update.policy_loss[s], update.value_loss[s], update.entropy[s]}).detach().cpu();
  return {{"iteration", static_cast<double>(iteration)},
          {"policy_loss", losses[0].item<double>()},
          {"value_loss", losses[1].item<double>()},
          {"entropy", losses[2].item<double>()},
          {"entropy_coef", entropy_coef}};
}

}  // namespace dopa::agents
