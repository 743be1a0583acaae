#include "dopa/runner/report.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <numeric>
#include <regex>

#include "dopa/core/error.h"
#include "dopa/core/strings.h"
#include "dopa/runner/run.h"

namespace dopa {

namespace fs = std::filesystem;

namespace {

// Student's t quantile t(0.975, df) for df = 1..30; 1.96 beyond.
double t975(size_t df) {
  static const double table[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                 2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                 2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  return df >= 1 && df <= 30 ? table[df - 1] : 1.96;
}

double mean(const std::vector<double>& v) { return v.empty() ? NAN : std::accumulate(v.begin(), v.end(), 0.0) / v.size(); }

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.4g", v);
  return text;
}

}  // namespace

double confidence_half_width_95(const std::vector<double>& values) {
  if (values.size() < 2) return 0.0;
  const double m = mean(values);
  double squares = 0.0;
  for (double v : values) squares += (v - m) * (v - m);
  const double sd = std::sqrt(squares / static_cast<double>(values.size() - 1));
  return t975(values.size() - 1) * sd / std::sqrt(static_cast<double>(values.size()));
}

std::vector<ReportRow> sweep_report(const std::string& dir) {
  if (!fs::is_directory(dir)) throw Error("dopa report: no folder " + dir);
  const std::regex trial_name("(.+)-s(\\d+)");
  std::map<std::string, ReportRow> rows;
  std::map<std::string, std::vector<double>> finals, bests;
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory()) folders.push_back(entry.path());
  }
  std::sort(folders.begin(), folders.end());
  for (const fs::path& folder : folders) {
    std::smatch match;
    const std::string name = folder.filename().string();
    if (!std::regex_match(name, match, trial_name)) continue;
    const std::string point = match[1];
    ReportRow& row = rows[point];
    row.point = point;
    const std::optional<SavedSummary> summary = read_summary(folder.string());
    if (!summary || !summary->finished) {
      row.unfinished.push_back(name);
      continue;
    }
    row.seeds.push_back(std::stol(match[2]));
    finals[point].push_back(summary->final_return);
    bests[point].push_back(summary->best_return);
  }
  if (rows.empty()) throw Error("dopa report: no run folders named <point>-s<seed> in " + dir);
  std::vector<ReportRow> out;
  for (auto& [point, row] : rows) {
    row.final_mean = mean(finals[point]);
    row.final_ci = confidence_half_width_95(finals[point]);
    row.best_mean = mean(bests[point]);
    row.best_ci = confidence_half_width_95(bests[point]);
    out.push_back(row);
  }
  return out;
}

std::string write_sweep_report(const std::string& dir, const std::vector<ReportRow>& rows) {
  std::ofstream csv(fs::path(dir) / "report.csv");
  csv << "point,seeds,final_return_mean,final_return_ci95,best_return_mean,best_return_ci95,unfinished\n";
  std::string md = "| point | seeds | final return (mean ± 95% CI) | best return (mean ± 95% CI) | unfinished |\n"
                   "| --- | --- | --- | --- | --- |\n";
  for (const ReportRow& row : rows) {
    std::vector<std::string> seeds;
    for (long s : row.seeds) seeds.push_back(std::to_string(s));
    csv << '"' << row.point << "\"," << row.seeds.size() << ',' << shortest_text(row.final_mean) << ','
        << shortest_text(row.final_ci) << ',' << shortest_text(row.best_mean) << ',' << shortest_text(row.best_ci) << ','
        << row.unfinished.size() << '\n';
    md += "| " + row.point + " | " + std::to_string(row.seeds.size()) + " (" + join(seeds, ", ") + ") | " +
          number(row.final_mean) + " ± " + number(row.final_ci) + " | " + number(row.best_mean) + " ± " +
          number(row.best_ci) + " | " + (row.unfinished.empty() ? "" : join(row.unfinished, ", ")) + " |\n";
  }
  std::ofstream(fs::path(dir) / "report.md") << md;
  return md;
}

}  // namespace dopa
