// REINFORCE (Williams 1992) with a baseline: Monte-Carlo policy gradient on whole episodes.
//
// Each update plays one fresh episode in every env with the current policy (strictly on-policy),
// computes the discounted returns G_t, and takes one gradient step on
//   -mean_t[log pi(a_t | s_t) (G_t - b(s_t))] + vf_coef mean_t[(G_t - V(s_t))^2] - ent_coef H,
// with b the learned value V (baseline = "value"), the batch's mean return ("mean") or 0 ("none");
// advantages standardised per batch when norm_adv. Discrete or Box actions, the mlp network or any
// recurrent core (each episode re-run from the zero state with gradients through time).
//
// Envs that end early wait (their steps after the end are not used) until every env's episode has
// ended; global_step counts the steps of the episodes used. An episode cut by the time limit is
// completed with gamma V(final obs) when the baseline is the value (bootstrap_truncated).
#include <torch/torch.h>

#include <cmath>
#include <filesystem>

#include "dopa/core/error.h"
#include "dopa/neuromod/td_error.h"
#include "dopa/nn/actor_critic.h"
#include "dopa/train/agent.h"
#include "dopa/train/checkpoint.h"
#include "dopa/train/optimizer.h"
#include "dopa/train/training_loop.h"

namespace dopa::agents {
// What G_t is compared with: the learned value, the batch's mean return, or 0.
enum class Baseline { Value, Mean, None };
}  // namespace dopa::agents

namespace dopa {
template <>
inline const EnumNames<agents::Baseline>& enum_names<agents::Baseline>() {
  static const EnumNames<agents::Baseline> names = {
      {agents::Baseline::Value, "value"}, {agents::Baseline::Mean, "mean"}, {agents::Baseline::None, "none"}};
  return names;
}
}  // namespace dopa

namespace dopa::agents {

namespace {

struct ReinforceConfig {
  double lr;
  double gamma;
  Baseline baseline;
  bool norm_adv;
  double vf_coef;
  double ent_coef;
  double max_grad_norm;
  bool bootstrap_truncated;

  static const SettingsTable<ReinforceConfig>& table() {
    using C = ReinforceConfig;
    static const SettingsTable<C> table = {
        setting(&C::lr, "lr", 1e-3, "Adam learning rate", learning_rate_range()),
        setting(&C::gamma, "gamma", 0.99, "discount factor", between(0, 1)),
        setting(&C::baseline, "baseline", Baseline::Value, "what G_t is compared with"),
        setting(&C::norm_adv, "norm_adv", true, "standardise advantages per batch"),
        setting(&C::vf_coef, "vf_coef", 0.5, "weight of the value loss (baseline = value)"),
        setting(&C::ent_coef, "ent_coef", 0.0, "weight of the entropy bonus"),
        setting(&C::max_grad_norm, "max_grad_norm", 0.5, "global gradient-norm clip (0: none)", at_least(0)),
        setting(&C::bootstrap_truncated, "bootstrap_truncated", true,
                "complete time-limit ends with gamma V(final obs) (baseline = value)"),
    };
    return table;
  }
};

// One batch of episodes, time-major (T, N, ...); `alive` marks the steps that belong to them.
struct Episodes {
  torch::Tensor obs, actions, rewards, alive, deltas;
  int64_t steps = 0;  // sum of the episodes' lengths
};

class Reinforce : public UpdateAgent {
 public:
  Reinforce(const Config& config, const EnvSpec& env, uint64_t seed) : cfg_(ReinforceConfig::table().read(config, "reinforce")), cadence_(config), net_(nullptr) {
    torch::manual_seed(seed);  // LibTorch initialises parameters from its global generator
    net_ = nn::ActorCritic(config, env.observation_space, env.action_space);
    if (!env.action_space.is_discrete()) {
      action_low_ = torch::tensor(env.action_space.low(), torch::kFloat64).to(torch::kFloat32);
      action_high_ = torch::tensor(env.action_space.high(), torch::kFloat64).to(torch::kFloat32);
    }
  }

  LoopCadence cadence() const override { return cadence_; }
  int64_t steps_per_update(const VectorEnv&) const override { return 0; }  // whole episodes: lengths vary

  void begin(VectorEnv&, const TrainOptions& options, RunRecords&) override {
    seed_action_sampling(options.seed);
    optimizer_ = make_optimizer(OptimizerKind::Adam, net_->parameters(), cfg_.lr);
  }

  // The first update plays the episodes the loop has just started; every other one starts its own.
  void start_episodes(VectorEnv&) override { episodes_started_ = true; }

  int64_t update(VectorEnv& envs, const UpdateContext& context) override {
    const int64_t N = envs.num_envs();
    // Fresh episodes from the envs' running streams.
    if (!episodes_started_) envs.reset();
    episodes_started_ = false;

    // 1. One episode per env, without gradients.
    const Episodes batch = play_episodes(envs, context.episodes);
    const int64_t T = batch.obs.size(0);

    // 2. Discounted returns, backwards; the baseline; the loss on every live step.
    torch::Tensor returns = torch::zeros({T, N});
    {
      torch::Tensor G = torch::zeros({N});
      for (int64_t t = T - 1; t >= 0; --t) {
        G = batch.rewards[t] + cfg_.gamma * G * batch.alive[t];
        returns[t] = G * batch.alive[t];
      }
    }
    nn::CoreState state = net_->initial_state(N);
    std::vector<torch::Tensor> log_probs, values, entropies;
    if (net_->recurrent()) {
      for (int64_t t = 0; t < T; ++t) {
        const torch::Tensor delta = batch.deltas[t];
        const nn::PolicyOutput out = net_->forward(batch.obs[t], state, [&](const torch::Tensor&) { return delta; });
        log_probs.push_back(net_->log_prob(out, batch.actions[t]));
        values.push_back(out.value);
        entropies.push_back(net_->entropy(out));
      }
    } else {
      const nn::PolicyOutput out = net_->forward(batch.obs.reshape({T * N, -1}), state);
      log_probs.push_back(net_->log_prob(out, flatten_steps(batch.actions)).reshape({T, N}));
      values.push_back(out.value.reshape({T, N}));
      entropies.push_back(net_->entropy(out).reshape({T, N}));
    }
    const torch::Tensor log_prob = torch::stack(log_probs).reshape({T, N});
    const torch::Tensor value = torch::stack(values).reshape({T, N});
    const torch::Tensor entropy_per_step = torch::stack(entropies).reshape({T, N});
    const torch::Tensor live = batch.alive;
    const double live_steps = static_cast<double>(batch.steps);
    auto live_mean = [&](const torch::Tensor& x) { return (x * live).sum() / live_steps; };

    torch::Tensor advantage = returns;
    if (cfg_.baseline == Baseline::Value) advantage = returns - value.detach();
    if (cfg_.baseline == Baseline::Mean) advantage = returns - live_mean(returns);
    if (cfg_.norm_adv && live_steps > 1) {
      const torch::Tensor mean = live_mean(advantage);
      const torch::Tensor std = (live_mean((advantage - mean).square()) * live_steps / (live_steps - 1)).sqrt();
      advantage = (advantage - mean) / (std + 1e-8);
    }
    policy_loss_ = -live_mean(log_prob * advantage);
    value_loss_ = 0.5 * live_mean((returns - value).square());
    entropy_ = live_mean(entropy_per_step);
    torch::Tensor loss = policy_loss_ - cfg_.ent_coef * entropy_;
    if (cfg_.baseline == Baseline::Value) loss = loss + cfg_.vf_coef * value_loss_;
    optimizer_->zero_grad();
    loss.backward();
    if (cfg_.max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(net_->parameters(), cfg_.max_grad_norm);
    optimizer_->step();
    return batch.steps;
  }

  Metrics metrics() const override {
    return {{"policy_loss", policy_loss_.item<double>()},
            {"value_loss", value_loss_.item<double>()},
            {"entropy", entropy_.item<double>()}};
  }

  // Between updates every episode has ended: nothing is carried but the network and its optimiser.
  void save_state(CheckpointWriter& out) const override {
    out.module("network", *net_);
    out.optimizer("optimizer", *optimizer_);
  }

  void load_state(CheckpointReader& in, bool) override {
    in.module("network", *net_);
    in.optimizer("optimizer", *optimizer_);
  }

  void save(const std::string& path) const override { torch::save(net_, path); }

  void load(const std::string& path) override {
    if (!std::filesystem::exists(path)) throw Error("no model file '" + path + "'");
    try {
      torch::load(net_, path);
    } catch (const c10::Error& e) {
      throw Error("cannot load '" + path + "' into this reinforce network: " + e.what_without_backtrace());
    }
  }

  int64_t num_parameters() const override { return nn::parameter_count(*net_); }

 private:
  // Plays until every env's episode has ended, adding each to `log`.
  Episodes play_episodes(VectorEnv& envs, EpisodeLog& log) {
    torch::NoGradGuard no_grad;
    const int64_t N = envs.num_envs();
    const nn::DopamineFn no_dopamine = [](const torch::Tensor& h) { return torch::zeros({h.size(0)}); };
    std::vector<torch::Tensor> obs_t, actions_t, rewards_t, alive_t, deltas_t;
    nn::CoreState state = net_->initial_state(N);
    torch::Tensor alive = torch::ones({N});
    neuromod::TdErrorTracker td;
    td.start_episodes();
    Episodes batch;
    while (alive.any().item<bool>()) {
      const torch::Tensor obs = envs.observations().reshape({N, -1}).to(torch::kFloat32).clone();
      // Dopamine-modulated cores read the TD error of the step before.
      torch::Tensor delta = torch::zeros({N});
      const nn::DopamineFn dopamine = [&](const torch::Tensor& h) {
        return delta = td.delta(net_->value_of_hidden(h), cfg_.gamma);
      };
      const nn::PolicyOutput out = net_->forward(obs, state, dopamine);
      const torch::Tensor action = net_->sample(out);
      envs.step(action_low_.defined() ? torch::max(torch::min(action, action_high_), action_low_).contiguous() : action);
      torch::Tensor reward = envs.rewards().to(torch::kFloat32) * alive;
      const torch::Tensor terminated = envs.terminations().logical_and(alive.to(torch::kBool));
      const torch::Tensor truncated = envs.truncations().logical_and(alive.to(torch::kBool));
      const torch::Tensor cut = truncated.logical_and(terminated.logical_not());
      if (cfg_.bootstrap_truncated && cfg_.baseline == Baseline::Value && cut.any().item<bool>()) {
        // NextStep autoreset: observations() still holds the final observation of an ended episode.
        const torch::Tensor rows = cut.nonzero().squeeze(1);
        const torch::Tensor final_obs = envs.observations().reshape({N, -1}).index_select(0, rows).to(torch::kFloat32);
        nn::CoreState rows_state = nn::select_rows(state, rows);
        reward.index_add_(0, rows, cfg_.gamma * net_->forward(final_obs, rows_state, no_dopamine).value);
      }
      obs_t.push_back(obs);
      actions_t.push_back(action);
      rewards_t.push_back(reward);
      alive_t.push_back(alive);
      deltas_t.push_back(delta * alive);
      batch.steps += static_cast<int64_t>(alive.sum().item<double>());
      td.step(reward, out.value);

      const torch::Tensor ended = terminated.logical_or(truncated);
      if (ended.any().item<bool>()) {
        log.add_ended(envs, ended);
        alive = alive * ended.logical_not().to(torch::kFloat32);
      }
    }
    batch.obs = torch::stack(obs_t);
    batch.actions = torch::stack(actions_t);
    batch.rewards = torch::stack(rewards_t);
    batch.alive = torch::stack(alive_t);
    batch.deltas = torch::stack(deltas_t);
    return batch;
  }

  // (T, N) or (T, N, dims) actions as (T * N) or (T * N, dims).
  static torch::Tensor flatten_steps(const torch::Tensor& actions) {
    if (actions.dim() == 2) return actions.reshape({-1});
    return actions.reshape({-1, actions.size(2)});
  }

  ReinforceConfig cfg_;
  LoopCadence cadence_;
  nn::ActorCritic net_;
  torch::Tensor action_low_, action_high_;  // Box: (dims,) float32

  // While training: the optimiser, whether the envs hold episodes not yet played, the last losses.
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  bool episodes_started_ = false;
  torch::Tensor policy_loss_, value_loss_, entropy_;
};

}  // namespace

AgentRegistration reinforce_registration() {
  AgentRegistration r;
  r.name = "reinforce";
  r.description = "REINFORCE with a baseline, whole episodes, Discrete or Box actions, mlp or any recurrent core";
  r.config = schema_of({nn::actor_critic_config_keys(),
                         ReinforceConfig::table().schema(),
                         loop_config_keys(1, 50, "update")});
  r.autoreset = AutoresetMode::NextStep;
  r.resumable = true;
  r.factory = [](const Config& config, const EnvSpec& env, uint64_t seed) -> std::unique_ptr<Agent> {
    return std::make_unique<Reinforce>(config, env, seed);
  };
  return r;
}

DOPA_REGISTER_AGENT(reinforce_registration());

}  // namespace dopa::agents
