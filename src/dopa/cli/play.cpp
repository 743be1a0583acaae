// dopa play --run RUN_DIR [--episodes N] [--seed S] [--kw key=value]... [--set key=value]... [--out FILE]
//
// Plays the agent trained in RUN_DIR with frozen parameters (the test protocol of the meta-RL
// papers) on its env, or on the env with some kwargs changed, and writes every step as CSV:
//   episode,t,reward,<info keys>,<agent values>
// (an info key of size k gives columns key_0..key_k-1; a key the env did not set that step is
// empty; the agent's values are those of Agent::play_value_names(), e.g. meta_a2c's value, delta and
// modulator). Analyses read this file, e.g. scripts/plot_two_step.py for the two-step task's stay
// probabilities, scripts/plot_modulator.py for what a Backpropamine modulator did around rewards.
// `--set` changes the run's settings for the test (e.g. agent.deterministic=true: ppo plays its most
// likely actions). The mean return is printed.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>

#include "dopa/cli/commands.h"
#include "dopa/core/error.h"
#include "dopa/core/output_file.h"
#include "dopa/core/registry.h"
#include "dopa/core/strings.h"
#include "dopa/core/vector_env.h"
#include "dopa/runner/trained_agent.h"

namespace dopa::cli {

void add_play_command(CLI::App& app) {
  struct Options {
    std::string run, out = "play.csv";
    std::vector<std::string> kwargs, overrides;
    int64_t episodes = 300;
    uint64_t seed = 0;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("play", "play a trained agent with frozen weights and write every step as CSV");
  cmd->add_option("--run", options->run, "the run folder of the trained agent")->required();
  cmd->add_option("--episodes", options->episodes, "test episodes")->check(CLI::Range(1, 100000000));
  cmd->add_option("--seed", options->seed, "episode e is the env reset with seed + e");
  cmd->add_option("--kw", options->kwargs, "env kwarg key=value changing the run's env (repeatable)");
  cmd->add_option("--set", options->overrides, "key=value changing the run's settings, e.g. agent.deterministic=true (repeatable)");
  cmd->add_option("--out", options->out, "the CSV file to write");
  cmd->callback([options] {
    TrainedAgent trained = load_trained_agent(options->run, options->overrides);
    const std::string env_id = trained.experiment.env.get_string("id");
    Kwargs kwargs = trained.experiment.env_kwargs.values();
    for (const auto& [key, value] : parse_env_kwargs(env_id, options->kwargs)) kwargs[key] = value;
    const int64_t batch = test_batch_size(options->episodes);
    VectorEnvOptions env_options;
    env_options.autoreset = AutoresetMode::Disabled;
    env_options.seeding = Seeding::Consecutive;  // episode e: seed + e, whatever the batch size
    VectorEnv envs(env_id, batch, kwargs, env_options);
    const EnvSpec& spec = envs.spec();

    OutputFile file(options->out);  // written whole or not at all; its folder made when missing
    std::ostream& out = file.stream();
    out << "episode,t,reward";
    for (const auto& key : spec.info_keys) {
      if (key.size == 1) out << "," << key.name;
      else
        for (int64_t i = 0; i < key.size; ++i) out << "," << key.name << "_" << i;
    }
    for (const auto& name : trained.agent->play_value_names()) out << "," << name;
    out << "\n";
    std::vector<at::Tensor> values, masks;  // per info key, refreshed each step
    std::vector<char> ended(batch, 0);      // rows whose episode has ended in this batch
    std::vector<double> running_return(batch, 0.0), returns;
    int64_t t = 0, first_episode = 0, running = batch;
    trained.agent->play(envs, options->episodes, options->seed, [&](const std::vector<at::Tensor>& agent_values) {
      values.clear();
      masks.clear();
      for (const auto& key : spec.info_keys) {
        values.push_back(envs.info(key.name).reshape({batch, key.size}).contiguous());
        masks.push_back(envs.info_mask(key.name).contiguous());
      }
      const double* reward = envs.rewards().data_ptr<double>();
      for (int64_t b = 0; b < batch; ++b) {
        if (ended[b]) continue;  // played on after its episode, unrecorded (Agent::play)
        out << first_episode + b << "," << t << "," << shortest_text(reward[b]);
        running_return[b] += reward[b];
        for (size_t k = 0; k < values.size(); ++k) {
          const bool present = masks[k].data_ptr<bool>()[b];
          const double* v = values[k].data_ptr<double>() + b * spec.info_keys[k].size;
          for (int64_t i = 0; i < spec.info_keys[k].size; ++i) out << "," << (present ? shortest_text(v[i]) : "");
        }
        for (const at::Tensor& value : agent_values) out << "," << shortest_text(value.data_ptr<double>()[b]);
        out << "\n";
        if (envs.terminations().data_ptr<bool>()[b] || envs.truncations().data_ptr<bool>()[b]) {
          ended[b] = 1;
          --running;
          returns.push_back(running_return[b]);
          running_return[b] = 0.0;
        }
      }
      ++t;
      if (running == 0) {
        t = 0;
        first_episode += batch;
        running = batch;
        std::fill(ended.begin(), ended.end(), 0);
      }
    });
    file.commit();
    double mean = 0.0, square_sum = 0.0;
    for (double r : returns) mean += r / static_cast<double>(returns.size());
    for (double r : returns) square_sum += (r - mean) * (r - mean);
    const double se = returns.size() > 1 ? std::sqrt(square_sum / static_cast<double>(returns.size() - 1) /
                                                     static_cast<double>(returns.size()))
                                         : 0.0;
    spdlog::info("{} episodes of {}: mean return {:.2f} ± {:.2f} (standard error) -> {}", returns.size(), env_id, mean,
                 se, options->out);
  });
}

}  // namespace dopa::cli
