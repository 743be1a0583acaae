// td: the classic TD model of dopamine as an agent of `dopa run` (specs/metarl-dopamine.md §3).
//
// One subject (env.num_envs = 1) goes through the env's trials (Conditioning-v0: one trial per
// episode, no action) while a linear TD(lambda) learner (td_lambda.h) predicts the discounted
// reward from a stimulus representation of its observation (stimulus_representation.h). Every
// step's TD error - the model's dopamine - is written to td_errors.csv in the run folder:
//   trial,t,cue,reward,value,delta (t: the observation the step arrives at, from 1; cue: the first
//                                   stimulus channel to come on this trial so far, -1 before one has)
// for every `record_every`-th trial. metrics.csv gets, every `log_interval` trials, the last trial's
// largest and smallest delta and the steps where they fell: the "travelling bump" from US to CS.
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "agents/td/stimulus_config.h"
#include "agents/td/stimulus_representation.h"
#include "agents/td/td_lambda.h"
#include "dopa/core/error.h"
#include "dopa/core/strings.h"
#include "dopa/train/agent.h"

namespace dopa::agents {

namespace {

struct TdConfig {
  TdLambdaOptions learner;
  int64_t log_interval, record_every;

  static const SettingsTable<TdConfig>& table() {
    static const SettingsTable<TdLambdaOptions> learner = {
        setting(&TdLambdaOptions::gamma, "gamma", 0.98, "discount"),
        setting(&TdLambdaOptions::alpha, "alpha", 0.1, "learning rate"),
        setting(&TdLambdaOptions::lambda, "lambda", 0.0, "eligibility-trace decay (0: TD(0))"),
    };
    static const SettingsTable<TdConfig> table = {
        nested(&TdConfig::learner, learner),
        setting(&TdConfig::log_interval, "log_interval", 100, "trials between metrics rows", at_least(1)),
        setting(&TdConfig::record_every, "record_every", 1,
                "write every n-th trial's TD errors to td_errors.csv (0: none)", at_least(0)),
    };
    return table;
  }
};

class TdAgent : public Agent {
 public:
  TdAgent(const Config& config, const EnvSpec& env) : TdAgent(TdConfig::table().read(config, "td"), config, env) {}
  TdAgent(const TdConfig& cfg, const Config& config, const EnvSpec& env)
      : stimuli_(static_cast<int>(env.observation_space.size())),
        representation_(stimulus_options(config, "td"), stimuli_),
        learner_(cfg.learner, representation_.size()),
        log_interval_(cfg.log_interval),
        record_every_(cfg.record_every) {}

  TrainResult train(VectorEnv& envs, const TrainOptions& options, TrainMonitor& monitor) override {
    if (envs.num_envs() != 1) throw Error("td models one subject: env.num_envs must be 1");
    std::ofstream record;
    if (record_every_ > 0 && !options.run_dir.empty()) {
      record.open(std::filesystem::path(options.run_dir) / "td_errors.csv");
      record << "trial,t,cue,reward,value,delta\n";
    }
    const at::Tensor no_action = torch::zeros({1}, torch::kInt64);
    TrainResult result;
    RecentReturns recent(100);
    const auto start = std::chrono::steady_clock::now();
    envs.reset(options.seed);
    std::vector<double> x = begin_trial(envs.observations()), x_next;
    int64_t trial = 1, t = 0;
    int cue = first_on(envs.observations(), -1);
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
      const at::Tensor observation = (done ? envs.final_observations() : envs.observations()).contiguous();
      x_next = representation_.update(observation.data_ptr<float>());
      cue = first_on(observation, cue);
      const double delta = learner_.update(x, reward, x_next, terminal);
      const double value = terminal ? 0.0 : learner_.value(x_next);
      extremes.add(t, delta);
      if (record.is_open() && trial % record_every_ == 0)
        record << trial << "," << t << "," << cue << "," << shortest_text(reward) << "," << shortest_text(value) << ","
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
      cue = first_on(envs.observations(), -1);
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


  // `cue` if it is set (>= 0), else the first stimulus channel on in `observation` (-1: none).
  int first_on(const at::Tensor& observation, int cue) const {
    if (cue >= 0) return cue;
    const float* v = observation.contiguous().data_ptr<float>();
    for (int c = 0; c < stimuli_; ++c)
      if (v[c] > 0.5f) return c;
    return -1;
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
  r.config = stimulus_config_keys();
  const ConfigSchema own = TdConfig::table().schema();
  r.config.insert(r.config.end(), own.begin(), own.end());
  r.autoreset = AutoresetMode::SameStep;
  r.factory = [](const Config& config, const EnvSpec& env, uint64_t) -> std::unique_ptr<Agent> {
    check_stimulus_env(env, "td");
    return std::make_unique<TdAgent>(config, env);
  };
  return r;
}

DOPA_REGISTER_AGENT(td_registration());

}  // namespace dopa::agents
