#include "dopa/runner/trained_agent.h"

#include <c10/util/Exception.h>

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
  const fs::path model = dir / "model.pt";
  if (!fs::exists(model)) throw Error("'" + run_dir + "' holds no model.pt");
  try {
    trained.agent->load(model.string());
  } catch (const c10::Error& e) {  // LibTorch's reader: a damaged or foreign file
    const std::string why = e.what_without_backtrace();
    throw Error("cannot read '" + model.string() + "' (damaged, or not this agent's model): " +
                why.substr(0, why.find('\n')));
  }
  return trained;
}

}  // namespace dopa
