#include "agents/bandit_baselines/bayes_optimal.h"

#include <cmath>

#include "dopa/core/error.h"

namespace dopa::agents {

namespace {

// Independent arms, level m (m pulls so far): states (n1 = s1 + f1, s1, s2), laid out by n1, then s1,
// then s2 (0 .. m - n1).
struct IndependentLevel {
  int m;
  std::vector<int64_t> offset;  // of each n1
  explicit IndependentLevel(int pulls) : m(pulls), offset(pulls + 2, 0) {
    for (int n1 = 0; n1 <= m; ++n1) offset[n1 + 1] = offset[n1] + static_cast<int64_t>(n1 + 1) * (m - n1 + 1);
  }
  int64_t size() const { return offset[m + 1]; }
  int64_t index(int n1, int s1, int s2) const { return offset[n1] + static_cast<int64_t>(s1) * (m - n1 + 1) + s2; }
};

}  // namespace

BayesOptimalTable::BayesOptimalTable(const std::string& task, int horizon) : horizon_(horizon) {
  if (horizon < 1) throw Error("BayesOptimalTable: the horizon must be >= 1");
  independent_ = task == "independent";
  if (task == "easy") high_ = 0.9;
  else if (task == "medium") high_ = 0.75;
  else if (task == "hard") high_ = 0.6;
  else if (task != "independent" && task != "dependent_uniform")
    throw Error("bayes_optimal: unknown Bandit-v0 task '" + task + "'");
  actions_.resize(horizon);

  if (independent_) {
    // V_m(state) = max_a p_a (1 + V_{m+1}(success of a)) + (1 - p_a) V_{m+1}(failure of a), with the
    // posterior means p_a = (s_a + 1) / (n_a + 2); V_horizon = 0.
    std::vector<double> next(IndependentLevel(horizon).size(), 0.0), current;
    for (int m = horizon - 1; m >= 0; --m) {
      const IndependentLevel level(m), up(m + 1);
      current.assign(level.size(), 0.0);
      actions_[m].assign(level.size(), 0);
      for (int n1 = 0; n1 <= m; ++n1) {
        const int n2 = m - n1;
        for (int s1 = 0; s1 <= n1; ++s1) {
          for (int s2 = 0; s2 <= n2; ++s2) {
            const double p1 = (s1 + 1.0) / (n1 + 2.0), p2 = (s2 + 1.0) / (n2 + 2.0);
            const double pull1 = p1 * (1.0 + next[up.index(n1 + 1, s1 + 1, s2)]) +
                                 (1.0 - p1) * next[up.index(n1 + 1, s1, s2)];
            const double pull2 = p2 * (1.0 + next[up.index(n1, s1, s2 + 1)]) +
                                 (1.0 - p2) * next[up.index(n1, s1, s2)];
            const int64_t k = level.index(n1, s1, s2);
            current[k] = std::max(pull1, pull2);
            actions_[m][k] = pull2 > pull1 ? 1 : 0;
          }
        }
      }
      next.swap(current);
    }
    value_ = next[0];
    return;
  }
  // Dependent arms: state (a, b) at level m = a + b, index a.
  auto arm1_success = [&](int a, int b) {
    if (high_ == 0) return (a + 1.0) / (a + b + 2.0);
    const double low = 1.0 - high_;
    const double posterior_high = 1.0 / (1.0 + std::pow(low / high_, a - b));  // P(p1 = high | a, b)
    return posterior_high * high_ + (1.0 - posterior_high) * low;
  };
  std::vector<double> next(horizon + 1, 0.0), current;
  for (int m = horizon - 1; m >= 0; --m) {
    current.assign(m + 1, 0.0);
    actions_[m].assign(m + 1, 0);
    for (int a = 0; a <= m; ++a) {
      const int b = m - a;
      const double p1 = arm1_success(a, b), p2 = 1.0 - p1;
      // Arm 1: success -> a + 1, failure -> b + 1. Arm 2: success -> b + 1, failure -> a + 1.
      const double pull1 = p1 * (1.0 + next[a + 1]) + (1.0 - p1) * next[a];
      const double pull2 = p2 * (1.0 + next[a]) + (1.0 - p2) * next[a + 1];
      current[a] = std::max(pull1, pull2);
      actions_[m][a] = pull2 > pull1 ? 1 : 0;
    }
    next.swap(current);
  }
  value_ = next[0];
}

int BayesOptimalTable::action(int s1, int f1, int s2, int f2) const {
  const int m = s1 + f1 + s2 + f2;
  if (m < 0 || m >= horizon_ || s1 < 0 || f1 < 0 || s2 < 0 || f2 < 0)
    throw Error("bayes_optimal: a state outside the episode");
  if (independent_) return actions_[m][IndependentLevel(m).index(s1 + f1, s1, s2)];
  return actions_[m][s1 + f2];
}

}  // namespace dopa::agents
