// Ctrl-C (SIGINT) and SIGTERM as a request to stop: the one way dopa handles them.
//
// While a StopSignals object lives, either signal sets a flag instead of ending the process; its
// destructor puts the previous handlers back. `dopa run` stops training after the current update
// and writes its checkpoint; `dopa sweep` lets its running trials do that and starts no new one.
#pragma once

namespace dopa {

class StopSignals {
 public:
  StopSignals();  // clears the flag
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // The signal that asked to stop (SIGINT or SIGTERM); 0 while none has.
  static int received();
  static bool requested() { return received() != 0; }
};

}  // namespace dopa
