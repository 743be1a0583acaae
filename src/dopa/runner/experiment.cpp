#include "dopa/runner/experiment.h"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dopa/core/error.h"
#include "dopa/core/plugin.h"
#include "dopa/core/registry.h"
#include "dopa/core/strings.h"
#include "dopa/train/agent.h"

namespace dopa {

namespace fs = std::filesystem;

namespace {

ConfigSchema top_schema(const std::string& default_name) {
  return {
      {"name", default_name, "experiment name (run folders are named after it)"},
      {"seed", 0, "seed of the run: of every env's RNG (see env.seeding) and of the agent's streams", {}, {}, at_least(0)},
      {"total_steps", 100000, "env steps to train for, summed over envs", {}, {}, at_least(1)},
      {"device", "auto", "where the agent trains: auto (a GPU if LibTorch has one and the agent can), cpu, cuda, cuda:N"},
      {"torch_threads", 1, "LibTorch intra-op threads (small networks run fastest on 1)", {}, {}, at_least(1)},
  };
}

ConfigSchema env_schema() {
  return {
      {"id", "", "registered env ID (dopa list envs)"},
      {"num_envs", 8, "envs stepped in parallel", {}, {}, at_least(1)},
      {"num_threads", 1, "threads stepping them (0: one per core)", {}, {}, at_least(0)},
      {"seeding", "mixed",
       "env i's seed: mixed from (seed, i), no stream shared between envs or runs; consecutive: seed + i "
       "(Gymnasium's, for parity checks; runs with seeds s and s+1 then share all but one env stream)",
       {"mixed", "consecutive"}},
  };
}

// The values of one TOML table (flat keys), or a dotted path for nested tables ("kwargs").
Kwargs table_values(const toml::table& table, const std::string& where, const std::vector<std::string>& nested) {
  Kwargs values;
  for (const auto& [key_view, node] : table) {
    const std::string key(key_view.str());
    if (std::find(nested.begin(), nested.end(), key) != nested.end()) continue;
    const std::string path = where.empty() ? key : where + "." + key;
    if (auto v = node.value_exact<bool>()) values[key] = Value(*v);
    else if (auto i = node.value_exact<int64_t>()) values[key] = Value(static_cast<long long>(*i));
    else if (auto d = node.value_exact<double>()) values[key] = Value(*d);
    else if (auto s = node.value_exact<std::string>()) values[key] = Value(*s);
    else if (node.is_table())
      throw Error("'" + path + "' is a table; no table is expected there");
    else
      throw Error("'" + path + "' has an unsupported type (use a bool, integer, float or string)");
  }
  return values;
}

const toml::table* subtable(const toml::table& parent, const std::string& key, const std::string& path) {
  const toml::node* node = parent.get(key);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) throw Error("'" + path + "' must be a table");
  return node->as_table();
}

struct Override {
  std::string path, section, key, text;
};

// Which section a dotted override path belongs to: "seed", "env.id", "env.kwargs.size", "agent.lr".
Override split_override(const std::string& assignment) {
  const auto [path, text] = split_assignment(assignment, "--set");
  Override o{path, "", path, text};
  if (path.rfind("env.kwargs.", 0) == 0) {
    o.section = "env.kwargs";
    o.key = path.substr(11);
  } else if (path.rfind("env.", 0) == 0) {
    o.section = "env";
    o.key = path.substr(4);
  } else if (path.rfind("agent.", 0) == 0) {
    o.section = "agent";
    o.key = path.substr(6);
  } else if (path == "warmup.steps") {
    o.section = "warmup";
    o.key = "steps";
  }
  if (o.key.empty() || o.key.find('.') != std::string::npos)
    throw Error("malformed --set '" + assignment +
                "': keys are name, env.name, env.kwargs.name, agent.name or warmup.steps");
  return o;
}

Value parse_override(const Override& o, const ConfigSchema& schema, const std::string& what) {
  const ConfigKey* key = nullptr;
  try {
    key = &require_key(schema, o.key, what);
  } catch (const Error& e) {
    throw Error("--set " + o.path + ": " + e.what());
  }
  return parse_value(o.text, key->default_value.type(), o.path);
}

void write_table(std::ostringstream& out, const std::string& header, const Config& config) {
  if (!header.empty()) out << "\n[" << header << "]\n";
  for (const auto& key : config.schema()) {
    out << key.name << " = " << config.at(key.name).to_string();
    if (!key.doc.empty()) out << "  # " << key.doc;
    out << "\n";
  }
}

}  // namespace

std::string Experiment::to_toml() const {
  std::ostringstream out;
  out << "# Resolved experiment: every key with the value this run used.\n";
  if (!plugins.empty()) {
    toml::array paths;
    for (const auto& p : plugins) paths.push_back(p);
    out << "plugins = " << paths << "\n";
  }
  write_table(out, "", top);
  write_table(out, "env", env);
  write_table(out, "env.kwargs", env_kwargs);
  write_table(out, "agent", agent);
  if (warmup_steps > 0) {
    out << "\n[warmup]\nsteps = " << warmup_steps << "\n";
    for (const auto& [path, value] : warmup) out << path << " = " << value.to_string() << "\n";
  }
  return out.str();
}

namespace {

using PathValues = std::vector<std::pair<std::string, Value>>;

// A table of overrides ([quick], [warmup]) as dotted paths and values, nested tables flattened:
// { agent = { burn_in = 0 } } -> ("agent.burn_in", 0).
void flatten_table(const toml::table& table, const std::string& section, const std::string& prefix, PathValues& out) {
  for (const auto& [key_view, node] : table) {
    const std::string path = prefix + std::string(key_view.str());
    if (const toml::table* inner = node.as_table()) flatten_table(*inner, section, path + ".", out);
    else if (auto v = node.value_exact<bool>()) out.emplace_back(path, Value(*v));
    else if (auto i = node.value_exact<int64_t>()) out.emplace_back(path, Value(static_cast<long long>(*i)));
    else if (auto d = node.value_exact<double>()) out.emplace_back(path, Value(*d));
    else if (auto str = node.value_exact<std::string>()) out.emplace_back(path, Value(*str));
    else throw Error("'" + section + "." + path + "' has an unsupported type");
  }
}

// ("agent.lr", 0.001) -> "agent.lr=0.001", as --set takes it (strings unquoted).
std::string override_text(const std::string& path, const Value& value) {
  return path + "=" + (value.type() == ValueType::String ? value.as_string() : value.to_string());
}

// The [warmup] table: `steps` and the overrides of the warm-up (env and agent keys only: the
// warm-up is the start of the same run).
void read_warmup(const toml::table& table, const std::string& source, Experiment& experiment) {
  PathValues entries;
  flatten_table(table, "warmup", "", entries);
  for (auto& [path, value] : entries) {
    if (path == "steps") {
      if (value.type() != ValueType::Int || value.as_int() < 0)
        throw Error(source + ": warmup.steps must be an integer >= 0");
      experiment.warmup_steps = value.as_int();
    } else if ((path.rfind("env.", 0) == 0 && path != "env.id") || (path.rfind("agent.", 0) == 0 && path != "agent.algo")) {
      experiment.warmup.emplace_back(path, value);
    } else {
      throw Error(source + ": [warmup] sets env and agent keys (and steps), not '" + path +
                  "' (the env ID and the agent stay those of the run)");
    }
  }
}

}  // namespace

Experiment parse_experiment(const std::string& text, const std::string& source, const std::string& default_name,
                            const std::vector<std::string>& user_overrides, bool quick, bool warmup_phase) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream message;
    message << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": " << e.description();
    throw Error(message.str());
  }

  // Sections.
  for (const auto& [key_view, node] : root) {
    const std::string key(key_view.str());
    if (node.is_table() && key != "env" && key != "agent" && key != "quick" && key != "warmup")
      throw Error(source + ": unknown section [" + key + "]. Sections: [env], [agent], [quick], [warmup]");
  }
  Experiment experiment;
  // Plugins first: the env they add is checked below like any other.
  if (const toml::node* plugins = root.get("plugins")) {
    const toml::array* paths = plugins->as_array();
    if (paths == nullptr) throw Error(source + ": plugins must be a list of paths, e.g. plugins = [\"libmyenvs.so\"]");
    const fs::path base = fs::path(source).parent_path();
    for (const toml::node& node : *paths) {
      const auto path = node.value_exact<std::string>();
      if (!path) throw Error(source + ": plugins must be a list of paths (strings)");
      const fs::path resolved = fs::path(*path).is_absolute() ? fs::path(*path) : base / *path;
      load_plugin(resolved.string());
      experiment.plugins.push_back(fs::absolute(resolved).lexically_normal().string());
    }
  }
  Kwargs top = table_values(root, "", {"env", "agent", "quick", "warmup", "plugins"});
  if (const toml::table* warmup_table = subtable(root, "warmup", "warmup")) read_warmup(*warmup_table, source, experiment);
  // The quick variant's overrides come before the user's, who may override them again; the
  // warm-up's come last (the user's --set apply to the whole run, the warm-up changes its start).
  std::vector<std::string> overrides;
  if (quick) {
    const toml::table* quick_table = subtable(root, "quick", "quick");
    if (quick_table == nullptr) throw Error(source + " has no [quick] table (the quick variant's overrides)");
    PathValues entries;
    flatten_table(*quick_table, "quick", "", entries);
    for (const auto& [path, value] : entries) overrides.push_back(override_text(path, value));
  }
  overrides.insert(overrides.end(), user_overrides.begin(), user_overrides.end());
  if (warmup_phase)
    for (const auto& [path, value] : experiment.warmup) overrides.push_back(override_text(path, value));
  const toml::table* env_table = subtable(root, "env", "env");
  const toml::table* agent_table = subtable(root, "agent", "agent");
  Kwargs env = env_table ? table_values(*env_table, "env", {"kwargs"}) : Kwargs{};
  const toml::table* kwargs_table = env_table ? subtable(*env_table, "kwargs", "env.kwargs") : nullptr;
  Kwargs env_kwargs = kwargs_table ? table_values(*kwargs_table, "env.kwargs", {}) : Kwargs{};
  Kwargs agent = agent_table ? table_values(*agent_table, "agent", {}) : Kwargs{};

  // Overrides of the env ID and the agent's algorithm come first: they decide the other schemas.
  std::vector<Override> parsed;
  for (const auto& assignment : overrides) parsed.push_back(split_override(assignment));
  for (const auto& o : parsed) {
    if (o.section == "env" && o.key == "id") env["id"] = Value(o.text);
    if (o.section == "agent" && o.key == "algo") agent["algo"] = Value(o.text);
  }

  auto id_it = env.find("id");
  if (id_it == env.end() || id_it->second.type() != ValueType::String || id_it->second.as_string().empty())
    throw Error(source + ": [env] needs id = \"<env ID>\" (see 'dopa list envs')");
  const std::string env_id = id_it->second.as_string();
  const ConfigSchema kwargs_schema = EnvRegistry::global().schema(env_id);  // throws for unknown IDs

  auto algo_it = agent.find("algo");
  if (algo_it == agent.end() || algo_it->second.type() != ValueType::String)
    throw Error(source + ": [agent] needs algo = \"<agent>\" (valid: " + join(AgentRegistry::global().names()) + ")");
  const AgentRegistration& registration = AgentRegistry::global().find(algo_it->second.as_string());
  ConfigSchema agent_schema = registration.config;
  agent_schema.insert(agent_schema.begin(), {"algo", registration.name, "agent algorithm (dopa list agents)"});

  const ConfigSchema top_keys = top_schema(default_name);
  const ConfigSchema env_keys = env_schema();
  for (const auto& o : parsed) {
    if (o.section.empty()) top[o.key] = parse_override(o, top_keys, "experiment key");
    else if (o.section == "env") env[o.key] = parse_override(o, env_keys, "[env] key");
    else if (o.section == "env.kwargs") env_kwargs[o.key] = parse_override(o, kwargs_schema, env_id + " kwarg");
    else if (o.section == "warmup") experiment.warmup_steps = parse_value(o.text, ValueType::Int, o.path).as_int();
    else agent[o.key] = parse_override(o, agent_schema, registration.name + " key");
  }

  experiment.top = resolve_config(top_keys, top, "experiment key");
  experiment.env = resolve_config(env_keys, env, "[env] key");
  experiment.env_kwargs = resolve_config(kwargs_schema, env_kwargs, env_id + " kwarg");
  experiment.agent = resolve_config(agent_schema, agent, "[agent] key for " + registration.name);
  if (experiment.warmup_steps < 0) throw Error("warmup.steps must be >= 0");
  if (experiment.warmup_steps > 0 && experiment.warmup.empty())
    throw Error(source + ": warmup.steps is set but no [warmup] table says which env or agent keys to change");
  return experiment;
}

Experiment load_experiment(const std::string& path, const std::vector<std::string>& overrides, bool quick,
                           bool warmup_phase) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read experiment file '" + path + "': " + (std::filesystem::exists(path) ? "permission denied" : "no such file"));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_experiment(text.str(), path, std::filesystem::path(path).stem().string(), overrides, quick,
                          warmup_phase);
}

}  // namespace dopa
