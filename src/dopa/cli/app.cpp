// dopa: the command-line experiment launcher (main.cpp calls run_dopa; tests call it in-process).
//
//   dopa list envs|agents                 what is registered
//   dopa eval --kw arms=5 --policy ...   score bandit baselines (regret, total reward)
//   dopa play --run RUN_DIR [...]         a trained agent with frozen weights, every step as CSV
//   dopa rollout ENV_ID [...]             step an env and write a CSV trajectory
//   dopa run EXPERIMENT.toml [...]        train, writing a run folder
//   dopa sweep EXPERIMENT.toml [...]      a grid x seeds of runs, each its own process
//   dopa report DIR                       a sweep's results per grid point (mean ± 95% CI)
//
// Global options: --log-level, --plugin FILE.so (envs from a shared library; repeatable).
//
// Exit status: 0 success, 2 bad input (one message naming the key or file), 1 internal error,
// 130 interrupted; `dopa sweep`: 3 when some trial failed.
#include <spdlog/cfg/helpers.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <iostream>
#include <string>
#include <vector>

#include "dopa/cli/commands.h"
#include "dopa/core/error.h"
#include "dopa/core/plugin.h"
#include "dopa/core/strings.h"

namespace dopa::cli {

int run_dopa(int argc, char** argv) {
  CLI::App app{"dopa: neuromodulated reinforcement learning (envs, agents, experiments)", "dopa"};
  app.require_subcommand(1);
  app.fallthrough();  // global options (--log-level) may follow the subcommand
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  std::vector<std::string> plugins;
  app.add_option("--plugin", plugins, "a shared library that adds envs (docs/custom-envs.md); repeatable");
  app.parse_complete_callback([&] {
    // Logs go to stderr so that stdout stays clean for data (e.g. a rollout CSV).
    std::shared_ptr<spdlog::logger> logger = spdlog::get("dopa");  // made by an earlier call in this process
    if (!logger) logger = spdlog::stderr_color_mt("dopa");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("[%H:%M:%S] [%^%l%$] %v");
    spdlog::set_level(spdlog::level::from_str(log_level));
    // Before the command runs, so that its env IDs are known to it.
    for (const std::string& plugin : plugins)
      for (const std::string& id : dopa::load_plugin(plugin)) spdlog::debug("plugin {}: env {}", plugin, id);
  });

  dopa::cli::add_list_command(app);
  dopa::cli::add_rollout_command(app);
  dopa::cli::add_run_command(app);
  dopa::cli::add_eval_command(app);
  dopa::cli::add_play_command(app);
  dopa::cli::add_sweep_command(app);
  dopa::cli::add_report_command(app);

  try {
    // A word where the command goes that names none: CLI11 would only say that one is required.
    for (int i = 1; i < argc; ++i) {
      const std::string word = argv[i];
      if (word == "--log-level" || word == "--plugin") {
        ++i;
        continue;
      }
      if (word.empty() || word[0] == '-') continue;
      std::vector<std::string> commands;
      for (const CLI::App* command : app.get_subcommands({})) commands.push_back(command->get_name());
      if (std::find(commands.begin(), commands.end(), word) == commands.end())
        throw dopa::Error("unknown command '" + word + "'." + dopa::did_you_mean(word, commands) +
                          " Valid: " + dopa::join(commands));
      break;
    }
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {  // one line, as every bad input
    std::fprintf(stderr, "dopa: error: %s (see --help)\n", e.what());
    return 2;
  } catch (const dopa::Error& e) {
    std::fprintf(stderr, "dopa: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dopa: internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace dopa::cli
