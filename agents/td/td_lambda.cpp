#include "agents/td/td_lambda.h"

#include "dopa/core/error.h"

namespace dopa::agents {

TdLambda::TdLambda(const TdLambdaOptions& options, int features)
    : options_(options), w_(features, 0.0), e_(features, 0.0) {
  if (features < 1) throw Error("td: no features");
  if (!(options.gamma >= 0 && options.gamma <= 1)) throw Error("td: 'gamma' must be in [0, 1]");
  if (!(options.lambda >= 0 && options.lambda <= 1)) throw Error("td: 'lambda' must be in [0, 1]");
  if (!(options.alpha > 0)) throw Error("td: 'alpha' must be > 0");
}

double TdLambda::value(const std::vector<double>& x) const {
  double v = 0.0;
  for (size_t i = 0; i < w_.size(); ++i) v += w_[i] * x[i];
  return v;
}

void TdLambda::set_weights(const std::vector<double>& w) {
  if (w.size() != w_.size())
    throw Error("td: " + std::to_string(w.size()) + " weights for " + std::to_string(w_.size()) + " features");
  w_ = w;
}

void TdLambda::reset_trace() { std::fill(e_.begin(), e_.end(), 0.0); }

double TdLambda::error(const std::vector<double>& x, double reward, const std::vector<double>& x_next,
                       bool terminal) const {
  return reward + (terminal ? 0.0 : options_.gamma * value(x_next)) - value(x);
}

double TdLambda::update(const std::vector<double>& x, double reward, const std::vector<double>& x_next,
                        bool terminal) {
  const double delta = error(x, reward, x_next, terminal);
  const double decay = options_.gamma * options_.lambda;
  for (size_t i = 0; i < w_.size(); ++i) {
    e_[i] = decay * e_[i] + x[i];
    w_[i] += options_.alpha * delta * e_[i];
  }
  return delta;
}

}  // namespace dopa::agents
