// The agent interface and the agent registry.
//
// An agent is built from its resolved config and the env's spec, then trains on a VectorEnv and
// reports through a TrainMonitor: metrics after each logged update, progress, and whether to stop
// early (Ctrl-C). Agents register like envs: DOPA_REGISTER_AGENT in their own source file.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <c10/core/Device.h>

#include "dopa/core/config.h"
#include "dopa/core/env.h"
#include "dopa/core/named_registry.h"
#include "dopa/core/registry.h"
#include "dopa/core/vector_env.h"

namespace dopa {

// One row of training metrics: (name, value) pairs in a fixed order. CleanRL's names where they
// exist: episodic_return, episodic_length, policy_loss, value_loss, entropy, SPS.
using Metrics = std::vector<std::pair<std::string, double>>;

class TrainMonitor {
 public:
  virtual ~TrainMonitor() = default;
  // A metrics row at `global_step` (env steps summed over all envs).
  virtual void log(int64_t global_step, const Metrics& metrics) = 0;
  // Cheap; call as often as convenient.
  virtual void progress(int64_t global_step, double recent_return) = 0;
  // True when training should end early (the user pressed Ctrl-C): finish the update and return.
  virtual bool should_stop() const = 0;
};

struct TrainOptions {
  uint64_t seed = 0;
  int64_t total_steps = 0;
  std::string run_dir;  // where the agent may write checkpoints and recordings; empty: nowhere
  bool resume = false;  // continue from the checkpoint in run_dir (dopa::Error if the agent cannot)
  c10::Device device = c10::Device(c10::kCPU);  // where to train (train/device.h; any_device agents)
};

// What a finished training run reports (summary.json).
struct TrainResult {
  int64_t start_step = 0;  // global_step when this call began (> 0 for a resumed run)
  int64_t global_step = 0;
  int64_t episodes = 0;
  double final_return = 0.0;  // mean return of the last (up to) 100 episodes
  double best_return = 0.0;   // best mean return of a logged interval
  bool stopped_early = false;
};

// Seeds LibTorch's global generator, from which rollouts sample actions, with the run's sampling
// stream (core/seeding.h): apart from the model's initialisation (seeded with the run seed itself)
// and from every env's stream. Agents call it as training begins.
void seed_action_sampling(uint64_t run_seed);

// Called after every step of Agent::play with the agent's values of that step (play_value_names()).
using PlayStepFn = std::function<void(const std::vector<at::Tensor>& values)>;

class Agent {
 public:
  virtual ~Agent() = default;
  virtual TrainResult train(VectorEnv& envs, const TrainOptions& options, TrainMonitor& monitor) = 0;
  // Writes the trained model (parameters) to `path`.
  virtual void save(const std::string& path) const = 0;
  // Reads parameters written by save() into this agent (built from the same config). The default:
  // dopa::Error (the agent cannot).
  virtual void load(const std::string& path);
  // Plays `episodes` episodes with frozen parameters (actions sampled as in training, no learning)
  // on `envs`, built with autoreset Disabled: the agent resets them for each batch of
  // envs.num_envs() episodes, seeding batch k with seed + k * num_envs (env i: + i, on envs with
  // Seeding::Consecutive as `dopa play` and `dopa eval` make them: episode e is seeded seed + e). `episodes`
  // must be a multiple of num_envs. on_step runs after every step. Episodes of a batch may end at
  // different steps: an env whose episode has ended is reset (with a mask) and stepped on, unrecorded,
  // until every env of the batch has ended once, so a reader of on_step counts each row only up to
  // its first end in the batch (terminations() | truncations()). on_step receives the agent's own
  // values of that step, in the order of play_value_names(), each (num_envs) doubles on the CPU.
  // The default: dopa::Error.
  virtual void play(VectorEnv& envs, int64_t episodes, uint64_t seed, const PlayStepFn& on_step);
  // The names of the values play() reports at every step, for analyses (meta_a2c: the critic's
  // value, the TD error and, for a modulated core, the modulator M_t); none by default.
  virtual std::vector<std::string> play_value_names() const { return {}; }
  // The number of trained parameters (scalars), for comparisons at equal size; -1 when unknown.
  virtual int64_t num_parameters() const { return -1; }
};

// Trains several seeds of one configuration as one batched computation (a population), each
// member's result that of its separate run with its seed (AgentRegistration::population).
class PopulationTrainer {
 public:
  virtual ~PopulationTrainer() = default;
  // Member s trains on *envs[s] (made as its separate run makes its envs) for total_steps env
  // steps, reporting to *monitors[s].
  virtual std::vector<TrainResult> train(const std::vector<VectorEnv*>& envs, int64_t total_steps,
                                         const std::vector<TrainMonitor*>& monitors) = 0;
  virtual void save_member(int64_t s, const std::string& path) const = 0;  // what Agent::save writes
  virtual int64_t num_parameters() const = 0;                               // one member's
};

struct AgentRegistration {
  std::string name;         // "a2c"
  std::string description;  // one line
  ConfigSchema config;
  AutoresetMode autoreset = AutoresetMode::SameStep;  // the VectorEnv mode its rollout loop expects
  bool resumable = false;  // writes checkpoints that TrainOptions::resume continues from
  bool any_device = false;  // trains on TrainOptions::device (a GPU); the others on the CPU only
  // Builds the agent; its parameters are initialised from `seed`. Throws dopa::Error when the
  // agent cannot handle the env (e.g. a Box action space).
  std::function<std::unique_ptr<Agent>(const Config& config, const EnvSpec& env, uint64_t seed)> factory;
  // Optional: a population of these seeds on `device`; throws dopa::Error for a configuration it
  // cannot batch (naming what).
  std::function<std::unique_ptr<PopulationTrainer>(const Config& config, const EnvSpec& env,
                                                   const std::vector<uint64_t>& seeds, c10::Device device)>
      population;
};

class AgentRegistry : public NamedRegistry<AgentRegistration> {
 public:
  AgentRegistry() : NamedRegistry("agent") {}
  static AgentRegistry& global();
  void add(AgentRegistration registration);  // dopa::Error when it has no factory
};

// Running mean of the last `capacity` episode returns.
class RecentReturns {
 public:
  explicit RecentReturns(size_t capacity = 100) : capacity_(capacity) {}
  void add(double episode_return);
  double mean() const;
  size_t count() const { return values_.size(); }
  // The whole state as text, and back (checkpoints; doubles round-trip exactly).
  std::string save() const;
  void load(const std::string& state);

 private:
  size_t capacity_;
  size_t next_ = 0;
  std::vector<double> values_;
};

// The episode statistics a trainer reports: the returns of the last 100 episodes (final_return),
// the episodes since the last metrics row (episodic_return and episodic_length) and the best of
// those rows (best_return).
class EpisodeLog {
 public:
  void add(double episode_return, int64_t length);
  // Adds the episodes that ended in `envs`' last step: the rows where `done` ((N,) bool) is true.
  void add_ended(const VectorEnv& envs, const at::Tensor& done);

  int64_t episodes() const { return episodes_; }
  double recent_mean() const { return recent_.mean(); }

  // The mean return and length of the episodes since the last call (NaN when none ended), which
  // start a new interval; an interval with episodes may raise the best return.
  struct Interval {
    double mean_return, mean_length;
    int64_t episodes;
  };
  Interval take_interval();
  // The best interval's mean return (0 before any).
  double best_return() const { return best_return_; }
  // The whole state as text, and back (checkpoints; doubles round-trip exactly).
  std::string save() const;
  void load(const std::string& state);

 private:
  RecentReturns recent_{100};
  int64_t episodes_ = 0;
  double interval_return_ = 0.0, interval_length_ = 0.0;
  int64_t interval_episodes_ = 0;
  double best_return_ = 0.0;
  bool has_best_ = false;
};

}  // namespace dopa

// Registers an AgentRegistration when the program starts. Use at namespace scope in a .cpp file.
#define DOPA_REGISTER_AGENT(...)                                             \
  static const bool DOPA_CONCAT(dopa_agent_registered_, __COUNTER__) = [] { \
    ::dopa::AgentRegistry::global().add(__VA_ARGS__);                       \
    return true;                                                            \
  }()
