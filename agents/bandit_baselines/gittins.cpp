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

GittinsTable::GittinsTable(double gamma, int max_pulls, int grid) : gamma_(gamma), max_pulls_(max_pulls) {
  if (!(gamma > 0 && gamma < 1)) throw Error("GittinsTable: the discount must be in (0, 1)");
  if (max_pulls < 0 || grid < 2) throw Error("GittinsTable: max_pulls >= 0 and grid >= 2");
  // Truncation as in gittins_index, to 1e-7 of the value.
  const int depth = static_cast<int>(std::ceil(std::log(1e-8 * (1.0 - gamma)) / std::log(gamma))) + 1;
  const int levels = max_pulls + depth;  // the deepest level, where the mean is taken as known
  const int64_t states = static_cast<int64_t>(max_pulls + 1) * (max_pulls + 2) / 2;
  index_.assign(states, -1.0);
  std::vector<double> previous_advantage(states, 0.0);  // at the previous grid point
  std::vector<double> next(levels + 1), current(levels + 1);
  for (int g = 0; g <= grid; ++g) {
    const double lambda = static_cast<double>(g) / grid, retire = lambda / (1.0 - gamma);
    for (int s = 0; s <= levels; ++s) next[s] = std::max(retire, (1.0 + s) / (2.0 + levels) / (1.0 - gamma));
    for (int m = levels - 1; m >= 0; --m) {
      for (int s = 0; s <= m; ++s) {
        const double mean = (1.0 + s) / (2.0 + m);
        const double pull = mean + gamma * (mean * next[s + 1] + (1.0 - mean) * next[s]);
        current[s] = std::max(retire, pull);
        if (m <= max_pulls) {
          // Pulling's advantage over retiring falls as lambda rises; the index is where it is 0.
          const int64_t k = static_cast<int64_t>(m) * (m + 1) / 2 + s;
          const double advantage = pull - retire;
          if (index_[k] < 0 && advantage <= 0) {
            const double before = previous_advantage[k];
            const double step = 1.0 / grid;
            index_[k] = g == 0 ? 0.0 : lambda - step * (-advantage) / (before - advantage);
          }
          previous_advantage[k] = advantage;
        }
      }
      std::swap(next, current);
    }
  }
  for (double& v : index_)
    if (v < 0) v = 1.0;  // never crossed below lambda = 1: not reachable with a finite posterior
}

double GittinsTable::index(int successes, int failures) const {
  const int m = successes + failures;
  if (successes < 0 || failures < 0 || m > max_pulls_)
    throw Error("GittinsTable::index: the posterior lies outside the table");
  return index_[static_cast<int64_t>(m) * (m + 1) / 2 + successes];
}

}  // namespace dopa::agents
