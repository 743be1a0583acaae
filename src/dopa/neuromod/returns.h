// Returns and advantages: what the TD error adds up to over a stretch of steps.
//
// gae_advantages: generalized advantage estimation (Schulman et al. 2016) over T steps of N envs,
//   A_t = d_t + gamma lambda c_t A_{t+1},  d_t = r_t + gamma V_{t+1} c_t - V_t,
//   where c_t is 0 where an episode ended at step t (1 otherwise) and V_T = next_value, the value of
//   the state after the last step (bootstrap). lambda = 1 gives n-step returns minus V.
// The targets of whole episodes (every episode ends at T; reward and values are (T, ...)):
//   discounted_returns: the Monte Carlo return G_t = r_t + gamma G_{t+1}, G_T = 0;
//   lambda_returns: the lambda-return R_t = A_t + V_t with the GAE above, c_t = 1 and V_T = 0.
//     lambda = 1 gives G_t (up to rounding); lambda = 0 the one-step target r_t + gamma V_{t+1}.
// On the CPU each runs as one loop over the steps: as LibTorch ops they were a thousand small
// operations per update, 10% of a bandit run. Each operation is rounded in the tensor's own
// precision, in the order written above (the same numbers as the tensor-op form, which other devices
// use).
#pragma once

#include <ATen/core/Tensor.h>

namespace dopa::neuromod {

// reward, values, continues: (T, N); next_value: (N). Returns A: (T, N).
at::Tensor gae_advantages(const at::Tensor& reward, const at::Tensor& values, const at::Tensor& next_value,
                          const at::Tensor& continues, double gamma, double lambda);

at::Tensor discounted_returns(const at::Tensor& reward, double gamma);

at::Tensor lambda_returns(const at::Tensor& reward, const at::Tensor& values, double gamma, double lambda);

}  // namespace dopa::neuromod
