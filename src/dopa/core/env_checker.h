// The env checker: the contract every registered env must keep (run as a test over all of them).
//
//   1. observations lie inside the observation space after reset and after every step, rewards
//      are finite, info keys written are declared;
//   2. the same seed and actions give the same trajectory (observations, rewards, flags);
//   3. stepping after the episode ended, without reset, throws dopa::Error;
//   4. an invalid action (out of range, wrong size, NaN) throws dopa::Error and leaves the env
//      usable;
//   5. the spec is consistent (time limit >= 0, spaces non-empty).
#pragma once

#include <string>
#include <vector>

#include "dopa/core/config.h"

namespace dopa {

struct EnvCheckOptions {
  int steps = 1000;      // random-policy steps for checks 1 and 2
  uint64_t seed = 123;
};

// Returns the problems found, one sentence each; empty when the env passes.
std::vector<std::string> check_env(const std::string& id, const Kwargs& kwargs = {}, EnvCheckOptions options = {});

}  // namespace dopa
