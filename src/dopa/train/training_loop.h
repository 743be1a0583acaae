// The training loop every update-based agent runs under (google/dopamine's runner/agent split).
//
// The loop owns what is the same for every algorithm: the update count and the step budget, the
// episode statistics, the metrics rows (episodes, episodic_return, episodic_length first, SPS last,
// the agent's own columns between), progress, stopping early (Ctrl-C: after the current update),
// checkpoints and resume, and the CSV records an agent adds to the run folder. An agent
// (UpdateAgent) provides one update (collect experience from the envs and learn from it) and its
// own state (what a checkpoint holds beyond the loop's). In outline:
//
//   agent.begin(envs, options, records);            // generators, device, optimiser
//   resume ? restore the checkpoint : envs.reset(seed), agent.start_episodes(envs);
//   while (budget left && !monitor.should_stop()) {
//     steps = agent.update(envs, {update, ...});    // adds ended episodes to the loop's log
//     every log_interval updates: monitor.log(step, episodes + agent.metrics() + SPS);
//     every checkpoint_every updates: checkpoint (loop state + agent.save_state + envs);
//   }
//   a last checkpoint (stopped or done), agent.end();
//
// The budget: an agent whose updates all take the same number of env steps (steps_per_update > 0)
// runs max(1, total_steps / steps_per_update) updates; one whose updates vary (whole episodes) runs
// until total_steps are done.
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "dopa/core/config.h"
#include "dopa/core/settings.h"
#include "dopa/train/agent.h"

namespace dopa {

class CheckpointWriter;
class CheckpointReader;

// How often the loop logs and checkpoints, in updates: every agent's config keys `log_interval` and
// `checkpoint_every` (0: a checkpoint only when stopped and at the end). Declared once here, each
// agent with its own defaults (and its word for an update, in their descriptions).
struct LoopCadence {
  int64_t log_interval = 1;
  int64_t checkpoint_every = 0;
  LoopCadence() = default;
  explicit LoopCadence(const Config& config);  // dopa::Error naming the key when out of range
  static SettingsTable<LoopCadence> table(int64_t log_interval, int64_t checkpoint_every, const std::string& update_name);
};
ConfigSchema loop_config_keys(int64_t log_interval, int64_t checkpoint_every, const std::string& update_name);

// The files an agent writes into the run folder besides metrics.csv: records, CSV files with a row
// per update or step (meta_a2c's modulator.csv, td's td_errors.csv), and analyses written whole at
// the end (distributional_td's reversal points). A record's rows start with the update they were
// written in; a resumed run drops the rows written after its checkpoint, as metrics.csv does, so
// none comes twice.
class RunRecords {
 public:
  RunRecords(std::string run_dir, int64_t resumed_update) : run_dir_(std::move(run_dir)), resumed_(resumed_update) {}
  // The open file `name` in the run folder, its header written when new; nullptr when the run has no
  // folder (a test, say).
  std::ostream* open(const std::string& name, const std::string& header);
  // Writes the file `name` whole (replacing it); nothing when the run has no folder.
  void write(const std::string& name, const std::string& text) const;

 private:
  std::string run_dir_;
  int64_t resumed_;  // the update of the checkpoint the run continues from; -1 for a new run
  std::map<std::string, std::unique_ptr<std::ofstream>> files_;
};

// What the loop tells an agent about the update it asks for.
struct UpdateContext {
  int64_t update;       // 1, 2, ... over the whole run, resumes included
  int64_t num_updates;  // the run's number of updates when they are fixed; 0 when they vary
  int64_t global_step;  // env steps done before this update
  int64_t total_steps;  // the run's step budget
  EpisodeLog& episodes;  // the agent adds every episode that ends
};

// An agent that learns in updates and leaves the loop above to the runner.
class UpdateAgent : public Agent {
 public:
  // Runs the loop (train_in_updates).
  TrainResult train(VectorEnv& envs, const TrainOptions& options, TrainMonitor& monitor) final;

  virtual LoopCadence cadence() const = 0;
  // The env steps of each update when they are all the same (N envs x T steps); 0 when they vary.
  virtual int64_t steps_per_update(const VectorEnv& envs) const = 0;
  // Before anything else: the agent's generators, device and optimiser for training on `envs`.
  virtual void begin(VectorEnv& envs, const TrainOptions& options, RunRecords& records) = 0;
  // The loop has just reset the envs (a new run, or a checkpoint without these envs).
  virtual void start_episodes(VectorEnv& envs) { (void)envs; }
  // One update: experience from `envs`, then learning. Returns the env steps it took.
  virtual int64_t update(VectorEnv& envs, const UpdateContext& context) = 0;
  // The last update's metrics, in the order of their columns (only called when a row is logged).
  virtual Metrics metrics() const = 0;
  // What a checkpoint holds of the agent: its model, optimiser and what it carries between updates.
  virtual void save_state(CheckpointWriter& out) const = 0;
  // Reads save_state's keys; `envs_restored`: the envs continue their episodes (else they were reset
  // and start_episodes follows), so what was carried with them is restored too.
  virtual void load_state(CheckpointReader& in, bool envs_restored) = 0;
  // After the last update (e.g. the model back to the CPU, where model files and play() are).
  virtual void end() {}
};

// A metrics row as the loop logs it: episodes, episodic_return and episodic_length (the episodes
// since the last row, taken from `log`), the agent's own columns, then SPS.
Metrics metrics_row(EpisodeLog& log, const Metrics& own, double steps_per_second);

// dopa::Error, with the estimate, when one update's experience could not fit in memory: a lower
// bound (each transition's observation, action and a handful of float32 numbers, kept step by step
// and then stacked; the network's activations come on top). The runner checks it before a run
// begins; train_in_updates again.
void check_update_fits(const UpdateAgent& agent, const VectorEnv& envs);

// The loop above: trains `agent` on `envs` and reports to `monitor`.
TrainResult train_in_updates(UpdateAgent& agent, VectorEnv& envs, const TrainOptions& options, TrainMonitor& monitor);

}  // namespace dopa
