#include "agents/td/stimulus_config.h"

#include "dopa/core/error.h"

namespace dopa::agents {

const SettingsTable<StimulusRepresentationOptions>& stimulus_settings() {
  using O = StimulusRepresentationOptions;
  static const SettingsTable<O> table = {
      setting(&O::kind, "representation", StimulusKind::Csc, "stimulus representation"),
      setting(&O::length, "csc_length", 60, "csc: steps after onset with their own weight", at_least(1)),
      setting(&O::count, "microstimuli", 20, "microstimulus: basis functions per stimulus", at_least(1)),
      setting(&O::sigma, "microstimulus_sigma", 0.08, "microstimulus: width of each basis function", positive()),
      setting(&O::decay, "trace_decay", 0.985, "microstimulus: decay of the stimulus trace per step"),
  };
  return table;
}

ConfigSchema stimulus_config_keys() { return stimulus_settings().schema(); }

StimulusRepresentationOptions stimulus_options(const Config& c, const std::string& agent) {
  return stimulus_settings().read(c, agent);
}

void check_stimulus_env(const EnvSpec& env, const std::string& agent) {
  if (!env.action_space.is_discrete())
    throw Error(agent + " plays action 0 of a Discrete action space; " + env.id + " has " + env.action_space.to_string());
  if (env.observation_space.is_discrete() || env.observation_space.dtype() != DType::Float32)
    throw Error(agent + " reads stimulus channels from a float32 Box observation; " + env.id + " has " +
                env.observation_space.to_string());
}

}  // namespace dopa::agents
