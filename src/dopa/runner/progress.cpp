#include "dopa/runner/progress.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dopa {

namespace {
constexpr double kTerminalRedrawSeconds = 0.2;
constexpr double kLogLineSeconds = 30.0;
}  // namespace

Progress::Progress(int64_t total, std::string unit, int interactive)
    : total_(std::max<int64_t>(1, total)),
      unit_(std::move(unit)),
      interactive_(interactive < 0 ? isatty(fileno(stderr)) != 0 : interactive != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  if (!finished_ && interactive_) std::fputc('\n', stderr);
}

std::string Progress::human(double count) {
  char text[32];
  if (count >= 1e9) std::snprintf(text, sizeof text, "%.2fG", count / 1e9);
  else if (count >= 1e6) std::snprintf(text, sizeof text, "%.2fM", count / 1e6);
  else if (count >= 1e4) std::snprintf(text, sizeof text, "%.1fk", count / 1e3);
  else std::snprintf(text, sizeof text, "%.0f", count);
  return text;
}

std::string Progress::duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  char text[32];
  if (s >= 3600) std::snprintf(text, sizeof text, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  else if (s >= 60) std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
  else std::snprintf(text, sizeof text, "%lds", s);
  return text;
}

void Progress::update(int64_t done, const std::string& status) {
  const auto now = std::chrono::steady_clock::now();
  if (first_done_ < 0) {  // the rate counts from here: a resumed run starts with `done` well above 0
    first_done_ = done;
    first_time_ = now;
  }
  last_done_ = done;
  last_status_ = status;
  const double since_draw = std::chrono::duration<double>(now - last_draw_).count();
  if (since_draw < (interactive_ ? kTerminalRedrawSeconds : kLogLineSeconds)) return;
  last_draw_ = now;
  draw(done, status, false);
}

void Progress::finish() {
  if (finished_) return;
  draw(last_done_, last_status_, true);
  finished_ = true;
}

void Progress::draw(int64_t done, const std::string& status, bool final) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - first_time_).count();
  const double rate = first_done_ >= 0 && elapsed > 0 ? (done - first_done_) / elapsed : 0.0;
  const double fraction = std::min(1.0, static_cast<double>(done) / total_);
  const double eta = rate > 0 ? (total_ - done) / rate : NAN;
  if (interactive_) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(filled, '#');
    bar += std::string(kWidth - filled, '.');
    std::fprintf(stderr, "\r[%s] %3.0f%% %s/%s %s  %s %s/s  ETA %s  %s\033[K", bar.c_str(), fraction * 100,
                 human(done).c_str(), human(total_).c_str(), unit_.c_str(), human(rate).c_str(), unit_.c_str(),
                 final ? "0s" : duration(eta).c_str(), status.c_str());
    if (final) std::fputc('\n', stderr);
    std::fflush(stderr);
  } else if (!final) {
    spdlog::info("{:.0f}% {}/{} {}, {} {}/s, ETA {} {}", fraction * 100, human(done), human(total_), unit_,
                 human(rate), unit_, duration(eta), status);
  }
}

}  // namespace dopa
