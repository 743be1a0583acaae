// Progress of a long job: a bar with rate and ETA redrawn in place on a terminal, or a plain log
// line every so often when stderr is not a terminal (CI logs, nohup, files).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace dopa {

class Progress {
 public:
  // `unit` names what is counted ("steps"). `interactive` defaults to isatty(stderr).
  Progress(int64_t total, std::string unit, int interactive = -1);
  ~Progress();

  // Reports that `done` units are complete; `status` is appended (e.g. "return 67.2").
  void update(int64_t done, const std::string& status = "");
  void finish();

  // "1.2M", "950", "12.3k".
  static std::string human(double count);
  // "1h02m", "3m10s", "42s".
  static std::string duration(double seconds);

 private:
  void draw(int64_t done, const std::string& status, bool final);

  int64_t total_;
  std::string unit_;
  bool interactive_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_, first_time_;
  int64_t first_done_ = -1;  // the count at the first update, with its time: the rate's origin
  int64_t last_done_ = 0;
  std::string last_status_;
};

}  // namespace dopa
