// meta_a2c for S seeds at once (population.h). The iteration is meta_a2c.cpp's, with a member
// dimension S after the time dimension: tensors are (T, S, B, ...) where meta_a2c's are (T, B, ...),
// and each member's loss is meta_a2c's loss; the total loss is their sum, so each member's gradient
// is its own loss's gradient.
#include "agents/meta_a2c/population.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>

#include "agents/meta_a2c/lambda_returns.h"
#include "dopa/core/error.h"
#include "dopa/neuromod/update_modulators.h"
#include "dopa/nn/categorical.h"

namespace dopa::agents {

namespace {

// The settings population training does not batch yet.
void check_supported(const Config& config, const MetaA2CConfig& cfg) {
  if (config.get_string("core") != "rnn")
    throw Error("meta_a2c population training supports core = \"rnn\" so far, not \"" + config.get_string("core") + "\"");
  if (cfg.optimizer != "adam") throw Error("meta_a2c population training supports optimizer = \"adam\" only");
  if (cfg.record_modulator) throw Error("meta_a2c population training does not record modulators");
  if (neuromod::UpdateModulators(config, "meta_a2c", 0).any())
    throw Error("meta_a2c population training does not run update modulators (acetylcholine, noradrenaline, serotonin)");
}

}  // namespace

MetaA2CPopulation::MetaA2CPopulation(const Config& agent_config, const EnvSpec& env, std::vector<uint64_t> seeds)
    : cfg_(agent_config), seeds_(std::move(seeds)) {
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
  for (const auto& item : members_[0]->named_parameters()) {
    names_.push_back(item.key());
    std::vector<torch::Tensor> slices;
    for (const auto& member : members_) slices.push_back(member->named_parameters()[item.key()].detach());
    stacked_.push_back(torch::stack(slices).requires_grad_(true));
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

torch::Tensor MetaA2CPopulation::core_step(const torch::Tensor& x, const torch::Tensor& h) const {
  // ElmanCore: h_t = tanh(W_in x_t + b + W h_{t-1}).
  return torch::tanh(linear("core.input", x) + torch::bmm(h, parameter("core.w").transpose(1, 2)));
}

std::vector<TrainResult> MetaA2CPopulation::train(const std::vector<VectorEnv*>& envs, int64_t total_steps,
                                                  const std::vector<TrainMonitor*>& monitors) {
  const int64_t S = size();
  if (static_cast<int64_t>(envs.size()) != S || static_cast<int64_t>(monitors.size()) != S)
    throw Error("meta_a2c population: one VectorEnv and one monitor per member");
  const int64_t B = envs[0]->num_envs();
  for (VectorEnv* e : envs)
    if (e->num_envs() != B || e->autoreset_mode() != AutoresetMode::SameStep)
      throw Error("meta_a2c population: every member's VectorEnv needs " + std::to_string(B) +
                  " envs and SameStep autoreset");
  // Member s's action-sampling stream: a separate run seeds LibTorch's global generator with seed + 1.
  std::vector<at::Generator> samplers;
  for (uint64_t seed : seeds_) samplers.push_back(at::make_generator<at::CPUGeneratorImpl>(seed + 1));
  torch::optim::Adam optimizer(stacked_, torch::optim::AdamOptions(cfg_.lr).eps(cfg_.adam_eps));
  std::vector<TrainResult> results(S);
  std::vector<RecentReturns> recent(S, RecentReturns(100));
  std::vector<double> interval_return(S, 0.0);
  std::vector<bool> any_interval(S, false);
  int64_t interval_episodes = 0;
  for (int64_t s = 0; s < S; ++s) envs[s]->reset(seeds_[s]);  // meta_a2c's first iteration
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
    const double entropy_coef = linear_schedule(cfg_.entropy_coef, cfg_.entropy_coef_end, cfg_.entropy_anneal, progress);
    const double lr = cfg_.lr_anneal ? linear_schedule(cfg_.lr, 0.0, 1.0, progress) : cfg_.lr;
    for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);

    // 1. The rollout: every member's B episodes to their end, without gradients.
    std::vector<torch::Tensor> inputs, actions, rewards;
    {
      torch::NoGradGuard no_grad;
      torch::Tensor h = torch::zeros({S, B, hidden_});
      for (;;) {
        std::vector<torch::Tensor> observations, uniforms;
        for (int64_t s = 0; s < S; ++s) {
          observations.push_back(envs[s]->observations().reshape({B, -1}).to(torch::kFloat32));
          uniforms.push_back(at::rand({B}, samplers[s], torch::kDouble));
        }
        const torch::Tensor input = torch::stack(observations);  // (S, B, inputs), a copy
        h = core_step(input, h);
        const torch::Tensor probs = torch::softmax(linear("policy", h), 2);
        const torch::Tensor action =
            nn::sample_categorical(probs.reshape({S * B, -1}), torch::cat(uniforms)).view({S, B});
        std::vector<torch::Tensor> reward(S);
        int64_t ended = 0;
        for (int64_t s = 0; s < S; ++s) {
          envs[s]->step(action[s]);
          reward[s] = envs[s]->rewards();
          ended += ended_episodes(*envs[s]);
        }
        inputs.push_back(input);
        actions.push_back(action);
        rewards.push_back(torch::stack(reward).to(torch::kFloat32));
        if (ended == S * B) break;
        if (ended > 0)
          throw Error("meta_a2c runs whole episodes in lockstep: " + envs[0]->spec().id +
                      "'s episodes must all end at the same step (fixed-length tasks)");
      }
    }
    const int64_t T = static_cast<int64_t>(inputs.size());
    const torch::Tensor reward = torch::stack(rewards);  // (T, S, B)
    torch::Tensor returns = torch::zeros({T, S, B});
    {
      torch::Tensor g = torch::zeros({S, B});
      for (int64_t t = T - 1; t >= 0; --t) {
        g = reward[t] + gamma * g;
        returns[t] = g;
      }
    }

    // 2. The update: the episodes again, with gradients; meta_a2c's loss per member, summed.
    const bool learn = iteration > cfg_.burn_in;
    torch::Tensor policy_loss, value_loss, entropy, loss;
    {
      std::unique_ptr<torch::NoGradGuard> no_grad;
      if (!learn) no_grad = std::make_unique<torch::NoGradGuard>();
      torch::Tensor h = torch::zeros({S, B, hidden_});
      std::vector<torch::Tensor> hs_steps;
      for (int64_t t = 0; t < T; ++t) hs_steps.push_back(h = core_step(inputs[t], h));
      const torch::Tensor hs = torch::stack(hs_steps, 1);  // (S, T, B, N)
      const auto per_member = [&](const std::string& layer) {  // (S, T, B, out) -> (T, S, B, out)
        return linear(layer, hs.reshape({S, T * B, hidden_})).view({S, T, B, -1}).transpose(0, 1);
      };
      const torch::Tensor log_policy = torch::log_softmax(per_member("policy"), 3);  // (T, S, B, A)
      const torch::Tensor policy = log_policy.exp();
      torch::Tensor values = per_member("value").squeeze(3);  // (T, S, B)
      if (cfg_.baseline_element0) values = values.select(2, 0).unsqueeze(2).expand({T, S, B});
      const torch::Tensor target =
          cfg_.gae_lambda == 1.0 ? returns : lambda_returns(reward, values.detach(), gamma, cfg_.gae_lambda);
      const torch::Tensor advantage = target - values;
      const torch::Tensor log_prob = log_policy.gather(3, torch::stack(actions).unsqueeze(3)).squeeze(3);
      policy_loss = -(log_prob * advantage.detach()).mean(2).sum(0) / T;  // (S)
      value_loss = advantage.pow(2).mean(2).sum(0) / T;
      entropy = -(policy * log_policy).sum(3).mean(at::IntArrayRef{0, 2});
      const torch::Tensor exploration =
          cfg_.entropy == "sum_p2" ? policy.pow(2).sum(3).mean(2).sum(0) / T : -entropy;
      loss = (policy_loss + entropy_coef * exploration + cfg_.value_coef * value_loss).sum();
    }
    if (learn) {
      optimizer.zero_grad();
      loss.backward();
      if (cfg_.max_grad_norm > 0) {
        // Each member's global norm, clipped as torch::nn::utils::clip_grad_norm_ clips one run's.
        torch::NoGradGuard no_grad;
        torch::Tensor squares = torch::zeros({S});
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
    interval_episodes += B;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const bool log_now = iteration % cfg_.log_interval == 0 || global_step >= total_steps;
    for (int64_t s = 0; s < S; ++s) {
      TrainResult& r = results[s];
      r.global_step = global_step;
      r.episodes += B;
      // As meta_a2c: the episodes' returns in float32, the batch mean times B into the interval.
      const torch::Tensor episode_returns = envs[s]->episode_returns().to(torch::kFloat32);
      const float* values = episode_returns.data_ptr<float>();
      for (int64_t b = 0; b < B; ++b) recent[s].add(values[b]);
      interval_return[s] += episode_returns.mean().item<double>() * B;
      monitors[s]->progress(global_step, recent[s].mean());
      if (log_now) {
        const double mean_return = interval_return[s] / interval_episodes;
        if (!any_interval[s] || mean_return > r.best_return) r.best_return = mean_return;
        any_interval[s] = true;
        monitors[s]->log(global_step, {{"iteration", static_cast<double>(iteration)},
                                       {"episodes", static_cast<double>(r.episodes)},
                                       {"episodic_return", mean_return},
                                       {"episodic_length", static_cast<double>(T)},
                                       {"policy_loss", policy_loss[s].item<double>()},
                                       {"value_loss", value_loss[s].item<double>()},
                                       {"entropy", entropy[s].item<double>()},
                                       {"entropy_coef", entropy_coef},
                                       {"SPS", global_step / std::max(seconds, 1e-9)}});
        interval_return[s] = 0.0;
      }
      r.final_return = recent[s].mean();
    }
    if (log_now) interval_episodes = 0;
  }
  // The members' models hold the trained parameters (for save_member).
  {
    torch::NoGradGuard no_grad;
    for (int64_t s = 0; s < S; ++s) {
      auto params = members_[s]->named_parameters();
      for (size_t i = 0; i < names_.size(); ++i) params[names_[i]].copy_(stacked_[i][s]);
    }
  }
  return results;
}

void MetaA2CPopulation::save_member(int64_t s, const std::string& path) const {
  if (s < 0 || s >= size()) throw Error("meta_a2c population: no member " + std::to_string(s));
  torch::save(members_[s], path);
}

}  // namespace dopa::agents
