// `dopa run`: one experiment from file to run folder.
//
// Everything the user gave is checked before anything is written (experiment keys, env kwargs,
// agent keys, that the agent can handle the env); then the run folder gets
//   config.toml    the resolved experiment (every key, defaults included)
//   metrics.csv    one row per logged update, flushed as written
//   summary.json   the outcome: steps, episodes, final and best return, wall time, steps/s, parameters
//   model.pt       the trained parameters
// Ctrl-C (SIGINT) or SIGTERM ends training after the current update; the folder is completed with
// what was done and summary.json says "interrupted": true. Agents that write checkpoints
// (AgentRegistration::resumable: train/checkpoint.h) continue such a run, or one killed outright:
// `dopa run --resume DIR` (the folder's config.toml, plus any --set, e.g. a larger total_steps),
// appending to its metrics.csv after dropping the rows logged after the checkpoint.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dopa/train/agent.h"

namespace dopa {

struct RunOptions {
  std::string experiment_path;
  std::vector<std::string> overrides;  // "key=value" (--set)
  std::string out_dir;                 // empty: runs/<name>-<timestamp>
  int progress = -1;                   // 1 bar, 0 log lines, -1 bar when stderr is a terminal
  bool quick = false;                  // apply the file's [quick] overrides
  std::string resume_dir;              // continue the run in this folder from its checkpoint
};

struct RunOutcome {
  std::string run_dir;
  TrainResult result;
  double wall_time = 0.0;
  bool interrupted = false;
};

RunOutcome run_experiment(const RunOptions& options);

// What summary.json of a run folder says, for the tools that read run folders (sweep, report).
struct SavedSummary {
  bool finished = false;  // "interrupted": false
  double final_return = 0.0, best_return = 0.0;
};
// Empty when the folder has no readable summary.json (a run that was killed, or never started).
std::optional<SavedSummary> read_summary(const std::string& run_dir);

// `dopa run EXPERIMENT --population SEEDS`: the experiment for several seeds at once, trained as one
// population (AgentRegistration::population: stacked parameters, one batched computation), each
// member's run folder the one its separate run writes (equal results on a CPU). options.out_dir
// names the folders: "{seed}" in it is replaced by the seed ("runs/maze-s{seed}"), otherwise each
// is OUT/s<seed>. No [warmup] and no checkpoints: an interrupted population run is run again.
std::vector<RunOutcome> run_population(const RunOptions& options, const std::vector<int64_t>& seeds);
// The run folder of `seed` in a population run whose --out is `out`.
std::string population_member_dir(const std::string& out, int64_t seed);

}  // namespace dopa
