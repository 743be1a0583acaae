// The plastic network's math as plain loops (no torch), compiled once per instruction set: included
// by plastic_kernel_generic.cpp and plastic_kernel_avx2.cpp with DOPA_KERNEL_ISA set to the
// namespace name. The entry points are declared in plastic_kernel_isa.h. Equations: plastic_rnn.h.
//
// Reductions carry `#pragma omp simd reduction`: without -ffast-math the compiler may not reorder a
// floating-point sum, and the pragma (with -fopenmp-simd) allows exactly that, for these loops only.
#include <algorithm>
#include <cmath>
#include <vector>

#include "dopa/nn/plastic_kernel_isa.h"

namespace dopa::nn::kernel::DOPA_KERNEL_ISA {

namespace {

template <class S>
inline S clip(S p, S c) {
  return p < -c ? -c : (p > c ? c : p);
}

// The trace rule, for clip and soft: the new trace value.
template <class S, Rule R>
inline S apply_rule(S c, S hebb, S increment) {
  if constexpr (R == Rule::Soft) {
    return hebb + (increment > 0 ? increment * (c - hebb) : S(0)) + (increment < 0 ? increment * (hebb + c) : S(0));
  } else {
    return clip(hebb + increment, c);
  }
}

// d rule / d increment and d rule / d hebb, as autograd computes them: clamp passes the gradient
// where -c <= p <= c, relu where its input is > 0.
template <class S, Rule R>
inline void rule_grads(S c, S hebb, S increment, S& d_increment, S& d_hebb) {
  if constexpr (R == Rule::Soft) {
    d_increment = increment > 0 ? c - hebb : (increment < 0 ? hebb + c : S(0));
    d_hebb = S(1) - (increment > 0 ? increment : (increment < 0 ? -increment : S(0)));
  } else {
    const S p = hebb + increment;
    const S pass = (p >= -c && p <= c) ? S(1) : S(0);
    d_increment = pass;
    d_hebb = pass;
  }
}

// h = tanh(u + (W + alpha . H) hp). Four rows at a time: four independent sums keep the
// floating-point units busy where one sum would wait on its own latency.
template <class S>
void activate(const Config& cfg, const Params<S>& p, const S* u, const S* hp, const S* hebb, S* h) {
  const int64_t n = cfg.n;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const S* W0 = p.w + i * n;
    const S* A0 = p.alpha + i * n;
    const S* H0 = hebb + i * n;
    S acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
#pragma omp simd reduction(+ : acc0, acc1, acc2, acc3)
    for (int64_t j = 0; j < n; ++j) {
      const S x = hp[j];
      acc0 += (W0[j] + A0[j] * H0[j]) * x;
      acc1 += (W0[n + j] + A0[n + j] * H0[n + j]) * x;
      acc2 += (W0[2 * n + j] + A0[2 * n + j] * H0[2 * n + j]) * x;
      acc3 += (W0[3 * n + j] + A0[3 * n + j] * H0[3 * n + j]) * x;
    }
    h[i] = std::tanh(u[i] + acc0);
    h[i + 1] = std::tanh(u[i + 1] + acc1);
    h[i + 2] = std::tanh(u[i + 2] + acc2);
    h[i + 3] = std::tanh(u[i + 3] + acc3);
  }
  for (; i < n; ++i) {
    const S* W = p.w + i * n;
    const S* A = p.alpha + i * n;
    const S* H = hebb + i * n;
    S acc = 0;
#pragma omp simd reduction(+ : acc)
    for (int64_t j = 0; j < n; ++j) acc += (W[j] + A[j] * H[j]) * hp[j];
    h[i] = std::tanh(u[i] + acc);
  }
}

// The modulator: m = [tanh(z)] [+ kappa delta] with z = w_M . h + b_M; rate_i = f_i m + g_i, or m.
template <class S>
void modulate(const Config& cfg, const Params<S>& p, const S* h, S delta, S* z_out, S* m_out, S* rate) {
  S z = 0, m = 0;
  if (cfg.learned) {
    S acc = 0;
#pragma omp simd reduction(+ : acc)
    for (int64_t i = 0; i < cfg.n; ++i) acc += p.wm[i] * h[i];
    z = p.bm + acc;
    m = std::tanh(z);
  }
  if (cfg.dopamine) m += p.kappa * delta;
  for (int64_t i = 0; i < cfg.n; ++i) rate[i] = cfg.fanout ? p.f[i] * m + p.g[i] : m;
  *z_out = z;
  *m_out = m;
}

// The trace update of one step for one kind and rule: H_out (E_out) from H_in (E_in). In and out
// may be the same arrays (the rollout updates in place; the backward pass writes the next slot).
template <class S, Kind K, Rule R>
void update_traces_for(const Config& cfg, const Params<S>& p, const S* hp, const S* h, const S* rate,
                       const S* hebb_in, S* hebb_out, const S* elig_in, S* elig_out) {
  const int64_t n = cfg.n;
  const S c = static_cast<S>(cfg.c), eta = p.eta;
  for (int64_t i = 0; i < n; ++i) {
    const S* Hi = hebb_in + i * n;
    S* Ho = hebb_out + i * n;
    const S hi = h[i];
    if constexpr (K == Kind::Plastic && R == Rule::Decay) {
#pragma omp simd
      for (int64_t j = 0; j < n; ++j) Ho[j] = (S(1) - eta) * Hi[j] + eta * (hi * hp[j]);
    } else if constexpr (K == Kind::Plastic && R == Rule::Oja) {
#pragma omp simd
      for (int64_t j = 0; j < n; ++j) Ho[j] = Hi[j] + eta * (hi * hp[j] - hi * hi * Hi[j]);
    } else if constexpr (K == Kind::Plastic) {
#pragma omp simd
      for (int64_t j = 0; j < n; ++j) Ho[j] = apply_rule<S, R>(c, Hi[j], eta * (hi * hp[j]));
    } else if constexpr (K == Kind::ModPlast) {
      const S r = rate[i];
#pragma omp simd
      for (int64_t j = 0; j < n; ++j) Ho[j] = apply_rule<S, R>(c, Hi[j], r * (hi * hp[j]));
    } else {
      const S r = rate[i];
      const S* Ei = elig_in + i * n;
      S* Eo = elig_out + i * n;
#pragma omp simd
      for (int64_t j = 0; j < n; ++j) {
        const S e = Ei[j];
        Ho[j] = apply_rule<S, R>(c, Hi[j], r * e);
        Eo[j] = (S(1) - eta) * e + eta * (hi * hp[j]);
      }
    }
  }
}

// Pass A of the backward step: through the trace update. In: GH = dL/dH_t, GE = dL/dE_t. Out: GH,
// GE become the parts of dL/dH_{t-1}, dL/dE_{t-1} that flow through the trace rule; dh_local and
// dhp receive the gradients of h_t and h_{t-1} through outer products (and Oja's decay term), dr
// those of the rates; the return value is d eta.
template <class S, Kind K, Rule R>
S backward_traces_for(const Config& cfg, const Params<S>& p, const S* hp, const S* h, const S* Hp, const S* Ep,
                      const S* rate, S* dH, S* dE, S* dh_local, S* dhp, S* dr) {
  const int64_t n = cfg.n;
  const S c = static_cast<S>(cfg.c), eta = p.eta;
  S d_eta = 0;
  for (int64_t i = 0; i < n; ++i) {
    S* GH = dH + i * n;
    const S* H = Hp + i * n;
    const S hi = h[i];
    S dh_i = 0, dr_i = 0, d_eta_i = 0;
    if constexpr (K == Kind::Plastic && R == Rule::Decay) {
#pragma omp simd reduction(+ : dh_i, d_eta_i)
      for (int64_t j = 0; j < n; ++j) {
        const S outer = hi * hp[j];
        d_eta_i += GH[j] * (outer - H[j]);
        const S d_outer = GH[j] * eta;
        GH[j] = GH[j] * (S(1) - eta);
        dh_i += d_outer * hp[j];
        dhp[j] += d_outer * hi;
      }
    } else if constexpr (K == Kind::Plastic && R == Rule::Oja) {
#pragma omp simd reduction(+ : dh_i, d_eta_i)
      for (int64_t j = 0; j < n; ++j) {
        const S outer = hi * hp[j];
        d_eta_i += GH[j] * (outer - hi * hi * H[j]);
        const S d_outer = eta * GH[j];
        dh_i += d_outer * hp[j] - S(2) * eta * hi * GH[j] * H[j];
        GH[j] = GH[j] * (S(1) - eta * hi * hi);
        dhp[j] += d_outer * hi;
      }
    } else if constexpr (K == Kind::Plastic) {
#pragma omp simd reduction(+ : dh_i, d_eta_i)
      for (int64_t j = 0; j < n; ++j) {
        const S outer = hi * hp[j];
        S d_inc, d_hebb;
        rule_grads<S, R>(c, H[j], eta * outer, d_inc, d_hebb);
        const S g_inc = GH[j] * d_inc;
        d_eta_i += g_inc * outer;
        const S d_outer = eta * g_inc;
        GH[j] = GH[j] * d_hebb;
        dh_i += d_outer * hp[j];
        dhp[j] += d_outer * hi;
      }
    } else if constexpr (K == Kind::ModPlast) {
      const S ri = rate[i];
#pragma omp simd reduction(+ : dh_i, dr_i)
      for (int64_t j = 0; j < n; ++j) {
        const S outer = hi * hp[j];
        S d_inc, d_hebb;
        rule_grads<S, R>(c, H[j], ri * outer, d_inc, d_hebb);
        const S g_inc = GH[j] * d_inc;
        dr_i += g_inc * outer;
        const S d_outer = ri * g_inc;
        GH[j] = GH[j] * d_hebb;
        dh_i += d_outer * hp[j];
        dhp[j] += d_outer * hi;
      }
    } else {
      const S ri = rate[i];
      S* GE = dE + i * n;
      const S* E = Ep + i * n;
#pragma omp simd reduction(+ : dh_i, dr_i, d_eta_i)
      for (int64_t j = 0; j < n; ++j) {
        const S outer = hi * hp[j];
        S d_inc, d_hebb;
        rule_grads<S, R>(c, H[j], ri * E[j], d_inc, d_hebb);
        const S g_inc = GH[j] * d_inc;
        dr_i += g_inc * E[j];
        d_eta_i += GE[j] * (outer - E[j]);
        const S d_outer = eta * GE[j];
        GE[j] = ri * g_inc + (S(1) - eta) * GE[j];
        GH[j] = GH[j] * d_hebb;
        dh_i += d_outer * hp[j];
        dhp[j] += d_outer * hi;
      }
    }
    dh_local[i] += dh_i;
    dr[i] = dr_i;
    d_eta += d_eta_i;
  }
  return d_eta;
}

// Runtime kind and rule -> the instantiation.
template <class S, class F>
auto with_kind_and_rule(const Config& cfg, F&& f) {
  auto rule = [&](auto kind) {
    switch (cfg.rule) {
      case Rule::Soft: return f(kind, std::integral_constant<Rule, Rule::Soft>());
      case Rule::Decay: return f(kind, std::integral_constant<Rule, Rule::Decay>());
      case Rule::Oja: return f(kind, std::integral_constant<Rule, Rule::Oja>());
      default: return f(kind, std::integral_constant<Rule, Rule::Clip>());
    }
  };
  switch (cfg.kind) {
    case Kind::ModPlast: return rule(std::integral_constant<Kind, Kind::ModPlast>());
    case Kind::Modul: return rule(std::integral_constant<Kind, Kind::Modul>());
    default: return rule(std::integral_constant<Kind, Kind::Plastic>());
  }
}

template <class S>
void update_traces(const Config& cfg, const Params<S>& p, const S* hp, const S* h, const S* rate, const S* hebb_in,
                   S* hebb_out, const S* elig_in, S* elig_out) {
  with_kind_and_rule<S>(cfg, [&](auto kind, auto rule) {
    update_traces_for<S, decltype(kind)::value, decltype(rule)::value>(cfg, p, hp, h, rate, hebb_in, hebb_out,
                                                                      elig_in, elig_out);
    return 0;
  });
}

template <class S>
void plasticity_impl(const Config& cfg, const Params<S>& p, const S* hp, const S* h, S* hebb, S* elig, S delta, S* z,
                     S* m, S* rate) {
  if (cfg.kind != Kind::Plastic) modulate(cfg, p, h, delta, z, m, rate);
  update_traces(cfg, p, hp, h, rate, hebb, hebb, elig, elig);
}

// The first part of one backward step, for one batch element: through the trace update (pass A)
// and the modulator, then through tanh. In: the step's inputs (hp = h_{t-1}, Hp = H_{t-1},
// Ep = E_{t-1}), its outputs h, z, m, the external gradient of h (g_ext), and the gradients arriving
// from later steps: dh (of h_t), dH (of H_t), dE (of E_t). Out: du = dL/da_t = dL/du_t; dH, dE hold
// the parts of dL/dH_{t-1}, dL/dE_{t-1} that flow through the trace rule; dhp (N, in scratch)
// the part of dL/dh_{t-1} that flows through the outer products. Parameter gradients accumulate.
template <class S>
void backward_local(const Config& cfg, const Params<S>& p, GradSums<S>& grads, const S* hp, const S* h, const S* Hp,
                    const S* Ep, S delta, S z, S m, const S* g_ext, const S* dh, S* dH, S* dE, S* du, S* scratch,
                    S* dhp) {
  const int64_t n = cfg.n;
  S* rate = scratch;
  S* dr = rate + n;
  S* dh_local = dr + n;
  for (int64_t i = 0; i < n; ++i) {
    rate[i] = cfg.kind == Kind::Plastic ? S(0) : (cfg.fanout ? p.f[i] * m + p.g[i] : m);
    dr[i] = dh_local[i] = dhp[i] = 0;
  }

  grads.eta += with_kind_and_rule<S>(cfg, [&](auto kind, auto rule) {
    return backward_traces_for<S, decltype(kind)::value, decltype(rule)::value>(cfg, p, hp, h, Hp, Ep, rate, dH, dE,
                                                                               dh_local, dhp, dr);
  });

  // The modulator.
  if (cfg.kind != Kind::Plastic) {
    S dm = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (cfg.fanout) {
        dm += dr[i] * p.f[i];
        grads.f[i] += dr[i] * m;
        grads.g[i] += dr[i];
      } else {
        dm += dr[i];
      }
    }
    if (cfg.dopamine) grads.kappa += dm * delta;
    if (cfg.learned) {
      const S t = std::tanh(z);
      const S dz = dm * (S(1) - t * t);
      grads.bm += dz;
      for (int64_t i = 0; i < n; ++i) {
        grads.wm[i] += dz * h[i];
        dh_local[i] += dz * p.wm[i];
      }
    }
  }

  // h_t = tanh(a_t).
  for (int64_t i = 0; i < n; ++i) du[i] = (g_ext[i] + dh[i] + dh_local[i]) * (S(1) - h[i] * h[i]);
}

// The second part (pass B), for G batch elements at once so that the rows of W, alpha and dL/dalpha
// are read once for all of them: a_t = u_t + (W + alpha . H_{t-1}) h_{t-1}. Adds to dH (of H_{t-1})
// and dhp (of h_{t-1}); dL/dalpha accumulates. (dL/dW = sum_t da_t (x) h_{t-1} is one matrix product
// over the whole episode, left to the caller: du holds da.)
template <class S, int G>
void backward_pass_b(const Config& cfg, const Params<S>& p, GradSums<S>& grads, const S* const* hp,
                     const S* const* Hp, S* const* dH, const S* const* du, S* const* dhp) {
  const int64_t n = cfg.n;
  for (int64_t i = 0; i < n; ++i) {
    const S* W = p.w + i * n;
    const S* A = p.alpha + i * n;
    S* gA = grads.alpha + i * n;
    const S* H[G];
    S* GH[G];
    S da[G];
    for (int g = 0; g < G; ++g) {
      H[g] = Hp[g] + i * n;
      GH[g] = dH[g] + i * n;
      da[g] = du[g][i];
    }
#pragma omp simd
    for (int64_t j = 0; j < n; ++j) {
      S grad_alpha = 0;
      for (int g = 0; g < G; ++g) {
        const S x = da[g] * hp[g][j];
        grad_alpha += x * H[g][j];
        GH[g][j] += A[j] * x;
        dhp[g][j] += (W[j] + A[j] * H[g][j]) * da[g];
      }
      gA[j] += grad_alpha;
    }
  }
}

}  // namespace

template <class S>
void step_activate(const Config& cfg, const Params<S>& p, int64_t batch, const S* u, const S* hp, const S* hebb,
                   S* h) {
  for (int64_t b = 0; b < batch; ++b)
    activate(cfg, p, u + b * cfg.n, hp + b * cfg.n, hebb + b * cfg.n * cfg.n, h + b * cfg.n);
}

template <class S>
void step_plasticity(const Config& cfg, const Params<S>& p, int64_t batch, const S* hp, const S* h, S* hebb, S* elig,
                     const S* delta, S* rates, S* zs, S* ms) {
  const int64_t n = cfg.n, rate_size = cfg.fanout ? n : 1;
  std::vector<S> rate(n);
  for (int64_t b = 0; b < batch; ++b) {
    plasticity_impl(cfg, p, hp + b * n, h + b * n, hebb + b * n * n, elig ? elig + b * n * n : nullptr,
                    delta ? delta[b] : S(0), zs + b, ms + b, rate.data());
    std::copy_n(rate.data(), rate_size, rates + b * rate_size);
  }
}

template <class S>
void episode_forward(const Config& cfg, const Params<S>& p, int64_t T, int64_t B, const S* u, const S* delta, S* hs,
                     S* zs, S* ms, S* hebb_checkpoints, S* elig_checkpoints) {
  const int64_t n = cfg.n, nn = n * n, segments = (T + kCheckpointEvery - 1) / kCheckpointEvery;
  const bool modul = cfg.kind == Kind::Modul;
  std::vector<S> hebb(nn), elig(modul ? nn : 0), rate(n), zero(n, S(0));
  for (int64_t b = 0; b < B; ++b) {
    std::fill(hebb.begin(), hebb.end(), S(0));
    std::fill(elig.begin(), elig.end(), S(0));
    for (int64_t t = 0; t < T; ++t) {
      if (t % kCheckpointEvery == 0) {
        std::copy(hebb.begin(), hebb.end(), hebb_checkpoints + (b * segments + t / kCheckpointEvery) * nn);
        if (modul) std::copy(elig.begin(), elig.end(), elig_checkpoints + (b * segments + t / kCheckpointEvery) * nn);
      }
      const S* hp = t == 0 ? zero.data() : hs + ((t - 1) * B + b) * n;
      S* h = hs + (t * B + b) * n;
      activate(cfg, p, u + (t * B + b) * n, hp, hebb.data(), h);
      plasticity_impl(cfg, p, hp, h, hebb.data(), modul ? elig.data() : nullptr, delta ? delta[t * B + b] : S(0),
                      zs + t * B + b, ms + t * B + b, rate.data());
    }
  }
}

template <class S>
void episode_backward(const Config& cfg, const Params<S>& p, int64_t T, int64_t B, const S* hs, const S* zs,
                      const S* ms, const S* delta, const S* hebb_checkpoints, const S* elig_checkpoints,
                      const S* grad_hs, S* du, GradSums<S>& grads) {
  const int64_t n = cfg.n, nn = n * n, K = kCheckpointEvery, segments = (T + K - 1) / K;
  const bool modul = cfg.kind == Kind::Modul;
  // Batch elements go through the backward pass two at a time (pass B shares its parameter rows).
  constexpr int kGroup = 2;
  // Per element of a group: the traces before each step of one segment (and E), recomputed from
  // its checkpoint, and the gradients carried from step to step.
  std::vector<S> seg_hebb(kGroup * K * nn), seg_elig(modul ? kGroup * K * nn : 0);
  std::vector<S> dh(kGroup * n), dH(kGroup * nn), dE(modul ? kGroup * nn : 0), dhp(kGroup * n);
  std::vector<S> rate(n), zero(n, S(0)), scratch(3 * n);
  auto h_at = [&](int64_t t, int64_t b) { return t < 0 ? zero.data() : hs + (t * B + b) * n; };
  for (int64_t b0 = 0; b0 < B; b0 += kGroup) {
    const int group = static_cast<int>(std::min<int64_t>(kGroup, B - b0));
    std::fill(dh.begin(), dh.end(), S(0));
    std::fill(dH.begin(), dH.end(), S(0));
    std::fill(dE.begin(), dE.end(), S(0));
    for (int64_t seg = segments - 1; seg >= 0; --seg) {
      const int64_t start = seg * K, end = std::min(T, start + K);
      for (int g = 0; g < group; ++g) {
        const int64_t b = b0 + g;
        S* hebb = seg_hebb.data() + g * K * nn;
        S* elig = modul ? seg_elig.data() + g * K * nn : nullptr;
        std::copy_n(hebb_checkpoints + (b * segments + seg) * nn, nn, hebb);
        if (modul) std::copy_n(elig_checkpoints + (b * segments + seg) * nn, nn, elig);
        for (int64_t t = start; t + 1 < end; ++t) {
          const int64_t s = t - start;
          const S m = ms[t * B + b];
          for (int64_t i = 0; i < n; ++i) rate[i] = cfg.fanout ? p.f[i] * m + p.g[i] : m;
          update_traces(cfg, p, h_at(t - 1, b), h_at(t, b), rate.data(), hebb + s * nn, hebb + (s + 1) * nn,
                        modul ? elig + s * nn : nullptr, modul ? elig + (s + 1) * nn : nullptr);
        }
      }
      for (int64_t t = end - 1; t >= start; --t) {
        const int64_t s = t - start;
        const S* hp[kGroup];
        const S* Hp[kGroup];
        S* GH[kGroup];
        const S* da[kGroup];
        S* dh_prev[kGroup];
        for (int g = 0; g < group; ++g) {
          const int64_t b = b0 + g;
          hp[g] = h_at(t - 1, b);
          Hp[g] = seg_hebb.data() + (g * K + s) * nn;
          GH[g] = dH.data() + g * nn;
          da[g] = du + (t * B + b) * n;
          dh_prev[g] = dhp.data() + g * n;
          backward_local(cfg, p, grads, hp[g], h_at(t, b), Hp[g],
                         modul ? seg_elig.data() + (g * K + s) * nn : nullptr, delta ? delta[t * B + b] : S(0),
                         zs[t * B + b], ms[t * B + b], grad_hs + (t * B + b) * n, dh.data() + g * n, GH[g],
                         modul ? dE.data() + g * nn : nullptr, du + (t * B + b) * n, scratch.data(), dh_prev[g]);
        }
        if (group == 2) {
          backward_pass_b<S, 2>(cfg, p, grads, hp, Hp, GH, da, dh_prev);
        } else {
          backward_pass_b<S, 1>(cfg, p, grads, hp, Hp, GH, da, dh_prev);
        }
        for (int g = 0; g < group; ++g) std::copy_n(dh_prev[g], n, dh.data() + g * n);
      }
    }
  }
}

#define DOPA_INSTANTIATE(S)                                                                                        \
  template void step_activate<S>(const Config&, const Params<S>&, int64_t, const S*, const S*, const S*, S*);     \
  template void step_plasticity<S>(const Config&, const Params<S>&, int64_t, const S*, const S*, S*, S*, const S*, \
                                   S*, S*, S*);                                                                    \
  template void episode_forward<S>(const Config&, const Params<S>&, int64_t, int64_t, const S*, const S*, S*, S*,  \
                                   S*, S*, S*);                                                                    \
  template void episode_backward<S>(const Config&, const Params<S>&, int64_t, int64_t, const S*, const S*,         \
                                    const S*, const S*, const S*, const S*, const S*, S*, GradSums<S>&);
DOPA_INSTANTIATE(float)
DOPA_INSTANTIATE(double)
#undef DOPA_INSTANTIATE

}  // namespace dopa::nn::kernel::DOPA_KERNEL_ISA
