#include "dopa/neuromod/td_error.h"

#include <ATen/ATen.h>

#include "dopa/core/error.h"

namespace dopa::neuromod {

void TdErrorTracker::start_episodes() {
  starting_ = true;
  episode_start_ = previous_reward_ = previous_value_ = at::Tensor();
}

void TdErrorTracker::start_masked(int64_t rows, const c10::TensorOptions& options) {
  starting_ = false;
  episode_start_ = at::ones({rows}, options);
  previous_reward_ = at::zeros({rows}, options);
  previous_value_ = at::zeros({rows}, options);
}

at::Tensor TdErrorTracker::delta(const at::Tensor& value, double gamma) const {
  if (starting_) return at::zeros_like(value);
  const at::Tensor error = previous_reward_ + gamma * value - previous_value_;
  return episode_start_.defined() ? (1 - episode_start_) * error : error;
}

void TdErrorTracker::step(const at::Tensor& reward, const at::Tensor& value, const at::Tensor& episode_start) {
  starting_ = false;
  previous_reward_ = reward;
  previous_value_ = value;
  episode_start_ = episode_start;
}

void TdErrorTracker::set_state(const std::vector<at::Tensor>& state) {
  if (state.size() != 3) throw Error("malformed TD-error state in the checkpoint");
  starting_ = false;
  episode_start_ = state[0];
  previous_reward_ = state[1];
  previous_value_ = state[2];
}

}  // namespace dopa::neuromod
