#include "agents/td/stimulus_config.h"

#include "dopa/core/error.h"

namespace dopa::agents {

ConfigSchema stimulus_config_keys() {
  return {
      {"representation", "csc", "stimulus representation", {"csc", "presence", "microstimulus"}},
      {"csc_length", 60, "csc: steps after onset with their own weight"},
      {"microstimuli", 20, "microstimulus: basis functions per stimulus"},
      {"microstimulus_sigma", 0.08, "microstimulus: width of each basis function"},
      {"trace_decay", 0.985, "microstimulus: decay of the stimulus trace per step"},
  };
}

StimulusRepresentationOptions stimulus_options(const Config& c) {
  StimulusRepresentationOptions o;
  o.kind = c.get_string("representation");
  o.length = static_cast<int>(c.get_int("csc_length"));
  o.count = static_cast<int>(c.get_int("microstimuli"));
  o.sigma = c.get_float("microstimulus_sigma");
  o.decay = c.get_float("trace_decay");
  return o;
}

void check_stimulus_env(const EnvSpec& env, const std::string& agent) {
  if (!env.action_space.is_discrete())
    throw Error(agent + " plays action 0 of a Discrete action space; " + env.id + " has " + env.action_space.to_string());
  if (env.observation_space.is_discrete() || env.observation_space.dtype() != DType::Float32)
    throw Error(agent + " reads stimulus channels from a float32 Box observation; " + env.id + " has " +
                env.observation_space.to_string());
}

}  // namespace dopa::agents
