// Linear TD(lambda) value learning, the classic model of dopamine as the TD error (Montague, Dayan
// & Sejnowski 1996; Schultz, Dayan & Montague 1997; specs/metarl-dopamine.md §3.1):
//
//   V(t)     = w . x(t)
//   delta(t) = r(t) + gamma V(t) - V(t-1)          the error of the step from t-1 into t, whose
//                                                  reward is r(t); V(t) = 0 after a terminal step
//   e        = gamma lambda e + x(t-1)             accumulating eligibility trace (lambda = 0: TD(0))
//   w       += alpha delta(t) e
//
// Indexing delta by the observation it arrives with puts the CS response at the CS and the US
// response at the US, as recordings are plotted. Traces are reset at the start of each trial.
#pragma once

#include <vector>

namespace dopa::agents {

struct TdLambdaOptions {
  double gamma = 0.98;
  double alpha = 0.1;
  double lambda = 0.0;
};

class TdLambda {
 public:
  TdLambda(const TdLambdaOptions& options, int features);

  double value(const std::vector<double>& x) const;
  // A new trial: the eligibility trace is cleared.
  void reset_trace();
  // Learns from the step from features `x` to `x_next` that paid `reward` (x_next unused when
  // `terminal`); returns delta.
  double update(const std::vector<double>& x, double reward, const std::vector<double>& x_next, bool terminal);
  // delta of that step without learning (probes of a frozen model).
  double error(const std::vector<double>& x, double reward, const std::vector<double>& x_next, bool terminal) const;

  const std::vector<double>& weights() const { return w_; }
  void set_weights(const std::vector<double>& w);  // dopa::Error when the size differs

 private:
  TdLambdaOptions options_;
  std::vector<double> w_, e_;
};

}  // namespace dopa::agents
