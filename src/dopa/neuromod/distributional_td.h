// Distributional TD (Dabney et al. 2020, Nature 577:671; specs/metarl-dopamine.md §3.4): a
// population of linear value predictors V_i(x) = w_i . x, each learning from its own TD error
//
//   delta_i = r + gamma V_i(x') - V_i(x)
//   w_i    += alpha_i^+ delta_i x   when delta_i > 0,   alpha_i^- delta_i x   otherwise
//
// with alpha_i^+ = alpha tau_i and alpha_i^- = alpha (1 - tau_i). Predictor i converges to the
// tau_i-expectile of the return distribution (tau_i = alpha_i^+ / (alpha_i^+ + alpha_i^-), its
// "asymmetry"); the reward size at which its delta changes sign, its reversal point, is that expectile.
#pragma once

#include <vector>

namespace dopa::neuromod {

class DistributionalTd {
 public:
  DistributionalTd(std::vector<double> taus, double alpha, double gamma, int features);

  int size() const { return static_cast<int>(taus_.size()); }
  const std::vector<double>& taus() const { return taus_; }
  // Predictor-major: weights[i * features + j].
  const std::vector<double>& weights() const { return weights_; }
  void set_weights(const std::vector<double>& weights);  // dopa::Error when the size differs
  // Every predictor's value of features x.
  std::vector<double> values(const std::vector<double>& x) const;
  // Learns from the step from x to x_next (unused when `terminal`) that paid `reward`; returns each
  // predictor's delta.
  const std::vector<double>& update(const std::vector<double>& x, double reward, const std::vector<double>& x_next,
                                    bool terminal);

 private:
  std::vector<double> taus_;
  double alpha_, gamma_;
  int features_;
  std::vector<double> weights_;  // predictor-major: weights_[i * features + j]
  std::vector<double> deltas_;
};

// The tau-expectile of a discrete distribution (values with probabilities or relative frequencies):
// the e with tau E[(X - e)+] = (1 - tau) E[(e - X)+]. tau = 0.5 gives the mean.
double expectile(const std::vector<double>& values, const std::vector<double>& weights, double tau);

// A reversal point (Dabney et al.'s analysis of each dopamine cell): the reward size at which the
// responses to rewards of sizes `sizes` (increasing) turn from negative (less than predicted) to
// positive, by linear interpolation between the two sizes around the change. All responses >= 0:
// the smallest size; all < 0: the largest.
double reversal_point(const std::vector<double>& sizes, const std::vector<double>& responses);

}  // namespace dopa::neuromod
