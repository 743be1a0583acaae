// distributional_td: Dabney et al. 2020's population of dopamine cells as an agent of `dopa run`
// (specs/metarl-dopamine.md §3.4). One subject (env.num_envs = 1) goes through Conditioning-v0
// trials (a cue, then a reward of variable size: env kwargs reward_sizes, reward_freqs) while a
// population of linear TD predictors on the stimulus representation of td_agent.cpp, one per
// asymmetry tau (`taus`), learns with alpha tau after positive errors and alpha (1 - tau) after
// negative ones (src/dopa/neuromod/distributional_td.h).
//
// As Dabney et al. analysed their cells: over the last `analysis_trials` trials, each predictor's
// TD error at the reward is averaged per reward size; the size at which that response turns from
// negative to positive is the predictor's reversal point. The run folder gets
//   responses.csv         predictor,tau,reward,response    (mean delta at the reward, per size)
//   reversal_points.csv   predictor,tau,reversal_point
// and the metrics every `log_interval` trials: the spread of the predictors' values at the cue.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include "agents/td/stimulus_config.h"
#include "agents/td/stimulus_representation.h"
#include "dopa/core/error.h"
#include "dopa/core/strings.h"
#include "dopa/neuromod/distributional_td.h"
#include "dopa/train/agent.h"

namespace dopa::agents {

namespace {

struct DistributionalTdConfig {
  std::string taus;
  double gamma, alpha;
  int64_t log_interval, analysis_trials;

  static const SettingsTable<DistributionalTdConfig>& table() {
    using C = DistributionalTdConfig;
    static const SettingsTable<C> table = {
        setting(&C::taus, "taus", std::string("0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9"),
                "asymmetry alpha+/(alpha+ + alpha-) of each predictor"),
        setting(&C::gamma, "gamma", 0.98, "discount"),
        setting(&C::alpha, "alpha", 0.02,
                "learning rate scale: alpha tau after positive errors, alpha (1 - tau) after negative"),
        setting(&C::log_interval, "log_interval", 1000, "trials between metrics rows", at_least(1)),
        setting(&C::analysis_trials, "analysis_trials", 5000,
                "the last this many trials give the responses and reversal points", at_least(1)),
    };
    return table;
  }
};

class DistributionalTdAgent : public Agent {
 public:
  DistributionalTdAgent(const Config& config, const EnvSpec& env)
      : DistributionalTdAgent(DistributionalTdConfig::table().read(config, "distributional_td"), config, env) {}
  DistributionalTdAgent(const DistributionalTdConfig& cfg, const Config& config, const EnvSpec& env)
      : representation_(stimulus_options(config, "distributional_td"), static_cast<int>(env.observation_space.size())),
        population_(number_list(cfg.taus, ',', "distributional_td 'taus'"), cfg.alpha, cfg.gamma, representation_.size()),
        log_interval_(cfg.log_interval),
        analysis_trials_(cfg.analysis_trials) {}

  TrainResult train(VectorEnv& envs, const TrainOptions& options, TrainMonitor& monitor) override {
    if (envs.num_envs() != 1) throw Error("distributional_td models one subject: env.num_envs must be 1");
    const at::Tensor no_action = torch::zeros({1}, torch::kInt64);
    const int n = population_.size();
    std::map<double, std::pair<std::vector<double>, int64_t>> responses;  // reward size -> (sum of deltas, count)
    TrainResult result;
    RecentReturns recent(100);
    const auto start = std::chrono::steady_clock::now();
    envs.reset(options.seed);
    std::vector<double> x = begin_trial(envs.observations()), x_cue, x_next;
    x_cue = x;
    int64_t trial = 1, t = 0, trial_length = 0;
    while (result.global_step < options.total_steps && !monitor.should_stop()) {
      envs.step(no_action);
      ++t;
      ++result.global_step;
      const double reward = envs.rewards().item<double>();
      const bool terminal = envs.terminations().item<bool>();
      const bool done = terminal || envs.truncations().item<bool>();
      x_next = representation_.update(
          (done ? envs.final_observations() : envs.observations()).contiguous().data_ptr<float>());
      if (x_cue.empty() && std::any_of(x_next.begin(), x_next.end(), [](double v) { return v != 0.0; }))
        x_cue = x_next;  // the first step with a stimulus: the cue
      const std::vector<double>& deltas = population_.update(x, reward, x_next, terminal);
      // The analysis window: the last analysis_trials trials of the run (trial length known after one).
      const bool analysed =
          trial_length > 0 && options.total_steps - (result.global_step - t) <= analysis_trials_ * trial_length;
      if (analysed && reward != 0.0) {
        auto& [sum, count] = responses[reward];
        sum.resize(n, 0.0);
        for (int i = 0; i < n; ++i) sum[i] += deltas[i];
        ++count;
      }
      x.swap(x_next);
      if (!done) continue;

      recent.add(envs.episode_returns().item<double>());
      ++result.episodes;
      trial_length = t;
      monitor.progress(result.global_step, recent.mean());
      if (trial % log_interval_ == 0 || result.global_step >= options.total_steps) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const std::vector<double> v = x_cue.empty() ? std::vector<double>(n, 0.0) : population_.values(x_cue);
        monitor.log(result.global_step, {{"trial", static_cast<double>(trial)},
                                         {"episodic_return", recent.mean()},
                                         {"value_lowest_tau", v.front()},
                                         {"value_highest_tau", v.back()},
                                         {"SPS", result.global_step / std::max(seconds, 1e-9)}});
      }
      ++trial;
      t = 0;
      x = begin_trial(envs.observations());
      x_cue.clear();
      if (std::any_of(x.begin(), x.end(), [](double v) { return v != 0.0; })) x_cue = x;
    }
    if (!options.run_dir.empty()) write_analysis(options.run_dir, responses);
    result.stopped_early = monitor.should_stop();
    result.final_return = result.best_return = recent.mean();
    return result;
  }

  void save(const std::string& path) const override {
    std::ofstream out(path);
    out << "# distributional_td keeps no parameters file; see responses.csv and reversal_points.csv\n";
  }

  int64_t num_parameters() const override { return static_cast<int64_t>(population_.size()) * representation_.size(); }

 private:

  std::vector<double> begin_trial(const at::Tensor& observations) {
    representation_.reset();
    return representation_.update(observations.contiguous().data_ptr<float>());
  }

  void write_analysis(const std::string& run_dir,
                      const std::map<double, std::pair<std::vector<double>, int64_t>>& responses) const {
    const std::filesystem::path dir(run_dir);
    std::ofstream by_size(dir / "responses.csv"), reversal(dir / "reversal_points.csv");
    by_size << "predictor,tau,reward,response\n";
    reversal << "predictor,tau,reversal_point\n";
    std::vector<double> sizes;
    for (const auto& [size, entry] : responses) sizes.push_back(size);
    for (int i = 0; i < population_.size(); ++i) {
      std::vector<double> mean;
      for (const auto& [size, entry] : responses) {
        mean.push_back(entry.first[i] / static_cast<double>(entry.second));
        by_size << i << "," << shortest_text(population_.taus()[i]) << "," << shortest_text(size) << ","
                << shortest_text(mean.back()) << "\n";
      }
      if (!sizes.empty())
        reversal << i << "," << shortest_text(population_.taus()[i]) << ","
                 << shortest_text(neuromod::reversal_point(sizes, mean)) << "\n";
    }
    if (!by_size || !reversal) throw Error("cannot write the analysis files in '" + run_dir + "'");
  }

  StimulusRepresentation representation_;
  neuromod::DistributionalTd population_;
  int64_t log_interval_, analysis_trials_;
};

}  // namespace

AgentRegistration distributional_td_registration() {
  AgentRegistration r;
  r.name = "distributional_td";
  r.description = "a population of TD predictors with asymmetric learning rates (Dabney 2020): reversal points";
  r.config = stimulus_config_keys();
  const ConfigSchema own = DistributionalTdConfig::table().schema();
  r.config.insert(r.config.end(), own.begin(), own.end());
  r.autoreset = AutoresetMode::SameStep;
  r.factory = [](const Config& config, const EnvSpec& env, uint64_t) -> std::unique_ptr<Agent> {
    check_stimulus_env(env, "distributional_td");
    return std::make_unique<DistributionalTdAgent>(config, env);
  };
  return r;
}

DOPA_REGISTER_AGENT(distributional_td_registration());

}  // namespace dopa::agents
