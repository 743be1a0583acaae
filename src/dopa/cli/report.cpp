// dopa report DIR: a sweep's results per grid point (mean ± 95% CI across seeds), and its curves.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "dopa/cli/commands.h"
#include "dopa/core/error.h"
#include "dopa/core/program_path.h"
#include "dopa/runner/report.h"

namespace dopa::cli {

namespace {

// scripts/plot_sweep.py beside the program's tree (build/dopa -> ../scripts; <prefix>/bin/dopa ->
// <prefix>/share/dopa/scripts) or in the source tree; empty when none is found.
std::string find_plot_script() {
  namespace fs = std::filesystem;
  const std::string program = program_path();
  std::vector<fs::path> candidates;
  if (!program.empty()) {
    const fs::path exe = fs::path(program).parent_path();
    candidates = {exe.parent_path() / "scripts", exe.parent_path() / "share" / "dopa" / "scripts"};
  }
#ifdef DOPA_SOURCE_SCRIPTS_DIR
  candidates.emplace_back(DOPA_SOURCE_SCRIPTS_DIR);
#endif
  for (const auto& dir : candidates) {
    if (fs::exists(dir / "plot_sweep.py")) return (dir / "plot_sweep.py").string();
  }
  return "";
}

}  // namespace

void add_report_command(CLI::App& app) {
  struct Options {
    std::string dir;
    bool no_plot = false;
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("report", "a sweep's results per grid point: mean ± 95% CI across seeds, and curves");
  cmd->add_option("dir", options->dir, "sweep folder (dopa sweep --out)")->required();
  cmd->add_flag("--no-plot", options->no_plot, "tables only (no curves.png)");
  cmd->callback([options] {
    const auto rows = sweep_report(options->dir);
    std::printf("%s", write_sweep_report(options->dir, rows).c_str());
    if (options->no_plot) return;
    const std::string script = find_plot_script();
    if (script.empty()) {
      spdlog::warn("scripts/plot_sweep.py not found: no curves.png");
      return;
    }
    // The script's own interpreter line (/usr/bin/python3, where Debian's matplotlib lives).
    const std::string command = "'" + script + "' '" + options->dir + "'";
    if (std::system(command.c_str()) != 0) spdlog::warn("{} failed: no curves.png (is matplotlib installed?)", command);
  });
}

}  // namespace dopa::cli
