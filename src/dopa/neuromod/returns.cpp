#include "dopa/neuromod/returns.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>

#include "dopa/core/error.h"

namespace dopa::neuromod {

namespace {

void check_steps(const at::Tensor& reward, const at::Tensor& values) {
  if (reward.dim() < 1 || (values.defined() && values.sizes() != reward.sizes()))
    throw Error("returns: reward and values must be (T, ...) tensors of one shape");
}

}  // namespace

at::Tensor gae_advantages(const at::Tensor& reward, const at::Tensor& values, const at::Tensor& next_value,
                          const at::Tensor& continues, double gamma, double lambda) {
  check_steps(reward, values);
  check_steps(reward, continues);
  const int64_t T = reward.size(0);
  if (!reward.is_cpu()) {
    at::Tensor out = at::empty_like(values), advantage = at::zeros_like(next_value);
    for (int64_t t = T - 1; t >= 0; --t) {
      const at::Tensor following = t == T - 1 ? next_value : values[t + 1];
      const at::Tensor td_error = reward[t] + gamma * following * continues[t] - values[t];
      out[t] = advantage = td_error + gamma * lambda * continues[t] * advantage;
    }
    return out;
  }
  const at::ScalarType type = reward.scalar_type();
  const at::Tensor r = reward.contiguous(), v = values.to(type).contiguous(), c = continues.to(type).contiguous();
  const at::Tensor last = next_value.to(type).contiguous();
  at::Tensor out = at::empty_like(r);
  const int64_t n = T == 0 ? 0 : r.numel() / T;  // envs (or episodes)
  if (last.numel() != n) throw Error("gae_advantages: next_value must hold one value per env");
  AT_DISPATCH_FLOATING_TYPES(type, "gae_advantages", [&] {
    using S = scalar_t;
    const S g_factor = static_cast<S>(gamma), gl_factor = static_cast<S>(gamma * lambda);
    const S *rp = r.data_ptr<S>(), *vp = v.data_ptr<S>(), *cp = c.data_ptr<S>(), *lp = last.data_ptr<S>();
    S* op = out.data_ptr<S>();
    for (int64_t e = 0; e < n; ++e) {
      S advantage = 0;
      for (int64_t t = T - 1; t >= 0; --t) {
        const int64_t i = t * n + e;
        const S following = t + 1 < T ? vp[i + n] : lp[e];
        // One rounding per operation, as the tensor-op form: ((r + (g V') c) - V) + ((g l) c) A'.
        const S discounted = g_factor * following;
        const S kept = discounted * cp[i];
        const S td_error = (rp[i] + kept) - vp[i];
        const S decay = gl_factor * cp[i];
        const S carried = decay * advantage;
        advantage = td_error + carried;
        op[i] = advantage;
      }
    }
  });
  return out;
}

at::Tensor discounted_returns(const at::Tensor& reward, double gamma) {
  check_steps(reward, at::Tensor());
  const int64_t T = reward.size(0);
  if (!reward.is_cpu()) {
    at::Tensor out = at::empty_like(reward), g = at::zeros_like(reward[0]);
    for (int64_t t = T - 1; t >= 0; --t) out[t] = g = reward[t] + gamma * g;
    return out;
  }
  const at::Tensor r = reward.contiguous();
  at::Tensor out = at::empty_like(r);
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

at::Tensor lambda_returns(const at::Tensor& reward, const at::Tensor& values, double gamma, double lambda) {
  check_steps(reward, values);
  // Whole episodes: nothing follows the last step and no episode ends before it.
  const at::Tensor advantages =
      gae_advantages(reward, values, at::zeros_like(values[0]), at::ones_like(reward), gamma, lambda);
  return advantages + values.to(reward.scalar_type());
}

}  // namespace dopa::neuromod
