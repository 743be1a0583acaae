// dopa sweep EXPERIMENT.toml [--seeds 0-9] [--grid key=v1,v2]... [--jobs N] [--shard i/n | --mpi] [--out DIR]
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <memory>

#include "dopa/cli/commands.h"
#include "dopa/core/error.h"
#include "dopa/runner/sweep.h"

namespace dopa::cli {

void add_sweep_command(CLI::App& app) {
  struct Options {
    SweepOptions sweep;
    std::string seeds, shard;
    std::vector<std::string> grid;
    bool mpi = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("sweep", "run an experiment over a grid of settings x seeds, one process per trial");
  cmd->add_option("experiment", options->sweep.experiment_path, "experiment TOML file")->required();
  cmd->add_option("--seeds", options->seeds, "seeds: 0-9, 0,3,7 or a mix (default: the file's seed)");
  cmd->add_option("--grid", options->grid, "a grid axis: --grid agent.lr=1e-3,3e-4 (repeatable; all combinations)");
  cmd->add_option("--set", options->sweep.overrides, "override a key for every trial (repeatable)");
  cmd->add_option("--jobs", options->sweep.jobs, "trials at a time (default, 0: one per core)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--shard", options->shard, "run only shard i of n: trials k with k mod n = i (e.g. 0/4)");
  auto* mpi = cmd->add_flag("--mpi", options->mpi, "run the shard of this MPI rank: mpirun -n K dopa sweep ... --mpi");
  mpi->excludes(cmd->get_option("--shard"));
  cmd->add_option("--out", options->sweep.out_dir, "sweep folder (default: sweeps/<name>)");
  cmd->add_option("--retry", options->sweep.retries, "retry a failed trial this many times (default 0)");
  cmd->add_option("--population", options->sweep.population,
                  "each point's seeds as one batched population: auto (when the agent trains on a GPU), on, off")
      ->transform(enum_choice<PopulationMode>());
  cmd->add_option("--timeout", options->sweep.timeout_s, "seconds after which a trial counts as hung and is stopped (default: none)");
  cmd->add_flag("--quick", options->sweep.quick, "each trial runs the file's quick variant");
  cmd->callback([options] {
    if (!options->seeds.empty()) options->sweep.seeds = parse_seeds(options->seeds);
    for (const auto& axis : options->grid) options->sweep.grid.push_back(parse_grid_axis(axis));
    if (!options->shard.empty()) std::tie(options->sweep.shard_index, options->sweep.shard_count) = parse_shard(options->shard);
    if (options->mpi) std::tie(options->sweep.shard_index, options->sweep.shard_count) = mpi_rank_and_size();
    const SweepResult result = run_sweep(options->sweep);
    int done = 0;
    for (TrialStatus s : result.status) done += s == TrialStatus::Finished || s == TrialStatus::AlreadyFinished;
    spdlog::info("sweep: {} of {} trials finished, {} failed -> {} (dopa report {})", done, result.trials.size(),
                 result.failed(), result.out_dir, result.out_dir);
    std::printf("%s\n", result.out_dir.c_str());
    if (result.interrupted) std::exit(130);
    if (result.failed() > 0) std::exit(3);
  });
}

}  // namespace dopa::cli
