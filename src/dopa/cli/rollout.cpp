// dopa rollout ENV_ID --seed S --steps N [--policy random | --actions FILE] [--kw key=value]... [--out FILE]
//
// Steps one env and writes its trajectory as CSV:
//   episode,t,action_0,...,obs_0,...,reward,terminated,truncated
// Row t = 0 of each episode is the reset observation (action and reward empty). The first episode
// is reset with the seed; later ones continue the env's RNG. Numbers are written as the shortest
// text that reads back to the same double.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "dopa/cli/commands.h"
#include "dopa/core/error.h"
#include "dopa/core/output_file.h"
#include "dopa/core/registry.h"
#include "dopa/core/strings.h"

namespace dopa::cli {

namespace {

constexpr int64_t kMaxSteps = 1'000'000'000'000;  // a trajectory beyond this is a typo, not a plan

struct RolloutOptions {
  std::string env_id;
  uint64_t seed = 0;
  int64_t steps = -1;
  std::string policy = "random";
  std::string actions_file;
  std::vector<std::string> kwargs;
  std::string out;
};


// One action per line: an integer for Discrete spaces, numbers separated by commas or spaces for
// Box spaces. Blank lines and lines starting with '#' are skipped.
std::vector<std::vector<double>> read_actions(const std::string& path, const Space& space) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read actions file '" + path + "'");
  std::vector<std::vector<double>> actions;
  std::string line;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    for (char& c : line)
      if (c == ',') c = ' ';
    std::istringstream fields(line);
    std::vector<double> values;
    std::string field;
    while (fields >> field) {
      if (field[0] == '#') break;
      char* end = nullptr;
      const double v = std::strtod(field.c_str(), &end);
      if (*end != '\0')
        throw Error(path + ":" + std::to_string(line_number) + ": '" + field + "' is not a number");
      values.push_back(v);
    }
    if (values.empty()) continue;
    if (static_cast<int64_t>(values.size()) != space.size())
      throw Error(path + ":" + std::to_string(line_number) + ": " + std::to_string(values.size()) +
                  " value(s); the action space " + space.to_string() + " takes " + std::to_string(space.size()));
    actions.push_back(values);
  }
  if (actions.empty()) throw Error("actions file '" + path + "' holds no action");
  return actions;
}

void rollout(const RolloutOptions& options) {
  const Kwargs kwargs = parse_env_kwargs(options.env_id, options.kwargs);
  auto env = make(options.env_id, kwargs);
  const Space& action_space = env->action_space();
  const Space& obs_space = env->observation_space();

  std::vector<std::vector<double>> scripted;
  if (!options.actions_file.empty()) scripted = read_actions(options.actions_file, action_space);
  else if (options.policy != "random") throw Error("unknown --policy '" + options.policy + "'; valid: random");
  int64_t steps = options.steps;
  if (steps < 0) steps = scripted.empty() ? 1000 : static_cast<int64_t>(scripted.size());
  if (!scripted.empty() && steps > static_cast<int64_t>(scripted.size()))
    throw Error("--steps " + std::to_string(steps) + " but '" + options.actions_file + "' holds " +
                std::to_string(scripted.size()) + " actions");

  // The CSV file is written whole or not at all: an error leaves no half-written output.
  std::optional<OutputFile> file;
  if (!options.out.empty()) file.emplace(options.out);
  std::ostream& out = file ? file->stream() : std::cout;

  out << "episode,t";
  for (int64_t i = 0; i < action_space.size(); ++i) out << ",action_" << i;
  for (int64_t i = 0; i < obs_space.size(); ++i) out << ",obs_" << i;
  out << ",reward,terminated,truncated\n";

  EnvSession session(*env);
  Rng action_rng(options.seed + (uint64_t{1} << 32));  // a stream apart from the env's
  auto write_row = [&](int64_t episode, int64_t t, const std::vector<double>* action, const StepResult* r) {
    out << episode << "," << t;
    for (int64_t i = 0; i < action_space.size(); ++i) out << "," << (action ? shortest_text((*action)[i]) : "");
    for (double v : session.obs()) out << "," << shortest_text(v);
    out << "," << (r ? shortest_text(r->reward) : "") << "," << (r && r->terminated) << "," << (r && r->truncated) << "\n";
  };

  int64_t episode = 0;
  session.reset(options.seed);
  write_row(episode, 0, nullptr, nullptr);
  std::vector<float> box(action_space.size());
  for (int64_t step = 0; step < steps; ++step) {
    std::vector<double> action(action_space.size());
    if (!scripted.empty()) {
      action = scripted[step];
    } else if (action_space.is_discrete()) {
      int64_t index;
      action_space.sample(action_rng, &index);
      action[0] = static_cast<double>(index);
    } else {
      action_space.sample(action_rng, box.data());
      for (int64_t i = 0; i < action_space.size(); ++i) action[i] = box[i];
    }
    StepResult r;
    if (action_space.is_discrete()) {
      if (!(std::fabs(action[0]) < 9.2e18) || action[0] != std::floor(action[0]))  // cast only what fits
        throw Error(options.actions_file + ": action " + shortest_text(action[0]) + " at step " +
                    std::to_string(step + 1) + " is not an integer");
      r = session.step(Action(static_cast<int64_t>(action[0])));
    } else {
      for (int64_t i = 0; i < action_space.size(); ++i) box[i] = static_cast<float>(action[i]);
      r = session.step(Action(box));
    }
    write_row(episode, env->elapsed_steps(), &action, &r);
    if (r.done() && step + 1 < steps) {
      ++episode;
      session.reset();
      write_row(episode, 0, nullptr, nullptr);
    }
  }
  if (file) file->commit();
}

}  // namespace

void add_rollout_command(CLI::App& app) {
  auto options = std::make_shared<RolloutOptions>();
  auto* cmd = app.add_subcommand("rollout", "step an env and write its trajectory as CSV");
  cmd->add_option("env_id", options->env_id, "registered env ID (dopa list envs)")->required();
  cmd->add_option("--seed", options->seed, "seed of the first reset (and of the random policy)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--steps", options->steps, "number of steps (default: 1000, or every line of --actions)")
      ->check(CLI::Range(int64_t{0}, kMaxSteps));
  auto* policy = cmd->add_option("--policy", options->policy, "policy choosing the actions: random");
  auto* actions = cmd->add_option("--actions", options->actions_file, "file with one action per line")->check(CLI::ExistingFile);
  policy->excludes(actions);
  cmd->add_option("--kw", options->kwargs, "env kwarg key=value (repeatable)");
  cmd->add_option("--out", options->out, "CSV file to write (default: stdout)");
  cmd->callback([options] { rollout(*options); });
}

}  // namespace dopa::cli
