// The optimisers an agent's `optimizer` setting chooses from, and setting their step size.
#pragma once

#include <torch/optim.h>

#include <memory>
#include <string>
#include <vector>

#include "dopa/core/settings.h"

namespace dopa {

// Adam (with `adam_eps`) or RMSprop (LibTorch's defaults besides the step size).
enum class OptimizerKind { Adam, RmsProp };

template <>
inline const EnumNames<OptimizerKind>& enum_names<OptimizerKind>() {
  static const EnumNames<OptimizerKind> names = {{OptimizerKind::Adam, "adam"}, {OptimizerKind::RmsProp, "rmsprop"}};
  return names;
}

inline std::unique_ptr<torch::optim::Optimizer> make_optimizer(OptimizerKind kind,
                                                               const std::vector<torch::Tensor>& parameters,
                                                               double lr, double adam_eps = 1e-8) {
  if (kind == OptimizerKind::RmsProp)
    return std::make_unique<torch::optim::RMSprop>(parameters, torch::optim::RMSpropOptions(lr));
  return std::make_unique<torch::optim::Adam>(parameters, torch::optim::AdamOptions(lr).eps(adam_eps));
}

// The range of every agent's `lr`: positive, and small enough that a step stays a number (a step
// size of 1e308 overflows LibTorch's float parameters in the first update).
inline Range learning_rate_range() {
  return {"in (0, 10]", [](double x) { return x > 0 && x <= 10; }};
}

// A new step size for every parameter group (schedules, acetylcholine).
inline void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

}  // namespace dopa
