// The targets of whole episodes (every episode ends at T; reward and values are (T, ...)):
//   discounted_returns: the Monte Carlo return G_t = r_t + gamma G_{t+1}, G_T = 0;
//   lambda_returns: the lambda-return (GAE, Schulman et al. 2016, written as returns)
//     R_t = A_t + V_t,  A_t = d_t + gamma lambda A_{t+1},  d_t = r_t + gamma V_{t+1} - V_t,  V_T = 0.
//     lambda = 1 gives G_t (up to rounding); lambda = 0 the one-step target r_t + gamma V_{t+1}.
// On the CPU both run as one loop over the episode: as LibTorch ops they were a thousand small
// operations per update, 10% of a bandit run. Each operation is rounded in the tensor's own
// precision, in the order written above (the same numbers as the tensor-op form). Other devices
// use tensor ops.
#pragma once

#include <torch/torch.h>

namespace dopa::agents {

torch::Tensor discounted_returns(const torch::Tensor& reward, double gamma);

torch::Tensor lambda_returns(const torch::Tensor& reward, const torch::Tensor& values, double gamma,
                             double lambda);

}  // namespace dopa::agents
