// td: the classic TD model of dopamine as an agent of `dopa run` (specs/metarl-dopamine.md §3).
//
// One subject (env.num_envs = 1) goes through the env's trials (Conditioning-v0: one trial per
// episode, no action) while a linear TD(lambda) learner (td_lambda.h) predicts the discounted
// reward from a stimulus representation of its observation (stimulus_representation.h). An update
// of the training loop is one trial. Every step's TD error - the model's dopamine - is written to
// td_errors.csv in the run folder:
//   trial,t,cue,reward,value,delta (t: the observation the step arrives at, from 1; cue: the first
//                                   stimulus channel to come on this trial so far, -1 before one has)
// for every `record_every`-th trial. metrics.csv gets, every `log_interval` trials, the last trial's
// largest and smallest delta and the steps where they fell: the "travelling bump" from US to CS.
#include <torch/torch.h>

#include <fstream>

#include "agents/td/stimulus_config.h"
#include "agents/td/stimulus_representation.h"
#include "agents/td/td_lambda.h"
#include "dopa/core/error.h"
#include "dopa/core/strings.h"
#include "dopa/train/checkpoint.h"
#include "dopa/train/training_loop.h"

namespace dopa::agents {

namespace {

struct TdConfig {
  TdLambdaOptions learner;
  int64_t record_every;

  static const SettingsTable<TdConfig>& table() {
    static const SettingsTable<TdLambdaOptions> learner = {
        setting(&TdLambdaOptions::gamma, "gamma", 0.98, "discount", between(0, 1)),
        setting(&TdLambdaOptions::alpha, "alpha", 0.1, "learning rate", between(0, 1)),
        setting(&TdLambdaOptions::lambda, "lambda", 0.0, "eligibility-trace decay (0: TD(0))", between(0, 1)),
    };
    static const SettingsTable<TdConfig> table = {
        nested(&TdConfig::learner, learner),
        setting(&TdConfig::record_every, "record_every", 1,
                "write every n-th trial's TD errors to td_errors.csv (0: none)", at_least(0)),
    };
    return table;
  }
};

class TdAgent : public UpdateAgent {
 public:
  TdAgent(const Config& config, const EnvSpec& env) : TdAgent(TdConfig::table().read(config, "td"), config, env) {}
  TdAgent(const TdConfig& cfg, const Config& config, const EnvSpec& env)
      : stimuli_(static_cast<int>(env.observation_space.size())),
        representation_(stimulus_options(config, "td"), stimuli_),
        learner_(cfg.learner, representation_.size()),
        cadence_(config),
        record_every_(cfg.record_every) {}

  LoopCadence cadence() const override { return cadence_; }
  int64_t steps_per_update(const VectorEnv&) const override { return 0; }  // a trial's steps

  void begin(VectorEnv& envs, const TrainOptions&, RunRecords& records) override {
    if (envs.num_envs() != 1) throw Error("td models one subject: env.num_envs must be 1");
    if (record_every_ > 0) record_ = records.open("td_errors.csv", "trial,t,cue,reward,value,delta");
  }

  // One trial; the envs stand at its first observation (SameStep autoreset).
  int64_t update(VectorEnv& envs, const UpdateContext& context) override {
    std::ostream* record = record_ && context.update % record_every_ == 0 ? record_ : nullptr;
    std::vector<double> x = begin_trial(envs.observations()), x_next;
    int cue = first_on(envs.observations(), -1);
    extremes_ = Extremes();
    for (int64_t t = 1;; ++t) {
      envs.step(no_action_);
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
      extremes_.add(t, delta);
      if (record)
        *record << context.update << "," << t << "," << cue << "," << shortest_text(reward) << ","
                << shortest_text(value) << "," << shortest_text(delta) << "\n";
      x.swap(x_next);
      if (done) {
        context.episodes.add(envs.episode_returns().item<double>(), t);
        return t;
      }
    }
  }

  Metrics metrics() const override {
    return {{"delta_max", extremes_.max},
            {"delta_max_t", static_cast<double>(extremes_.max_t)},
            {"delta_min", extremes_.min},
            {"delta_min_t", static_cast<double>(extremes_.min_t)}};
  }

  // Between trials the learner is its weights (the trace and the representation restart each trial).
  void save_state(CheckpointWriter& out) const override { out.values("weights", learner_.weights()); }
  void load_state(CheckpointReader& in, bool) override { learner_.set_weights(in.values("weights")); }

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
  LoopCadence cadence_;
  int64_t record_every_;
  std::ostream* record_ = nullptr;  // td_errors.csv; null without a run folder or with record_every 0
  const at::Tensor no_action_ = torch::zeros({1}, torch::kInt64);
  Extremes extremes_;  // of the last trial
};

}  // namespace

AgentRegistration td_registration() {
  AgentRegistration r;
  r.name = "td";
  r.description = "linear TD(lambda) on a stimulus representation: the classic dopamine model (Conditioning-v0)";
  r.config = schema_of({stimulus_config_keys(), TdConfig::table().schema(), loop_config_keys(100, 0, "trial")});
  r.autoreset = AutoresetMode::SameStep;
  r.factory = [](const Config& config, const EnvSpec& env, uint64_t) -> std::unique_ptr<Agent> {
    check_stimulus_env(env, "td");
    return std::make_unique<TdAgent>(config, env);
  };
  return r;
}

DOPA_REGISTER_AGENT(td_registration());

}  // namespace dopa::agents
