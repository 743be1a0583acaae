// The env registry: IDs to declared specs and factories.
//
//   auto env = dopa::make("Maze-v0", {{"size", 13}});
//
// Every env ID declares its kwargs (a ConfigSchema with defaults), a default time limit and an
// optional reward threshold. Every ID also takes the kwarg `max_episode_steps` (its time limit).
// make() checks the kwargs against the declaration: an unknown ID suggests close matches, an unknown
// kwarg lists the valid ones, a wrong type names the key.
//
// Envs register themselves with DOPA_REGISTER_ENV in their own source file; registration runs when
// the program starts, so linking the envs library is all it takes (CMake links it as an object
// library, which keeps every registration).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dopa/core/config.h"
#include "dopa/core/env.h"

namespace dopa {

struct EnvRegistration {
  std::string id;                // "Maze-v0"
  std::string description;       // one line, shown by `dopa list envs`
  ConfigSchema config;           // the env's kwargs and their defaults
  Kwargs preset;                 // defaults this ID changes (e.g. BanditEasy-v0 sets task = "easy")
  int64_t max_episode_steps = 0;  // default time limit; 0 = none
  std::optional<double> reward_threshold;
  std::function<std::unique_ptr<Env>(const Config&)> factory;
};

class EnvRegistry {
 public:
  // The process-wide registry holding the built-in envs (and any registered later).
  static EnvRegistry& global();

  // Adds an ID; throws dopa::Error if the ID is taken or the registration is incomplete.
  void add(EnvRegistration registration);
  bool contains(const std::string& id) const { return entries_.count(id) > 0; }
  // Throws dopa::Error for an unknown ID, suggesting close matches.
  const EnvRegistration& find(const std::string& id) const;
  std::vector<std::string> ids() const;  // sorted

  // The kwargs `id` accepts, with this ID's defaults (preset applied, max_episode_steps last).
  ConfigSchema schema(const std::string& id) const;

  std::unique_ptr<Env> make(const std::string& id, const Kwargs& kwargs = {}) const;

  // For the plugin loader (core/plugin.h). While held, add() sets registrations aside unchecked: a
  // plugin's registrations run inside dlopen(), where an exception would end the program. The
  // loader takes them back, checks them and adds them, or drops them all.
  void hold_registrations();
  std::vector<EnvRegistration> release_held();
  void remove(const std::string& id);

 private:
  std::map<std::string, EnvRegistration> entries_;
  bool holding_ = false;
  std::vector<EnvRegistration> held_;
};

// Shorthand for EnvRegistry::global().make(id, kwargs).
std::unique_ptr<Env> make(const std::string& id, const Kwargs& kwargs = {});

// Parses "key=value" texts (from --kw) into kwargs, typed by the ID's declared schema.
Kwargs parse_env_kwargs(const std::string& id, const std::vector<std::string>& assignments);

}  // namespace dopa

#define DOPA_CONCAT_INNER(a, b) a##b
#define DOPA_CONCAT(a, b) DOPA_CONCAT_INNER(a, b)
// Registers an EnvRegistration when the program starts. Use at namespace scope in a .cpp file.
#define DOPA_REGISTER_ENV(...)                                           \
  static const bool DOPA_CONCAT(dopa_env_registered_, __COUNTER__) = [] { \
    ::dopa::EnvRegistry::global().add(__VA_ARGS__);                     \
    return true;                                                        \
  }()
