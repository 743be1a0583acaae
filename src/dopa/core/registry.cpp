#include "dopa/core/registry.h"

#include "dopa/core/error.h"
#include "dopa/core/strings.h"

namespace dopa {

EnvRegistry& EnvRegistry::global() {
  static EnvRegistry registry;
  return registry;
}

void EnvRegistry::add(EnvRegistration registration) {
  if (holding_) {
    held_.push_back(std::move(registration));
    return;
  }
  if (registration.id.empty()) throw Error("env registration without an ID");
  if (!registration.factory) throw Error("env registration '" + registration.id + "' has no factory");
  if (contains(registration.id)) throw Error("env ID '" + registration.id + "' is already registered");
  if (find_key(registration.config, "max_episode_steps") != nullptr)
    throw Error("env '" + registration.id + "' declares max_episode_steps itself; the registry adds it");
  // The preset must name declared keys with the right types.
  resolve_config(registration.config, registration.preset, registration.id + " preset kwarg");
  const std::string id = registration.id;
  entries_.emplace(id, std::move(registration));
}

void EnvRegistry::hold_registrations() {
  holding_ = true;
  held_.clear();
}

std::vector<EnvRegistration> EnvRegistry::release_held() {
  holding_ = false;
  return std::move(held_);
}

void EnvRegistry::remove(const std::string& id) { entries_.erase(id); }

const EnvRegistration& EnvRegistry::find(const std::string& id) const {
  auto it = entries_.find(id);
  if (it == entries_.end()) {
    const auto known = ids();
    std::string hint = did_you_mean(id, known);
    if (hint.empty()) hint = " Run 'dopa list envs' to see them.";
    throw Error("unknown env ID '" + id + "'." + hint);
  }
  return it->second;
}

std::vector<std::string> EnvRegistry::ids() const {
  std::vector<std::string> out;
  for (const auto& entry : entries_) out.push_back(entry.first);
  return out;
}

ConfigSchema EnvRegistry::schema(const std::string& id) const {
  const EnvRegistration& entry = find(id);
  ConfigSchema schema = entry.config;
  for (auto& key : schema) {
    auto preset = entry.preset.find(key.name);
    if (preset != entry.preset.end()) key.default_value = preset->second;
  }
  schema.push_back({"max_episode_steps", Value(entry.max_episode_steps),
                    "time limit: the episode is truncated after this many steps (0: none)"});
  return schema;
}

std::unique_ptr<Env> EnvRegistry::make(const std::string& id, const Kwargs& kwargs) const {
  const EnvRegistration& entry = find(id);
  const Config config = resolve_config(schema(id), kwargs, id + " kwarg");
  const int64_t max_steps = config.get_int("max_episode_steps");
  if (max_steps < 0) throw Error(id + " kwarg 'max_episode_steps' must be >= 0, got " + std::to_string(max_steps));
  std::unique_ptr<Env> env = entry.factory(config);
  env->spec_.id = id;
  env->spec_.config = config;
  env->set_max_episode_steps(max_steps);
  env->spec_.reward_threshold = entry.reward_threshold;
  return env;
}

std::unique_ptr<Env> make(const std::string& id, const Kwargs& kwargs) {
  return EnvRegistry::global().make(id, kwargs);
}

Kwargs parse_env_kwargs(const std::string& id, const std::vector<std::string>& assignments) {
  const ConfigSchema schema = EnvRegistry::global().schema(id);
  Kwargs kwargs;
  for (const auto& text : assignments) {
    const auto [key, value] = split_assignment(text, "--kw");
    const ConfigKey* declared = find_key(schema, key);
    if (declared == nullptr) {
      const auto names = key_names(schema);
      throw Error("unknown " + id + " kwarg '" + key + "'." + did_you_mean(key, names) + " Valid: " + join(names) + ".");
    }
    kwargs[key] = parse_value(value, declared->default_value.type(), key);
  }
  return kwargs;
}

}  // namespace dopa
