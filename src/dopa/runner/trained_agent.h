// A trained agent rebuilt from its run folder: the resolved experiment (config.toml) and the saved
// parameters (model.pt, written also when a run is stopped). Used by `dopa eval`
// and `dopa play` to test with frozen weights.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dopa/runner/experiment.h"
#include "dopa/train/agent.h"
#include "dopa/train/evaluation.h"  // test_batch_size

namespace dopa {

struct TrainedAgent {
  Experiment experiment;
  std::unique_ptr<Agent> agent;
};

// Throws dopa::Error naming the folder when it is not a run folder or holds no parameters.
// `overrides` ("agent.deterministic=true") change the run's settings before the agent is built.
TrainedAgent load_trained_agent(const std::string& run_dir, const std::vector<std::string>& overrides = {});

}  // namespace dopa
