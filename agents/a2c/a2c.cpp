#include "agents/a2c/a2c.h"

#include <torch/torch.h>

#include <cmath>

#include "dopa/core/error.h"
#include "dopa/core/seeding.h"
#include "dopa/neuromod/returns.h"
#include "dopa/neuromod/td_error.h"
#include "dopa/neuromod/update_modulators.h"
#include "dopa/nn/categorical.h"
#include "dopa/nn/recurrent_core.h"
#include "dopa/train/checkpoint.h"
#include "dopa/train/optimizer.h"
#include "dopa/train/schedule.h"
#include "dopa/train/training_loop.h"

namespace dopa::agents {

namespace {

struct A2CConfig {
  OptimizerKind optimizer;
  double lr;
  double gamma;
  double gae_lambda;
  int64_t rollout_steps;
  double vf_coef;
  double max_grad_norm;
  bool norm_adv;
  EntropySchedule ent;

  static const SettingsTable<A2CConfig>& table() {
    using C = A2CConfig;
    static const SettingsTable<C> table = {
        setting(&C::optimizer, "optimizer", OptimizerKind::Adam, "optimiser"),
        setting(&C::lr, "lr", 1e-3, "learning rate", learning_rate_range()),
        setting(&C::gamma, "gamma", 0.9, "discount factor", between(0, 1)),
        setting(&C::gae_lambda, "gae_lambda", 1.0, "GAE lambda (1: n-step returns)", between(0, 1)),
        setting(&C::rollout_steps, "rollout_steps", 100, "steps per env between updates (the BPTT length)",
                at_least(1)),
        setting(&C::vf_coef, "vf_coef", 0.05, "weight of the value loss", {}, {"value_coef"}),
        setting(&C::max_grad_norm, "max_grad_norm", 1.0, "global gradient-norm clip (0: none)", at_least(0)),
        setting(&C::norm_adv, "norm_adv", false, "normalise advantages per update", {}, {"normalize_advantages"}),
        nested(&C::ent, EntropySchedule::table(0.05)),
    };
    return table;
  }
};

// Any nn core (rnn, lstm, gru, mlp, plastic, modplast, modul), a softmax policy head and a value head.
class ActorCriticImpl : public torch::nn::Module {
 public:
  ActorCriticImpl(std::shared_ptr<nn::RecurrentCore> core, int64_t actions)
      : core(register_module("core", std::move(core))) {
    actor = register_module("actor", torch::nn::Linear(this->core->hidden_size(), actions));
    critic = register_module("critic", torch::nn::Linear(this->core->hidden_size(), 1));
  }
  torch::Tensor value(const torch::Tensor& h) { return critic->forward(h).squeeze(1); }

  std::shared_ptr<nn::RecurrentCore> core;
  torch::nn::Linear actor{nullptr}, critic{nullptr};
};
TORCH_MODULE(ActorCritic);

class A2C : public UpdateAgent {
 public:
  A2C(const Config& config, const EnvSpec& env, uint64_t seed)
      : cfg_(A2CConfig::table().read(config, "a2c")), cadence_(config), model_(make_model(config, env, seed)), modulators_(config, "a2c", agent_stream_seed(seed, AgentStream::Modulators)) {}

  LoopCadence cadence() const override { return cadence_; }
  int64_t steps_per_update(const VectorEnv& envs) const override { return envs.num_envs() * cfg_.rollout_steps; }

  void begin(VectorEnv& envs, const TrainOptions& options, RunRecords&) override {
    seed_action_sampling(options.seed);
    optimizer_ = make_optimizer(cfg_.optimizer, model_->parameters(), cfg_.lr);
    const int64_t N = envs.num_envs();
    state_ = model_->core->initial_state(N);
    td_.start_masked(N, torch::TensorOptions());
  }

  void start_episodes(VectorEnv& envs) override { obs_ = observe(envs); }

  int64_t update(VectorEnv& envs, const UpdateContext& context) override {
    const int64_t num_envs = envs.num_envs();
    const int64_t T = cfg_.rollout_steps;
    nn::RecurrentCore& core = *model_->core;
    // Cores modulated by dopamine read the TD error of the step before.
    const nn::DopamineFn dopamine = [&](const torch::Tensor& h) {
      torch::NoGradGuard no_grad;
      return td_.delta(model_->value(h), gamma_);
    };
    const nn::DopamineFn no_dopamine = [](const torch::Tensor& h) { return torch::zeros({h.size(0)}); };

    const double progress = static_cast<double>(context.update - 1) / static_cast<double>(context.num_updates);
    // Doya's neuromodulators, when configured, set this update's discount (serotonin), step size
    // (acetylcholine) and entropy weight (noradrenaline).
    gamma_ = modulators_.gamma(cfg_.gamma);
    entropy_coef_ = modulators_.entropy_coef(cfg_.ent.at(progress));
    lr_ = modulators_.lr(cfg_.lr);
    if (modulators_.sets_lr()) set_learning_rate(*optimizer_, lr_);

    // 1. Roll out T steps in every env, keeping the graph for backpropagation through time.
    state_ = nn::detach_state(state_);
    std::vector<torch::Tensor> log_probs, values, entropies, rewards, continues;
    for (int64_t t = 0; t < T; ++t) {
      const torch::Tensor h = core.step(obs_, state_, dopamine);
      const torch::Tensor log_policy = torch::log_softmax(model_->actor->forward(h), 1);
      const torch::Tensor action = nn::sample_categorical(log_policy.detach().exp());
      log_probs.push_back(log_policy.gather(1, action.unsqueeze(1)).squeeze(1));
      entropies.push_back(-(log_policy.exp() * log_policy).sum(1));
      values.push_back(model_->value(h));

      envs.step(action);
      torch::Tensor reward = envs.rewards().to(torch::kFloat32);  // a copy
      const torch::Tensor terminated = envs.terminations().clone();
      const torch::Tensor done = terminated.logical_or(envs.truncations());
      // A truncated episode did not end in the MDP: add gamma * V(final observation).
      const torch::Tensor cut = envs.truncations().logical_and(terminated.logical_not());
      if (cut.any().item<bool>()) {
        torch::NoGradGuard no_grad;
        const torch::Tensor rows = cut.nonzero().squeeze(1);
        const torch::Tensor final_obs = envs.final_observations().reshape({num_envs, -1}).index_select(0, rows).to(torch::kFloat32);
        nn::CoreState rows_state = nn::select_rows(state_, rows);
        const torch::Tensor final_value = model_->value(core.step(final_obs, rows_state, no_dopamine));
        reward.index_add_(0, rows, gamma_ * final_value);
      }
      rewards.push_back(reward);
      const torch::Tensor keep = done.logical_not().to(torch::kFloat32);
      continues.push_back(keep);
      td_.step(envs.rewards().to(torch::kFloat32), values.back().detach(), 1 - keep);

      if (done.any().item<bool>()) {
        context.episodes.add_ended(envs, done);
        state_ = nn::mask_state(state_, keep);  // a new episode starts from a zero state
      }
      obs_ = observe(envs);
    }

    // 2. Returns and advantages (GAE; gae_lambda = 1 gives n-step returns), from values held fixed.
    torch::Tensor next_value;
    {
      torch::NoGradGuard no_grad;
      nn::CoreState lookahead = nn::clone_state(state_);
      next_value = model_->value(core.step(obs_, lookahead, dopamine));
    }
    const torch::Tensor value_estimates = torch::stack(values).detach();
    const torch::Tensor advantage = neuromod::gae_advantages(torch::stack(rewards), value_estimates, next_value,
                                                             torch::stack(continues), gamma_, cfg_.gae_lambda);
    const torch::Tensor returns = advantage + value_estimates;
    torch::Tensor policy_advantage = advantage;
    if (cfg_.norm_adv) policy_advantage = (advantage - advantage.mean()) / (advantage.std() + 1e-8);

    // 3. One optimiser step on the whole unroll.
    const torch::Tensor log_prob = torch::stack(log_probs);
    const torch::Tensor value = torch::stack(values);
    entropy_ = torch::stack(entropies).mean();
    policy_loss_ = -(log_prob * policy_advantage).mean();
    value_loss_ = 0.5 * (returns - value).pow(2).mean();
    const torch::Tensor loss = policy_loss_ + cfg_.vf_coef * value_loss_ - entropy_coef_ * entropy_;
    optimizer_->zero_grad();
    loss.backward();
    if (cfg_.max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(model_->parameters(), cfg_.max_grad_norm);
    optimizer_->step();
    if (modulators_.any())  // the update's reward per step, and its dopamine: the mean |advantage|
      modulators_.step(torch::stack(rewards).mean().item<double>(), advantage.abs().mean().item<double>(),
                       static_cast<double>(context.update) / static_cast<double>(context.num_updates));
    return num_envs * T;
  }

  Metrics metrics() const override {
    Metrics row = {{"policy_loss", policy_loss_.item<double>()},
                   {"value_loss", value_loss_.item<double>()},
                   {"entropy", entropy_.item<double>()},
                   {"entropy_coef", entropy_coef_}};
    for (const auto& column : modulators_.columns(lr_, gamma_)) row.push_back(column);
    return row;
  }

  void save_state(CheckpointWriter& out) const override {
    out.module("model", *model_);
    out.optimizer("optimizer", *optimizer_);
    out.text("modulators", modulators_.save());
    out.tensor("obs", obs_);
    out.tensors("core_state", state_.tensors);
    out.tensors("core_modulator", {state_.modulator});
    out.tensors("carried", td_.state());
  }

  void load_state(CheckpointReader& in, bool envs_restored) override {
    in.module("model", *model_);
    in.optimizer("optimizer", *optimizer_);
    modulators_.load(in.text("modulators"));
    if (!envs_restored) return;
    obs_ = in.tensor("obs");
    state_.tensors = in.tensors("core_state");
    state_.modulator = in.tensors("core_modulator").at(0);
    td_.set_state(in.tensors("carried"));
  }

  int64_t num_parameters() const override {
    int64_t count = 0;
    for (const auto& p : model_->parameters()) count += p.numel();
    return count;
  }

  void save(const std::string& path) const override { torch::save(model_, path); }

 private:
  static ActorCritic make_model(const Config& config, const EnvSpec& env, uint64_t seed) {
    torch::manual_seed(seed);  // LibTorch initialises parameters from its global generator
    return ActorCritic(nn::make_core(nn::core_options(config, env.observation_space.size())), env.action_space.n());
  }

  // The buffers are overwritten by each step: clone the observations the graph keeps.
  static torch::Tensor observe(const VectorEnv& envs) {
    return envs.observations().reshape({envs.num_envs(), -1}).to(torch::kFloat32).clone();
  }

  A2CConfig cfg_;
  LoopCadence cadence_;
  ActorCritic model_;
  neuromod::UpdateModulators modulators_;  // Doya's meta-parameter sources, when configured

  // While training: the optimiser, what the envs' episodes carry from update to update (the next
  // observation, the core's state, the dopamine inputs), this update's meta-parameters and losses.
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  torch::Tensor obs_;
  nn::CoreState state_;
  neuromod::TdErrorTracker td_;
  double gamma_ = 0.0, entropy_coef_ = 0.0, lr_ = 0.0;  // serotonin may change gamma from update to update
  torch::Tensor policy_loss_, value_loss_, entropy_;
};

}  // namespace

AgentRegistration a2c_registration() {
  AgentRegistration r;
  r.name = "a2c";
  r.description = "recurrent advantage actor-critic, any nn core (lstm by default), Discrete actions";
  r.config = schema_of({nn::core_config_keys(nn::CoreKind::Lstm, 48),
                         A2CConfig::table().schema(),
                         loop_config_keys(10, 100, "update"),
                         neuromod::UpdateModulators::config_keys()});
  r.autoreset = AutoresetMode::SameStep;
  r.resumable = true;
  r.factory = [](const Config& config, const EnvSpec& env, uint64_t seed) -> std::unique_ptr<Agent> {
    if (!env.action_space.is_discrete())
      throw Error("a2c needs a Discrete action space; " + env.id + " has " + env.action_space.to_string());
    return std::make_unique<A2C>(config, env, seed);
  };
  return r;
}

DOPA_REGISTER_AGENT(a2c_registration());

}  // namespace dopa::agents
