// td: the classic TD model of dopamine as an agent of `dopa run` (specs/metarl-dopamine.md §3).
//
// One subject (env.num_envs = 1) goes through the env's trials (Conditioning-v0: one trial per
// episode, no action) while a linear TD(lambda) learner (td_lambda.h) predicts the discounted
// reward from a stimulus representation of its observation (stimulus_representation.h). Every
// step's TD error - the model's dopamine - is written to td_errors.csv in the run folder:
//   trial,t,reward,value,delta     (t: the observation the step arrives at, from 1)
// for every `record_every`-th trial. metrics.csv gets, every `log_interval` trials, the last trial's
// largest and smallest delta and the steps where they fell: the "travelling bump" from US to CS.
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "agents/td/stimulus_representation.h"
#include "agents/td/td_lambda.h"
#include "dopa/core/error.h"
#include "dopa/core/strings.h"
#include "dopa/train/agent.h"

namespace dopa::agents {

namespace {

class TdAgent : public Agent {
 public:
  TdAgent(const Config& config, const EnvSpec& env)
      : stimuli_(static_cast<int>(env.observation_space.size())),
        representation_(representation_options(config), stimuli_),
        learner_(TdLambdaOptions{config.get_float("gamma"), config.get_float("alpha"), config.get_float("lambda")},
                 representation_.size()),
        log_interval_(config.get_int("log_interval")),
        record_every_(config.get_int("record_every")) {
    if (log_interval_ < 1) throw Error("td 'log_interval' must be >= 1");
    if (record_every_ < 0) throw Error("td 'record_every' must be >= 0");
  }

  TrainResult train(VectorEnv& envs, const TrainOptions& options, TrainMonitor& monitor) override {
    if (envs.num_envs() != 1) throw Error("td models one subject: env.num_envs must be 1");
    std::ofstream record;
    if (record_every_ > 0 && !options.run_dir.empty()) {
      record.open(std::filesystem::path(options.run_dir) / "td_errors.csv");
      record << "trial,t,reward,value,delta\n";
    }
    const at::Tensor no_action = torch::zeros({1}, torch::kInt64);
    TrainResult result;
    RecentReturns recent(100);
    const auto start = std::chrono::steady_clock::now();
    envs.reset(options.seed);
    std::vector<double> x = begin_trial(envs.observations()), x_next;
    int64_t trial = 1, t = 0;
    Extremes extremes;
    while (result.global_step < options.total_steps && !monitor.should_stop()) {
      envs.step(no_action);
      ++t;
      ++result.global_step;
      const double reward = envs.rewards().item<double>();
      const bool terminal = envs.terminations().item<bool>();
      const bool done = terminal || envs.truncations().item<bool>();
      // Past the trial's end the next features are those of its final observation (a time limit:
      // bootstrap), not of the next trial's first.
      x_next = representation_.update(
          (done ? envs.final_observations() : envs.observations()).contiguous().data_ptr<float>());
      const double delta = learner_.update(x, reward, x_next, terminal);
      const double value = terminal ? 0.0 : learner_.value(x_next);
      extremes.add(t, delta);
      if (record.is_open() && trial % record_every_ == 0)
        record << trial << "," << t << "," << shortest_text(reward) << "," << shortest_text(value) << ","
               << shortest_text(delta) << "\n";
      x.swap(x_next);
      if (!done) continue;

      const double episode_return = envs.episode_returns().item<double>();
      recent.add(episode_return);
      ++result.episodes;
      monitor.progress(result.global_step, recent.mean());
      if (trial % log_interval_ == 0 || result.global_step >= options.total_steps) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        monitor.log(result.global_step, {{"trial", static_cast<double>(trial)},
                                         {"episodic_return", episode_return},
                                         {"episodic_length", static_cast<double>(t)},
                                         {"delta_max", extremes.max},
                                         {"delta_max_t", static_cast<double>(extremes.max_t)},
                                         {"delta_min", extremes.min},
                                         {"delta_min_t", static_cast<double>(extremes.min_t)},
                                         {"SPS", result.global_step / std::max(seconds, 1e-9)}});
      }
      ++trial;
      t = 0;
      extremes = Extremes();
      x = begin_trial(envs.observations());  // SameStep autoreset: the next trial's first observation
    }
    result.stopped_early = monitor.should_stop();
    result.final_return = recent.mean();
    result.best_return = result.final_return;
    return result;
  }

  void save(const std::string& path) const override {
    std::ofstream out(path);
    out.precision(17);
    for (double w : learner_.weights()) out << w << "\n";
    if (!out) throw Error("cannot write '" + path + "'");
  }

  int64_t num_parameters() const override { return static_cast<int64_t>(learner_.weights().size()); }

 private:
  struct Extremes {
    double max = -1e300, min = 1e300;
    int64_t max_t = 0, min_t = 0;
    void add(int64_t t, double delta) {
      if (delta > max) max = delta, max_t = t;
      if (delta < min) min = delta, min_t = t;
    }
  };

  static StimulusRepresentationOptions representation_options(const Config& c) {
    StimulusRepresentationOptions o;
    o.kind = c.get_string("representation");
    o.length = static_cast<int>(c.get_int("csc_length"));
    o.count = static_cast<int>(c.get_int("microstimuli"));
    o.sigma = c.get_float("microstimulus_sigma");
    o.decay = c.get_float("trace_decay");
    return o;
  }

  std::vector<double> begin_trial(const at::Tensor& observations) {
    representation_.reset();
    learner_.reset_trace();
    return representation_.update(observations.contiguous().data_ptr<float>());
  }

  int stimuli_;
  StimulusRepresentation representation_;
  TdLambda learner_;
  int64_t log_interval_, record_every_;
};

}  // namespace

AgentRegistration td_registration() {
  AgentRegistration r;
  r.name = "td";
  r.description = "linear TD(lambda) on a stimulus representation: the classic dopamine model (Conditioning-v0)";
  r.config = {
      {"representation", "csc", "stimulus representation", {"csc", "presence", "microstimulus"}},
      {"csc_length", 60, "csc: steps after onset with their own weight"},
      {"microstimuli", 20, "microstimulus: basis functions per stimulus"},
      {"microstimulus_sigma", 0.08, "microstimulus: width of each basis function"},
      {"trace_decay", 0.985, "microstimulus: decay of the stimulus trace per step"},
      {"gamma", 0.98, "discount"},
      {"alpha", 0.1, "learning rate"},
      {"lambda", 0.0, "eligibility-trace decay (0: TD(0))"},
      {"log_interval", 100, "trials between metrics rows"},
      {"record_every", 1, "write every n-th trial's TD errors to td_errors.csv (0: none)"},
  };
  r.autoreset = AutoresetMode::SameStep;
  r.factory = [](const Config& config, const EnvSpec& env, uint64_t) -> std::unique_ptr<Agent> {
    if (!env.action_space.is_discrete())
      throw Error("td plays action 0 of a Discrete action space; " + env.id + " has " + env.action_space.to_string());
    if (env.observation_space.is_discrete() || env.observation_space.dtype() != DType::Float32)
      throw Error("td reads stimulus channels from a float32 Box observation; " + env.id + " has " +
                  env.observation_space.to_string());
    return std::make_unique<TdAgent>(config, env);
  };
  return r;
}

DOPA_REGISTER_AGENT(td_registration());

}  // namespace dopa::agents
