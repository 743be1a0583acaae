// meta_a2c: advantage actor-critic for recurrent meta-RL, over whole episodes.
//
// The trainer of Backpropamine (Miconi et al. 2019; specs/backpropamine.md §3), also fit for Wang
// et al.'s bandits. One iteration:
//   1. run B episodes in lockstep to their end (they must end together: fixed-length tasks), the
//      recurrent core starting each from zero state, choosing actions from the softmax policy;
//   2. replay the episode through the core with gradients (unroll: full backpropagation through time,
//      through the plastic traces) and compute, with G_t = r_t + gamma G_{t+1} (Monte Carlo, G_T = 0;
//      with gae_lambda < 1 the lambda-return instead, returns.h) and advantage A_t = G_t - V_t:
//        L = (1/T) sum_t [ -mean_b log pi(a_t) sg(A_t) + c_ent * mean_b sum_a pi^2 + c_v * mean_b A_t^2 ]
//      (c_ent weighs the Simpson index sum_a pi^2, the official code's "entropy" penalty; entropy =
//      "entropy" uses -H(pi) instead);
//   3. one optimiser step, once the burn-in is over.
// Quirks of the official code are flags: baseline_element0 (the value of batch element 0 as every
// element's baseline and the only value trained). The official code computes gradients during the
// burn-in but does not step; it zeroes them every iteration, so skipping the backward pass there is
// the same.
//
// Neuromodulation by dopamine: for cores with modulator = "dopamine" or "both", the TD error
// delta_{t-1} = r_{t-1} + gamma V(s_t) - V(s_{t-1}) of this agent's critic (delta = 0 at t = 0) is
// the third factor of the Hebbian rule at step t.
#include <torch/torch.h>

#include <cmath>
#include <filesystem>

#include "agents/meta_a2c/model.h"
#include "agents/meta_a2c/population.h"
#include "dopa/neuromod/returns.h"
#include "dopa/core/error.h"
#include "dopa/neuromod/td_error.h"
#include "dopa/neuromod/update_modulators.h"
#include "dopa/nn/categorical.h"
#include "dopa/nn/recurrent_core.h"
#include "dopa/train/agent.h"
#include "dopa/train/checkpoint.h"
#include "dopa/train/optimizer.h"
#include "dopa/train/training_loop.h"

namespace dopa::agents {

namespace {

namespace fs = std::filesystem;

class MetaA2C : public UpdateAgent {
 public:
  MetaA2C(const Config& config, const EnvSpec& env, uint64_t seed)
      : cfg_(config), cadence_(config), model_(nullptr), modulators_(config, "meta_a2c", seed + 2) {
    torch::manual_seed(seed);  // parameters are initialised from LibTorch's global generator
    const nn::CoreOptions core = nn::core_options(config, env.observation_space.size());
    model_ = MetaActorCritic(nn::make_core(core), env.action_space.n());
    if (cfg_.record_modulator && !model_->core->has_modulator())
      throw Error("meta_a2c: record_modulator needs a modulated core (modplast or modul); core '" +
                  config.get_string("core") + "' has no modulator");
  }

  // What a rollout keeps for the update: per step, the core's input, the action, the reward and (for
  // dopamine-modulated cores) the TD error fed to the plastic rule; each episode's return.
  struct Rollout {
    std::vector<torch::Tensor> inputs, actions, rewards, deltas;
    torch::Tensor episode_returns;
  };

  // What after_step sees at step t: the critic's V(s_t) and the TD error delta_{t-1} = r_{t-1} +
  // gamma V(s_t) - V(s_{t-1}) (0 at t = 0), both (B) and defined when the core used them (dopamine) or
  // run_episodes was asked for them; and the core's state after the step.
  using AfterStepFn = std::function<void(int64_t t, const torch::Tensor& value, const torch::Tensor& delta,
                                         const nn::CoreState& state)>;

  // Runs the B episodes of `envs` (already reset) in lockstep to their end with the current
  // parameters, the core starting from `state`: the policy's sampled actions, and for cores
  // modulated by dopamine the critic's TD error as their third factor. `critic_values` computes
  // value and delta for after_step also when the core does not use them. `record` (may be null) keeps
  // what the update replays.
  void run_episodes(VectorEnv& envs, nn::CoreState& state, double gamma, bool critic_values, Rollout* record,
                    const AfterStepFn& after_step) {
    const int64_t B = envs.num_envs();
    nn::RecurrentCore& core = *model_->core;
    // The model's device (train() moves it there); the envs and the action sampler are on the CPU.
    const torch::TensorOptions on_device = torch::TensorOptions().device(model_->policy->weight.device());
    neuromod::TdErrorTracker td;
    td.start_episodes();
    torch::Tensor delta, value;  // V(s_t) and delta_{t-1}
    const nn::DopamineFn critic = [&](const torch::Tensor& h) {
      value = model_->value->forward(h).squeeze(1);
      return delta = td.delta(value, gamma);
    };
    const bool values_needed = critic_values || core.uses_dopamine();
    for (int64_t t = 0;; ++t) {
      // A copy: the env overwrites its observation buffer when it steps, and the update replays this.
      const torch::Tensor input = envs.observations().reshape({B, -1}).to(on_device.dtype(torch::kFloat32), false, true);
      const torch::Tensor h = core.step(input, state, critic);  // a dopamine core calls critic(h_t)
      if (values_needed && !core.uses_dopamine()) critic(h);
      const torch::Tensor action = nn::sample_categorical(torch::softmax(model_->policy->forward(h), 1));
      envs.step(action);
      const torch::Tensor reward = envs.rewards().to(on_device.dtype(torch::kFloat32));
      td.step(reward, value);
      if (record != nullptr) {
        record->inputs.push_back(input);
        record->actions.push_back(action.to(on_device.device()));
        record->rewards.push_back(reward);
        if (core.uses_dopamine()) record->deltas.push_back(delta);
      }
      after_step(t, value, delta, state);
      const int64_t ended = ended_episodes(envs);
      if (ended == B) break;
      if (ended > 0)
        throw Error("meta_a2c runs whole episodes in lockstep: " + envs.spec().id +
                    "'s episodes must all end at the same step (fixed-length tasks)");
    }
    if (record != nullptr) record->episode_returns = envs.episode_returns().to(torch::kFloat32).clone();
  }

  LoopCadence cadence() const override { return cadence_; }
  int64_t steps_per_update(const VectorEnv&) const override { return 0; }  // episodes of any fixed length

  void begin(VectorEnv&, const TrainOptions& options, RunRecords& records) override {
    torch::manual_seed(options.seed + 1);  // the action-sampling stream
    device_ = options.device;
    model_->to(device_);  // before the optimiser takes the parameters
    optimizer_ = make_optimizer(cfg_.optimizer, model_->parameters(), cfg_.lr, cfg_.adam_eps);
    if (cfg_.record_modulator) modulator_log_ = records.open("modulator.csv", "iteration,t,reward,delta,modulator");
  }

  int64_t update(VectorEnv& envs, const UpdateContext& context) override {
    const int64_t B = envs.num_envs();
    const int64_t iteration = context.update;
    nn::RecurrentCore& core = *model_->core;
    // Doya's neuromodulators, when configured, set this iteration's discount (serotonin), step size
    // (acetylcholine) and entropy weight (noradrenaline); otherwise the configured values and
    // schedules do.
    const double progress = static_cast<double>(context.global_step) / static_cast<double>(context.total_steps);
    gamma_ = modulators_.gamma(cfg_.gamma);
    entropy_coef_ = modulators_.entropy_coef(
        cfg_.ent.at(progress));
    lr_ = modulators_.lr(cfg_.anneal_lr ? linear_schedule(cfg_.lr, 0.0, 1.0, progress) : cfg_.lr);
    set_learning_rate(*optimizer_, lr_);

    // 1. The rollout: B episodes to their end, without gradients.
    Rollout rollout;
    const auto tape = std::make_shared<nn::RolloutTape>();  // lets the update skip the forward pass
    {
      torch::NoGradGuard no_grad;
      nn::CoreState state = core.initial_state(B);
      state.tape = tape;
      const bool record = modulator_log_ != nullptr && iteration % cfg_.record_every == 0;
      run_episodes(envs, state, gamma_, record, &rollout,
                   [&](int64_t t, const torch::Tensor&, const torch::Tensor& delta, const nn::CoreState& s) {
        if (record)  // the constructor made sure the core has a modulator
          *modulator_log_ << iteration << "," << t << "," << envs.rewards()[0].item<float>() << ","
                          << delta[0].item<float>() << "," << s.modulator[0].mean().item<float>() << "\n";
      });
    }
    const int64_t T = static_cast<int64_t>(rollout.inputs.size());
    const torch::Tensor reward = torch::stack(rollout.rewards);  // (T, B)

    // 2. The update: the episode again, with gradients.
    const bool learn = iteration > cfg_.burn_in;
    double surprise = 0.0;  // mean |advantage| of the update: the dopamine the modulators see
    torch::Tensor loss;
    {
      std::unique_ptr<torch::NoGradGuard> no_grad;
      if (!learn) no_grad = std::make_unique<torch::NoGradGuard>();
      const torch::Tensor deltas = core.uses_dopamine() ? torch::stack(rollout.deltas) : torch::Tensor();
      const torch::Tensor hs = core.unroll(torch::stack(rollout.inputs), deltas, nullptr, tape.get());
      const torch::Tensor log_policy = torch::log_softmax(model_->policy->forward(hs), 2);  // (T, B, A)
      const torch::Tensor policy = log_policy.exp();
      torch::Tensor values = model_->value->forward(hs).squeeze(2);  // (T, B)
      if (cfg_.baseline_element0) values = values.select(1, 0).unsqueeze(1).expand({T, B});
      // The value regresses on the Monte Carlo return (gae_lambda = 1, the papers' form) or on the
      // lambda-return; the policy's advantage is that target minus the value.
      const torch::Tensor target = cfg_.gae_lambda == 1.0
                                       ? neuromod::discounted_returns(reward, gamma_)
                                       : neuromod::lambda_returns(reward, values.detach(), gamma_, cfg_.gae_lambda);
      const torch::Tensor advantage = target - values;
      if (modulators_.any()) surprise = advantage.detach().abs().mean().item<double>();
      const torch::Tensor log_prob = log_policy.gather(2, torch::stack(rollout.actions).unsqueeze(2)).squeeze(2);
      policy_loss_ = -(log_prob * advantage.detach()).mean(1).sum() / T;
      value_loss_ = advantage.pow(2).mean(1).sum() / T;
      entropy_ = -(policy * log_policy).sum(2).mean();
      const torch::Tensor exploration =
          cfg_.entropy == "sum_p2" ? policy.pow(2).sum(2).mean(1).sum() / T : -entropy_;
      loss = policy_loss_ + entropy_coef_ * exploration + cfg_.vf_coef * value_loss_;
    }
    if (learn) {
      optimizer_->zero_grad();
      loss.backward();
      if (cfg_.max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(model_->parameters(), cfg_.max_grad_norm);
      optimizer_->step();
    }

    // 3. The episodes, and what the modulators see of them.
    const float* episode_returns = rollout.episode_returns.data_ptr<float>();  // (B) on the CPU
    for (int64_t b = 0; b < B; ++b) context.episodes.add(episode_returns[b], T);
    const double batch_return = rollout.episode_returns.mean().item<double>();
    modulators_.step(batch_return, surprise,
                     static_cast<double>(context.global_step + T * B) / static_cast<double>(context.total_steps));
    iteration_ = iteration;
    return T * B;
  }

  Metrics metrics() const override {
    Metrics row = {{"iteration", static_cast<double>(iteration_)},
                   {"policy_loss", policy_loss_.item<double>()},
                   {"value_loss", value_loss_.item<double>()},
                   {"entropy", entropy_.item<double>()},
                   {"entropy_coef", entropy_coef_}};
    for (const auto& column : modulators_.columns(lr_, gamma_)) row.push_back(column);
    return row;
  }

  // Episodes never span iterations: nothing is carried but the model, optimiser and modulators.
  void save_state(CheckpointWriter& out) const override {
    out.module("model", *model_);
    out.optimizer("optimizer", *optimizer_);
    out.text("modulators", modulators_.save());
  }

  void load_state(CheckpointReader& in, bool) override {
    in.module("model", *model_);
    model_->to(device_);  // loading may move the parameters to the checkpoint's device
    in.optimizer("optimizer", *optimizer_);
    modulators_.load(in.text("modulators"));
  }

  void end() override { model_->to(torch::kCPU); }  // model files and play() are on the CPU

  int64_t num_parameters() const override {
    int64_t count = 0;
    for (const auto& p : model_->parameters()) count += p.numel();
    return count;
  }

  void save(const std::string& path) const override { torch::save(model_, path); }

  void load(const std::string& path) override {
    if (!fs::exists(path)) throw Error("no model file '" + path + "'");
    torch::load(model_, path);
  }

  // At every step of play(): the critic's V(s_t); the TD error delta_{t-1} = r_{t-1} + gamma V(s_t) -
  // V(s_{t-1}) (0 at t = 0), the one a dopamine-modulated core uses at step t; and a modulated core's
  // M_t (averaged over channels and neurons), as modulator.csv records them during training.
  std::vector<std::string> play_value_names() const override {
    std::vector<std::string> names = {"value", "delta"};
    if (model_->core->has_modulator()) names.push_back("modulator");
    return names;
  }

  // Frozen-weight play, as the papers test (Wang 2018: 300 test episodes): the rollout of train()
  // without the update, batch after batch.
  void play(VectorEnv& envs, int64_t episodes, uint64_t seed, const PlayStepFn& on_step) override {
    const int64_t B = envs.num_envs();
    if (envs.autoreset_mode() != AutoresetMode::Disabled)
      throw Error("meta_a2c play needs a VectorEnv with autoreset Disabled");
    if (episodes < 1 || episodes % B != 0)
      throw Error("meta_a2c play: episodes (" + std::to_string(episodes) + ") must be a multiple of num_envs (" +
                  std::to_string(B) + ")");
    torch::NoGradGuard no_grad;
    const double gamma = modulators_.gamma(cfg_.gamma);
    const bool modulated = model_->core->has_modulator();  // as play_value_names() says
    for (int64_t batch = 0; batch < episodes / B; ++batch) {
      envs.reset(seed + static_cast<uint64_t>(batch * B));
      nn::CoreState state = model_->core->initial_state(B);
      run_episodes(envs, state, gamma, true, nullptr,
                   [&](int64_t, const torch::Tensor& value, const torch::Tensor& delta, const nn::CoreState& s) {
        std::vector<torch::Tensor> values = {value.to(torch::kFloat64), delta.to(torch::kFloat64)};
        if (modulated) values.push_back(s.modulator.reshape({B, -1}).mean(1).to(torch::kFloat64));
        on_step(values);
      });
    }
  }

 private:
  MetaA2CConfig cfg_;
  LoopCadence cadence_;
  MetaActorCritic model_;
  neuromod::UpdateModulators modulators_;  // Doya's meta-parameter sources, when configured

  // While training: the device, the optimiser, modulator.csv when recorded, the last iteration's
  // number, meta-parameters and losses.
  torch::Device device_ = torch::kCPU;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::ostream* modulator_log_ = nullptr;
  int64_t iteration_ = 0;
  double gamma_ = 0.0, entropy_coef_ = 0.0, lr_ = 0.0;
  torch::Tensor policy_loss_, value_loss_, entropy_;
};

}  // namespace

AgentRegistration meta_a2c_registration() {
  AgentRegistration r;
  r.name = "meta_a2c";
  r.description = "whole-episode A2C for recurrent meta-RL (Backpropamine's trainer); plastic and neuromodulated cores";
  r.config = nn::core_config_keys("modplast", 100);
  const ConfigSchema own = {
      {"gamma", 0.9, "discount of the returns"},
      {"gae_lambda", 1.0, "lambda of the value target and advantage (1: Monte Carlo returns, as the papers; RL² used 0.3)"},
      {"entropy", "sum_p2", "exploration term: sum_p2 (the official code's penalty on sum_a pi^2) or entropy",
       {"sum_p2", "entropy"}},
      {"vf_coef", 0.1, "weight of the value loss (blossv)", {}, {"value_coef"}},
      {"optimizer", "adam", "optimiser", {"adam", "rmsprop"}},
      {"lr", 1e-4, "learning rate"},
      {"anneal_lr", false, "decay lr linearly to 0 over total_steps", {}, {"lr_anneal"}},
      {"adam_eps", 1e-4, "Adam epsilon"},
      {"max_grad_norm", 4.0, "global gradient-norm clip (0: none)"},
      {"burn_in", 100, "iterations before the first optimiser step"},
      {"baseline_element0", false, "official-code quirk: batch element 0's value is every element's baseline"},
      {"record_modulator", false, "write batch element 0's reward, TD error and modulator per step to modulator.csv"},
      {"record_every", 100, "with record_modulator: record every this many iterations"},
  };
  r.config.insert(r.config.end(), own.begin(), own.end());
  const ConfigSchema entropy = EntropySchedule::config_keys(0.03);
  r.config.insert(r.config.end(), entropy.begin(), entropy.end());
  const ConfigSchema loop = loop_config_keys(10, 1000, "iteration");
  r.config.insert(r.config.end(), loop.begin(), loop.end());
  const ConfigSchema modulators = neuromod::UpdateModulators::config_keys();
  r.config.insert(r.config.end(), modulators.begin(), modulators.end());
  r.autoreset = AutoresetMode::SameStep;
  r.resumable = true;
  r.any_device = true;
  r.population = [](const Config& config, const EnvSpec& env, const std::vector<uint64_t>& seeds,
                    c10::Device device) -> std::unique_ptr<PopulationTrainer> {
    if (!env.action_space.is_discrete())
      throw Error("meta_a2c needs a Discrete action space; " + env.id + " has " + env.action_space.to_string());
    return std::make_unique<MetaA2CPopulation>(config, env, seeds, device);
  };
  r.factory = [](const Config& config, const EnvSpec& env, uint64_t seed) -> std::unique_ptr<Agent> {
    if (!env.action_space.is_discrete())
      throw Error("meta_a2c needs a Discrete action space; " + env.id + " has " + env.action_space.to_string());
    return std::make_unique<MetaA2C>(config, env, seed);
  };
  return r;
}

DOPA_REGISTER_AGENT(meta_a2c_registration());

}  // namespace dopa::agents
