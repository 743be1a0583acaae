// The Bayes-optimal policy of the two-armed Bernoulli bandit with a known horizon: the action that
// maximises the expected total reward of the rest of the episode under the task's prior, found by
// dynamic programming over the posteriors (exact; the regret floor meta-RL agents are measured
// against, specs/metarl-dopamine.md §1.4).
//
// Priors (Bandit-v0's tasks): independent (p1, p2 ~ U[0, 1]; state: successes and failures of each
// arm), dependent_uniform (p1 ~ U[0, 1], p2 = 1 - p1) and the two-point tasks easy, medium, hard
// (p1 in {q, 1 - q}, p2 = 1 - p1). In the dependent tasks a success of arm 1 says as much as a
// failure of arm 2, so the state is two counts: evidence for arm 1 (a = s1 + f2) and against (b).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dopa::agents {

class BayesOptimalTable {
 public:
  // task: independent, dependent_uniform, easy, medium or hard; horizon: pulls per episode.
  BayesOptimalTable(const std::string& task, int horizon);
  int horizon() const { return horizon_; }
  // The optimal arm (0 or 1; ties to 0) after s1/f1 successes/failures of arm 0 and s2/f2 of arm 1.
  int action(int s1, int f1, int s2, int f2) const;
  // The optimal expected total reward from the start of an episode.
  double value() const { return value_; }

 private:
  bool independent_;
  double high_ = 0;  // the two-point tasks' larger probability (0: the uniform prior)
  int horizon_;
  double value_ = 0;
  std::vector<std::vector<uint8_t>> actions_;  // by level (pulls so far), then state index
};

}  // namespace dopa::agents
