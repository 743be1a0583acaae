// Scoring a bandit algorithm on many episodes of a Bandit-v0 task: total reward and cumulative
// expected regret, with standard errors, as the meta-RL papers report them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "agents/bandit_baselines/policies.h"
#include "dopa/core/registry.h"
#include "dopa/train/agent.h"

namespace dopa::agents {

struct BanditScore {
  int64_t episodes = 0;
  double total_reward = 0, total_reward_se = 0;  // per episode: mean, standard error
  // cumulative_regret[t]: expected regret summed over pulls 0..t (sum of max_i p_i - p_a), mean over
  // episodes, and its standard error.
  std::vector<double> cumulative_regret, cumulative_regret_se;
};

// Plays `episodes` episodes of Bandit-v0 with `kwargs` (task, arms, trials). Episode e is the env
// reset with seed + e, so every algorithm scored with the same seed meets the same arm
// probabilities and the same uniform draw at each pull index (common random numbers: differences
// between algorithms carry less noise). The policy draws its own randomness from a generator
// seeded with policy_seed.
BanditScore score_bandit_policy(BanditPolicy& policy, const Kwargs& kwargs, int64_t episodes, uint64_t seed,
                                uint64_t policy_seed = 1);

// The same scores for a trained agent (Agent::play: frozen parameters) on `episodes` episodes of
// env_id (a Bandit-v0 task) with `kwargs`, played `batch` at a time (batch divides episodes).
BanditScore score_trained_agent(Agent& agent, const std::string& env_id, const Kwargs& kwargs, int64_t episodes,
                                uint64_t seed, int64_t batch);

// One baseline, its sweep resolved: the point with the highest mean total reward on the same
// episodes (as RL²'s table tuned c and epsilon: optimistic by the tuning, said in the report).
struct BaselineResult {
  std::string spec;   // as given: "ucb1:c=0..1/0.1"
  std::string label;  // the chosen point: "ucb1(c=0.2)"
  int64_t swept = 1;  // points tried
  BanditScore score;
};

// Scores each policy text (parse_bandit_policies) on `episodes` episodes of Bandit-v0 with `kwargs`.
// `progress` (may be empty) is called with (done, total) sweep points.
std::vector<BaselineResult> evaluate_baselines(const Kwargs& kwargs, const std::vector<std::string>& specs,
                                               int64_t episodes, uint64_t seed,
                                               const std::function<void(int64_t, int64_t)>& progress = {});

// Writes summary.csv (one row per baseline: total reward and regret at t = 10, 20, 50, 100 and the
// last pull, each with its standard error) and regret.csv (t and each baseline's mean cumulative
// regret and standard error) into `dir`.
void write_baseline_report(const std::vector<BaselineResult>& results, const std::string& dir);

}  // namespace dopa::agents
