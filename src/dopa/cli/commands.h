// The `dopa` subcommands. Each add_* function declares its options on the CLI11 app and sets the
// callback that runs it; callbacks throw dopa::Error for bad input (main turns that into exit 2).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "dopa/core/error.h"
#include "dopa/core/settings.h"

namespace dopa::cli {

// An option's transform that reads an enum by the names of enum_names<E> (core/settings.h), with
// parse_enum's message ("must be one of ...; got 'x'. Did you mean ...") for any other text.
template <class E>
CLI::Validator enum_choice() {
  return CLI::Validator(
      [](std::string& text) {
        try {
          text = std::to_string(static_cast<int>(parse_enum<E>(text, "the value")));
          return std::string();
        } catch (const Error& e) {
          return std::string(e.what());
        }
      },
      "", "enum");
}

// The whole `dopa` command line: parses `argv`, runs the subcommand and returns the exit status (0
// success, 2 bad input with one message on stderr, 1 internal error, 130 interrupted).
int run_dopa(int argc, char** argv);

void add_list_command(CLI::App& app);
void add_rollout_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_play_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_report_command(CLI::App& app);

}  // namespace dopa::cli
