// meta_a2c: advantage actor-critic for recurrent meta-RL, over whole episodes (Backpropamine's
// trainer). The iteration is algorithm.h's, for one member: this file is the agent around it (its
// model, optimiser, Doya's update modulators, modulator.csv, checkpoints and frozen-weight play); the
// training loop (train/training_loop.h) runs it.
#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>

#include <filesystem>

#include "agents/meta_a2c/algorithm.h"
#include "agents/meta_a2c/members.h"
#include "agents/meta_a2c/model.h"
#include "agents/meta_a2c/population.h"
#include "dopa/core/error.h"
#include "dopa/core/seeding.h"
#include "dopa/neuromod/update_modulators.h"
#include "dopa/nn/recurrent_core.h"
#include "dopa/train/agent.h"
#include "dopa/train/checkpoint.h"
#include "dopa/train/optimizer.h"
#include "dopa/train/training_loop.h"

namespace dopa::agents {

namespace {

namespace fs = std::filesystem;

// The model of a run with `seed`: its parameters initialised from LibTorch's global generator.
MetaActorCritic seeded_model(const Config& config, const EnvSpec& env, uint64_t seed) {
  torch::manual_seed(seed);
  return MetaActorCritic(nn::make_core(nn::core_options(config, env.observation_space.size())), env.action_space.n());
}

class MetaA2C : public UpdateAgent {
 public:
  MetaA2C(const Config& config, const EnvSpec& env, uint64_t seed)
      : cfg_(MetaA2CConfig::read(config)), cadence_(config), member_(seeded_model(config, env, seed)), algorithm_(cfg_, member_),
        modulators_(config, "meta_a2c", agent_stream_seed(seed, AgentStream::Modulators)) {
    if (cfg_.record_modulator && !member_.has_modulator())
      throw Error("meta_a2c: record_modulator needs a modulated core (modplast or modul); core '" +
                  config.get_string("core") + "' has no modulator");
  }

  LoopCadence cadence() const override { return cadence_; }
  int64_t steps_per_update(const VectorEnv&) const override { return 0; }  // episodes of any fixed length

  void begin(VectorEnv&, const TrainOptions& options, RunRecords& records) override {
    seed_action_sampling(options.seed);
    device_ = options.device;
    model()->to(device_);  // before the optimiser takes the parameters
    optimizer_ = make_optimizer(cfg_.optimizer, member_.parameters(), cfg_.lr, cfg_.adam_eps);
    if (cfg_.record_modulator) modulator_log_ = records.open("modulator.csv", "iteration,t,reward,delta,modulator");
  }

  int64_t update(VectorEnv& envs, const UpdateContext& context) override {
    const int64_t iteration = context.update;
    // Doya's neuromodulators, when configured, set this iteration's discount (serotonin), step size
    // (acetylcholine) and entropy weight (noradrenaline); otherwise the configured values and
    // schedules do.
    const double progress = static_cast<double>(context.global_step) / static_cast<double>(context.total_steps);
    gamma_ = modulators_.gamma(cfg_.gamma);
    entropy_coef_ = modulators_.entropy_coef(cfg_.ent.at(progress));
    lr_ = modulators_.lr(cfg_.anneal_lr ? linear_schedule(cfg_.lr, 0.0, 1.0, progress) : cfg_.lr);
    set_learning_rate(*optimizer_, lr_);

    MetaA2CAlgorithm::AfterStepFn record;  // batch element 0's steps into modulator.csv
    if (modulator_log_ != nullptr && iteration % cfg_.record_every == 0)
      record = [&](int64_t t, const torch::Tensor& reward, const torch::Tensor&, const torch::Tensor& delta,
                   const nn::CoreState& state) {  // the constructor made sure the core has a modulator
        *modulator_log_ << iteration << "," << t << "," << reward[0][0].item<float>() << ","
                        << delta[0][0].item<float>() << "," << member_.modulator(state)[0][0].item<float>() << "\n";
      };
    VectorEnvMembers one = member_envs(envs);
    last_ = algorithm_.iterate(one, gamma_, entropy_coef_, iteration > cfg_.burn_in, modulators_.any(), *optimizer_,
                               record);

    // The episodes, and what the modulators see of them.
    const int64_t T = last_.episode_length, B = envs.num_envs();
    const float* episode_returns = last_.episode_returns.data_ptr<float>();  // (1, B) on the CPU
    for (int64_t b = 0; b < B; ++b) context.episodes.add(episode_returns[b], T);
    const double batch_return = last_.episode_returns.mean().item<double>();
    modulators_.step(batch_return, last_.surprise,
                     static_cast<double>(context.global_step + T * B) / static_cast<double>(context.total_steps));
    iteration_ = iteration;
    return T * B;
  }

  Metrics metrics() const override {
    Metrics row = meta_a2c_columns(iteration_, last_, 0, entropy_coef_);
    for (const auto& column : modulators_.columns(lr_, gamma_)) row.push_back(column);
    return row;
  }

  // Episodes never span iterations: nothing is carried but the model, optimiser and modulators.
  void save_state(CheckpointWriter& out) const override {
    out.module("model", *member_.model());
    out.optimizer("optimizer", *optimizer_);
    out.text("modulators", modulators_.save());
  }

  void load_state(CheckpointReader& in, bool) override {
    in.module("model", *model());
    model()->to(device_);  // loading may move the parameters to the checkpoint's device
    in.optimizer("optimizer", *optimizer_);
    modulators_.load(in.text("modulators"));
  }

  void end() override { model()->to(torch::kCPU); }  // model files and play() are on the CPU

  int64_t num_parameters() const override {
    int64_t count = 0;
    for (const auto& p : member_.parameters()) count += p.numel();
    return count;
  }

  void save(const std::string& path) const override { torch::save(member_.model(), path); }

  void load(const std::string& path) override {
    if (!fs::exists(path)) throw Error("no model file '" + path + "'");
    torch::load(model(), path);
  }

  // At every step of play(): the critic's V(s_t); the TD error delta_{t-1} = r_{t-1} + gamma V(s_t) -
  // V(s_{t-1}) (0 at t = 0), the one a dopamine-modulated core uses at step t; and a modulated core's
  // M_t (averaged over channels and neurons), as modulator.csv records them during training.
  std::vector<std::string> play_value_names() const override {
    std::vector<std::string> names = {"value", "delta"};
    if (member_.has_modulator()) names.push_back("modulator");
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
    const bool modulated = member_.has_modulator();  // as play_value_names() says
    VectorEnvMembers one = member_envs(envs);
    for (int64_t batch = 0; batch < episodes / B; ++batch) {
      envs.reset(seed + static_cast<uint64_t>(batch * B));
      nn::CoreState state = member_.initial_state(B);
      algorithm_.run_episodes(one, state, gamma, true, nullptr,
                              [&](int64_t, const torch::Tensor&, const torch::Tensor& value, const torch::Tensor& delta,
                                  const nn::CoreState& s) {
        std::vector<torch::Tensor> values = {value[0].to(torch::kFloat64), delta[0].to(torch::kFloat64)};
        if (modulated) values.push_back(member_.modulator(s)[0].to(torch::kFloat64));
        on_step(values);
      });
    }
  }

 private:
  MetaActorCritic& model() { return member_.model(); }
  // `envs` as the one member's, on the model's device, actions drawn from LibTorch's global generator
  // (which the loop's checkpoints keep).
  VectorEnvMembers member_envs(VectorEnv& envs) const {
    return VectorEnvMembers({&envs}, {at::detail::getDefaultCPUGenerator()}, member_.model()->policy->weight.device());
  }

  MetaA2CConfig cfg_;
  LoopCadence cadence_;
  OneMember member_;
  MetaA2CAlgorithm algorithm_;
  neuromod::UpdateModulators modulators_;  // Doya's meta-parameter sources, when configured

  // While training: the device, the optimiser, modulator.csv when recorded, the last iteration's
  // number, meta-parameters and what its update measured.
  torch::Device device_ = torch::kCPU;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::ostream* modulator_log_ = nullptr;
  int64_t iteration_ = 0;
  double gamma_ = 0.0, entropy_coef_ = 0.0, lr_ = 0.0;
  MetaA2CAlgorithm::Update last_;
};

}  // namespace

const SettingsTable<MetaA2CConfig>& MetaA2CConfig::table() {
  using C = MetaA2CConfig;
  static const SettingsTable<C> table = {
      setting(&C::gamma, "gamma", 0.9, "discount of the returns", between(0, 1)),
      setting(&C::gae_lambda, "gae_lambda", 1.0,
              "lambda of the value target and advantage (1: Monte Carlo returns, as the papers; RL² used 0.3)",
              between(0, 1)),
      setting(&C::entropy, "entropy", ExplorationTerm::SumP2,
              "exploration term: sum_p2 (the official code's penalty on sum_a pi^2) or entropy"),
      setting(&C::vf_coef, "vf_coef", 0.1, "weight of the value loss (blossv)", {}, {"value_coef"}),
      setting(&C::optimizer, "optimizer", OptimizerKind::Adam, "optimiser"),
      setting(&C::lr, "lr", 1e-4, "learning rate", learning_rate_range()),
      setting(&C::anneal_lr, "anneal_lr", false, "decay lr linearly to 0 over total_steps", {}, {"lr_anneal"}),
      setting(&C::adam_eps, "adam_eps", 1e-4, "Adam epsilon", positive()),
      setting(&C::max_grad_norm, "max_grad_norm", 4.0, "global gradient-norm clip (0: none)", at_least(0)),
      setting(&C::burn_in, "burn_in", 100, "iterations before the first optimiser step", at_least(0)),
      setting(&C::baseline_element0, "baseline_element0", false,
              "official-code quirk: batch element 0's value is every element's baseline"),
      setting(&C::record_modulator, "record_modulator", false,
              "write batch element 0's reward, TD error and modulator per step to modulator.csv"),
      setting(&C::record_every, "record_every", 100, "with record_modulator: record every this many iterations",
              at_least(1)),
      nested(&C::ent, EntropySchedule::table(0.03)),
  };
  return table;
}

MetaA2CConfig MetaA2CConfig::read(const Config& config) {
  MetaA2CConfig cfg = table().read(config, "meta_a2c");
  if (!config.get_string("acetylcholine").empty() && cfg.anneal_lr)
    throw Error("meta_a2c: 'acetylcholine' sets the step size; it and 'anneal_lr' exclude each other");
  return cfg;
}

AgentRegistration meta_a2c_registration() {
  AgentRegistration r;
  r.name = "meta_a2c";
  r.description = "whole-episode A2C for recurrent meta-RL (Backpropamine's trainer); plastic and neuromodulated cores";
  r.config = schema_of({nn::core_config_keys(nn::CoreKind::ModPlast, 100),
                         MetaA2CConfig::table().schema(),
                         loop_config_keys(10, 1000, "iteration"),
                         neuromod::UpdateModulators::config_keys()});
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
