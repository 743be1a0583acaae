// The optimisers an agent's `optimizer` setting chooses from, and setting their step size.
#pragma once

#include <torch/optim.h>

#include <memory>
#include <string>
#include <vector>

#include "dopa/core/error.h"

namespace dopa {

// "adam" (with `adam_eps`) or "rmsprop" (LibTorch's defaults besides the step size).
inline std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::string& kind,
                                                               const std::vector<torch::Tensor>& parameters,
                                                               double lr, double adam_eps = 1e-8) {
  if (kind == "adam")
    return std::make_unique<torch::optim::Adam>(parameters, torch::optim::AdamOptions(lr).eps(adam_eps));
  if (kind == "rmsprop") return std::make_unique<torch::optim::RMSprop>(parameters, torch::optim::RMSpropOptions(lr));
  throw Error("unknown optimizer '" + kind + "'. Valid: adam, rmsprop.");
}

// A new step size for every parameter group (schedules, acetylcholine).
inline void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

}  // namespace dopa
