#include "agents/bandit_baselines/gittins.h"

#include <cmath>
#include <vector>

#include "dopa/core/error.h"

namespace dopa::agents {

namespace {

// The value (total discounted reward) of pulling first, then playing optimally with the retirement
// option worth retire = lambda / (1 - gamma), from the posterior Beta(a, b).
double value_of_pulling(double a, double b, double gamma, double lambda, int depth) {
  const double retire = lambda / (1.0 - gamma);
  // values[i]: the state after d pulls with i successes, Beta(a + i, b + d - i); filled from d = depth.
  std::vector<double> values(depth + 1);
  for (int i = 0; i <= depth; ++i) {
    const double mean = (a + i) / (a + b + depth);
    values[i] = std::max(retire, mean / (1.0 - gamma));  // deep enough: the mean is as good as known
  }
  for (int d = depth - 1; d >= 0; --d) {
    for (int i = 0; i <= d; ++i) {
      const double mean = (a + i) / (a + b + d);
      const double pull = mean + gamma * (mean * values[i + 1] + (1.0 - mean) * values[i]);
      values[i] = d == 0 ? pull : std::max(retire, pull);  // at the root the arm is pulled
    }
  }
  return values[0];
}

}  // namespace

double gittins_index(double a, double b, double gamma, double tolerance) {
  if (!(a > 0 && b > 0)) throw Error("gittins_index: the Beta parameters must be positive");
  if (!(gamma > 0 && gamma < 1)) throw Error("gittins_index: the discount must be in (0, 1)");
  if (!(tolerance > 0)) throw Error("gittins_index: the tolerance must be positive");
  // Truncation: a value error e at depth D is worth gamma^D e at the root, and e <= 1 / (1 - gamma)
  // in reward units; so D with gamma^D / (1 - gamma) < tolerance / 10.
  const int depth =
      static_cast<int>(std::ceil(std::log(tolerance * (1.0 - gamma) / 10.0) / std::log(gamma))) + 1;
  double low = a / (a + b), high = 1.0;  // the index is at least the mean, at most the best payoff
  while (high - low > tolerance) {
    const double lambda = 0.5 * (low + high);
    if (value_of_pulling(a, b, gamma, lambda, depth) > lambda / (1.0 - gamma)) {
      low = lambda;  // pulling still beats retiring: the index is higher
    } else {
      high = lambda;
    }
  }
  return 0.5 * (low + high);
}

}  // namespace dopa::agents
