// Live Gymnasium references: the scripts in tests/gymnasium/, run by dopa's Python environment
// (third_party/requirements.txt: Gymnasium, MuJoCo, Box2D), record Gymnasium's own envs, and the
// test steps dopa's beside them. The interpreter is $DOPA_PYTHON, else the one the build was
// configured with (CMake's DOPA_REFERENCE_PYTHON; build.sh sets it). A build without one skips
// these tests; a build with one fails them when Gymnasium is missing, as install-deps.sh installs it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "trajectory_csv.h"

namespace dopa::test {

inline std::string gymnasium_python() {
  if (const char* env = std::getenv("DOPA_PYTHON"); env != nullptr && *env != '\0') return env;
  return DOPA_REFERENCE_PYTHON;
}

// Why a script gave nothing: no interpreter configured (the test skips), or the script failed (the
// test fails, quoting it).
struct GymnasiumStatus {
  std::string skip_reason, error;
};

// Runs `python tests/gymnasium/<script> <args> OUT` and hands OUT's path to `read` before removing it.
inline GymnasiumStatus run_gymnasium_script(const std::string& script, const std::string& args,
                                            const std::function<void(const std::string&)>& read) {
  GymnasiumStatus status;
  const std::string python = gymnasium_python();
  if (python.empty()) {
    status.skip_reason = "no Python environment configured (DOPA_PYTHON) for the live Gymnasium references";
    return status;
  }
  static int calls = 0;
  const auto stem = std::filesystem::temp_directory_path() /
                    ("dopa-gymnasium-" + std::to_string(::getpid()) + "-" + std::to_string(++calls));
  const std::string out = stem.string() + ".out", log = stem.string() + ".log";
  const std::string command = "'" + python + "' '" DOPA_SOURCE_DIR "/tests/gymnasium/" + script + "' " + args + " '" +
                              out + "' 2> '" + log + "'";
  const int exit_status = std::system(command.c_str());
  if (exit_status != 0) {
    std::ifstream in(log);
    status.error = command + " failed (status " + std::to_string(exit_status) + "): " +
                   std::string(std::istreambuf_iterator<char>(in), {}) +
                   "(third_party/install-deps.sh installs dopa's Python environment)";
  } else {
    read(out);
  }
  std::filesystem::remove(out);
  std::filesystem::remove(log);
  return status;
}

struct GymnasiumRecording : GymnasiumStatus {
  std::vector<TrajectoryRow> rows;
};

// Gymnasium's trajectory of `env_id` (tests/gymnasium/record.py): `episodes` episodes from
// reset(seed = seed + e), random actions from the action space seeded with `seed`, each at most
// `max_steps` steps.
inline GymnasiumRecording record_gymnasium(const std::string& env_id, int episodes, int max_steps, int seed = 0) {
  GymnasiumRecording recording;
  const std::string args = "--episodes " + std::to_string(episodes) + " --max-steps " + std::to_string(max_steps) +
                           " --seed " + std::to_string(seed) + " '" + env_id + "'";
  static_cast<GymnasiumStatus&>(recording) = run_gymnasium_script(
      "record.py", args, [&](const std::string& csv) { recording.rows = read_trajectory_csv(csv); });
  if (recording.error.empty() && recording.skip_reason.empty() && recording.rows.empty())
    recording.error = "record.py " + args + ": no rows";
  return recording;
}

}  // namespace dopa::test

// In a test or its SetUp, after a GymnasiumStatus: skips or fails when the script gave nothing.
#define DOPA_REQUIRE_GYMNASIUM(status)                                      \
  do {                                                                      \
    if (!(status).skip_reason.empty()) GTEST_SKIP() << (status).skip_reason; \
    if (!(status).error.empty()) FAIL() << (status).error;                  \
  } while (false)
