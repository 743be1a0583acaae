// metrics.csv: one row per logged update, flushed as it is written so that an interrupted run keeps
// everything logged so far. The first row fixes the columns: global_step, wall_time, then the
// agent's metrics in the order it reports them.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "dopa/train/agent.h"

namespace dopa {

// The NaN/Inf guard every trainer passes through (RunMonitor::log): throws dopa::Error naming the
// step and the metric when a loss (a metric whose name contains "loss") is not finite, i.e. training
// diverged. The run folder keeps the metrics so far and its last checkpoint, written before.
void check_losses_finite(int64_t global_step, const Metrics& metrics);

class MetricsCsv {
 public:
  // With `append`, rows go after those already in the file (a resumed run), in its columns.
  explicit MetricsCsv(const std::string& path, bool append = false);
  void write(int64_t global_step, double wall_time, const Metrics& metrics);

 private:
  std::string path_;
  std::ofstream out_;
  std::vector<std::string> columns_;
};

}  // namespace dopa
