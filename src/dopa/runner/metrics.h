// metrics.csv: one row per logged update, flushed as it is written so that an interrupted run keeps
// everything logged so far. The first row fixes the columns: global_step, wall_time, then the
// agent's metrics in the order it reports them.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "dopa/train/agent.h"

namespace dopa {

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
