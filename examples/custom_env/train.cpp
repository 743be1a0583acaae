// A program of one's own with the env compiled in: it trains from an experiment file, as `dopa run`
// does, with dopa's agents and runner.
//
//   train_contextual_bandit contextual_bandit.toml RUN_DIR
#include <cstdio>

#include "dopa/core/error.h"
#include "dopa/runner/run.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s EXPERIMENT.toml RUN_DIR\n", argv[0]);
    return 2;
  }
  try {
    dopa::RunOptions options;
    options.experiment_path = argv[1];
    options.out_dir = argv[2];
    options.progress = 0;
    const dopa::RunOutcome outcome = dopa::run_experiment(options);
    std::printf("mean return of the last 100 episodes: %.2f\n", outcome.result.final_return);
  } catch (const dopa::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 0;
}
