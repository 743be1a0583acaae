// meta_a2c for S seeds at once (population.h). The iteration is meta_a2c.cpp's, with a member
// dimension S after the time dimension: tensors are (T, S, B, ...) where meta_a2c's are (T, B, ...),
// and each member's loss is meta_a2c's loss; the total loss is their sum, so each member's gradient
// is its own loss's gradient.
#include "agents/meta_a2c/population.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

#include <chrono>
#include <cmath>

#include "dopa/neuromod/returns.h"
#include "dopa/core/error.h"
#include "dopa/neuromod/td_error.h"
#include "dopa/neuromod/update_modulators.h"
#include "dopa/nn/categorical.h"
#include "dopa/nn/plastic_rnn.h"
#include "dopa/train/training_loop.h"

namespace dopa::agents {

// Where the members' episodes come from and how their actions are drawn: tensors are (S, B, ...).
class MemberEnvs {
 public:
  virtual ~MemberEnvs() = default;
  virtual const EnvSpec& spec() const = 0;
  virtual void reset() = 0;
  virtual torch::Tensor observations() = 0;                      // (S, B, inputs) float32, a copy
  virtual torch::Tensor sample(const torch::Tensor& probs) = 0;  // (S, B, A) -> (S, B) int64
  virtual torch::Tensor step(const torch::Tensor& actions) = 0;  // -> the rewards, (S, B) float32
  virtual int64_t ended() = 0;                                   // episodes the last step ended
  virtual torch::Tensor episode_returns() = 0;                   // (S, B) float32 on the CPU
};

namespace {

// The settings population training does not batch yet.
void check_supported(const Config& config, const MetaA2CConfig& cfg) {
  const std::string& core = config.get_string("core");
  if (core != "rnn" && core != "plastic" && core != "modplast" && core != "modul")
    throw Error("meta_a2c population training supports the cores rnn, plastic, modplast and modul so far, not \"" + core + "\"");
  if (cfg.optimizer != "adam") throw Error("meta_a2c population training supports optimizer = \"adam\" only");
  if (cfg.record_modulator) throw Error("meta_a2c population training does not record modulators");
  if (neuromod::UpdateModulators(config, "meta_a2c", 0).any())
    throw Error("meta_a2c population training does not run update modulators (acetylcholine, noradrenaline, serotonin)");
}

// S VectorEnvs, member s's seeded as its separate run's, and member s's actions drawn from its own
// generator as that run draws them (LibTorch's global generator, seeded with seed + 1): each member
// sees its separate run's episodes and actions.
class SeparateRunEnvs : public MemberEnvs {
 public:
  SeparateRunEnvs(const std::vector<VectorEnv*>& envs, const std::vector<uint64_t>& seeds, torch::Device device)
      : envs_(envs), seeds_(seeds), device_(device) {
    for (VectorEnv* e : envs)
      if (e->num_envs() != envs[0]->num_envs() || e->autoreset_mode() != AutoresetMode::SameStep)
        throw Error("meta_a2c population: every member's VectorEnv needs " + std::to_string(envs[0]->num_envs()) +
                    " envs and SameStep autoreset");
    for (uint64_t seed : seeds) samplers_.push_back(at::make_generator<at::CPUGeneratorImpl>(seed + 1));
  }
  const EnvSpec& spec() const override { return envs_[0]->spec(); }
  void reset() override {
    for (size_t s = 0; s < envs_.size(); ++s) envs_[s]->reset(seeds_[s]);  // meta_a2c's first iteration
  }
  torch::Tensor observations() override {
    std::vector<torch::Tensor> rows;
    for (VectorEnv* e : envs_) rows.push_back(e->observations().reshape({e->num_envs(), -1}).to(torch::kFloat32));
    return torch::stack(rows).to(device_);
  }
  torch::Tensor sample(const torch::Tensor& probs) override {
    const int64_t S = probs.size(0), B = probs.size(1);
    std::vector<torch::Tensor> uniforms;
    for (auto& generator : samplers_) uniforms.push_back(at::rand({B}, generator, torch::kDouble));
    return nn::sample_categorical(probs.reshape({S * B, -1}), torch::cat(uniforms)).view({S, B});
  }
  torch::Tensor step(const torch::Tensor& actions) override {
    const torch::Tensor on_cpu = actions.to(torch::kCPU);
    std::vector<torch::Tensor> rewards;
    ended_ = 0;
    for (size_t s = 0; s < envs_.size(); ++s) {
      envs_[s]->step(on_cpu[s]);
      rewards.push_back(envs_[s]->rewards());
      ended_ += ended_episodes(*envs_[s]);
    }
    return torch::stack(rewards).to(device_, torch::kFloat32);
  }
  int64_t ended() override { return ended_; }
  torch::Tensor episode_returns() override {
    std::vector<torch::Tensor> rows;
    for (VectorEnv* e : envs_) rows.push_back(e->episode_returns());
    return torch::stack(rows).to(torch::kFloat32);
  }

 private:
  std::vector<VectorEnv*> envs_;
  std::vector<uint64_t> seeds_;
  torch::Device device_;
  std::vector<at::Generator> samplers_;
  int64_t ended_ = 0;
};

// One TensorEnv whose S x B rows are the members' batches (member s: rows s B ... s B + B - 1), on
// the device, actions drawn there: a rollout that never leaves the device but for the checks
// whether episodes ended. The members' numbers are not their separate runs'.
class TensorEnvRows : public MemberEnvs {
 public:
  TensorEnvRows(TensorEnv& envs, int64_t members, uint64_t seed)
      : envs_(envs), S_(members), B_(envs.num_envs() / members), seed_(seed),
        generator_(at::globalContext().defaultGenerator(envs.device()).clone()) {
    if (envs.num_envs() % members != 0)
      throw Error("meta_a2c population: the TensorEnv's " + std::to_string(envs.num_envs()) +
                  " rows do not split into " + std::to_string(members) + " members");
    std::lock_guard<std::mutex> lock(generator_.mutex());
    generator_.set_current_seed(seed + 1);
  }
  const EnvSpec& spec() const override { return envs_.spec(); }
  void reset() override { envs_.reset(seed_); }
  torch::Tensor observations() override { return envs_.observations().view({S_, B_, -1}); }
  torch::Tensor sample(const torch::Tensor& probs) override {
    // Inverse CDF: the first action whose cumulative probability passes u.
    const torch::Tensor cdf = probs.cumsum(2);
    const torch::Tensor u = at::rand({S_, B_, 1}, generator_, probs.options()) * cdf.narrow(2, probs.size(2) - 1, 1);
    return (cdf <= u).sum(2).clamp_max(probs.size(2) - 1);
  }
  torch::Tensor step(const torch::Tensor& actions) override {
    envs_.step(actions.reshape({S_ * B_}));
    return envs_.rewards().view({S_, B_}).to(torch::kFloat32);
  }
  int64_t ended() override { return envs_.final_mask().sum().item<int64_t>(); }
  torch::Tensor episode_returns() override { return envs_.episode_returns().view({S_, B_}).to(torch::kCPU, torch::kFloat32); }

 private:
  TensorEnv& envs_;
  int64_t S_, B_;
  uint64_t seed_;
  at::Generator generator_;
};

}  // namespace

MetaA2CPopulation::MetaA2CPopulation(const Config& agent_config, const EnvSpec& env, std::vector<uint64_t> seeds,
                                     torch::Device device)
    : cfg_(agent_config), log_interval_(LoopCadence(agent_config).log_interval), seeds_(std::move(seeds)), device_(device) {
  check_supported(agent_config, cfg_);
  if (seeds_.empty()) throw Error("a population needs at least one member");
  // Each member is built exactly as meta_a2c builds its model for that seed; the stacked leaves
  // then hold their parameters.
  for (uint64_t seed : seeds_) {
    torch::manual_seed(seed);
    members_.push_back(MetaActorCritic(nn::make_core(nn::core_options(agent_config, env.observation_space.size())),
                                       env.action_space.n()));
  }
  hidden_ = members_[0]->core->hidden_size();
  core_ = nn::core_options(agent_config, env.observation_space.size());
  for (const auto& item : members_[0]->named_parameters()) {
    names_.push_back(item.key());
    std::vector<torch::Tensor> slices;
    for (const auto& member : members_) slices.push_back(member->named_parameters()[item.key()].detach());
    stacked_.push_back(torch::stack(slices).to(device_).requires_grad_(true));
  }
}

const torch::Tensor& MetaA2CPopulation::parameter(const std::string& name) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return stacked_[i];
  throw Error("meta_a2c population: no parameter '" + name + "'");
}

torch::Tensor MetaA2CPopulation::linear(const std::string& name, const torch::Tensor& x) const {
  return torch::baddbmm(parameter(name + ".bias").unsqueeze(1), x, parameter(name + ".weight").transpose(1, 2));
}

MetaA2CPopulation::CoreState MetaA2CPopulation::initial_state(int64_t B) const {
  const torch::TensorOptions options = torch::TensorOptions().device(device_);
  const int64_t S = size(), N = hidden_;
  CoreState state{torch::zeros({S, B, N}, options), {}, {}};
  if (core_.type != "rnn") state.hebb = torch::zeros({S, B, N, N}, options);
  if (core_.type == "modul") state.elig = torch::zeros({S, B, N, N}, options);
  return state;
}

// A member's scalar parameter (S, 1) as (S, 1, 1, 1), to scale (S, B, N, N) traces.
torch::Tensor per_member(const torch::Tensor& scalar) { return scalar.view({-1, 1, 1, 1}); }

torch::Tensor MetaA2CPopulation::core_step(const torch::Tensor& x, CoreState& state, const DopamineFn& dopamine) const {
  const torch::Tensor u = linear("core.input", x);  // W_in x_t + b, (S, B, N)
  if (core_.type == "rnn") {  // ElmanCore: h_t = tanh(W_in x_t + b + W h_{t-1})
    state.h = torch::tanh(u + torch::bmm(state.h, parameter("core.w").transpose(1, 2)));
    return state.h;
  }
  // PlasticRnn's step (plastic_rnn.h), every member at once: traces (S, B, N, N), W and alpha (S, 1, N, N).
  const torch::Tensor h_prev = state.h;
  const torch::Tensor h = nn::plastic_hidden(u, h_prev, parameter("core.w").unsqueeze(1),
                                             parameter("core.alpha").unsqueeze(1), state.hebb);
  torch::Tensor eta, rate;
  if (core_.type != "modplast") eta = per_member(parameter("core.eta"));
  if (core_.type != "plastic") {
    // The modulator M_t (S, B, 1), or (S, B, N) with fanout, as PlasticRnn::modulation.
    torch::Tensor m;
    if (core_.modulator != "dopamine") m = torch::tanh(linear("core.modulator", h));
    if (core_.modulator != "learned") {
      const torch::Tensor d = parameter("core.kappa").view({-1, 1, 1}) * dopamine(h).detach().unsqueeze(2);
      m = m.defined() ? m + d : d;
    }
    if (core_.fanout) m = linear("core.fanout", m);
    rate = m.unsqueeze(3);  // scales the rows (postsynaptic neurons)
  }
  nn::update_traces(core_, h_prev, h, eta, rate, state.hebb, state.elig);
  state.h = h;
  return h;
}

std::vector<TrainResult> MetaA2CPopulation::train(const std::vector<VectorEnv*>& envs, int64_t total_steps,
                                                  const std::vector<TrainMonitor*>& monitors) {
  if (static_cast<int64_t>(envs.size()) != size()) throw Error("meta_a2c population: one VectorEnv per member");
  SeparateRunEnvs members(envs, seeds_, device_);
  return train_on(members, envs[0]->num_envs(), total_steps, monitors);
}

std::vector<TrainResult> MetaA2CPopulation::train(TensorEnv& envs, int64_t total_steps,
                                                  const std::vector<TrainMonitor*>& monitors) {
  if (envs.device() != device_)
    throw Error("meta_a2c population: the TensorEnv is on " + envs.device().str() + ", the population on " + device_.str());
  TensorEnvRows members(envs, size(), seeds_[0]);
  return train_on(members, envs.num_envs() / size(), total_steps, monitors);
}

std::vector<TrainResult> MetaA2CPopulation::train_on(MemberEnvs& envs, int64_t B, int64_t total_steps,
                                                     const std::vector<TrainMonitor*>& monitors) {
  const int64_t S = size();
  if (static_cast<int64_t>(monitors.size()) != S) throw Error("meta_a2c population: one monitor per member");
  const torch::TensorOptions on_device = torch::TensorOptions().device(device_);
  torch::optim::Adam optimizer(stacked_, torch::optim::AdamOptions(cfg_.lr).eps(cfg_.adam_eps));
  std::vector<TrainResult> results(S);
  std::vector<EpisodeLog> episodes(S);  // each member's, as the training loop keeps a run's
  envs.reset();
  const auto start = std::chrono::steady_clock::now();
  int64_t global_step = 0;

  for (int64_t iteration = 1; global_step < total_steps; ++iteration) {
    bool stop = false;
    for (TrainMonitor* m : monitors) stop = stop || m->should_stop();
    if (stop) {
      for (TrainResult& r : results) r.stopped_early = true;
      break;
    }
    const double progress = static_cast<double>(global_step) / static_cast<double>(total_steps);
    const double gamma = cfg_.gamma;
    const double entropy_coef = cfg_.ent.at(progress);
    const double lr = cfg_.anneal_lr ? linear_schedule(cfg_.lr, 0.0, 1.0, progress) : cfg_.lr;
    for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);

    // 1. The rollout: every member's B episodes to their end, without gradients.
    std::vector<torch::Tensor> inputs, actions, rewards, deltas;
    {
      torch::NoGradGuard no_grad;
      CoreState state = initial_state(B);
      // The TD error of each member's critic, delta_{t-1} = r_{t-1} + gamma V(s_t) - V(s_{t-1}) (0 at
      // t = 0), for cores modulated by dopamine (as meta_a2c's rollout).
      neuromod::TdErrorTracker td;
      td.start_episodes();
      torch::Tensor delta, value;  // V(s_t) and delta_{t-1}, (S, B)
      const DopamineFn dopamine = [&](const torch::Tensor& h) {
        value = linear("value", h).squeeze(2);
        return delta = td.delta(value, gamma);
      };
      for (;;) {
        const torch::Tensor input = envs.observations();  // (S, B, inputs)
        const torch::Tensor h = core_step(input, state, dopamine);
        const torch::Tensor action = envs.sample(torch::softmax(linear("policy", h), 2));
        const torch::Tensor reward = envs.step(action);
        td.step(reward, value);  // value is this step's when the core asked for delta
        if (uses_dopamine()) deltas.push_back(delta);
        const int64_t ended = envs.ended();
        inputs.push_back(input);
        actions.push_back(action);
        rewards.push_back(reward);
        if (ended == S * B) break;
        if (ended > 0)
          throw Error("meta_a2c runs whole episodes in lockstep: " + envs.spec().id +
                      "'s episodes must all end at the same step (fixed-length tasks)");
      }
    }
    const int64_t T = static_cast<int64_t>(inputs.size());
    const torch::Tensor reward = torch::stack(rewards);  // (T, S, B)

    // 2. The update: the episodes again, with gradients; meta_a2c's loss per member, summed.
    const bool learn = iteration > cfg_.burn_in;
    torch::Tensor policy_loss, value_loss, entropy, loss;
    {
      std::unique_ptr<torch::NoGradGuard> no_grad;
      if (!learn) no_grad = std::make_unique<torch::NoGradGuard>();
      CoreState state = initial_state(B);
      std::vector<torch::Tensor> hs_steps;
      for (int64_t t = 0; t < T; ++t)
        hs_steps.push_back(core_step(inputs[t], state, [&](const torch::Tensor&) { return deltas[t]; }));
      const torch::Tensor hs = torch::stack(hs_steps, 1);  // (S, T, B, N)
      const auto per_member = [&](const std::string& layer) {  // (S, T, B, out) -> (T, S, B, out)
        return linear(layer, hs.reshape({S, T * B, hidden_})).view({S, T, B, -1}).transpose(0, 1);
      };
      const torch::Tensor log_policy = torch::log_softmax(per_member("policy"), 3);  // (T, S, B, A)
      const torch::Tensor policy = log_policy.exp();
      torch::Tensor values = per_member("value").squeeze(3);  // (T, S, B)
      if (cfg_.baseline_element0) values = values.select(2, 0).unsqueeze(2).expand({T, S, B});
      const torch::Tensor target = cfg_.gae_lambda == 1.0
                                       ? neuromod::discounted_returns(reward, gamma)
                                       : neuromod::lambda_returns(reward, values.detach(), gamma, cfg_.gae_lambda);
      const torch::Tensor advantage = target - values;
      const torch::Tensor log_prob = log_policy.gather(3, torch::stack(actions).to(device_).unsqueeze(3)).squeeze(3);
      policy_loss = -(log_prob * advantage.detach()).mean(2).sum(0) / T;  // (S)
      value_loss = advantage.pow(2).mean(2).sum(0) / T;
      entropy = -(policy * log_policy).sum(3).mean(at::IntArrayRef{0, 2});
      const torch::Tensor exploration =
          cfg_.entropy == "sum_p2" ? policy.pow(2).sum(3).mean(2).sum(0) / T : -entropy;
      loss = (policy_loss + entropy_coef * exploration + cfg_.vf_coef * value_loss).sum();
    }
    if (learn) {
      optimizer.zero_grad();
      loss.backward();
      if (cfg_.max_grad_norm > 0) {
        // Each member's global norm, clipped as torch::nn::utils::clip_grad_norm_ clips one run's.
        torch::NoGradGuard no_grad;
        torch::Tensor squares = torch::zeros({S}, on_device);
        for (const auto& p : stacked_) squares += p.grad().reshape({S, -1}).pow(2).sum(1);
        const torch::Tensor coef = (cfg_.max_grad_norm / (squares.sqrt() + 1e-6)).clamp_max(1.0);
        for (const auto& p : stacked_) {
          std::vector<int64_t> shape(p.dim(), 1);
          shape[0] = S;
          p.grad().mul_(coef.view(shape));
        }
      }
      optimizer.step();
    }

    // 3. Book-keeping, per member.
    global_step += T * B;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const bool log_now = iteration % log_interval_ == 0 || global_step >= total_steps;
    const torch::Tensor all_returns = envs.episode_returns();  // (S, B)
    const torch::Tensor losses = torch::stack({policy_loss, value_loss, entropy}).to(torch::kCPU);  // one copy
    for (int64_t s = 0; s < S; ++s) {
      TrainResult& r = results[s];
      r.global_step = global_step;
      // As meta_a2c: the episodes' returns in float32, each into the member's episode log.
      const torch::Tensor episode_returns = all_returns[s].contiguous();
      const float* values = episode_returns.data_ptr<float>();
      for (int64_t b = 0; b < B; ++b) episodes[s].add(values[b], T);
      monitors[s]->progress(global_step, episodes[s].recent_mean());
      if (log_now) {  // the columns of the training loop's rows (train/training_loop.h)
        const EpisodeLog::Interval interval = episodes[s].take_interval();
        monitors[s]->log(global_step, {{"episodes", static_cast<double>(episodes[s].episodes())},
                                       {"episodic_return", interval.mean_return},
                                       {"episodic_length", interval.mean_length},
                                       {"iteration", static_cast<double>(iteration)},
                                       {"policy_loss", losses[0][s].item<double>()},
                                       {"value_loss", losses[1][s].item<double>()},
                                       {"entropy", losses[2][s].item<double>()},
                                       {"entropy_coef", entropy_coef},
                                       {"SPS", global_step / std::max(seconds, 1e-9)}});
      }
      r.episodes = episodes[s].episodes();
      r.final_return = episodes[s].recent_mean();
      r.best_return = episodes[s].best_return();
    }
  }
  // The members' models hold the trained parameters (for save_member).
  {
    torch::NoGradGuard no_grad;
    for (int64_t s = 0; s < S; ++s) {
      auto params = members_[s]->named_parameters();
      for (size_t i = 0; i < names_.size(); ++i) params[names_[i]].copy_(stacked_[i][s].to(torch::kCPU));
    }
  }
  return results;
}

int64_t MetaA2CPopulation::num_parameters() const {
  int64_t count = 0;
  for (const auto& p : members_[0]->parameters()) count += p.numel();
  return count;
}

void MetaA2CPopulation::save_member(int64_t s, const std::string& path) const {
  if (s < 0 || s >= size()) throw Error("meta_a2c population: no member " + std::to_string(s));
  torch::save(members_[s], path);
}

}  // namespace dopa::agents
