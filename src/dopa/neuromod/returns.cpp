#include "agents/meta_a2c/returns.h"

#include "dopa/core/error.h"

namespace dopa::agents {

namespace {

void check_episode(const torch::Tensor& reward, const torch::Tensor& values) {
  if (reward.dim() < 1 || (values.defined() && values.sizes() != reward.sizes()))
    throw Error("returns: reward and values must be (T, ...) tensors of one shape");
}

}  // namespace

torch::Tensor discounted_returns(const torch::Tensor& reward, double gamma) {
  check_episode(reward, torch::Tensor());
  const int64_t T = reward.size(0);
  if (!reward.is_cpu()) {
    torch::Tensor out = torch::empty_like(reward), g = torch::zeros_like(reward[0]);
    for (int64_t t = T - 1; t >= 0; --t) out[t] = g = reward[t] + gamma * g;
    return out;
  }
  const torch::Tensor r = reward.contiguous();
  torch::Tensor out = torch::empty_like(r);
  const int64_t n = T == 0 ? 0 : r.numel() / T;  // episodes
  AT_DISPATCH_FLOATING_TYPES(r.scalar_type(), "discounted_returns", [&] {
    using S = scalar_t;
    const S g_factor = static_cast<S>(gamma);
    const S* rp = r.data_ptr<S>();
    S* op = out.data_ptr<S>();
    for (int64_t e = 0; e < n; ++e) {
      S g = 0;
      for (int64_t t = T - 1; t >= 0; --t) {
        const S discounted = g_factor * g;
        g = rp[t * n + e] + discounted;
        op[t * n + e] = g;
      }
    }
  });
  return out;
}

torch::Tensor lambda_returns(const torch::Tensor& reward, const torch::Tensor& values, double gamma,
                             double lambda) {
  check_episode(reward, values);
  const int64_t T = reward.size(0);
  if (!reward.is_cpu()) {
    torch::Tensor out = torch::empty_like(values), advantage = torch::zeros_like(values[0]);
    for (int64_t t = T - 1; t >= 0; --t) {
      const torch::Tensor next_value = t + 1 < T ? values[t + 1] : torch::zeros_like(advantage);
      advantage = reward[t] + gamma * next_value - values[t] + gamma * lambda * advantage;
      out[t] = advantage + values[t];
    }
    return out;
  }
  const torch::Tensor r = reward.contiguous(), v = values.to(reward.scalar_type()).contiguous();
  torch::Tensor out = torch::empty_like(r);
  const int64_t n = T == 0 ? 0 : r.numel() / T;
  AT_DISPATCH_FLOATING_TYPES(r.scalar_type(), "lambda_returns", [&] {
    using S = scalar_t;
    const S g_factor = static_cast<S>(gamma), gl_factor = static_cast<S>(gamma * lambda);
    const S *rp = r.data_ptr<S>(), *vp = v.data_ptr<S>();
    S* op = out.data_ptr<S>();
    for (int64_t e = 0; e < n; ++e) {
      S advantage = 0;
      for (int64_t t = T - 1; t >= 0; --t) {
        const int64_t i = t * n + e;
        const S next_value = t + 1 < T ? vp[i + n] : S(0);
        // One rounding per operation, as the tensor-op form: ((r + g V') - V) + (g l A').
        const S discounted = g_factor * next_value;
        const S td_error = (rp[i] + discounted) - vp[i];
        const S carried = gl_factor * advantage;
        advantage = td_error + carried;
        op[i] = advantage + vp[i];
      }
    }
  });
  return out;
}

}  // namespace dopa::agents
