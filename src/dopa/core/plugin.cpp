#include "dopa/core/plugin.h"

#include <dlfcn.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "dopa/core/env_checker.h"
#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "dopa/core/strings.h"

namespace dopa {

namespace fs = std::filesystem;

namespace {

std::vector<std::string>& loaded() {  // canonical paths
  static std::vector<std::string> paths;
  return paths;
}

}  // namespace

std::vector<std::string> loaded_plugins() { return loaded(); }

std::vector<std::string> load_plugin(const std::string& path) {
  if (!fs::exists(path)) throw Error("plugin '" + path + "' does not exist");
  const std::string canonical = fs::canonical(path).string();
  if (std::find(loaded().begin(), loaded().end(), canonical) != loaded().end()) return {};

  // dlopen runs the plugin's registrations; the registry holds them until they are checked.
  EnvRegistry& registry = EnvRegistry::global();
  registry.hold_registrations();
  void* handle = dlopen(canonical.c_str(), RTLD_NOW | RTLD_LOCAL);
  std::vector<EnvRegistration> held = registry.release_held();
  if (handle == nullptr) throw Error("cannot load plugin '" + path + "': " + dlerror());
  // On failure, the registrations (their factories are the plugin's code) go before the library.
  auto fail = [&](const std::string& why) {
    held.clear();
    dlclose(handle);
    throw Error("plugin '" + path + "': " + why);
  };

  using AbiVersion = int (*)();
  const auto abi = reinterpret_cast<AbiVersion>(dlsym(handle, "dopa_plugin_abi_version"));
  if (abi == nullptr) fail("not a dopa plugin (it has no DOPA_PLUGIN(); see docs/custom-envs.md)");
  if (abi() != kPluginAbiVersion)
    fail("built for plugin ABI version " + std::to_string(abi()) + ", this dopa has version " +
         std::to_string(kPluginAbiVersion) + ": rebuild it against this dopa");
  if (held.empty()) fail("it registers no env (DOPA_REGISTER_ENV)");
  std::set<std::string> ids;
  for (const EnvRegistration& r : held) {
    if (registry.contains(r.id) || ids.count(r.id) > 0) fail("env ID '" + r.id + "' is already registered");
    ids.insert(r.id);
  }

  // Added one by one (add() checks each registration), then held to the env checker; a failure
  // takes every one of them out again.
  std::vector<std::string> added;
  try {
    for (EnvRegistration& r : held) {
      const std::string id = r.id;
      registry.add(std::move(r));
      added.push_back(id);
    }
    for (const std::string& id : added) {
      const std::vector<std::string> problems = check_env(id);
      if (!problems.empty()) throw Error("env '" + id + "' fails the env checker:\n  " + join(problems, "\n  "));
    }
  } catch (const Error& e) {
    for (const std::string& id : added) registry.remove(id);
    fail(e.what());
  }
  loaded().push_back(canonical);
  return added;
}

}  // namespace dopa
