#include "dopa/runner/trained_agent.h"

#include <algorithm>
#include <filesystem>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"

namespace dopa {

namespace fs = std::filesystem;

TrainedAgent load_trained_agent(const std::string& run_dir, const std::vector<std::string>& overrides) {
  const fs::path dir(run_dir);
  if (!fs::exists(dir / "config.toml")) throw Error("'" + run_dir + "' has no config.toml (is it a run folder?)");
  TrainedAgent trained{load_experiment((dir / "config.toml").string(), overrides), nullptr};
  const Experiment& experiment = trained.experiment;
  const auto& registration = AgentRegistry::global().find(experiment.agent.get_string("algo"));
  const auto spec = make(experiment.env.get_string("id"), experiment.env_kwargs.values())->spec();
  trained.agent = registration.factory(experiment.agent, spec, 0);
  const fs::path model = fs::exists(dir / "model.pt") ? dir / "model.pt" : dir / "checkpoint.pt";
  if (!fs::exists(model)) throw Error("'" + run_dir + "' holds no model.pt or checkpoint.pt");
  trained.agent->load(model.string());
  return trained;
}

int64_t test_batch_size(int64_t episodes, int64_t max_batch) {
  if (episodes < 1 || max_batch < 1) throw Error("test_batch_size: episodes and max_batch must be >= 1");
  int64_t batch = std::min(max_batch, episodes);
  while (episodes % batch != 0) --batch;
  return batch;
}

}  // namespace dopa
