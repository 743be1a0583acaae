// `dopa sweep`: an experiment over a grid of settings x seeds, each trial its own `dopa run` process.
//
//   dopa sweep EXPERIMENT.toml --seeds 0-4 --grid agent.lr=1e-3,3e-4 --jobs 2 --out sweeps/lr
//
// Trials are the grid's points (every combination of the --grid values, in the order given) times
// the seeds; trial k of the full list belongs to shard k mod n (--shard i/n), so n machines that run
// the same command with i = 0 .. n-1 split the trials without talking to each other; with --mpi the
// shard is the process's MPI rank (`mpirun -n K dopa sweep ... --mpi`). Each trial runs
// `dopa run EXPERIMENT --set <point> --set seed=<seed> --out OUT/<point>-s<seed>` with its log in
// OUT/<point>-s<seed>.log, at most `jobs` at a time (each trial runs on one thread: the experiment
// file's torch_threads and env.num_threads stay as written, 1 by default).
//
// Populations (--population auto|on|off): with "on", or "auto" when the agent trains on a GPU and
// can batch the configuration, each point's unfinished seeds of the shard run as one process,
// `dopa run --population SEEDS --out OUT/<point>-s{seed}` (runner/run.h), its log in
// OUT/<point>-population.log; the trials' folders are those separate trials would write.
//
// Fault isolation: a trial that exits with an error, dies of a signal or runs past --timeout is
// marked failed (its log kept) and retried up to --retry times; the others go on. Re-running the
// same sweep skips trials whose run folder says they finished, continues trials that left a
// checkpoint (`dopa run --resume`), and starts the rest afresh. OUT/sweep-<i>-of-<n>.json lists every
// trial of the shard with its status. Ctrl-C or SIGTERM stops the running trials (they checkpoint
// and close their folders) and the sweep.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "dopa/core/settings.h"

namespace dopa {

// Whether a sweep trains each point's seeds as one population: auto (on a GPU, when the agent can
// batch the configuration), on, off.
enum class PopulationMode { Auto, On, Off };
template <>
inline const EnumNames<PopulationMode>& enum_names<PopulationMode>() {
  static const EnumNames<PopulationMode> names = {
      {PopulationMode::Auto, "auto"}, {PopulationMode::On, "on"}, {PopulationMode::Off, "off"}};
  return names;
}

struct SweepOptions {
  std::string experiment_path;
  std::vector<int64_t> seeds;                                          // empty: the file's seed
  std::vector<std::pair<std::string, std::vector<std::string>>> grid;  // key, its values
  std::vector<std::string> overrides;                                  // --set, for every trial
  bool quick = false;
  int jobs = 0;           // 0: one per core
  int shard_index = 0;    // --shard i/n
  int shard_count = 1;
  std::string out_dir;    // empty: sweeps/<name>
  int retries = 0;
  double timeout_s = 0;   // 0: no limit
  std::string dopa_binary;  // empty: this program
  PopulationMode population = PopulationMode::Auto;
};

struct SweepTrial {
  std::string name;                    // "<point>-s<seed>", the run folder's name
  std::string point;                   // "agent.lr=0.001,agent.ent_coef=0" (or the experiment's name)
  std::vector<std::string> overrides;  // the point's --set values and seed=...
  int64_t seed = 0;
};

enum class TrialStatus { Finished, AlreadyFinished, Failed, Interrupted, NotRun };

struct SweepResult {
  std::string out_dir;
  std::vector<SweepTrial> trials;  // this shard's
  std::vector<TrialStatus> status;
  std::vector<std::string> reasons;  // for failures: exit status, signal or timeout
  int failed() const;
  bool interrupted = false;
};

// "0-4" -> 0..4, "0,3,7" -> those, "2" -> 2 (and mixes: "0-2,9").
std::vector<int64_t> parse_seeds(const std::string& text, const std::string& option = "--seeds");
// "agent.lr=1e-3,3e-4" -> ("agent.lr", {"1e-3", "3e-4"}).
std::pair<std::string, std::vector<std::string>> parse_grid_axis(const std::string& text);
// "1/4" -> (1, 4); dopa::Error unless 0 <= i < n.
std::pair<int, int> parse_shard(const std::string& text);
// This process's MPI rank and world size, as `mpirun` (OpenMPI: OMPI_COMM_WORLD_RANK/SIZE; MPICH and
// others: PMI_RANK/PMI_SIZE) or `srun` (SLURM_PROCID/SLURM_NTASKS) tell every process it starts; a
// sweep needs no messages between ranks, only its share of the trials. dopa::Error when none is set.
std::pair<int, int> mpi_rank_and_size();

// Every trial of the sweep (all shards), in order; checks each trial's config before any runs.
std::vector<SweepTrial> sweep_trials(const SweepOptions& options);
SweepResult run_sweep(const SweepOptions& options);

}  // namespace dopa
