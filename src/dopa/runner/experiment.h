// Experiment files: TOML that names an env, an agent and a budget; every key typed and checked.
//
//   name = "bandit-medium"          # optional; defaults to the file's stem
//   seed = 0
//   total_steps = 1_000_000
//
//   [env]
//   id = "BanditMedium-v0"
//   num_envs = 64
//   kwargs = { trials = 100 }       # the env's kwargs (see `dopa list envs --kwargs`)
//
//   [agent]
//   algo = "a2c"
//   lr = 1e-3                       # the agent's own keys (see `dopa list agents`)
//
//   [quick]                         # optional: the quick variant (dopa run --quick), a few
//   total_steps = 12_000            # iterations that check the whole pipeline (CI runs them)
//   agent.burn_in = 0
//
// Any key can be overridden from the command line: --set agent.lr=3e-4, --set env.kwargs.size=13,
// --set env.id=Maze-v0. Keys are resolved against the schema of the chosen env and agent: an
// unknown key or a value of the wrong type is an error naming the key and listing the valid ones.
#pragma once

#include <string>
#include <vector>

#include "dopa/core/config.h"

namespace dopa {

struct Experiment {
  Config top;         // name, seed, total_steps, torch_threads
  Config env;         // id, num_envs, num_threads
  Config env_kwargs;  // the env's kwargs
  Config agent;       // algo and the agent's keys

  std::string name() const { return top.get_string("name"); }
  // The resolved experiment as TOML, every key written (defaults included).
  std::string to_toml() const;
};

// Reads `path` (dopa::Error if missing or malformed) and applies `overrides` ("key=value"); with
// `quick`, the file's [quick] overrides first.
Experiment load_experiment(const std::string& path, const std::vector<std::string>& overrides = {},
                           bool quick = false);

// Same, from TOML text (`source` names it in messages).
Experiment parse_experiment(const std::string& text, const std::string& source, const std::string& default_name,
                            const std::vector<std::string>& overrides = {}, bool quick = false);

}  // namespace dopa
