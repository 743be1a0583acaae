// Scoring a bandit algorithm on many episodes of a Bandit-v0 task: total reward and cumulative
// expected regret, with standard errors, as the meta-RL papers report them.
#pragma once

#include <cstdint>
#include <vector>

#include "agents/bandit_baselines/policies.h"
#include "dopa/core/registry.h"

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

}  // namespace dopa::agents
