// A trained agent rebuilt from its run folder: the resolved experiment (config.toml) and the saved
// parameters (model.pt, or the last checkpoint.pt of a run that was cut short). Used by `dopa eval`
// and `dopa play` to test with frozen weights.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dopa/runner/experiment.h"
#include "dopa/train/agent.h"

namespace dopa {

struct TrainedAgent {
  Experiment experiment;
  std::unique_ptr<Agent> agent;
};

// Throws dopa::Error naming the folder when it is not a run folder or holds no parameters.
// `overrides` ("agent.deterministic=true") change the run's settings before the agent is built.
TrainedAgent load_trained_agent(const std::string& run_dir, const std::vector<std::string>& overrides = {});

// How many test episodes to play side by side: the largest divisor of `episodes` up to
// `max_batch` (meta_a2c plays whole batches in lockstep, so the batch must divide the total).
int64_t test_batch_size(int64_t episodes, int64_t max_batch = 100);

}  // namespace dopa
