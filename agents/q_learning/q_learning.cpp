// q_learning: tabular Q-learning with a softmax policy, its meta-parameters set by Doya's (2002)
// neuromodulators (src/dopa/neuromod/meta_parameter.h; specs/metarl-dopamine.md §4): acetylcholine
// the learning rate alpha, noradrenaline the inverse temperature beta, serotonin the discount gamma;
// dopamine is its TD error
//   delta = r + gamma max_a' Q(s', a') - Q(s, a)      (no bootstrap past a terminal step)
//   Q(s, a) += alpha delta,   policy: P(a | s) proportional to exp(beta Q(s, a)).
// With "meta:..." sources this is Schweighofer & Doya's (2003) meta-learning agent for Ring-v0.
//
// The state is the index of the observation's largest element (one-hot observations). One subject:
// env.num_envs = 1. metrics.csv every `log_interval` steps: the mean reward per step since the last
// row and alpha, beta, gamma; summary.json's final_return is the mean reward per step over the last
// 10% of the run (the success criterion of experiments/dopamine/ring_success.sh).
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <deque>

#include "dopa/core/error.h"
#include "dopa/core/rng.h"
#include "dopa/core/settings.h"
#include "dopa/neuromod/meta_parameter.h"
#include "dopa/train/agent.h"

namespace dopa::agents {

namespace {

using neuromod::MetaParameter;
using neuromod::Squash;

// The sources of alpha, beta and gamma (neuromod/meta_parameter.h parses them).
struct QLearningConfig {
  std::string acetylcholine, noradrenaline, serotonin;
  int64_t log_interval;

  static const SettingsTable<QLearningConfig>& table() {
    using C = QLearningConfig;
    static const SettingsTable<C> table = {
        setting(&C::acetylcholine, "acetylcholine", std::string("0.1"),
                "learning rate alpha: VALUE, linear:START:END, meta:INITIAL or surprise:LOW:HIGH:SCALE"),
        setting(&C::noradrenaline, "noradrenaline", std::string("1"),
                "inverse temperature beta of the softmax (same forms)"),
        setting(&C::serotonin, "serotonin", std::string("0.99"), "discount gamma (same forms)"),
        setting(&C::log_interval, "log_interval", 1000, "steps between metrics rows", at_least(1)),
    };
    return table;
  }
};

class QLearning : public Agent {
 public:
  QLearning(const QLearningConfig& cfg, const EnvSpec& env, uint64_t seed)
      : states_(env.observation_space.size()),
        actions_(env.action_space.n()),
        q_(states_ * actions_, 0.0),
        alpha_(cfg.acetylcholine, Squash::Logistic, "acetylcholine (alpha)"),
        beta_(cfg.noradrenaline, Squash::Exp, "noradrenaline (beta)"),
        gamma_(cfg.serotonin, Squash::Logistic, "serotonin (gamma)"),
        log_interval_(cfg.log_interval),
        rng_(seed) {}

  TrainResult train(VectorEnv& envs, const TrainOptions& options, TrainMonitor& monitor) override {
    if (envs.num_envs() != 1) throw Error("q_learning models one subject: env.num_envs must be 1");
    TrainResult result;
    const auto start = std::chrono::steady_clock::now();
    const int64_t tail_from = options.total_steps - options.total_steps / 10;  // the last 10%
    double interval_reward = 0.0, tail_reward = 0.0, recent = 0.0;
    int64_t interval_steps = 0, tail_steps = 0;
    envs.reset(options.seed);
    int64_t s = observed_state(envs.observations());
    at::Tensor action_tensor = torch::zeros({1}, torch::kInt64);
    while (result.global_step < options.total_steps && !monitor.should_stop()) {
      const int64_t a = sample_action(s);
      action_tensor.data_ptr<int64_t>()[0] = a;
      envs.step(action_tensor);
      const double reward = envs.rewards().item<double>();
      const bool terminal = envs.terminations().item<bool>();
      const bool done = terminal || envs.truncations().item<bool>();
      const int64_t next = observed_state(done ? envs.final_observations() : envs.observations());
      // Dopamine: the TD error of this step, then the meta-parameters see what happened.
      const double* q_next = &q_[next * actions_];
      const double target = reward + (terminal ? 0.0 : gamma_.value() * *std::max_element(q_next, q_next + actions_));
      const double delta = target - q_[s * actions_ + a];
      q_[s * actions_ + a] += alpha_.value() * delta;
      // (a linear schedule's value is read at the next step: its progress)
      const double next_progress = static_cast<double>(result.global_step + 1) / options.total_steps;
      for (MetaParameter* m : {&alpha_, &beta_, &gamma_}) m->step(reward, delta, next_progress, rng_);
      s = done ? observed_state(envs.observations()) : next;

      ++result.global_step;
      interval_reward += reward;
      ++interval_steps;
      recent += (reward - recent) / 100.0;
      if (result.global_step > tail_from) tail_reward += reward, ++tail_steps;
      if (done) ++result.episodes;
      if (result.global_step % 100 == 0) monitor.progress(result.global_step, recent);
      if (result.global_step % log_interval_ == 0 || result.global_step >= options.total_steps) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        monitor.log(result.global_step, {{"reward_per_step", interval_reward / interval_steps},
                                         {"alpha", alpha_.value()},
                                         {"beta", beta_.value()},
                                         {"gamma", gamma_.value()},
                                         {"SPS", result.global_step / std::max(seconds, 1e-9)}});
        interval_reward = 0.0;
        interval_steps = 0;
      }
    }
    result.stopped_early = monitor.should_stop();
    result.final_return = tail_steps > 0 ? tail_reward / tail_steps : recent;
    result.best_return = result.final_return;
    return result;
  }

  void save(const std::string& path) const override {
    torch::save(torch::tensor(q_).reshape({states_, actions_}), path);
  }

  int64_t num_parameters() const override { return static_cast<int64_t>(q_.size()); }

 private:
  // The env's float32 batch buffer (one env), read in place: no tensor is made per step.
  int64_t observed_state(const at::Tensor& observations) const {
    const float* v = observations.data_ptr<float>();
    return std::max_element(v, v + states_) - v;
  }

  int64_t sample_action(int64_t s) {
    const double* q = &q_[s * actions_];
    const double best = *std::max_element(q, q + actions_);
    double total = 0.0;
    for (int64_t a = 0; a < actions_; ++a) total += weights_[a] = std::exp(beta_.value() * (q[a] - best));
    double u = rng_.uniform() * total;
    for (int64_t a = 0; a < actions_; ++a)
      if ((u -= weights_[a]) < 0) return a;
    return actions_ - 1;
  }

  int64_t states_, actions_;
  std::vector<double> q_;
  std::vector<double> weights_ = std::vector<double>(static_cast<size_t>(actions_));  // the softmax's, per step
  MetaParameter alpha_, beta_, gamma_;
  int64_t log_interval_;
  Rng rng_;
};

}  // namespace

AgentRegistration q_learning_registration() {
  AgentRegistration r;
  r.name = "q_learning";
  r.description = "tabular Q-learning, softmax; alpha, beta, gamma from ACh, NA, 5-HT sources (Schweighofer-Doya)";
  r.config = QLearningConfig::table().schema();
  r.autoreset = AutoresetMode::SameStep;
  r.factory = [](const Config& config, const EnvSpec& env, uint64_t seed) -> std::unique_ptr<Agent> {
    if (!env.action_space.is_discrete())
      throw Error("q_learning needs a Discrete action space; " + env.id + " has " + env.action_space.to_string());
    if (env.observation_space.is_discrete() || env.observation_space.dtype() != DType::Float32)
      throw Error("q_learning reads the state as the largest element of a float32 Box observation (one-hot); " +
                  env.id + " has " + env.observation_space.to_string());
    return std::make_unique<QLearning>(QLearningConfig::table().read(config, "q_learning"), env, seed);
  };
  return r;
}

DOPA_REGISTER_AGENT(q_learning_registration());

}  // namespace dopa::agents
