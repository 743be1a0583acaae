#include "dopa/runner/metrics.h"

#include <cmath>
#include <sstream>
#include <fstream>

#include "dopa/core/error.h"

namespace dopa {

MetricsCsv::MetricsCsv(const std::string& path, bool append) : path_(path) {
  if (append) {
    std::ifstream existing(path);
    std::string header;
    if (std::getline(existing, header)) {
      std::stringstream fields(header);
      std::string column;
      while (std::getline(fields, column, ',')) columns_.push_back(column);
    }
  }
  out_.open(path, append ? std::ios::app : std::ios::trunc);
  if (!out_) throw Error("cannot write '" + path + "'");
}

void MetricsCsv::write(int64_t global_step, double wall_time, const Metrics& metrics) {
  if (columns_.empty()) {
    columns_ = {"global_step", "wall_time"};
    for (const auto& [name, value] : metrics) columns_.push_back(name);
    for (size_t i = 0; i < columns_.size(); ++i) out_ << (i ? "," : "") << columns_[i];
    out_ << "\n";
  }
  std::ostringstream row;
  row.precision(10);
  row << global_step << "," << wall_time;
  for (size_t c = 2; c < columns_.size(); ++c) {
    row << ",";
    for (const auto& [name, value] : metrics) {
      if (name != columns_[c]) continue;
      if (std::isfinite(value)) row << value;  // empty cell: no value (e.g. no episode ended)
      break;
    }
  }
  out_ << row.str() << "\n";
  out_.flush();
  if (!out_) throw Error("writing '" + path_ + "' failed");
}

void check_losses_finite(int64_t global_step, const Metrics& metrics) {
  for (const auto& [name, value] : metrics) {
    if (name.find("loss") != std::string::npos && !std::isfinite(value)) {
      throw Error("training diverged: " + name + " is " + (std::isnan(value) ? "NaN" : "infinite") + " at step " +
                  std::to_string(global_step) +
                  " (metrics.csv holds the rows so far; the run's last checkpoint, if any, is from before)");
    }
  }
}

}  // namespace dopa
