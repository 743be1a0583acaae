// What the TD-model agents (td, distributional_td) share: the config keys of their stimulus
// representation, reading them, and the check that an env gives them stimulus channels to read.
#pragma once

#include <string>

#include "agents/td/stimulus_representation.h"
#include "dopa/core/config.h"
#include "dopa/core/env.h"
#include "dopa/core/settings.h"

namespace dopa {
template <>
inline const EnumNames<agents::StimulusKind>& enum_names<agents::StimulusKind>() {
  static const EnumNames<agents::StimulusKind> names = {{agents::StimulusKind::Csc, "csc"},
                                                        {agents::StimulusKind::Presence, "presence"},
                                                        {agents::StimulusKind::Microstimulus, "microstimulus"}};
  return names;
}
}  // namespace dopa

namespace dopa::agents {

// representation, csc_length, microstimuli, microstimulus_sigma, trace_decay.
const SettingsTable<StimulusRepresentationOptions>& stimulus_settings();
ConfigSchema stimulus_config_keys();
StimulusRepresentationOptions stimulus_options(const Config& config, const std::string& agent);
// dopa::Error naming `agent` unless the env has a Discrete action space (the agent plays action 0)
// and a float32 Box observation (the stimulus channels).
void check_stimulus_env(const EnvSpec& env, const std::string& agent);

}  // namespace dopa::agents
