// Proximal Policy Optimization (Schulman et al. 2017), as CleanRL's ppo.py / ppo_continuous_action.py
// / ppo_atari_lstm.py, in one agent:
//
//   Discrete or Box actions (categorical, or Gaussian with a state-independent log-std);
//   the mlp network (CleanRL's towers) or any recurrent core, plastic and modulated ones included
//   (recurrent PPO: minibatches of whole env sequences, re-run from the rollout's first state);
//   GAE, per-minibatch advantage normalisation, the clipped objective, optional value clipping,
//   running observation and reward normalisation (saved with the model), gradient clipping, linear
//   learning-rate annealing, optional early stop on approx_kl.
//
// One thing CleanRL does not: an episode cut by the time limit is bootstrapped with the value of
// its final observation (bootstrap_truncated; off reproduces CleanRL, which treats it as terminal).
//
// Metrics use CleanRL's names: episodic_return, episodic_length, learning_rate, value_loss,
// policy_loss, entropy, old_approx_kl, approx_kl, clipfrac, explained_variance, SPS.
#include <torch/torch.h>

#include <cmath>
#include <filesystem>

#include "dopa/core/error.h"
#include "dopa/neuromod/returns.h"
#include "dopa/neuromod/td_error.h"
#include "dopa/nn/actor_critic.h"
#include "dopa/nn/running_mean_std.h"
#include "dopa/train/agent.h"
#include "dopa/train/checkpoint.h"
#include "dopa/train/optimizer.h"
#include "dopa/train/training_loop.h"

namespace dopa::agents {

namespace {

struct PpoConfig {
  double lr;
  bool anneal_lr;
  double adam_eps;
  double gamma;
  double gae_lambda;
  int64_t num_steps;
  int64_t num_minibatches;
  int64_t update_epochs;
  bool norm_adv;
  double clip_coef;
  bool clip_vloss;
  double ent_coef;
  double vf_coef;
  double max_grad_norm;
  double target_kl;
  bool normalize_obs;
  bool normalize_reward;
  double obs_clip;
  double reward_clip;
  bool bootstrap_truncated;
  bool deterministic;

  static const SettingsTable<PpoConfig>& table() {
    using C = PpoConfig;
    static const SettingsTable<C> table = {
        setting(&C::lr, "lr", 2.5e-4, "Adam learning rate (at the start when annealed)", learning_rate_range()),
        setting(&C::anneal_lr, "anneal_lr", true, "anneal the learning rate linearly to 0"),
        setting(&C::adam_eps, "adam_eps", 1e-5, "Adam epsilon", positive()),
        setting(&C::gamma, "gamma", 0.99, "discount factor", between(0, 1)),
        setting(&C::gae_lambda, "gae_lambda", 0.95, "GAE lambda", between(0, 1)),
        setting(&C::num_steps, "num_steps", 128, "steps per env in each rollout", at_least(1)),
        setting(&C::num_minibatches, "num_minibatches", 4, "minibatches per epoch (recurrent: groups of envs)",
                at_least(1)),
        setting(&C::update_epochs, "update_epochs", 4, "passes over each rollout", at_least(1)),
        setting(&C::norm_adv, "norm_adv", true, "normalise advantages per minibatch"),
        setting(&C::clip_coef, "clip_coef", 0.2,
                "clip range of the probability ratio (and of the value change when clip_vloss)", positive()),
        setting(&C::clip_vloss, "clip_vloss", true, "clipped value loss"),
        setting(&C::ent_coef, "ent_coef", 0.01, "weight of the entropy bonus"),
        setting(&C::vf_coef, "vf_coef", 0.5, "weight of the value loss"),
        setting(&C::max_grad_norm, "max_grad_norm", 0.5, "global gradient-norm clip (0: none)", at_least(0)),
        setting(&C::target_kl, "target_kl", 0.0, "stop the update's epochs once approx_kl exceeds this (0: never)",
                at_least(0)),
        setting(&C::normalize_obs, "normalize_obs", false,
                "running observation normalisation (statistics saved with the model)"),
        setting(&C::normalize_reward, "normalize_reward", false,
                "scale rewards by the running std of the discounted return"),
        setting(&C::obs_clip, "obs_clip", 10.0, "clip of normalised observations", positive()),
        setting(&C::reward_clip, "reward_clip", 10.0, "clip of normalised rewards", positive()),
        setting(&C::bootstrap_truncated, "bootstrap_truncated", true,
                "bootstrap time-limit ends from V(final obs) (false: as CleanRL)"),
        setting(&C::deterministic, "deterministic", false,
                "play (dopa play) the most likely action instead of sampling"),
    };
    return table;
  }
};

// Everything a trained policy needs: the network and the normalisers' statistics.
class PolicyImpl : public torch::nn::Module {
 public:
  PolicyImpl(const Config& config, const EnvSpec& env, const PpoConfig& cfg)
      : net(register_module("net", nn::ActorCritic(config, env.observation_space, env.action_space))),
        obs_normalizer(register_module("obs_normalizer",
                                       nn::ObservationNormalizer(env.observation_space.size(), cfg.obs_clip))),
        reward_normalizer(register_module("reward_normalizer", nn::RewardNormalizer(cfg.gamma, cfg.reward_clip))) {}

  nn::ActorCritic net;
  nn::ObservationNormalizer obs_normalizer;
  nn::RewardNormalizer reward_normalizer;
};
TORCH_MODULE(Policy);

// What one rollout of num_steps steps in every env keeps for the update, (T, N, ...) each.
struct Rollout {
  torch::Tensor obs, actions, log_probs, values, rewards, continues, deltas;
  nn::CoreState first_state;  // recurrent: the state before step 0
};

class Ppo : public UpdateAgent {
 public:
  Ppo(const Config& config, const EnvSpec& env, uint64_t seed) : cfg_(PpoConfig::table().read(config, "ppo")), cadence_(config), policy_(nullptr) {
    torch::manual_seed(seed);  // LibTorch initialises parameters from its global generator
    policy_ = Policy(config, env, cfg_);
    if (!env.action_space.is_discrete()) {
      action_low_ = torch::tensor(env.action_space.low(), torch::kFloat64).to(torch::kFloat32);
      action_high_ = torch::tensor(env.action_space.high(), torch::kFloat64).to(torch::kFloat32);
    }
  }

  LoopCadence cadence() const override { return cadence_; }
  int64_t steps_per_update(const VectorEnv& envs) const override { return envs.num_envs() * cfg_.num_steps; }

  void begin(VectorEnv& envs, const TrainOptions& options, RunRecords&) override {
    const int64_t N = envs.num_envs();
    nn::ActorCritic& net = policy_->net;
    if (net->recurrent() && N % cfg_.num_minibatches != 0)
      throw Error("recurrent ppo splits minibatches by env: num_envs (" + std::to_string(N) +
                  ") must be a multiple of num_minibatches (" + std::to_string(cfg_.num_minibatches) + ")");
    if (!net->recurrent() && N * cfg_.num_steps < cfg_.num_minibatches)
      throw Error("ppo: num_envs x num_steps (" + std::to_string(N * cfg_.num_steps) + ") is smaller than num_minibatches");
    seed_action_sampling(options.seed);
    // The network on the device (a GPU: the envs step on the CPU, their pinned buffers copied over
    // asynchronously, observe()); before the optimiser takes the parameters.
    device_ = options.device;
    policy_->to(device_);
    optimizer_ = make_optimizer(OptimizerKind::Adam, net->parameters(), cfg_.lr, cfg_.adam_eps);
    // The loop's carried state: the next observation, the core's state, the dopamine inputs.
    const torch::TensorOptions on_device = torch::TensorOptions().device(device_);
    state_ = net->initial_state(N);
    td_.start_masked(N, on_device);
  }

  void start_episodes(VectorEnv& envs) override { obs_ = observe(envs.observations(), /*update=*/true); }

  int64_t update(VectorEnv& envs, const UpdateContext& context) override {
    nn::ActorCritic& net = policy_->net;
    const int64_t N = envs.num_envs();
    const int64_t T = cfg_.num_steps;
    const torch::TensorOptions on_device = torch::TensorOptions().device(device_);
    // For look-ahead values, whose plastic updates are discarded: no dopamine.
    const nn::DopamineFn no_dopamine = [](const torch::Tensor& h) { return torch::zeros({h.size(0)}, h.options()); };
    lr_ = cfg_.anneal_lr ? cfg_.lr * (1.0 - static_cast<double>(context.update - 1) / context.num_updates) : cfg_.lr;
    set_learning_rate(*optimizer_, lr_);

    // 1. Roll out T steps in every env with the current policy, without gradients.
    Rollout roll;
    std::vector<torch::Tensor> obs_t, actions_t, log_probs_t, values_t, rewards_t, continues_t, deltas_t;
    {
      torch::NoGradGuard no_grad;
      roll.first_state = nn::clone_state(state_);
      for (int64_t t = 0; t < T; ++t) {
        // A dopamine-modulated core reads the TD error of the step before; the update replays it.
        torch::Tensor delta = torch::zeros({N}, on_device);
        const nn::DopamineFn dopamine = [&](const torch::Tensor& h) {
          return delta = td_.delta(net->value_of_hidden(h), cfg_.gamma);
        };
        const nn::PolicyOutput out = net->forward(obs_, state_, dopamine);
        const torch::Tensor action = net->sample(out);
        obs_t.push_back(obs_);
        actions_t.push_back(action);
        log_probs_t.push_back(net->log_prob(out, action));
        values_t.push_back(out.value);
        deltas_t.push_back(delta);

        envs.step(env_action(action));
        const torch::Tensor terminated = envs.terminations().to(device_, false, /*copy=*/true);
        const torch::Tensor truncated = envs.truncations().to(device_);
        const torch::Tensor done = terminated.logical_or(truncated);
        torch::Tensor reward = cfg_.normalize_reward
                                   ? policy_->reward_normalizer(envs.rewards().to(device_), terminated)
                                   : envs.rewards().to(on_device.dtype(torch::kFloat32));
        const torch::Tensor raw_reward = reward.clone();
        // A time limit is not an MDP end: add gamma V(final observation) (the state before the reset).
        const torch::Tensor cut = truncated.logical_and(terminated.logical_not());
        if (cfg_.bootstrap_truncated && cut.any().item<bool>()) {
          const torch::Tensor rows = cut.nonzero().squeeze(1);
          const torch::Tensor final_obs =
              observe(envs.final_observations().index_select(0, rows.to(torch::kCPU)), false);
          nn::CoreState rows_state = nn::select_rows(state_, rows);
          reward.index_add_(0, rows, cfg_.gamma * net->forward(final_obs, rows_state, no_dopamine).value);
        }
        rewards_t.push_back(reward);
        const torch::Tensor keep = done.logical_not().to(torch::kFloat32);
        continues_t.push_back(keep);
        td_.step(raw_reward, out.value, 1 - keep);

        if (done.any().item<bool>()) {
          context.episodes.add_ended(envs, done.to(torch::kCPU));
          if (net->recurrent()) state_ = nn::mask_state(state_, keep);  // a new episode starts from zeros
        }
        obs_ = observe(envs.observations(), true);
      }
      roll.obs = torch::stack(obs_t);
      roll.actions = torch::stack(actions_t);
      roll.log_probs = torch::stack(log_probs_t);
      roll.values = torch::stack(values_t);
      roll.rewards = torch::stack(rewards_t);
      roll.continues = torch::stack(continues_t);
      roll.deltas = torch::stack(deltas_t);
    }

    // 2. Advantages by GAE(lambda), bootstrapped from the value of the next observation.
    torch::Tensor advantages;
    {
      torch::NoGradGuard no_grad;
      nn::CoreState lookahead = nn::clone_state(state_);
      const torch::Tensor next_value = net->forward(obs_, lookahead, no_dopamine).value;
      advantages = neuromod::gae_advantages(roll.rewards, roll.values, next_value, roll.continues, cfg_.gamma,
                                            cfg_.gae_lambda);
      returns_ = advantages + roll.values;
      values_ = roll.values;
    }

    // 3. update_epochs passes over the rollout in num_minibatches minibatches.
    clipfrac_sum_ = approx_kl_ = old_approx_kl_ = 0.0;
    minibatch_count_ = 0;
    const int64_t units = net->recurrent() ? N : N * T;  // what a minibatch samples: envs or steps
    const int64_t minibatch_size = units / cfg_.num_minibatches;
    for (int64_t epoch = 0; epoch < cfg_.update_epochs; ++epoch) {
      const torch::Tensor order = torch::randperm(units, torch::kLong).to(device_);  // the CPU generator's
      for (int64_t begin = 0; begin + minibatch_size <= units; begin += minibatch_size) {
        const torch::Tensor index = order.slice(0, begin, begin + minibatch_size);
        const Minibatch mb = evaluate(roll, index);
        const torch::Tensor mb_returns = select(returns_, index);
        const torch::Tensor mb_old_values = select(roll.values, index);
        const torch::Tensor mb_old_log_probs = select(roll.log_probs, index);

        const torch::Tensor log_ratio = mb.log_probs - mb_old_log_probs;
        const torch::Tensor ratio = log_ratio.exp();
        {
          torch::NoGradGuard no_grad;
          old_approx_kl_ = (-log_ratio).mean().item<double>();
          approx_kl_ = ((ratio - 1) - log_ratio).mean().item<double>();
          clipfrac_sum_ += ((ratio - 1.0).abs() > cfg_.clip_coef).to(torch::kFloat32).mean().item<double>();
        }
        torch::Tensor mb_adv = select(advantages, index);
        if (cfg_.norm_adv) mb_adv = (mb_adv - mb_adv.mean()) / (mb_adv.std() + 1e-8);

        policy_loss_ = torch::max(-mb_adv * ratio, -mb_adv * ratio.clamp(1 - cfg_.clip_coef, 1 + cfg_.clip_coef)).mean();
        if (cfg_.clip_vloss) {
          const torch::Tensor unclipped = (mb.values - mb_returns).square();
          const torch::Tensor clipped_values =
              mb_old_values + (mb.values - mb_old_values).clamp(-cfg_.clip_coef, cfg_.clip_coef);
          value_loss_ = 0.5 * torch::max(unclipped, (clipped_values - mb_returns).square()).mean();
        } else {
          value_loss_ = 0.5 * (mb.values - mb_returns).square().mean();
        }
        entropy_ = mb.entropy.mean();
        const torch::Tensor loss = policy_loss_ - cfg_.ent_coef * entropy_ + cfg_.vf_coef * value_loss_;
        optimizer_->zero_grad();
        loss.backward();
        if (cfg_.max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(net->parameters(), cfg_.max_grad_norm);
        optimizer_->step();
        ++minibatch_count_;
      }
      if (cfg_.target_kl > 0 && approx_kl_ > cfg_.target_kl) break;
    }
    return N * T;
  }

  Metrics metrics() const override {
    const double explained_variance = [&] {
      const double var_returns = returns_.var().item<double>();
      return var_returns == 0 ? NAN : 1.0 - (returns_ - values_).var().item<double>() / var_returns;
    }();
    return {{"learning_rate", lr_},
            {"value_loss", value_loss_.item<double>()},
            {"policy_loss", policy_loss_.item<double>()},
            {"entropy", entropy_.item<double>()},
            {"old_approx_kl", old_approx_kl_},
            {"approx_kl", approx_kl_},
            {"clipfrac", clipfrac_sum_ / std::max<int64_t>(1, minibatch_count_)},
            {"explained_variance", explained_variance}};
  }

  void save_state(CheckpointWriter& out) const override {
    out.module("policy", *policy_);
    out.optimizer("optimizer", *optimizer_);
    out.tensor("obs", obs_);
    out.tensors("core_state", state_.tensors);
    out.tensors("core_modulator", {state_.modulator});
    std::vector<torch::Tensor> carried = td_.state();
    carried.push_back(policy_->reward_normalizer->running_returns());
    out.tensors("carried", carried);
  }

  void load_state(CheckpointReader& in, bool envs_restored) override {
    in.module("policy", *policy_);
    policy_->to(device_);  // loading may move the parameters to the checkpoint's device
    in.optimizer("optimizer", *optimizer_);
    if (!envs_restored) return;
    const auto here = [&](const torch::Tensor& t) { return t.defined() ? t.to(device_) : t; };
    obs_ = here(in.tensor("obs"));
    state_.tensors = in.tensors("core_state");
    for (torch::Tensor& t : state_.tensors) t = here(t);
    state_.modulator = here(in.tensors("core_modulator").at(0));
    std::vector<torch::Tensor> carried = in.tensors("carried");
    for (torch::Tensor& t : carried) t = here(t);
    policy_->reward_normalizer->set_running_returns(carried.at(3));
    carried.pop_back();
    td_.set_state(carried);
  }

  void end() override {
    policy_->to(torch::kCPU);  // model files and play() are on the CPU
    device_ = torch::kCPU;
  }

  void save(const std::string& path) const override { torch::save(policy_, path); }

  void load(const std::string& path) override {
    if (!std::filesystem::exists(path)) throw Error("no model file '" + path + "'");
    try {
      torch::load(policy_, path);
    } catch (const c10::Error& e) {
      throw Error("cannot load '" + path + "' into this ppo network: " + e.what_without_backtrace());
    }
  }

  // Frozen policy and normaliser statistics, actions sampled as in training (Agent::play), or the
  // most likely ones with the key `deterministic` (how SB3 zoo evaluates).
  void play(VectorEnv& envs, int64_t episodes, uint64_t seed, const PlayStepFn& on_step) override {
    const int64_t B = envs.num_envs();
    if (envs.autoreset_mode() != AutoresetMode::Disabled) throw Error("ppo play needs a VectorEnv with autoreset Disabled");
    if (episodes < 1 || episodes % B != 0)
      throw Error("ppo play: episodes (" + std::to_string(episodes) + ") must be a multiple of num_envs (" +
                  std::to_string(B) + ")");
    torch::NoGradGuard no_grad;
    nn::ActorCritic& net = policy_->net;
    for (int64_t batch = 0; batch < episodes / B; ++batch) {
      envs.reset(seed + static_cast<uint64_t>(batch * B));
      nn::CoreState state = net->initial_state(B);
      neuromod::TdErrorTracker td;
      td.start_masked(B, torch::TensorOptions());
      torch::Tensor ended = torch::zeros({B}, torch::kBool);  // rows whose batch episode is over
      while (!ended.all().item<bool>()) {
        const nn::DopamineFn dopamine = [&](const torch::Tensor& h) {
          return td.delta(net->value_of_hidden(h), cfg_.gamma);
        };
        const nn::PolicyOutput out = net->forward(observe(envs.observations(), false), state, dopamine);
        envs.step(env_action(cfg_.deterministic ? net->mode(out) : net->sample(out)));
        on_step({});
        const torch::Tensor done = envs.terminations().logical_or(envs.truncations());
        torch::Tensor reward = envs.rewards().to(torch::kFloat32);
        if (cfg_.normalize_reward)  // the reward the critic learned, with the statistics frozen
          reward = (reward * policy_->reward_normalizer->scale()).clamp(-cfg_.reward_clip, cfg_.reward_clip);
        td.step(reward, out.value, done.to(torch::kFloat32));
        if (done.any().item<bool>()) {
          ended = ended.logical_or(done);
          state = nn::mask_state(state, done.logical_not().to(torch::kFloat32));
          if (!ended.all().item<bool>()) envs.reset(std::nullopt, done);  // played on, unrecorded
        }
      }
    }
  }

  int64_t num_parameters() const override { return nn::parameter_count(*policy_->net); }

 private:
  struct Minibatch {
    torch::Tensor log_probs, values, entropy;  // flat, in the order of the minibatch's rows
  };

  // Observations as the network sees them: float32, normalised when configured.
  torch::Tensor observe(const torch::Tensor& raw, bool update) {
    // To the network's device: from a pinned buffer the copy is asynchronous, and it is done before
    // the env writes the buffer again (env_action() waits for the action, which waits for the copy).
    const torch::Tensor flat = raw.reshape({raw.size(0), -1}).to(device_, /*non_blocking=*/true);
    if (cfg_.normalize_obs) return policy_->obs_normalizer(flat, update);
    return flat.to(torch::kFloat32).clone();  // the VectorEnv overwrites its buffer on the next step
  }

  // A Gaussian sample clipped to the Box (the env's bounds); a Discrete action as it is.
  torch::Tensor env_action(const torch::Tensor& action) const {
    const torch::Tensor on_cpu = action.to(torch::kCPU);  // the envs step on the CPU
    if (!action_low_.defined()) return on_cpu;
    return torch::max(torch::min(on_cpu, action_high_), action_low_).contiguous();
  }

  // The rows `index` of a rollout tensor (T, N, ...), flattened to (rows, ...): (t, env) steps
  // numbered t * N + env for the mlp network, whole env sequences (time-major) for a recurrent one.
  torch::Tensor select(const torch::Tensor& x, const torch::Tensor& index) const {
    std::vector<int64_t> flat_shape = {-1};
    for (int64_t d = 2; d < x.dim(); ++d) flat_shape.push_back(x.size(d));
    if (policy_->net->recurrent()) return x.index_select(1, index).reshape(flat_shape);
    return x.reshape(flat_shape).index_select(0, index);
  }

  // The current policy on a minibatch. mlp: the sampled steps at once. Recurrent: the sampled envs'
  // whole sequences, re-run from the rollout's first state with the same episode resets and the same
  // dopamine signal, so that gradients flow back through time (and through the plastic traces).
  Minibatch evaluate(const Rollout& roll, const torch::Tensor& index) {
    nn::ActorCritic& net = policy_->net;
    if (!net->recurrent()) {
      nn::CoreState none;
      const nn::PolicyOutput out = net->forward(select(roll.obs, index), none);
      return {net->log_prob(out, select(roll.actions, index)), out.value, net->entropy(out)};
    }
    nn::CoreState state = nn::select_rows(roll.first_state, index);
    std::vector<torch::Tensor> log_probs, values, entropies;
    for (int64_t t = 0; t < roll.obs.size(0); ++t) {
      const torch::Tensor delta = roll.deltas[t].index_select(0, index);
      const nn::PolicyOutput out =
          net->forward(roll.obs[t].index_select(0, index), state, [&](const torch::Tensor&) { return delta; });
      log_probs.push_back(net->log_prob(out, roll.actions[t].index_select(0, index)));
      values.push_back(out.value);
      entropies.push_back(net->entropy(out));
      state = nn::mask_state(state, roll.continues[t].index_select(0, index));
    }
    return {torch::stack(log_probs).reshape(-1), torch::stack(values).reshape(-1), torch::stack(entropies).reshape(-1)};
  }

  PpoConfig cfg_;
  LoopCadence cadence_;
  torch::Device device_ = torch::kCPU;  // where the network is while it trains
  Policy policy_;
  torch::Tensor action_low_, action_high_;  // Box: (dims,) float32

  // While training: the optimiser, what the envs' episodes carry from update to update (the next
  // observation, the core's state, the dopamine inputs), and the last update's numbers.
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  torch::Tensor obs_;
  nn::CoreState state_;
  neuromod::TdErrorTracker td_;
  double lr_ = 0.0, clipfrac_sum_ = 0.0, approx_kl_ = 0.0, old_approx_kl_ = 0.0;
  int64_t minibatch_count_ = 0;
  torch::Tensor policy_loss_, value_loss_, entropy_, returns_, values_;
};

}  // namespace

AgentRegistration ppo_registration() {
  AgentRegistration r;
  r.name = "ppo";
  r.description = "proximal policy optimization (CleanRL's), Discrete or Box actions, mlp or any recurrent core";
  r.config = schema_of({nn::actor_critic_config_keys(),
                         PpoConfig::table().schema(),
                         loop_config_keys(1, 10, "update")});
  r.autoreset = AutoresetMode::SameStep;
  r.resumable = true;
  r.any_device = true;
  r.factory = [](const Config& config, const EnvSpec& env, uint64_t seed) -> std::unique_ptr<Agent> {
    return std::make_unique<Ppo>(config, env, seed);
  };
  return r;
}

DOPA_REGISTER_AGENT(ppo_registration());

}  // namespace dopa::agents
