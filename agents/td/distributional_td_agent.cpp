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
// when the run ends, and the metrics every `log_interval` trials (an update of the training loop is
// one trial): the spread of the predictors' values at the cue.
#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "agents/td/stimulus_config.h"
#include "agents/td/stimulus_representation.h"
#include "dopa/core/error.h"
#include "dopa/core/output_file.h"
#include "dopa/core/strings.h"
#include "dopa/neuromod/distributional_td.h"
#include "dopa/train/checkpoint.h"
#include "dopa/train/training_loop.h"

namespace dopa::agents {

namespace {

struct DistributionalTdConfig {
  std::string taus;
  double gamma, alpha;
  int64_t analysis_trials;

  static const SettingsTable<DistributionalTdConfig>& table() {
    using C = DistributionalTdConfig;
    static const SettingsTable<C> table = {
        setting(&C::taus, "taus", std::string("0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9"),
                "asymmetry alpha+/(alpha+ + alpha-) of each predictor"),
        setting(&C::gamma, "gamma", 0.98, "discount", between(0, 1)),
        setting(&C::alpha, "alpha", 0.02,
                "learning rate scale: alpha tau after positive errors, alpha (1 - tau) after negative", between(0, 1)),
        setting(&C::analysis_trials, "analysis_trials", 5000,
                "the last this many trials give the responses and reversal points", at_least(1)),
    };
    return table;
  }
};

class DistributionalTdAgent : public UpdateAgent {
 public:
  DistributionalTdAgent(const Config& config, const EnvSpec& env)
      : DistributionalTdAgent(DistributionalTdConfig::table().read(config, "distributional_td"), config, env) {}
  DistributionalTdAgent(const DistributionalTdConfig& cfg, const Config& config, const EnvSpec& env)
      : representation_(stimulus_options(config, "distributional_td"), static_cast<int>(env.observation_space.size())),
        population_(number_list(cfg.taus, ',', "distributional_td 'taus'"), cfg.alpha, cfg.gamma, representation_.size()),
        cadence_(config),
        analysis_trials_(cfg.analysis_trials) {}

  LoopCadence cadence() const override { return cadence_; }
  int64_t steps_per_update(const VectorEnv&) const override { return 0; }  // a trial's steps

  void begin(VectorEnv& envs, const TrainOptions&, RunRecords& records) override {
    if (envs.num_envs() != 1) throw Error("distributional_td models one subject: env.num_envs must be 1");
    records_ = &records;
  }

  // One trial; the envs stand at its first observation (SameStep autoreset).
  int64_t update(VectorEnv& envs, const UpdateContext& context) override {
    const int n = population_.size();
    // The analysis window: the last analysis_trials trials of the run (trial length known after one).
    const bool analysed = trial_length_ > 0 && context.total_steps - context.global_step <= analysis_trials_ * trial_length_;
    std::vector<double> x = begin_trial(envs.observations()), x_next, x_cue;
    if (std::any_of(x.begin(), x.end(), [](double v) { return v != 0.0; })) x_cue = x;
    for (int64_t t = 1;; ++t) {
      envs.step(no_action_);
      const double reward = envs.rewards().item<double>();
      const bool terminal = envs.terminations().item<bool>();
      const bool done = terminal || envs.truncations().item<bool>();
      x_next = representation_.update(
          (done ? envs.final_observations() : envs.observations()).contiguous().data_ptr<float>());
      if (x_cue.empty() && std::any_of(x_next.begin(), x_next.end(), [](double v) { return v != 0.0; }))
        x_cue = x_next;  // the first step with a stimulus: the cue
      const std::vector<double>& deltas = population_.update(x, reward, x_next, terminal);
      if (analysed && reward != 0.0) {
        Response& response = responses_[reward];
        response.sum.resize(n, 0.0);
        for (int i = 0; i < n; ++i) response.sum[i] += deltas[i];
        ++response.count;
      }
      x.swap(x_next);
      if (done) {
        context.episodes.add(envs.episode_returns().item<double>(), t);
        trial_length_ = t;
        cue_values_ = x_cue.empty() ? std::vector<double>(n, 0.0) : population_.values(x_cue);
        return t;
      }
    }
  }

  Metrics metrics() const override {
    return {{"value_lowest_tau", cue_values_.front()}, {"value_highest_tau", cue_values_.back()}};
  }

  // Between trials: the weights, the trial length and the responses gathered so far.
  // The responses so far, as three lists: the reward sizes, each size's trial count, and each size's
  // sums over the predictors, one after the other.
  void save_state(CheckpointWriter& out) const override {
    out.values("weights", population_.weights());
    out.progress("trial_length", trial_length_);
    std::vector<double> sizes, counts, sums;
    for (const auto& [size, response] : responses_) {
      sizes.push_back(size);
      counts.push_back(static_cast<double>(response.count));
      sums.insert(sums.end(), response.sum.begin(), response.sum.end());
    }
    out.values("response_sizes", sizes);
    out.values("response_counts", counts);
    out.values("response_sums", sums);
  }
  void load_state(CheckpointReader& in, bool) override {
    population_.set_weights(in.values("weights"));
    trial_length_ = in.progress_int("trial_length");
    const std::vector<double> sizes = in.values("response_sizes"), counts = in.values("response_counts"),
                              sums = in.values("response_sums");
    const size_t predictors = population_.size();
    if (counts.size() != sizes.size() || sums.size() != sizes.size() * predictors)
      throw Error("checkpoint: distributional_td's responses do not match its " + std::to_string(predictors) +
                  " predictors");
    responses_.clear();
    for (size_t i = 0; i < sizes.size(); ++i) {
      Response& response = responses_[sizes[i]];
      response.count = static_cast<int64_t>(counts[i]);
      response.sum.assign(sums.begin() + static_cast<std::ptrdiff_t>(i * predictors),
                          sums.begin() + static_cast<std::ptrdiff_t>((i + 1) * predictors));
    }
  }

  void end() override { write_analysis(); }

  void save(const std::string& path) const override {
    write_file(path, "# distributional_td keeps no parameters file; see responses.csv and reversal_points.csv\n");
  }

  int64_t num_parameters() const override { return static_cast<int64_t>(population_.size()) * representation_.size(); }

 private:
  struct Response {  // of each predictor at the reward, over the analysed trials with one reward size
    std::vector<double> sum;
    int64_t count = 0;
  };

  std::vector<double> begin_trial(const at::Tensor& observations) {
    representation_.reset();
    return representation_.update(observations.contiguous().data_ptr<float>());
  }

  void write_analysis() const {
    std::ostringstream by_size, reversal;
    by_size << "predictor,tau,reward,response\n";
    reversal << "predictor,tau,reversal_point\n";
    std::vector<double> sizes;
    for (const auto& [size, response] : responses_) sizes.push_back(size);
    for (int i = 0; i < population_.size(); ++i) {
      std::vector<double> mean;
      for (const auto& [size, response] : responses_) {
        mean.push_back(response.sum[i] / static_cast<double>(response.count));
        by_size << i << "," << shortest_text(population_.taus()[i]) << "," << shortest_text(size) << ","
                << shortest_text(mean.back()) << "\n";
      }
      if (!sizes.empty())
        reversal << i << "," << shortest_text(population_.taus()[i]) << ","
                 << shortest_text(neuromod::reversal_point(sizes, mean)) << "\n";
    }
    records_->write("responses.csv", by_size.str());
    records_->write("reversal_points.csv", reversal.str());
  }

  StimulusRepresentation representation_;
  neuromod::DistributionalTd population_;
  LoopCadence cadence_;
  int64_t analysis_trials_;
  int64_t trial_length_ = 0;  // 0 until a trial has ended
  std::map<double, Response> responses_;  // by reward size
  std::vector<double> cue_values_;          // every predictor's value at the last trial's cue
  RunRecords* records_ = nullptr;
  const at::Tensor no_action_ = torch::zeros({1}, torch::kInt64);
};

}  // namespace

AgentRegistration distributional_td_registration() {
  AgentRegistration r;
  r.name = "distributional_td";
  r.description = "a population of TD predictors with asymmetric learning rates (Dabney 2020): reversal points";
  r.config = schema_of({stimulus_config_keys(),
                         DistributionalTdConfig::table().schema(),
                         loop_config_keys(1000, 0, "trial")});
  r.autoreset = AutoresetMode::SameStep;
  r.factory = [](const Config& config, const EnvSpec& env, uint64_t) -> std::unique_ptr<Agent> {
    check_stimulus_env(env, "distributional_td");
    return std::make_unique<DistributionalTdAgent>(config, env);
  };
  return r;
}

DOPA_REGISTER_AGENT(distributional_td_registration());

}  // namespace dopa::agents
