// `dopa report DIR`: a sweep's results per grid point, across seeds.
//
// Reads every run folder DIR/<point>-s<seed>/ (summary.json; folders from several shards merge
// when they share DIR) and writes, per point, the final return (mean of the last 100 episodes) and
// the best return as mean ± 95% confidence half-width across seeds (Student's t), with the seeds
// counted and the unfinished ones named:
//   DIR/report.csv   one row per point
//   DIR/report.md    the same as a Markdown table (also printed)
// Learning curves with 95% bands come from scripts/plot_sweep.py DIR (DIR/curves.png), which
// `dopa report` runs when python3 and the script are found.
#pragma once

#include <string>
#include <vector>

namespace dopa {

struct ReportRow {
  std::string point;
  std::vector<long> seeds;           // finished ones
  std::vector<std::string> unfinished;  // run folders without a finished summary
  double final_mean = 0, final_ci = 0;
  double best_mean = 0, best_ci = 0;
};

// The half-width of a 95% confidence interval of the mean of `values` (0 for fewer than 2).
double confidence_half_width_95(const std::vector<double>& values);

std::vector<ReportRow> sweep_report(const std::string& dir);
// Writes report.csv and report.md into `dir` and returns the Markdown.
std::string write_sweep_report(const std::string& dir, const std::vector<ReportRow>& rows);

}  // namespace dopa
