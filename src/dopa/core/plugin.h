// Runtime plugins: shared libraries that add envs to a dopa program without rebuilding it.
//
// A plugin is a shared library built against the installed dopa (docs/custom-envs.md):
//
//   #include "dopa/core/plugin.h"
//   #include "dopa/core/registry.h"
//   DOPA_PLUGIN();                        // once per plugin: the plugin ABI it was built for
//   DOPA_REGISTER_ENV({...});             // as in-tree envs, in any of its source files
//
// and is loaded with `dopa --plugin path/to/libmyenvs.so ...` or an experiment file's
// `plugins = ["libmyenvs.so"]`. The plugin links no dopa library: its references to dopa resolve
// against the `dopa` program, which exports its symbols, so there is one env registry.
#pragma once

#include <string>
#include <vector>

namespace dopa {

// The layout of the classes a plugin derives from or calls (Env, EnvRegistration, Space, Config):
// raised whenever a change to their headers would break a plugin built before it.
inline constexpr int kPluginAbiVersion = 1;

// Loads the plugin at `path`; a no-op when it is loaded already. Every env it registers is checked
// (a new ID, a complete registration, the env checker of core/env_checker.h) and added, or none is:
// dopa::Error saying which plugin and why (missing file, not a dopa plugin, another ABI version, an
// ID that exists, a failed check). Returns the IDs it added.
std::vector<std::string> load_plugin(const std::string& path);

// The plugins loaded so far (absolute paths), in order: `dopa sweep` hands them to its trials.
std::vector<std::string> loaded_plugins();

}  // namespace dopa

// Marks a shared library as a dopa plugin, with the ABI version its headers had.
#define DOPA_PLUGIN()                                                          \
  extern "C" __attribute__((visibility("default"))) int dopa_plugin_abi_version() { \
    return ::dopa::kPluginAbiVersion;                                          \
  }                                                                            \
  static_assert(true, "")
