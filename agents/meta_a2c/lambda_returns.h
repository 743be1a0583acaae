// The lambda-return of whole episodes (GAE, Schulman et al. 2016, written as returns):
//   R_t = A_t + V_t,  A_t = d_t + gamma lambda A_{t+1},  d_t = r_t + gamma V_{t+1} - V_t,  V_T = 0.
// lambda = 1 gives the Monte Carlo return G_t = r_t + gamma G_{t+1}; lambda = 0 the one-step target
// r_t + gamma V_{t+1}. reward and values are (T, B); episodes end at T.
#pragma once

#include <torch/torch.h>

namespace dopa::agents {

inline torch::Tensor lambda_returns(const torch::Tensor& reward, const torch::Tensor& values, double gamma,
                                    double lambda) {
  const int64_t T = reward.size(0);
  torch::Tensor out = torch::empty_like(values);
  torch::Tensor advantage = torch::zeros_like(values[0]);
  for (int64_t t = T - 1; t >= 0; --t) {
    const torch::Tensor next_value = t + 1 < T ? values[t + 1] : torch::zeros_like(advantage);
    advantage = reward[t] + gamma * next_value - values[t] + gamma * lambda * advantage;
    out[t] = advantage + values[t];
  }
  return out;
}

}  // namespace dopa::agents
