// A TrainMonitor that keeps every metrics row, and a lookup of one metric in a row (tests).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dopa/train/agent.h"

namespace dopa::testing {

class RecordingMonitor : public TrainMonitor {
 public:
  void log(int64_t, const Metrics& metrics) override { rows.push_back(metrics); }
  void progress(int64_t, double) override {}
  bool should_stop() const override { return false; }
  std::vector<Metrics> rows;
};

inline double metric(const Metrics& row, const std::string& name) {
  for (const auto& [key, value] : row)
    if (key == name) return value;
  ADD_FAILURE() << "no metric " << name;
  return 0.0;
}

}  // namespace dopa::testing
