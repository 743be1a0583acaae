// The `dopa` subcommands. Each add_* function declares its options on the CLI11 app and sets the
// callback that runs it; callbacks throw dopa::Error for bad input (main turns that into exit 2).
#pragma once

#include <CLI/CLI.hpp>

namespace dopa::cli {

void add_list_command(CLI::App& app);
void add_rollout_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_play_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_report_command(CLI::App& app);

}  // namespace dopa::cli
