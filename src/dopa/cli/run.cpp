// dopa run EXPERIMENT.toml [--set key=value]... [--out DIR] [--device auto|cpu|cuda] [--population SEEDS]
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <memory>

#include "dopa/cli/commands.h"
#include "dopa/core/error.h"
#include "dopa/runner/run.h"
#include "dopa/runner/sweep.h"

namespace dopa::cli {

void add_run_command(CLI::App& app) {
  struct Options {
    RunOptions run;
    bool no_progress = false;
    std::string device;
    std::string population;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("run", "train as an experiment file says, writing a run folder");
  auto* experiment = cmd->add_option("experiment", options->run.experiment_path, "experiment TOML file");
  auto* resume = cmd->add_option("--resume", options->run.resume_dir,
                                 "continue the run in this folder from its last checkpoint");
  experiment->excludes(resume);
  resume->excludes(experiment);
  cmd->add_option("--set", options->run.overrides, "override a key: --set agent.lr=3e-4 (repeatable)");
  cmd->add_option("--out", options->run.out_dir, "run folder (default: runs/<name>-<timestamp>)");
  cmd->add_option("--device", options->device, "where to train: auto, cpu, cuda, cuda:N (the key `device`)");
  cmd->add_option("--population", options->population,
                  "train these seeds (0-3, 0,5,9) as one batched population, one run folder each "
                  "(--out DIR/s<seed>, or a pattern with {seed})");
  cmd->add_flag("--no-progress", options->no_progress, "log lines instead of a progress bar");
  cmd->add_flag("--quick", options->run.quick, "run the file's quick variant (its [quick] overrides): a short check");
  cmd->callback([options] {
    if (options->run.experiment_path.empty() && options->run.resume_dir.empty())
      throw Error("dopa run needs an experiment file, or --resume DIR");
    if (options->no_progress) options->run.progress = 0;
    if (!options->device.empty()) options->run.overrides.push_back("device=" + options->device);
    if (!options->population.empty()) {
      const std::vector<RunOutcome> outcomes = run_population(options->run, parse_seeds(options->population, "--population"));
      for (const RunOutcome& outcome : outcomes) std::printf("%s\n", outcome.run_dir.c_str());
      if (outcomes[0].interrupted) std::exit(130);
      return;
    }
    const RunOutcome outcome = run_experiment(options->run);
    std::printf("%s\n", outcome.run_dir.c_str());
    if (outcome.interrupted) std::exit(130);
  });
}

}  // namespace dopa::cli
