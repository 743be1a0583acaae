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
//   plugins = ["libmyenvs.so"]      # optional: shared libraries with more envs (core/plugin.h),
//                                   # loaded before anything is checked; relative to this file
//
//   [quick]                         # optional: the quick variant (dopa run --quick), a few
//   total_steps = 12_000            # iterations that check the whole pipeline (CI runs them)
//   agent.burn_in = 0
//
//   [warmup]                        # optional: the run's first `steps` steps use these env and
//   steps = 1_200_000               # agent keys, then it goes on with the settings above (needs an
//   env.num_envs = 4                # agent that writes checkpoints; schedules span total_steps)
//
// Any key can be overridden from the command line: --set agent.lr=3e-4, --set env.kwargs.size=13,
// --set env.id=Maze-v0, --set warmup.steps=0 (no warm-up). Keys are resolved against the schema of
// the chosen env and agent: an unknown key or a value of the wrong type is an error naming the key
// and listing the valid ones.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "dopa/core/config.h"

namespace dopa {

struct Experiment {
  Config top;         // name, seed, total_steps, torch_threads
  Config env;         // id, num_envs, num_threads
  Config env_kwargs;  // the env's kwargs
  Config agent;       // algo and the agent's keys
  // The warm-up ([warmup]): its length in steps (0: none) and its overrides, ("env.num_envs", 4).
  int64_t warmup_steps = 0;
  std::vector<std::pair<std::string, Value>> warmup;
  std::vector<std::string> plugins;  // absolute paths, loaded

  std::string name() const { return top.get_string("name"); }
  // The resolved experiment as TOML, every key written (defaults included).
  std::string to_toml() const;
};

// Reads `path` (dopa::Error if missing or malformed) and applies `overrides` ("key=value"); with
// `quick`, the file's [quick] overrides first; with `warmup_phase`, the [warmup] overrides last (the
// settings of the warm-up).
Experiment load_experiment(const std::string& path, const std::vector<std::string>& overrides = {},
                           bool quick = false, bool warmup_phase = false);

// Same, from TOML text (`source` names it in messages).
Experiment parse_experiment(const std::string& text, const std::string& source, const std::string& default_name,
                            const std::vector<std::string>& overrides = {}, bool quick = false,
                            bool warmup_phase = false);

}  // namespace dopa
