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

#include <chrono>
#include <cmath>
#include <filesystem>

#include "dopa/core/error.h"
#include "dopa/nn/actor_critic.h"
#include "dopa/nn/running_mean_std.h"
#include "dopa/train/agent.h"
#include "dopa/train/checkpoint.h"

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
  int64_t log_interval;
  int64_t checkpoint_every;
  bool deterministic;

  explicit PpoConfig(const Config& c)
      : lr(c.get_float("lr")),
        anneal_lr(c.get_bool("anneal_lr")),
        adam_eps(c.get_float("adam_eps")),
        gamma(c.get_float("gamma")),
        gae_lambda(c.get_float("gae_lambda")),
        num_steps(c.get_int("num_steps")),
        num_minibatches(c.get_int("num_minibatches")),
        update_epochs(c.get_int("update_epochs")),
        norm_adv(c.get_bool("norm_adv")),
        clip_coef(c.get_float("clip_coef")),
        clip_vloss(c.get_bool("clip_vloss")),
        ent_coef(c.get_float("ent_coef")),
        vf_coef(c.get_float("vf_coef")),
        max_grad_norm(c.get_float("max_grad_norm")),
        target_kl(c.get_float("target_kl")),
        normalize_obs(c.get_bool("normalize_obs")),
        normalize_reward(c.get_bool("normalize_reward")),
        obs_clip(c.get_float("obs_clip")),
        reward_clip(c.get_float("reward_clip")),
        bootstrap_truncated(c.get_bool("bootstrap_truncated")),
        log_interval(c.get_int("log_interval")),
        checkpoint_every(c.get_int("checkpoint_every")),
        deterministic(c.get_bool("deterministic")) {
    if (!(lr > 0)) throw Error("ppo 'lr' must be > 0");
    if (!(gamma >= 0 && gamma <= 1)) throw Error("ppo 'gamma' must be in [0, 1]");
    if (!(gae_lambda >= 0 && gae_lambda <= 1)) throw Error("ppo 'gae_lambda' must be in [0, 1]");
    if (num_steps < 1) throw Error("ppo 'num_steps' must be >= 1");
    if (num_minibatches < 1) throw Error("ppo 'num_minibatches' must be >= 1");
    if (update_epochs < 1) throw Error("ppo 'update_epochs' must be >= 1");
    if (!(clip_coef > 0)) throw Error("ppo 'clip_coef' must be > 0");
    if (log_interval < 1) throw Error("ppo 'log_interval' must be >= 1");
    if (checkpoint_every < 0) throw Error("ppo 'checkpoint_every' must be >= 0");
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

class Ppo : public Agent {
 public:
  Ppo(const Config& config, const EnvSpec& env, uint64_t seed) : cfg_(config), policy_(nullptr) {
    torch::manual_seed(seed);  // LibTorch initialises parameters from its global generator
    policy_ = Policy(config, env, cfg_);
    if (!env.action_space.is_discrete()) {
      action_low_ = torch::tensor(env.action_space.low(), torch::kFloat64).to(torch::kFloat32);
      action_high_ = torch::tensor(env.action_space.high(), torch::kFloat64).to(torch::kFloat32);
    }
  }

  TrainResult train(VectorEnv& envs, const TrainOptions& options, TrainMonitor& monitor) override {
    nn::ActorCritic& net = policy_->net;
    const int64_t N = envs.num_envs();
    const int64_t T = cfg_.num_steps;
    if (net->recurrent() && N % cfg_.num_minibatches != 0)
      throw Error("recurrent ppo splits minibatches by env: num_envs (" + std::to_string(N) +
                  ") must be a multiple of num_minibatches (" + std::to_string(cfg_.num_minibatches) + ")");
    if (!net->recurrent() && N * T < cfg_.num_minibatches)
      throw Error("ppo: num_envs x num_steps (" + std::to_string(N * T) + ") is smaller than num_minibatches");
    torch::manual_seed(options.seed + 1);  // the action-sampling stream, apart from the initialisation's
    // The network on the device (a GPU: the envs step on the CPU, their pinned buffers copied over
    // asynchronously, observe()); before the optimiser takes the parameters.
    device_ = options.device;
    policy_->to(device_);
    const torch::TensorOptions on_device = torch::TensorOptions().device(device_);
    torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(cfg_.lr).eps(cfg_.adam_eps));
    const int64_t steps_per_update = N * T;
    const int64_t num_updates = std::max<int64_t>(1, options.total_steps / steps_per_update);

    // The loop's carried state: the next observation, the core's state, the dopamine inputs.
    torch::Tensor obs;
    nn::CoreState state = net->initial_state(N);
    torch::Tensor episode_start = torch::ones({N}, on_device);
    torch::Tensor previous_reward = torch::zeros({N}, on_device), previous_value = torch::zeros({N}, on_device);

    // For look-ahead values, whose plastic updates are discarded: no dopamine.
    const nn::DopamineFn no_dopamine = [](const torch::Tensor& h) { return torch::zeros({h.size(0)}, h.options()); };

    TrainResult result;
    EpisodeLog log;
    const auto start = std::chrono::steady_clock::now();

    // Checkpoints hold all of the above, the policy (normalisers included), the optimiser, the
    // generator and the envs: a resumed run goes on exactly as an uninterrupted one.
    const bool checkpoints = !options.run_dir.empty();
    if (checkpoints) envs.record_for_snapshots();
    auto save_checkpoint = [&](int64_t update) {
      CheckpointWriter out(options.run_dir);
      out.progress("update", update);
      out.progress("global_step", result.global_step);
      out.progress("episodes", log.episodes());
      out.progress("best_return", log.best_return());
      out.module("policy", *policy_);
      out.optimizer("optimizer", optimizer);
      out.random_generator();
      out.text("episode_log", log.save());
      out.envs(envs);
      out.tensor("obs", obs);
      out.tensors("core_state", state.tensors);
      out.tensors("core_modulator", {state.modulator});
      out.tensors("carried", {episode_start, previous_reward, previous_value,
                              policy_->reward_normalizer->running_returns()});
      out.commit();
    };
    int64_t first_update = 1;
    bool fresh_envs = true;
    if (options.resume) {
      CheckpointReader in(options.run_dir);
      in.module("policy", *policy_);
      policy_->to(device_);  // loading may move the parameters to the checkpoint's device
      in.optimizer("optimizer", optimizer);
      in.random_generator();
      log.load(in.text("episode_log"));
      first_update = in.progress_int("update") + 1;
      result.global_step = result.start_step = in.progress_int("global_step");
      if (in.envs(envs)) {
        fresh_envs = false;
        obs = in.tensor("obs").to(device_);
        const auto here = [&](const torch::Tensor& t) { return t.defined() ? t.to(device_) : t; };
        state.tensors = in.tensors("core_state");
        for (torch::Tensor& t : state.tensors) t = here(t);
        state.modulator = here(in.tensors("core_modulator").at(0));
        const std::vector<torch::Tensor> carried = in.tensors("carried");
        episode_start = here(carried.at(0));
        previous_reward = here(carried.at(1));
        previous_value = here(carried.at(2));
        policy_->reward_normalizer->set_running_returns(here(carried.at(3)));
      }
    }
    if (fresh_envs) {  // a new run, or a checkpoint from other envs (the warm-up's)
      envs.reset(options.seed + static_cast<uint64_t>(first_update - 1) * 1000003ULL);
      obs = observe(envs.observations(), /*update=*/true);
    }

    int64_t last_checkpoint = first_update - 1;
    for (int64_t update = first_update; update <= num_updates; ++update) {
      if (monitor.should_stop()) {  // Ctrl-C or SIGTERM: the state after the last whole update
        result.stopped_early = true;
        if (checkpoints) save_checkpoint(update - 1);
        last_checkpoint = update - 1;
        break;
      }
      const double lr = cfg_.anneal_lr ? cfg_.lr * (1.0 - static_cast<double>(update - 1) / num_updates) : cfg_.lr;
      for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);

      // 1. Roll out T steps in every env with the current policy, without gradients.
      Rollout roll;
      std::vector<torch::Tensor> obs_t, actions_t, log_probs_t, values_t, rewards_t, continues_t, deltas_t;
      {
        torch::NoGradGuard no_grad;
        roll.first_state = nn::clone_state(state);
        for (int64_t t = 0; t < T; ++t) {
          // A dopamine-modulated core reads delta_{t-1} = r_{t-1} + gamma V(s_t) - V(s_{t-1}), 0 when
          // an episode starts; the update replays the same signal.
          torch::Tensor delta = torch::zeros({N}, on_device);
          const nn::DopamineFn dopamine = [&](const torch::Tensor& h) {
            delta = (1 - episode_start) * (previous_reward + cfg_.gamma * net->value_of_hidden(h) - previous_value);
            return delta;
          };
          const nn::PolicyOutput out = net->forward(obs, state, dopamine);
          const torch::Tensor action = net->sample(out);
          obs_t.push_back(obs);
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
          previous_reward = reward.clone();
          previous_value = out.value;
          // A time limit is not an MDP end: add gamma V(final observation) (the state before the reset).
          const torch::Tensor cut = truncated.logical_and(terminated.logical_not());
          if (cfg_.bootstrap_truncated && cut.any().item<bool>()) {
            const torch::Tensor rows = cut.nonzero().squeeze(1);
            const torch::Tensor final_obs =
                observe(envs.final_observations().index_select(0, rows.to(torch::kCPU)), false);
            nn::CoreState rows_state = nn::select_rows(state, rows);
            reward.index_add_(0, rows, cfg_.gamma * net->forward(final_obs, rows_state, no_dopamine).value);
          }
          rewards_t.push_back(reward);
          const torch::Tensor keep = done.logical_not().to(torch::kFloat32);
          continues_t.push_back(keep);
          episode_start = 1 - keep;

          if (done.any().item<bool>()) {
            log.add_ended(envs, done.to(torch::kCPU));
            if (net->recurrent()) state = nn::mask_state(state, keep);  // a new episode starts from zeros
          }
          obs = observe(envs.observations(), true);
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
      torch::Tensor advantages, returns;
      {
        torch::NoGradGuard no_grad;
        nn::CoreState lookahead = nn::clone_state(state);
        const torch::Tensor next_value = net->forward(obs, lookahead, no_dopamine).value;
        advantages = torch::zeros({T, N}, on_device);
        torch::Tensor gae = torch::zeros({N}, on_device);
        for (int64_t t = T - 1; t >= 0; --t) {
          const torch::Tensor following = t == T - 1 ? next_value : roll.values[t + 1];
          const torch::Tensor delta = roll.rewards[t] + cfg_.gamma * following * roll.continues[t] - roll.values[t];
          gae = delta + cfg_.gamma * cfg_.gae_lambda * roll.continues[t] * gae;
          advantages[t] = gae;
        }
        returns = advantages + roll.values;
      }

      // 3. update_epochs passes over the rollout in num_minibatches minibatches.
      double clipfrac_sum = 0.0, approx_kl = 0.0, old_approx_kl = 0.0;
      int64_t minibatch_count = 0;
      torch::Tensor policy_loss, value_loss, entropy;
      const int64_t units = net->recurrent() ? N : N * T;  // what a minibatch samples: envs or steps
      const int64_t minibatch_size = units / cfg_.num_minibatches;
      for (int64_t epoch = 0; epoch < cfg_.update_epochs; ++epoch) {
        const torch::Tensor order = torch::randperm(units, torch::kLong).to(device_);  // the CPU generator's
        for (int64_t begin = 0; begin + minibatch_size <= units; begin += minibatch_size) {
          const torch::Tensor index = order.slice(0, begin, begin + minibatch_size);
          const Minibatch mb = evaluate(roll, index);
          const torch::Tensor mb_returns = select(returns, index);
          const torch::Tensor mb_old_values = select(roll.values, index);
          const torch::Tensor mb_old_log_probs = select(roll.log_probs, index);

          const torch::Tensor log_ratio = mb.log_probs - mb_old_log_probs;
          const torch::Tensor ratio = log_ratio.exp();
          {
            torch::NoGradGuard no_grad;
            old_approx_kl = (-log_ratio).mean().item<double>();
            approx_kl = ((ratio - 1) - log_ratio).mean().item<double>();
            clipfrac_sum += ((ratio - 1.0).abs() > cfg_.clip_coef).to(torch::kFloat32).mean().item<double>();
          }
          torch::Tensor mb_adv = select(advantages, index);
          if (cfg_.norm_adv) mb_adv = (mb_adv - mb_adv.mean()) / (mb_adv.std() + 1e-8);

          policy_loss = torch::max(-mb_adv * ratio, -mb_adv * ratio.clamp(1 - cfg_.clip_coef, 1 + cfg_.clip_coef)).mean();
          if (cfg_.clip_vloss) {
            const torch::Tensor unclipped = (mb.values - mb_returns).square();
            const torch::Tensor clipped_values =
                mb_old_values + (mb.values - mb_old_values).clamp(-cfg_.clip_coef, cfg_.clip_coef);
            value_loss = 0.5 * torch::max(unclipped, (clipped_values - mb_returns).square()).mean();
          } else {
            value_loss = 0.5 * (mb.values - mb_returns).square().mean();
          }
          entropy = mb.entropy.mean();
          const torch::Tensor loss = policy_loss - cfg_.ent_coef * entropy + cfg_.vf_coef * value_loss;
          optimizer.zero_grad();
          loss.backward();
          if (cfg_.max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(net->parameters(), cfg_.max_grad_norm);
          optimizer.step();
          ++minibatch_count;
        }
        if (cfg_.target_kl > 0 && approx_kl > cfg_.target_kl) break;
      }

      result.global_step = update * steps_per_update;
      monitor.progress(result.global_step, log.recent_mean());
      if (update % cfg_.log_interval == 0 || update == num_updates) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const EpisodeLog::Interval interval = log.take_interval();
        const double explained_variance = [&] {
          const double var_returns = returns.var().item<double>();
          return var_returns == 0 ? NAN : 1.0 - (returns - roll.values).var().item<double>() / var_returns;
        }();
        monitor.log(result.global_step, {{"episodes", static_cast<double>(log.episodes())},
                                         {"episodic_return", interval.mean_return},
                                         {"episodic_length", interval.mean_length},
                                         {"learning_rate", lr},
                                         {"value_loss", value_loss.item<double>()},
                                         {"policy_loss", policy_loss.item<double>()},
                                         {"entropy", entropy.item<double>()},
                                         {"old_approx_kl", old_approx_kl},
                                         {"approx_kl", approx_kl},
                                         {"clipfrac", clipfrac_sum / std::max<int64_t>(1, minibatch_count)},
                                         {"explained_variance", explained_variance},
                                         {"SPS", (result.global_step - result.start_step) / std::max(seconds, 1e-9)}});
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
    policy_->to(torch::kCPU);  // model files and play() are on the CPU
    device_ = torch::kCPU;
    return result;
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
      torch::Tensor episode_start = torch::ones({B});
      torch::Tensor previous_reward = torch::zeros({B}), previous_value = torch::zeros({B});
      torch::Tensor ended = torch::zeros({B}, torch::kBool);  // rows whose batch episode is over
      while (!ended.all().item<bool>()) {
        const nn::DopamineFn dopamine = [&](const torch::Tensor& h) {
          return (1 - episode_start) * (previous_reward + cfg_.gamma * net->value_of_hidden(h) - previous_value);
        };
        const nn::PolicyOutput out = net->forward(observe(envs.observations(), false), state, dopamine);
        envs.step(env_action(cfg_.deterministic ? net->mode(out) : net->sample(out)));
        on_step({});
        const torch::Tensor done = envs.terminations().logical_or(envs.truncations());
        previous_reward = envs.rewards().to(torch::kFloat32);
        if (cfg_.normalize_reward)  // the reward the critic learned, with the statistics frozen
          previous_reward = (previous_reward * policy_->reward_normalizer->scale()).clamp(-cfg_.reward_clip, cfg_.reward_clip);
        previous_value = out.value;
        episode_start = done.to(torch::kFloat32);
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
  torch::Device device_ = torch::kCPU;  // where the network is while it trains
  Policy policy_;
  torch::Tensor action_low_, action_high_;  // Box: (dims,) float32
};

}  // namespace

AgentRegistration ppo_registration() {
  AgentRegistration r;
  r.name = "ppo";
  r.description = "proximal policy optimization (CleanRL's), Discrete or Box actions, mlp or any recurrent core";
  r.config = nn::actor_critic_config_keys();
  const ConfigSchema own = {
      {"lr", 2.5e-4, "Adam learning rate (at the start when annealed)"},
      {"anneal_lr", true, "anneal the learning rate linearly to 0"},
      {"adam_eps", 1e-5, "Adam epsilon"},
      {"gamma", 0.99, "discount factor"},
      {"gae_lambda", 0.95, "GAE lambda"},
      {"num_steps", 128, "steps per env in each rollout"},
      {"num_minibatches", 4, "minibatches per epoch (recurrent: groups of envs)"},
      {"update_epochs", 4, "passes over each rollout"},
      {"norm_adv", true, "normalise advantages per minibatch"},
      {"clip_coef", 0.2, "clip range of the probability ratio (and of the value change when clip_vloss)"},
      {"clip_vloss", true, "clipped value loss"},
      {"ent_coef", 0.01, "weight of the entropy bonus"},
      {"vf_coef", 0.5, "weight of the value loss"},
      {"max_grad_norm", 0.5, "global gradient-norm clip (0: none)"},
      {"target_kl", 0.0, "stop the update's epochs once approx_kl exceeds this (0: never)"},
      {"normalize_obs", false, "running observation normalisation (statistics saved with the model)"},
      {"normalize_reward", false, "scale rewards by the running std of the discounted return"},
      {"obs_clip", 10.0, "clip of normalised observations"},
      {"reward_clip", 10.0, "clip of normalised rewards"},
      {"bootstrap_truncated", true, "bootstrap time-limit ends from V(final obs) (false: as CleanRL)"},
      {"log_interval", 1, "updates between metrics rows"},
      {"checkpoint_every", 10, "updates between checkpoints in the run folder (0: only when stopped and at the end)"},
      {"deterministic", false, "play (dopa play) the most likely action instead of sampling"},
  };
  r.config.insert(r.config.end(), own.begin(), own.end());
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
