#include "agents/a2c/a2c.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>

#include "dopa/core/error.h"
#include "dopa/neuromod/update_modulators.h"
#include "dopa/nn/categorical.h"
#include "dopa/nn/recurrent_core.h"
#include "dopa/train/checkpoint.h"

namespace dopa::agents {

namespace {

struct A2CConfig {
  std::string optimizer;
  double lr;
  double gamma;
  double gae_lambda;
  int64_t rollout_steps;
  double value_coef;
  double entropy_coef;
  double entropy_coef_final;
  bool anneal_entropy;
  double max_grad_norm;
  bool normalize_advantages;
  int64_t log_interval;
  int64_t checkpoint_every;

  explicit A2CConfig(const Config& c)
      : optimizer(c.get_string("optimizer")),
        lr(c.get_float("lr")),
        gamma(c.get_float("gamma")),
        gae_lambda(c.get_float("gae_lambda")),
        rollout_steps(c.get_int("rollout_steps")),
        value_coef(c.get_float("value_coef")),
        entropy_coef(c.get_float("entropy_coef")),
        entropy_coef_final(c.get_float("entropy_coef_final")),
        anneal_entropy(c.get_bool("anneal_entropy")),
        max_grad_norm(c.get_float("max_grad_norm")),
        normalize_advantages(c.get_bool("normalize_advantages")),
        log_interval(c.get_int("log_interval")),
        checkpoint_every(c.get_int("checkpoint_every")) {
    if (rollout_steps < 1) throw Error("a2c 'rollout_steps' must be >= 1, got " + std::to_string(rollout_steps));
    if (!(lr > 0)) throw Error("a2c 'lr' must be > 0");
    if (!(gamma >= 0 && gamma <= 1)) throw Error("a2c 'gamma' must be in [0, 1]");
    if (!(gae_lambda >= 0 && gae_lambda <= 1)) throw Error("a2c 'gae_lambda' must be in [0, 1]");
    if (log_interval < 1) throw Error("a2c 'log_interval' must be >= 1");
    if (checkpoint_every < 0) throw Error("a2c 'checkpoint_every' must be >= 0");
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

class A2C : public Agent {
 public:
  A2C(const Config& config, const EnvSpec& env, uint64_t seed)
      : cfg_(config), model_(make_model(config, env, seed)), modulators_(config, "a2c", seed + 2) {}

  TrainResult train(VectorEnv& envs, const TrainOptions& options, TrainMonitor& monitor) override {
    torch::manual_seed(options.seed + 1);  // the action-sampling stream, apart from the initialisation's
    const int64_t num_envs = envs.num_envs();
    const int64_t T = cfg_.rollout_steps;
    const int64_t steps_per_update = num_envs * T;
    const int64_t num_updates = std::max<int64_t>(1, options.total_steps / steps_per_update);

    std::unique_ptr<torch::optim::Optimizer> optimizer;
    if (cfg_.optimizer == "adam") {
      optimizer = std::make_unique<torch::optim::Adam>(model_->parameters(), torch::optim::AdamOptions(cfg_.lr));
    } else {
      optimizer = std::make_unique<torch::optim::RMSprop>(model_->parameters(), torch::optim::RMSpropOptions(cfg_.lr));
    }

    // The buffers are overwritten by each step: clone the observations the graph keeps.
    auto observe = [&] { return envs.observations().reshape({num_envs, -1}).to(torch::kFloat32).clone(); };
    torch::Tensor obs;
    nn::RecurrentCore& core = *model_->core;
    nn::CoreState state = core.initial_state(num_envs);
    // Cores modulated by dopamine take delta_{t-1} = r_{t-1} + gamma V(s_t) - V(s_{t-1}), zero on
    // the first step of an episode.
    torch::Tensor previous_reward = torch::zeros({num_envs}), previous_value = torch::zeros({num_envs});
    torch::Tensor episode_start = torch::ones({num_envs});
    double gamma = cfg_.gamma;  // serotonin may change it from update to update
    const nn::DopamineFn dopamine = [&](const torch::Tensor& h) {
      torch::NoGradGuard no_grad;
      return (1 - episode_start) * (previous_reward + gamma * model_->value(h) - previous_value);
    };
    const nn::DopamineFn no_dopamine = [](const torch::Tensor& h) { return torch::zeros({h.size(0)}); };

    TrainResult result;
    EpisodeLog log;
    const auto start = std::chrono::steady_clock::now();

    // Checkpoints hold the carried state above with the model, optimiser, generator, modulators and
    // envs: a resumed run goes on exactly as an uninterrupted one.
    const bool checkpoints = !options.run_dir.empty();
    if (checkpoints) envs.record_for_snapshots();
    auto save_checkpoint = [&](int64_t update) {
      CheckpointWriter out(options.run_dir);
      out.progress("update", update);
      out.progress("global_step", result.global_step);
      out.progress("episodes", log.episodes());
      out.progress("best_return", log.best_return());
      out.module("model", *model_);
      out.optimizer("optimizer", *optimizer);
      out.random_generator();
      out.text("episode_log", log.save());
      out.text("modulators", modulators_.save());
      out.envs(envs);
      out.tensor("obs", obs);
      out.tensors("core_state", state.tensors);
      out.tensors("core_modulator", {state.modulator});
      out.tensors("carried", {episode_start, previous_reward, previous_value});
      out.commit();
    };
    int64_t first_update = 1;
    bool fresh_envs = true;
    if (options.resume) {
      CheckpointReader in(options.run_dir);
      in.module("model", *model_);
      in.optimizer("optimizer", *optimizer);
      in.random_generator();
      log.load(in.text("episode_log"));
      modulators_.load(in.text("modulators"));
      first_update = in.progress_int("update") + 1;
      result.global_step = result.start_step = in.progress_int("global_step");
      if (in.envs(envs)) {
        fresh_envs = false;
        obs = in.tensor("obs");
        state.tensors = in.tensors("core_state");
        state.modulator = in.tensors("core_modulator").at(0);
        const std::vector<torch::Tensor> carried = in.tensors("carried");
        episode_start = carried.at(0);
        previous_reward = carried.at(1);
        previous_value = carried.at(2);
      }
    }
    if (fresh_envs) {  // a new run, or a checkpoint from other envs (the warm-up's)
      envs.reset(options.seed + static_cast<uint64_t>(first_update - 1) * 1000003ULL);
      obs = observe();
    }

    int64_t last_checkpoint = first_update - 1;
    for (int64_t update = first_update; update <= num_updates; ++update) {
      if (monitor.should_stop()) {  // Ctrl-C or SIGTERM: the state after the last whole update
        result.stopped_early = true;
        if (checkpoints) save_checkpoint(update - 1);
        last_checkpoint = update - 1;
        break;
      }
      const double progress = static_cast<double>(update - 1) / static_cast<double>(num_updates);
      // Doya's neuromodulators, when configured, set this update's discount (serotonin), step size
      // (acetylcholine) and entropy weight (noradrenaline).
      gamma = modulators_.gamma(cfg_.gamma);
      const double entropy_coef = modulators_.entropy_coef(
          cfg_.anneal_entropy ? cfg_.entropy_coef + (cfg_.entropy_coef_final - cfg_.entropy_coef) * progress
                              : cfg_.entropy_coef);
      const double lr = modulators_.lr(cfg_.lr);
      if (modulators_.sets_lr())
        for (auto& group : optimizer->param_groups()) group.options().set_lr(lr);

      // 1. Roll out T steps in every env, keeping the graph for backpropagation through time.
      state = nn::detach_state(state);
      std::vector<torch::Tensor> log_probs, values, entropies, rewards, continues;
      for (int64_t t = 0; t < T; ++t) {
        const torch::Tensor h = core.step(obs, state, dopamine);
        const torch::Tensor log_policy = torch::log_softmax(model_->actor->forward(h), 1);
        const torch::Tensor action = nn::sample_categorical(log_policy.detach().exp());
        log_probs.push_back(log_policy.gather(1, action.unsqueeze(1)).squeeze(1));
        entropies.push_back(-(log_policy.exp() * log_policy).sum(1));
        values.push_back(model_->value(h));
        previous_value = values.back().detach();

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
          nn::CoreState rows_state = nn::select_rows(state, rows);
          const torch::Tensor final_value = model_->value(core.step(final_obs, rows_state, no_dopamine));
          reward.index_add_(0, rows, gamma * final_value);
        }
        rewards.push_back(reward);
        const torch::Tensor keep = done.logical_not().to(torch::kFloat32);
        continues.push_back(keep);
        previous_reward = envs.rewards().to(torch::kFloat32);
        episode_start = 1 - keep;

        if (done.any().item<bool>()) {
          log.add_ended(envs, done);
          state = nn::mask_state(state, keep);  // a new episode starts from a zero state
        }
        obs = observe();
      }

      // 2. Returns and advantages (GAE; gae_lambda = 1 gives n-step returns), from values held fixed.
      torch::Tensor next_value;
      {
        torch::NoGradGuard no_grad;
        nn::CoreState lookahead = nn::clone_state(state);
        next_value = model_->value(core.step(obs, lookahead, dopamine));
      }
      const torch::Tensor value_estimates = torch::stack(values).detach();
      std::vector<torch::Tensor> advantages(T);
      torch::Tensor gae = torch::zeros({num_envs});
      for (int64_t t = T - 1; t >= 0; --t) {
        const torch::Tensor following = t == T - 1 ? next_value : value_estimates[t + 1];
        const torch::Tensor delta = rewards[t] + gamma * following * continues[t] - value_estimates[t];
        gae = delta + gamma * cfg_.gae_lambda * continues[t] * gae;
        advantages[t] = gae;
      }
      const torch::Tensor advantage = torch::stack(advantages);
      const torch::Tensor returns = advantage + value_estimates;
      torch::Tensor policy_advantage = advantage;
      if (cfg_.normalize_advantages) policy_advantage = (advantage - advantage.mean()) / (advantage.std() + 1e-8);

      // 3. One optimiser step on the whole unroll.
      const torch::Tensor log_prob = torch::stack(log_probs);
      const torch::Tensor value = torch::stack(values);
      const torch::Tensor entropy = torch::stack(entropies).mean();
      const torch::Tensor policy_loss = -(log_prob * policy_advantage).mean();
      const torch::Tensor value_loss = 0.5 * (returns - value).pow(2).mean();
      const torch::Tensor loss = policy_loss + cfg_.value_coef * value_loss - entropy_coef * entropy;
      optimizer->zero_grad();
      loss.backward();
      if (cfg_.max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(model_->parameters(), cfg_.max_grad_norm);
      optimizer->step();
      if (modulators_.any())  // the update's reward per step, and its dopamine: the mean |advantage|
        modulators_.step(torch::stack(rewards).mean().item<double>(), advantage.abs().mean().item<double>(),
                         static_cast<double>(update) / static_cast<double>(num_updates));

      result.global_step = update * steps_per_update;
      monitor.progress(result.global_step, log.recent_mean());
      if (update % cfg_.log_interval == 0 || update == num_updates) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const EpisodeLog::Interval interval = log.take_interval();
        Metrics row = {{"episodes", static_cast<double>(log.episodes())},
                     {"episodic_return", interval.mean_return},
                     {"episodic_length", interval.mean_length},
                     {"policy_loss", policy_loss.item<double>()},
                     {"value_loss", value_loss.item<double>()},
                     {"entropy", entropy.item<double>()},
                     {"entropy_coef", entropy_coef},
                     {"SPS", (result.global_step - result.start_step) / std::max(seconds, 1e-9)}};
        // Columns only where a neuromodulator sets them (a run's columns never change).
        if (modulators_.sets_lr()) row.insert(row.end() - 1, {"lr", lr});
        if (modulators_.sets_gamma()) row.insert(row.end() - 1, {"gamma", gamma});
        monitor.log(result.global_step, row);
      }
      if (checkpoints && cfg_.checkpoint_every > 0 && update % cfg_.checkpoint_every == 0) {
        save_checkpoint(update);
        last_checkpoint = update;
      }
    }
    // The end, for a later --resume with more steps.
    if (checkpoints && !result.stopped_early && last_checkpoint < num_updates && first_update <= num_updates)
      save_checkpoint(num_updates);
    result.episodes = log.episodes();
    result.final_return = log.recent_mean();
    result.best_return = log.best_return();
    return result;
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

  A2CConfig cfg_;
  ActorCritic model_;
  neuromod::UpdateModulators modulators_;  // Doya's meta-parameter sources, when configured
};

}  // namespace

AgentRegistration a2c_registration() {
  AgentRegistration r;
  r.name = "a2c";
  r.description = "recurrent advantage actor-critic, any nn core (lstm by default), Discrete actions";
  r.config = nn::core_config_keys("lstm", 48);
  const ConfigSchema own = {
      {"optimizer", "adam", "optimiser", {"adam", "rmsprop"}},
      {"lr", 1e-3, "learning rate"},
      {"gamma", 0.9, "discount factor"},
      {"gae_lambda", 1.0, "GAE lambda (1: n-step returns)"},
      {"rollout_steps", 100, "steps per env between updates (the BPTT length)"},
      {"value_coef", 0.05, "weight of the value loss"},
      {"entropy_coef", 0.05, "weight of the entropy bonus (at the start when annealed)"},
      {"entropy_coef_final", 0.0, "entropy weight at the end of training, when anneal_entropy is true"},
      {"anneal_entropy", false, "anneal the entropy weight linearly to entropy_coef_final"},
      {"max_grad_norm", 1.0, "global gradient-norm clip (0: none)"},
      {"normalize_advantages", false, "normalise advantages per update"},
      {"log_interval", 10, "updates between metrics rows"},
      {"checkpoint_every", 100, "updates between checkpoints in the run folder (0: only when stopped and at the end)"},
  };
  r.config.insert(r.config.end(), own.begin(), own.end());
  const ConfigSchema modulators = neuromod::UpdateModulators::config_keys();
  r.config.insert(r.config.end(), modulators.begin(), modulators.end());
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
