#include "dopa/runner/stop_signals.h"

#include <signal.h>

#include <atomic>

namespace dopa {

namespace {

std::atomic<int> g_received{0};
struct sigaction g_previous_int {}, g_previous_term {};

extern "C" void on_stop_signal(int signal) { g_received.store(signal); }

}  // namespace

StopSignals::StopSignals() {
  g_received.store(0);
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &g_previous_int);
  sigaction(SIGTERM, &action, &g_previous_term);
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
}

int StopSignals::received() { return g_received.load(); }

}  // namespace dopa
