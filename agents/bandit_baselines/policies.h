// Classic bandit algorithms: the baselines meta-RL agents are compared with (specs/metarl-dopamine.md
// §1.4 and §2). Each plays one episode of a Bernoulli bandit at a time, from its own pulls and
// rewards only.
//
//   random           uniform over the arms
//   greedy           the highest estimated mean
//   epsilon_greedy   random with probability epsilon, else greedy
//   ucb1             the highest mean + c sqrt(2 ln t / n_i) (RL²'s counts, see policies.cpp)
//   thompson         the highest draw from each arm's Beta(1 + successes, 1 + failures) posterior
//   gittins          the highest Gittins index of that posterior at discount gamma
//   bayes_optimal    the exact Bayes-optimal arm for the task's prior (two arms; bayes_optimal.h)
//
// Conventions (RL²'s evaluation, spec §2.2; each a parameter): means are Laplace-smoothed,
// (successes + 1) / (pulls + 2), unless `laplace` is off (then unpulled arms come first and the mean
// is successes / pulls, the textbook form); ties go to the lowest index.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dopa/core/rng.h"

namespace dopa::agents {

struct BanditPolicyOptions {
  std::string name = "random";  // one of the names above
  double epsilon = 0.1;         // epsilon_greedy
  double c = 1.0;               // ucb1's exploration coefficient
  double gamma = 0.9;           // gittins' discount
  bool laplace = true;          // Laplace-smoothed means (greedy, epsilon_greedy, ucb1)
};

class BanditPolicy {
 public:
  explicit BanditPolicy(const BanditPolicyOptions& options) : options_(options) {}
  virtual ~BanditPolicy() = default;

  // A new episode of `arms` arms and `horizon` pulls of a Bandit-v0 task (its prior: only
  // bayes_optimal uses it).
  virtual void reset(int arms, int64_t horizon, const std::string& task = "independent");
  // The arm to pull next.
  virtual int choose(Rng& rng) = 0;
  // The reward (0 or 1) the pull of `arm` paid.
  virtual void observe(int arm, double reward);

  const BanditPolicyOptions& options() const { return options_; }
  // The name with its parameter, as tables show it: "ucb1(c=0.2)".
  std::string label() const;

 protected:
  // The estimated mean of an arm (Laplace-smoothed or plain).
  double mean(int arm) const;
  // The first arm of highest score.
  static int argmax(const std::vector<double>& scores);

  BanditPolicyOptions options_;
  int arms_ = 0;
  int64_t horizon_ = 0, t_ = 0;  // pulls so far in this episode
  std::vector<int64_t> pulls_;
  std::vector<double> successes_;
  std::vector<double> scores_;  // scratch
};

// The policy `options.name` names; a clear error for an unknown name or a parameter out of range.
std::unique_ptr<BanditPolicy> make_bandit_policy(const BanditPolicyOptions& options);

// Policies written as text, as the command line takes them: NAME[:KEY=VALUE[,KEY=VALUE...]], where
// a value may be a sweep FROM..TO/STEP (both ends included) and `textbook` is a key without value:
//   thompson   ucb1:c=0.3   ucb1:c=0..1/0.1   ucb1:textbook   epsilon_greedy:epsilon=0..1/0.1
//   gittins:gamma=0.98
// Returns one options set per point of the sweep (one when nothing is swept).
std::vector<BanditPolicyOptions> parse_bandit_policies(const std::string& text);

}  // namespace dopa::agents
