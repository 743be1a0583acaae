#include "dopa/neuromod/distributional_td.h"

#include <algorithm>
#include <utility>

#include "dopa/core/error.h"

namespace dopa::neuromod {

DistributionalTd::DistributionalTd(std::vector<double> taus, double alpha, double gamma, int features)
    : taus_(std::move(taus)), alpha_(alpha), gamma_(gamma), features_(features) {
  if (taus_.empty()) throw Error("distributional TD needs at least one predictor");
  for (double tau : taus_)
    if (!(tau > 0 && tau < 1)) throw Error("distributional TD: every asymmetry tau must be in (0, 1)");
  if (!(alpha > 0)) throw Error("distributional TD: alpha must be > 0");
  if (!(gamma >= 0 && gamma <= 1)) throw Error("distributional TD: gamma must be in [0, 1]");
  if (features < 1) throw Error("distributional TD: no features");
  weights_.assign(taus_.size() * features_, 0.0);
  deltas_.assign(taus_.size(), 0.0);
}

void DistributionalTd::set_weights(const std::vector<double>& weights) {
  if (weights.size() != weights_.size())
    throw Error("distributional_td: " + std::to_string(weights.size()) + " weights for " +
                std::to_string(weights_.size()));
  weights_ = weights;
}

std::vector<double> DistributionalTd::values(const std::vector<double>& x) const {
  std::vector<double> v(taus_.size(), 0.0);
  for (size_t i = 0; i < taus_.size(); ++i)
    for (int j = 0; j < features_; ++j) v[i] += weights_[i * features_ + j] * x[j];
  return v;
}

const std::vector<double>& DistributionalTd::update(const std::vector<double>& x, double reward,
                                                    const std::vector<double>& x_next, bool terminal) {
  const std::vector<double> v = values(x);
  const std::vector<double> v_next = terminal ? std::vector<double>(taus_.size(), 0.0) : values(x_next);
  for (size_t i = 0; i < taus_.size(); ++i) {
    deltas_[i] = reward + gamma_ * v_next[i] - v[i];
    const double step = alpha_ * (deltas_[i] > 0 ? taus_[i] : 1.0 - taus_[i]) * deltas_[i];
    for (int j = 0; j < features_; ++j) weights_[i * features_ + j] += step * x[j];
  }
  return deltas_;
}

double expectile(const std::vector<double>& values, const std::vector<double>& weights, double tau) {
  if (values.empty() || values.size() != weights.size()) throw Error("expectile: values and weights must match");
  if (!(tau > 0 && tau < 1)) throw Error("expectile: tau must be in (0, 1)");
  // The balance tau E[(X - e)+] - (1 - tau) E[(e - X)+] falls from > 0 to < 0 as e crosses the
  // range of X, piecewise linearly: between consecutive values it is linear, so solve it there.
  double low = values[0], high = values[0];
  for (double v : values) low = std::min(low, v), high = std::max(high, v);
  auto balance = [&](double e) {
    double b = 0.0;
    for (size_t k = 0; k < values.size(); ++k) {
      const double d = values[k] - e;
      b += weights[k] * (d > 0 ? tau * d : (1.0 - tau) * d);
    }
    return b;
  };
  for (int iteration = 0; iteration < 200; ++iteration) {  // bisection to double precision
    const double mid = 0.5 * (low + high);
    (balance(mid) > 0 ? low : high) = mid;
  }
  return 0.5 * (low + high);
}

double reversal_point(const std::vector<double>& sizes, const std::vector<double>& responses) {
  if (sizes.empty() || sizes.size() != responses.size()) throw Error("reversal_point: sizes and responses must match");
  if (responses.front() >= 0) return sizes.front();
  for (size_t k = 1; k < sizes.size(); ++k)
    if (responses[k] >= 0)
      return sizes[k - 1] + (sizes[k] - sizes[k - 1]) * -responses[k - 1] / (responses[k] - responses[k - 1]);
  return sizes.back();
}

}  // namespace dopa::neuromod
