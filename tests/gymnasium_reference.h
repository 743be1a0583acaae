// Live Gymnasium references: tests/gymnasium/record.py, run by dopa's Python environment
// (third_party/requirements.txt: Gymnasium, MuJoCo, Box2D), records Gymnasium's own envs and the
// test steps dopa's beside them. The interpreter is $DOPA_PYTHON, else the one the build was
// configured with (CMake's DOPA_PYTHON; build.sh sets it). A build without one skips these tests;
// a build with one fails them when Gymnasium is missing, since install-deps.sh installs it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "trajectory_csv.h"

namespace dopa::test {

inline std::string gymnasium_python() {
  if (const char* env = std::getenv("DOPA_PYTHON"); env != nullptr && *env != '\0') return env;
  return DOPA_REFERENCE_PYTHON;
}

struct GymnasiumRecording {
  std::vector<TrajectoryRow> rows;
  std::string skip_reason;  // no interpreter configured: the test skips
  std::string error;        // the recorder failed: the test fails, quoting it
};

// Gymnasium's trajectory of `env_id`: `episodes` episodes from reset(seed = seed + e), random
// actions from the action space seeded with `seed`, each at most `max_steps` steps.
inline GymnasiumRecording record_gymnasium(const std::string& env_id, int episodes, int max_steps, int seed = 0) {
  GymnasiumRecording recording;
  const std::string python = gymnasium_python();
  if (python.empty()) {
    recording.skip_reason = "no Python environment configured (DOPA_PYTHON) for the live Gymnasium references";
    return recording;
  }
  const auto stem = std::filesystem::temp_directory_path() /
                    ("dopa-gymnasium-" + std::to_string(::getpid()) + "-" + env_id);
  const std::string csv = stem.string() + ".csv", log = stem.string() + ".log";
  const std::string command = "'" + python + "' '" DOPA_SOURCE_DIR "/tests/gymnasium/record.py' '" + env_id +
                              "' '" + csv + "' --episodes " + std::to_string(episodes) + " --max-steps " +
                              std::to_string(max_steps) + " --seed " + std::to_string(seed) + " 2> '" + log + "'";
  const int status = std::system(command.c_str());
  if (status != 0) {
    std::ifstream in(log);
    recording.error = command + " failed (status " + std::to_string(status) + "): " +
                      std::string(std::istreambuf_iterator<char>(in), {}) +
                      "(third_party/install-deps.sh installs dopa's Python environment)";
  } else {
    recording.rows = read_trajectory_csv(csv);
    if (recording.rows.empty()) recording.error = csv + ": no rows";
  }
  std::filesystem::remove(csv);
  std::filesystem::remove(log);
  return recording;
}

}  // namespace dopa::test

// In a test or its SetUp, after record_gymnasium: skips or fails when there is no recording.
#define DOPA_REQUIRE_RECORDING(recording)                          \
  do {                                                             \
    if (!(recording).skip_reason.empty()) GTEST_SKIP() << (recording).skip_reason; \
    if (!(recording).error.empty()) FAIL() << (recording).error;   \
  } while (false)
