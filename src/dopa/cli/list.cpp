// dopa list envs [--kwargs] | dopa list agents
#include <cstdio>
#include <memory>

#include "dopa/cli/commands.h"
#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "dopa/core/tensor_env.h"
#include "dopa/train/agent.h"

namespace dopa::cli {

namespace {

void print_keys(const ConfigSchema& schema) {
  for (const auto& key : schema) {
    std::string choices;
    for (size_t i = 0; i < key.choices.size(); ++i) choices += (i ? "|" : " [") + key.choices[i];
    if (!choices.empty()) choices += "]";
    std::printf("    %-22s %-6s = %-12s %s%s\n", key.name.c_str(), value_type_name(key.default_value.type()),
                key.default_value.to_string().c_str(), key.doc.c_str(), choices.c_str());
  }
}

void list_envs(bool with_kwargs) {
  const EnvRegistry& registry = EnvRegistry::global();
  for (const auto& id : registry.ids()) {
    const EnvRegistration& entry = registry.find(id);
    std::unique_ptr<Env> env;
    try {
      env = registry.make(id);
    } catch (const Error& e) {  // e.g. a MuJoCo env whose model file is missing: list the others
      std::printf("%-26s cannot be made: %s\n%-26s %s\n", id.c_str(), e.what(), "", entry.description.c_str());
      if (with_kwargs) print_keys(registry.schema(id));
      continue;
    }
    std::string limit = env->spec().max_episode_steps > 0 ? std::to_string(env->spec().max_episode_steps) : "none";
    std::printf("%-26s obs %s\n%-26s act %s, time limit %s", id.c_str(), env->observation_space().to_string().c_str(),
                "", env->action_space().to_string().c_str(), limit.c_str());
    if (entry.reward_threshold) std::printf(", threshold %g", *entry.reward_threshold);
    if (has_tensor_env(id)) std::printf(", tensor env");  // core/tensor_env.h
    std::printf("\n%-26s %s\n", "", entry.description.c_str());
    if (with_kwargs) print_keys(registry.schema(id));
  }
}

void list_agents() {
  for (const auto& name : AgentRegistry::global().names()) {
    const AgentRegistration& entry = AgentRegistry::global().find(name);
    std::string can;  // what the agent can do besides training on the CPU
    if (entry.resumable) can += ", resumes (--resume)";
    if (entry.any_device) can += ", trains on a GPU (device)";
    if (entry.population) can += ", populations (--population)";
    std::printf("%-10s %s\n", name.c_str(), entry.description.c_str());
    if (!can.empty()) std::printf("%-10s %s\n", "", can.substr(2).c_str());
    print_keys(entry.config);
  }
}

}  // namespace

void add_list_command(CLI::App& app) {
  struct Options {
    std::string what;
    bool kwargs = false;
  };
  auto options = std::make_shared<Options>();
  auto* list = app.add_subcommand("list", "list registered envs or agents");
  list->add_option("what", options->what, "envs or agents")->required()->check(CLI::IsMember({"envs", "agents"}));
  list->add_flag("--kwargs", options->kwargs, "with envs: also list each env's kwargs, types and defaults");
  list->callback([options] {
    if (options->what == "envs") list_envs(options->kwargs);
    else list_agents();
  });
}

}  // namespace dopa::cli
