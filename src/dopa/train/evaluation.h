// Evaluations (`dopa eval`): a trained agent scored beside classic algorithms on the same episodes,
// registered like agents so that the command line reaches them without knowing them. The bandit
// baselines register "bandit" (agents/bandit_baselines/evaluate.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dopa/core/config.h"
#include "dopa/core/named_registry.h"
#include "dopa/core/registry.h"
#include "dopa/train/agent.h"

namespace dopa {

struct EvaluationRequest {
  std::string env_id;                // the task's env (a trained agent's, or the evaluation's default)
  Kwargs env_kwargs;                 // its kwargs (a trained agent's, changed by --kw)
  std::vector<std::string> baselines;  // the algorithms to score, as the evaluation parses them
  Agent* trained = nullptr;          // scored with frozen parameters when given (Agent::play)
  std::string trained_run;           // its run folder, which names it in the report
  int64_t episodes = 0;
  uint64_t seed = 0;                 // episode e is the env reset with seed + e, for every algorithm
  std::string out_dir;               // where the evaluation writes its report files
};

// One line of the printed table.
struct EvaluationRow {
  std::string label;
  int64_t episodes = 0;
  double total_reward = 0, total_reward_se = 0;
  double final_regret = 0, final_regret_se = 0;
};

struct EvaluationRegistration {
  std::string name;         // "bandit"
  std::string description;  // one line
  std::string default_env;  // the env evaluated when no trained agent names one
  std::function<std::vector<EvaluationRow>(const EvaluationRequest&)> run;
};

class EvaluationRegistry : public NamedRegistry<EvaluationRegistration> {
 public:
  EvaluationRegistry() : NamedRegistry("evaluation") {}
  static EvaluationRegistry& global();
};

// How many test episodes to play side by side: the largest divisor of `episodes` up to
// `max_batch` (meta_a2c plays whole batches in lockstep, so the batch must divide the total).
int64_t test_batch_size(int64_t episodes, int64_t max_batch = 100);

}  // namespace dopa

// Registers an EvaluationRegistration when the program starts. Use at namespace scope in a .cpp file.
#define DOPA_REGISTER_EVALUATION(...)                                             \
  static const bool DOPA_CONCAT(dopa_evaluation_registered_, __COUNTER__) = [] { \
    ::dopa::EvaluationRegistry::global().add(__VA_ARGS__);                       \
    return true;                                                                 \
  }()
