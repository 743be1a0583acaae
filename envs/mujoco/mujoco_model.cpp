#include "envs/mujoco/mujoco_model.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

#include "dopa/core/error.h"
#include "dopa/core/program_path.h"

namespace dopa::envs {

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> asset_dirs() {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("DOPA_MUJOCO_ASSETS"); env != nullptr && *env != '\0') dirs.emplace_back(env);
  const std::string program = program_path();
  if (!program.empty()) {
    const fs::path exe = fs::path(program).parent_path();
    dirs.push_back(exe / "share" / "dopa" / "mujoco");
    dirs.push_back(exe.parent_path() / "share" / "dopa" / "mujoco");
  }
#ifdef DOPA_MUJOCO_INSTALL_DIR
  dirs.emplace_back(DOPA_MUJOCO_INSTALL_DIR);
#endif
#ifdef DOPA_MUJOCO_SOURCE_DIR
  dirs.emplace_back(DOPA_MUJOCO_SOURCE_DIR);
#endif
  return dirs;
}

// MuJoCo's own handlers append to MUJOCO_LOG.TXT in the working directory and, on an error, exit the
// process. dopa's log them instead, and turn an error into a dopa::Error (MuJoCo's handler must not
// return; the exception unwinds out of it, as MuJoCo's Python bindings do).
thread_local std::string* load_warnings = nullptr;  // set while a model loads: its warnings go there

void report_mujoco_warning(const char* message) {
  if (load_warnings != nullptr) *load_warnings += message;
  else spdlog::warn("MuJoCo: {}", message);
}
[[noreturn]] void report_mujoco_error(const char* message) { throw Error(std::string("MuJoCo: ") + message); }

void install_mujoco_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    mju_user_warning = report_mujoco_warning;
    mju_user_error = report_mujoco_error;
  });
}

}  // namespace

std::string find_mujoco_model(const std::string& xml_file) {
  if (xml_file.empty()) throw Error("MuJoCo model: xml_file is empty");
  if (xml_file.find('/') != std::string::npos) {
    if (!fs::is_regular_file(xml_file)) throw Error("MuJoCo model file not found: " + xml_file);
    return xml_file;
  }
  std::string searched;
  for (const fs::path& dir : asset_dirs()) {
    const fs::path candidate = dir / xml_file;
    if (fs::is_regular_file(candidate)) return candidate.string();
    searched += "\n  " + dir.string();
  }
  throw Error("MuJoCo model '" + xml_file + "' not found; searched:" + searched +
              "\n(set DOPA_MUJOCO_ASSETS to the folder holding it, or give xml_file as a path)");
}

MjModelPtr load_mujoco_model(const std::string& path) {
  install_mujoco_handlers();
  if (!fs::is_regular_file(path)) throw Error("MuJoCo model file not found: " + path);
  char message[1024] = {0};
  std::string warnings;
  load_warnings = &warnings;
  MjModelPtr model(mj_loadXML(path.c_str(), nullptr, message, sizeof(message)));
  load_warnings = nullptr;
  if (!model) throw Error("cannot load MuJoCo model " + path + ": " + message);
  // MuJoCo loads a NaN in the file with a warning, then steps NaN states: refused here instead.
  if (warnings.find("NaN") != std::string::npos) throw Error("cannot load MuJoCo model " + path + ": " + warnings);
  if (!warnings.empty()) spdlog::warn("MuJoCo model {}: {}", path, warnings);
  return model;
}

}  // namespace dopa::envs
