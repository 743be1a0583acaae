#include "dopa/train/evaluation.h"

#include <algorithm>

#include "dopa/core/error.h"


namespace dopa {

EvaluationRegistry& EvaluationRegistry::global() {
  static EvaluationRegistry registry;
  return registry;
}

int64_t test_batch_size(int64_t episodes, int64_t max_batch) {
  if (episodes < 1 || max_batch < 1) throw Error("test_batch_size: episodes and max_batch must be >= 1");
  int64_t batch = std::min(max_batch, episodes);
  while (episodes % batch != 0) --batch;
  return batch;
}

}  // namespace dopa
