// Env trajectories recorded by Gymnasium, as CSV: the frozen ones in shared/reference/golden (its
// README gives the columns) and the live ones that tests/gymnasium/record.py writes (the same
// columns, plus info_<key> for each numeric info entry). One Row per reset (t = 0) or step.
#pragma once

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "dopa/core/env.h"

namespace dopa::test {

struct TrajectoryRow {
  int episode = 0, t = 0;
  int64_t action = 0;                    // Discrete envs ("action")
  std::vector<float> continuous_action;  // Box envs ("action_0", ...): exact float32 values
  std::vector<double> obs, state;
  double reward = 0;
  bool terminated = false, truncated = false;
  std::map<std::string, double> info;  // "info_<key>" columns that have a value in this row

  dopa::Action to_action() const {
    return continuous_action.empty() ? dopa::Action(action) : dopa::Action(continuous_action);
  }
};

inline std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream fields(line);
  std::string cell;
  while (std::getline(fields, cell, ',')) cells.push_back(cell);
  return cells;
}

// Every row of the file; empty when it cannot be read.
inline std::vector<TrajectoryRow> read_trajectory_csv(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = split_csv_line(line);
  std::vector<TrajectoryRow> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> cells = split_csv_line(line);
    cells.resize(header.size());
    TrajectoryRow row;
    for (size_t i = 0; i < header.size(); ++i) {
      const std::string& name = header[i];
      const std::string& cell = cells[i];
      const double number = cell.empty() ? 0.0 : std::strtod(cell.c_str(), nullptr);
      if (name == "episode") row.episode = std::stoi(cell);
      else if (name == "t") row.t = std::stoi(cell);
      else if (name == "action") row.action = cell.empty() ? 0 : std::stoll(cell);
      else if (name.rfind("action_", 0) == 0) row.continuous_action.push_back(static_cast<float>(number));
      else if (name.rfind("obs_", 0) == 0) row.obs.push_back(number);
      else if (name.rfind("state_", 0) == 0) row.state.push_back(number);
      else if (name.rfind("info_", 0) == 0 && !cell.empty()) row.info[name.substr(5)] = number;
      else if (name == "reward") row.reward = number;
      else if (name == "terminated") row.terminated = cell == "1";
      else if (name == "truncated") row.truncated = cell == "1";
    }
    rows.push_back(row);
  }
  return rows;
}

}  // namespace dopa::test
