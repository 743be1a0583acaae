// A corpus of wrong inputs over every command (issue 27): experiment files mutated in type, range,
// keys, nesting and encoding; --set and --kw at the boundaries of every key of every agent and env;
// bad options, action files, run folders, checkpoints, models and plugins. Each must end with exit
// status 2 and one message that names the culprit, create nothing, and neither crash, hang nor grow
// without bound.
//
// The inputs are generated from the registries (so a new agent or env key is covered as soon as it
// exists) and run in-process (cli_in_process.h): each in a forked child of this test, in an empty
// folder of its own, under a time limit and a memory bound.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli_in_process.h"
#include "dopa/core/config.h"
#include "dopa/core/registry.h"
#include "dopa/train/agent.h"

namespace {

namespace fs = std::filesystem;
using cli_test::Outcome;
using cli_test::run_in_child;

constexpr int kTimeLimitSeconds = 20;

struct Case {
  std::vector<std::string> args;  // after "dopa"
  std::string culprit;            // the message must contain it ("" : any message)
  std::string watched = {};       // a folder outside the child's that must stay as it was (--resume)
};

// Every file under `folder` with its size and contents, as one text (equal: unchanged).
std::string fingerprint(const fs::path& folder) {
  std::string out;
  if (!fs::exists(folder)) return out;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    out += file.string() + "\n";
    if (!fs::is_regular_file(file)) continue;
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    out += std::to_string(std::hash<std::string>{}(text.str())) + "\n";
  }
  return out;
}

// ---- the inputs the corpus starts from, written once into the test's folder

// A small experiment each agent can run (200 steps: a case wrongly accepted ends soon).
std::map<std::string, std::string> base_experiments() {
  const std::string tail = "total_steps = 200\n";
  return {
      {"a2c", tail + "[env]\nid = \"BanditEasy-v0\"\nnum_envs = 2\n[agent]\nalgo = \"a2c\"\n"},
      {"meta_a2c", tail + "[env]\nid = \"BanditEasy-v0\"\nnum_envs = 2\n[agent]\nalgo = \"meta_a2c\"\n"},
      {"ppo", tail + "[env]\nid = \"CartPole-v1\"\nnum_envs = 2\n[agent]\nalgo = \"ppo\"\nnum_steps = 16\n"},
      {"reinforce", tail + "[env]\nid = \"CartPole-v1\"\nnum_envs = 2\n[agent]\nalgo = \"reinforce\"\n"},
      {"q_learning", tail + "[env]\nid = \"Ring-v0\"\nnum_envs = 1\n[agent]\nalgo = \"q_learning\"\n"},
      {"td", tail + "[env]\nid = \"Conditioning-v0\"\nnum_envs = 1\n[agent]\nalgo = \"td\"\n"},
      {"distributional_td", tail + "[env]\nid = \"Conditioning-v0\"\nnum_envs = 1\n[agent]\nalgo = \"distributional_td\"\n"},
      {"heuristic", tail + "[env]\nid = \"LunarLander-v3\"\nnum_envs = 1\n[agent]\nalgo = \"heuristic\"\n"},
  };
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// ---- generators

// Values that are not of `key`'s type or outside its range: each one is wrong for the key.
std::vector<std::string> wrong_values(const dopa::ConfigKey& key) {
  std::vector<std::string> values;
  const dopa::ValueType type = key.default_value.type();
  const auto outside = [&](double x) { return key.range.allows && !key.range.allows(x); };
  switch (type) {
    case dopa::ValueType::Bool:
      values = {"maybe", "2", "", "-1", "yes"};
      break;
    case dopa::ValueType::Int:
      values = {"abc", "", "1.5", "9223372036854775808", "-9223372036854775809", "nan", "1e30", "true"};
      for (double x : {-9223372036854775807.0 - 1, -1.0, 0.0, 1.0, 9223372036854775807.0})
        if (outside(x)) values.push_back(std::to_string(static_cast<int64_t>(x)));
      break;
    case dopa::ValueType::Float:
      values = {"abc", "", "1e400", "0x", "true", "1.5.2", "nan", "-nan"};
      for (double x : {-1e308, -1.0, -1e-9, 0.0, 1e-9, 1.0, 2.0, 1e308})
        if (outside(x)) {
          std::ostringstream text;
          text << x;
          values.push_back(text.str());
        }
      if (key.range.allows) values.insert(values.end(), {"inf", "-inf"});
      break;
    case dopa::ValueType::String:
      if (!key.choices.empty()) values = {"not_a_choice", "", key.choices[0] + "x"};
      break;
  }
  return values;
}

// Everything about one agent's settings: each key with each wrong value, each key misspelt, each
// old name, on the agent's base experiment.
void add_agent_cases(const dopa::AgentRegistration& agent, const std::string& experiment, std::vector<Case>& cases) {
  for (const dopa::ConfigKey& key : agent.config) {
    for (const std::string& value : wrong_values(key))
      cases.push_back({{"run", experiment, "--out", "run", "--set", "agent." + key.name + "=" + value}, key.name});
    cases.push_back({{"run", experiment, "--out", "run", "--set", "agent." + key.name + "x=1"}, key.name + "x"});
    for (const std::string& old_name : key.old_names)
      cases.push_back({{"run", experiment, "--out", "run", "--set", "agent." + old_name + "=1"}, key.name});
  }
}

// Every env kwarg with each wrong value, through `dopa rollout --kw` and through an experiment's
// `--set env.kwargs.`; each kwarg and each ID misspelt.
void add_env_cases(const std::string& id, const std::string& experiment, std::vector<Case>& cases) {
  for (const dopa::ConfigKey& key : dopa::EnvRegistry::global().schema(id)) {
    for (const std::string& value : wrong_values(key)) {
      cases.push_back({{"rollout", id, "--steps", "5", "--out", "out.csv", "--kw", key.name + "=" + value}, key.name});
      cases.push_back(
          {{"run", experiment, "--out", "run", "--set", "env.id=" + id, "--set", "env.kwargs." + key.name + "=" + value},
           key.name});
    }
    cases.push_back({{"rollout", id, "--steps", "5", "--kw", key.name + "_x=1"}, key.name + "_x"});
  }
  cases.push_back({{"rollout", id + "x", "--steps", "5"}, id + "x"});
  cases.push_back({{"run", experiment, "--out", "run", "--set", "env.id=" + id.substr(1)}, id.substr(1)});
}

// An experiment file's text with `line` (a "key = value" line of it) given `value` instead.
std::string with_value(const std::string& text, const std::string& key, const std::string& value) {
  const size_t at = text.find("\n" + key + " = ");
  const size_t start = at == std::string::npos ? (text.rfind(key + " = ", 0) == 0 ? 0 : std::string::npos) : at + 1;
  if (start == std::string::npos) return text + key + " = " + value + "\n";
  const size_t end = text.find('\n', start);
  return text.substr(0, start) + key + " = " + value + text.substr(end);
}

// Experiment files that are wrong as TOML, as structure or in a value; written under `dir`.
void add_experiment_file_cases(const std::string& base, const fs::path& dir, std::vector<Case>& cases) {
  int n = 0;
  auto add = [&](const std::string& text, const std::string& culprit) {
    const fs::path path = dir / ("experiment-" + std::to_string(n++) + ".toml");
    write(path, text);
    cases.push_back({{"run", path.string(), "--out", "run"}, culprit});
  };
  // Top-level keys: wrong types and ranges, written in the file.
  const std::vector<std::string> wrong_toml = {"\"text\"", "[1, 2]", "{ a = 1 }", "true", "1.5", "nan", "-inf", "-1", "0"};
  for (const char* key : {"seed", "total_steps", "torch_threads"})
    for (const std::string& value : wrong_toml)
      if (!(std::string(key) == "seed" && value == "0")) add(with_value(base, key, value), key);
  for (const char* value : {"1", "true", "[\"a\"]", "{ b = 2 }"}) add(with_value(base, "name", value), "name");
  for (const char* value : {"1", "\"\"", "\"gpu\"", "\"cuda:x\""}) add(with_value(base, "device", value), "device");
  // [env] and [agent] keys in the file.
  for (const char* value : {"0", "-3", "\"8\"", "2.5", "[2]"}) add(with_value(base, "num_envs", value), "num_envs");
  for (const char* value : {"-1", "\"x\"", "1.5"}) add(with_value(base, "num_threads", value), "num_threads");
  for (const char* value : {"1", "\"\"", "\"NoSuchEnv-v0\"", "\"banditeasy-v0\""}) add(with_value(base, "id", value), "");
  for (const char* value : {"1", "\"\"", "\"a2cc\"", "[\"a2c\"]"}) add(with_value(base, "algo", value), "");
  // Structure: unknown and misspelt tables and keys, missing tables, nesting, duplicates.
  add("sede = 3\n" + base, "sede");
  add(base + "[agnet]\nlr = 1.0\n", "agnet");
  add(base + "[envs]\nid = \"Maze-v0\"\n", "envs");
  add(base + "[agent.deep]\nx = 1\n", "deep");
  add(base + "[agent.a.b.c.d]\nx = 1\n", "");
  add(base + "[warmup.x.y]\nz = 1\n", "");
  add(base + "[env.kwargs.deep.er]\nx = 1\n", "");
  add("total_steps = 5\n" + base, "total_steps");    // duplicate key
  add(base + "[agent]\nalgo = \"a2c\"\n", "agent");   // duplicate table
  add(base + "[warmup]\nsteps = 10\n", "warmup");     // a warm-up that changes nothing
  add(base + "[warmup]\nsteps = -10\n", "warmup");
  add(base + "[warmup]\nsteps = \"x\"\nenv.num_envs = 1\n", "");
  add("plugins = \"lib.so\"\n" + base, "plugins");
  add("plugins = [1]\n" + base, "plugins");
  add("plugins = [\"/nonexistent/lib.so\"]\n" + base, "/nonexistent/lib.so");
  add("total_steps = 200\n[agent]\nalgo = \"a2c\"\n", "[env]");
  add("total_steps = 200\n[env]\nid = \"BanditEasy-v0\"\n", "[agent]");
  add("", "[env]");
  // Not TOML: unterminated strings (the file cut inside each quoted value), invalid UTF-8, binary.
  for (size_t quote = base.find('"'); quote != std::string::npos; quote = base.find('"', base.find('"', quote + 1) + 1))
    add(base.substr(0, quote + 2), "");
  add(base + "# caf\xc3\n", "");
  add(std::string("name = \"\xff\xfe\"\n") + base, "");
  add(std::string("\xef\xbb\xbf\xff = 1\n") + base, "");
  add(std::string("\0\0\0\x01\x02garbage", 10), "");
  add("total_steps = 99999999999999999999999\n" + base, "");
  add(base + "x = [1, \"mixed\", { t = 1 }]\n", "");
  add(std::string(200, '[') + "\n", "");
  add(base + "key = \"" + std::string(100000, 'a') + "\n", "");
}

// Options of every command, action files, plugins.
void add_command_cases(const std::string& experiment, const fs::path& dir, std::vector<Case>& cases) {
  write(dir / "actions-letters.txt", "1\nleft\n");
  write(dir / "actions-range.txt", "0\n7\n");
  write(dir / "actions-negative.txt", "-1\n");
  write(dir / "actions-huge.txt", "99999999999999999999999\n");
  write(dir / "actions-empty.txt", "");
  write(dir / "actions-nan.txt", "nan\n");
  write(dir / "not-a-library.so", "text, not ELF\n");
  const std::string d = dir.string() + "/";
  const std::vector<Case> hand = {
      {{"rollout", "Maze-v0", "--steps", "-10", "--out", "out.csv"}, "--steps"},
      {{"rollout", "Maze-v0", "--steps", "abc"}, "--steps"},
      {{"rollout", "Maze-v0", "--steps", "99999999999999999999999"}, "--steps"},
      {{"rollout", "Maze-v0", "--seed", "-1"}, "--seed"},
      {{"rollout", "Maze-v0", "--seed", "x"}, "--seed"},
      {{"rollout", "Maze-v0", "--policy", "greedy", "--out", "out.csv"}, "greedy"},
      {{"rollout", "Maze-v0", "--actions", d + "missing.txt", "--out", "out.csv"}, "missing.txt"},
      {{"rollout", "Maze-v0", "--actions", d + "actions-letters.txt", "--out", "out.csv"}, "left"},
      {{"rollout", "Maze-v0", "--actions", d + "actions-range.txt", "--out", "out.csv"}, "7"},
      {{"rollout", "Maze-v0", "--actions", d + "actions-negative.txt", "--out", "out.csv"}, "-1"},
      {{"rollout", "Maze-v0", "--actions", d + "actions-huge.txt", "--out", "out.csv"}, "actions-huge.txt"},
      {{"rollout", "Maze-v0", "--actions", d + "actions-empty.txt", "--out", "out.csv"}, "actions-empty.txt"},
      {{"rollout", "Maze-v0", "--actions", d + "actions-nan.txt", "--out", "out.csv"}, "nan"},
      {{"rollout", "Maze-v0", "--out", "/proc/no/such/out.csv"}, "/proc/no/such/out.csv"},
      {{"rollout"}, ""},
      {{"rollout", ""}, ""},
      {{"list", "everything"}, "everything"},
      {{"nonsense"}, "nonsense"},
      {{}, ""},
      {{"--log-level", "loud", "list", "envs"}, "loud"},
      {{"--plugin", d + "missing.so", "list", "envs"}, "missing.so"},
      {{"--plugin", d + "not-a-library.so", "list", "envs"}, "not-a-library.so"},
      {{"--plugin", d, "list", "envs"}, ""},
      {{"run"}, ""},
      {{"run", d}, ""},
      {{"run", d + "missing.toml", "--out", "run"}, "missing.toml"},
      {{"run", experiment, "--out", "/proc/no/such/run"}, "/proc/no/such/run"},
      {{"run", experiment, "--out", "run", "--set"}, "--set"},
      {{"run", experiment, "--out", "run", "--set", "=1"}, "=1"},
      {{"run", experiment, "--out", "run", "--set", "agent.=1"}, ""},
      {{"run", experiment, "--out", "run", "--set", "agent"}, "agent"},
      {{"run", experiment, "--out", "run", "--set", "nosuch.key=1"}, "nosuch"},
      {{"run", experiment, "--out", "run", "--set", "env.kwargs.x.y=1"}, ""},
      {{"run", experiment, "--out", "run", "--set", "warmup.steps=abc"}, "warmup.steps"},
      {{"run", experiment, "--out", "run", "--set", "warmup.steps=100"}, "warmup"},
      {{"run", experiment, "--out", "run", "--device", "tpu"}, "tpu"},
      {{"run", experiment, "--out", "run", "--device", "cuda:-1"}, "cuda:-1"},
      {{"run", experiment, "--out", "run", "--population", "0-2"}, "population"},
      {{"run", experiment, "--out", "run", "--population", "x"}, "--population"},
      {{"run", experiment, "--out", "run", "--quick"}, "[quick]"},
      {{"run", "--resume", d + "missing-run"}, "missing-run"},
      {{"run", "--resume", d}, ""},
      {{"sweep", experiment, "--out", "sweep", "--grid", "agent.lr"}, "agent.lr"},
      {{"sweep", experiment, "--out", "sweep", "--grid", "agent.lr="}, "agent.lr"},
      {{"sweep", experiment, "--out", "sweep", "--grid", "agent.lrx=1,2"}, "lrx"},
      {{"sweep", experiment, "--out", "sweep", "--grid", "agent.lr=-1,2"}, "lr"},
      {{"sweep", experiment, "--out", "sweep", "--grid", "agent.lr=a,b"}, "lr"},
      {{"sweep", experiment, "--out", "sweep", "--seeds", "-1"}, "--seeds"},
      {{"sweep", experiment, "--out", "sweep", "--seeds", "x"}, "--seeds"},
      {{"sweep", experiment, "--out", "sweep", "--jobs", "-2"}, "--jobs"},
      {{"sweep", d + "missing.toml", "--out", "sweep"}, "missing.toml"},
      {{"report", d + "missing-sweep"}, "missing-sweep"},
      {{"report", d}, ""},
      {{"eval", "--policy", "ucb1:c=-1", "--out", "eval"}, "c"},
      {{"eval", "--policy", "ucb1:c=nan", "--out", "eval"}, "c"},
      {{"eval", "--policy", "thompson", "--episodes", "0", "--out", "eval"}, "--episodes"},
      {{"eval", "--policy", "thompson", "--episodes", "-5", "--out", "eval"}, "--episodes"},
      {{"eval", "--policy", "thompson", "--kw", "trials=0", "--out", "eval"}, "trials"},
      {{"eval", "--policy", "thompson", "--kw", "arms=-2", "--out", "eval"}, "arms"},
      {{"eval", "--policy", "", "--out", "eval"}, ""},
      {{"eval", "--run", d + "missing-run", "--out", "eval"}, "missing-run"},
      {{"eval", "--run", d, "--out", "eval"}, ""},
      {{"play", "--run", d + "missing-run", "--out", "play.csv"}, "missing-run"},
      {{"play", "--run", d, "--out", "play.csv"}, ""},
  };
  cases.insert(cases.end(), hand.begin(), hand.end());
}

// Run folders broken in each of their files: config.toml, model.pt, checkpoint, summary, metrics.
// `good` is a finished quick run of meta_a2c (it plays, evaluates and resumes).
void add_run_folder_cases(const fs::path& good, const fs::path& dir, std::vector<Case>& cases) {
  int n = 0;
  auto broken = [&](const std::function<void(const fs::path&)>& damage) {
    const fs::path run = dir / ("broken-run-" + std::to_string(n++));
    fs::copy(good, run, fs::copy_options::recursive);
    damage(run);
    return run.string();
  };
  auto for_each_use = [&](const std::string& run, const std::string& culprit) {
    cases.push_back({{"play", "--run", run, "--episodes", "2", "--out", "play.csv"}, culprit});
    cases.push_back({{"eval", "--run", run, "--episodes", "4", "--out", "eval"}, culprit});
    cases.push_back({{"run", "--resume", run, "--set", "total_steps=8000"}, culprit, run});
  };
  auto text_of = [](const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  };
  for_each_use(broken([](const fs::path& r) { fs::remove(r / "config.toml"); }), "config.toml");
  for_each_use(broken([](const fs::path& r) { write(r / "config.toml", "[[[not toml\n"); }), "config.toml");
  for_each_use(broken([&](const fs::path& r) { write(r / "config.toml", text_of(r / "config.toml") + "bogus = 1\n"); }),
               "bogus");
  for_each_use(broken([&](const fs::path& r) {
                 std::string t = text_of(r / "config.toml");
                 write(r / "config.toml", t.substr(0, t.size() / 2) + "\n[agent\n");
               }),
               "config.toml");
  const std::vector<std::pair<std::string, std::function<std::string(const std::string&)>>> damages = {
      {"empty", [](const std::string&) { return std::string(); }},
      {"half", [](const std::string& t) { return t.substr(0, t.size() / 2); }},
      {"garbage", [](const std::string& t) { return std::string(t.size(), 'x'); }},
      {"flipped", [](const std::string& t) {
         std::string out = t;
         for (size_t i = out.size() / 3; i < out.size() / 3 + 64 && i < out.size(); ++i) out[i] = static_cast<char>(~out[i]);
         return out;
       }},
  };
  for (const auto& [name, damage] : damages) {
    // A model file holds no checksum: bytes flipped inside its tensors are a model with other weights.
    if (name != "flipped") {
      const std::string model = broken([&, &damage = damage](const fs::path& r) {
        write(r / "model.pt", damage(text_of(r / "model.pt")));
      });
      cases.push_back({{"play", "--run", model, "--episodes", "2", "--out", "play.csv"}, "model.pt"});
      cases.push_back({{"eval", "--run", model, "--episodes", "4", "--out", "eval"}, "model.pt"});
    }
    for (const auto& entry : fs::directory_iterator(good / "checkpoint")) {
      const std::string file = entry.path().filename().string();
      const std::string run = broken([&, &damage = damage](const fs::path& r) {
        write(r / "checkpoint" / file, damage(text_of(r / "checkpoint" / file)));
      });
      cases.push_back({{"run", "--resume", run, "--set", "total_steps=8000"}, "checkpoint", run});
    }
  }
  cases.push_back({{"play", "--run", broken([](const fs::path& r) { fs::remove(r / "model.pt"); }), "--out", "play.csv"},
                   "model.pt"});
}

std::vector<Case> corpus(const fs::path& inputs, const fs::path& good_run) {
  std::vector<Case> cases;
  const auto bases = base_experiments();
  for (const auto& [algo, text] : bases) write(inputs / (algo + ".toml"), text);
  for (const std::string& name : dopa::AgentRegistry::global().names()) {
    const auto base = bases.find(name);
    if (base == bases.end()) ADD_FAILURE() << "agent " << name << " has no base experiment in the corpus";
    else add_agent_cases(dopa::AgentRegistry::global().find(name), (inputs / (name + ".toml")).string(), cases);
  }
  const std::string a2c = (inputs / "a2c.toml").string();
  for (const std::string& id : dopa::EnvRegistry::global().ids()) add_env_cases(id, a2c, cases);
  add_experiment_file_cases(bases.at("a2c"), inputs, cases);
  add_command_cases(a2c, inputs, cases);
  add_run_folder_cases(good_run, inputs, cases);
  return cases;
}

std::string command_text(const Case& c) {
  std::string text = "dopa";
  for (const std::string& a : c.args) text += " '" + (a.size() > 120 ? a.substr(0, 120) + "..." : a) + "'";
  return text;
}

TEST(BadInputCorpus, EveryWrongInputExitsWith2OneMessageAndNothingWritten) {
  const fs::path root = fs::temp_directory_path() / ("dopa-corpus-" + std::to_string(getpid()));
  fs::remove_all(root);
  const fs::path inputs = root / "inputs", work = root / "work", log = root / "log.txt";
  fs::create_directories(work);
  // The run folder the run-folder cases damage: a finished quick run, with its checkpoint.
  const fs::path good_run = root / "good-run";
  {
    const Outcome made = run_in_child({"run", std::string(DOPA_SOURCE_DIR) + "/experiments/bandits/independent_lstm.toml",
                                       "--quick", "--no-progress", "--out", good_run.string()},
                                      work, log, kTimeLimitSeconds);
    ASSERT_EQ(made.status, 0) << made.output;
    ASSERT_TRUE(fs::exists(good_run / "checkpoint")) << "the quick run keeps no checkpoint to damage";
  }
  const std::vector<Case> cases = corpus(inputs, good_run);
  ASSERT_GE(cases.size(), 2000u);
  int failures = 0;
  std::map<int, int> statuses;
  for (const Case& c : cases) {
    const std::string before = c.watched.empty() ? "" : fingerprint(c.watched);
    const Outcome outcome = run_in_child(c.args, work, log, kTimeLimitSeconds);
    ++statuses[outcome.status];
    std::string why;
    const size_t lines = static_cast<size_t>(std::count(outcome.output.begin(), outcome.output.end(), '\n'));
    if (outcome.status != 2) why += " exit status " + std::to_string(outcome.status) + ";";
    if (lines != 1) why += " " + std::to_string(lines) + " lines of output;";
    if (outcome.output.rfind("dopa: error: ", 0) != 0) why += " not one error message;";
    if (!c.culprit.empty() && outcome.output.find(c.culprit) == std::string::npos)
      why += " the message does not name '" + c.culprit + "';";
    if (!outcome.created.empty()) why += " created " + outcome.created[0] + ";";
    if (!c.watched.empty() && fingerprint(c.watched) != before) why += " changed " + c.watched + ";";
    if (!why.empty() && ++failures <= 40)
      ADD_FAILURE() << command_text(c) << ":" << why << "\n" << outcome.output.substr(0, 2000);
    for (const auto& entry : fs::directory_iterator(work)) fs::remove_all(entry.path());
  }
  std::string summary;
  for (const auto& [status, count] : statuses) summary += " status " + std::to_string(status) + ": " + std::to_string(count) + ";";
  std::printf("corpus: %zu inputs,%s %d not refused as they should be\n", cases.size(), summary.c_str(), failures);
  EXPECT_EQ(failures, 0);
  fs::remove_all(root);
}

}  // namespace
