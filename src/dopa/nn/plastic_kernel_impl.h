// The plastic network's math as plain loops (no torch), compiled once per instruction set: included
// by plastic_kernel_generic.cpp, plastic_kernel_avx2.cpp and plastic_kernel_avx512.cpp with
// DOPA_KERNEL_ISA set to the namespace name. The entry points are declared in plastic_kernel_isa.h.
// Equations: plastic_rnn.h.
//
// Why it is shaped like this: one step of one batch element is a few passes over N x N arrays
// (40 KB each at N = 100, larger than L1), so the time goes into moving those arrays, not into
// arithmetic. Hence: batch elements go in pairs through the passes that read the shared W and alpha
// (they are read once for both); the backward pass fuses the two passes of neighbouring steps that
// touch the same rows (pass B of step t+1 and pass A of step t, see episode_backward), and the clip
// rule's backward reads only the trace after the update (see rule_grads).
//
// Sums over a row are plain loops: the kernel's files are compiled with -fassociative-math (and
// -fno-signed-zeros -fno-trapping-math, which it needs), so the compiler may reorder them into
// vector sums with a tree at the end. (An `omp simd reduction` ends each sum with its lanes added one
// by one, which at N = 100 cost more than the sum itself.) `GCC ivdep` says the loop's stores do not
// alias its loads. Nothing else of -ffast-math is on: no reciprocal approximations, NaN and
// infinity behave.

#include <algorithm>
#include <cmath>
#include <vector>

#include "dopa/nn/plastic_kernel_isa.h"

// glibc's vector math library (libmvec) has SIMD versions of tanh; declaring them `omp declare simd`
// lets the compiler call them from vectorised loops (glibc declares them so itself only under
// -ffast-math). Accuracy: a few ulp, as the scalar functions.
extern "C" {
#pragma omp declare simd notinbranch
float tanhf(float) noexcept;
#pragma omp declare simd notinbranch
double tanh(double) noexcept;
}

namespace dopa::nn::kernel::DOPA_KERNEL_ISA {

namespace {

inline float tanh_of(float x) { return tanhf(x); }
inline double tanh_of(double x) { return tanh(x); }

// x = tanh(x), vectorised.
template <class S>
void tanh_in_place(S* x, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) x[i] = tanh_of(x[i]);
}

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

// d rule / d increment and d rule / d hebb_in for clip and soft. Soft reads the trace before the
// update (hebb_in), as autograd's relu does. Clip reads the trace after it (hebb_out): the gradient
// passes where the clipped value is strictly inside (-c, c). Autograd's clamp also passes it where
// hebb_in + increment lands exactly on +-c, a case of measure zero; reading hebb_out instead
// spares the backward pass a whole N x N array per step.
template <class S, Rule R>
inline void rule_grads(S c, S hebb_in, S hebb_out, S increment, S& d_increment, S& d_hebb) {
  if constexpr (R == Rule::Soft) {
    d_increment = increment > 0 ? c - hebb_in : (increment < 0 ? hebb_in + c : S(0));
    d_hebb = S(1) - (increment > 0 ? increment : (increment < 0 ? -increment : S(0)));
  } else {
    const S pass = (hebb_out > -c && hebb_out < c) ? S(1) : S(0);
    d_increment = pass;
    d_hebb = pass;
  }
}

// h = tanh(u + (W + alpha . H) hp) for one batch element. Four rows at a time: four independent
// sums keep the floating-point units busy where one sum would wait on its own latency.
template <class S>
void activate_one(int64_t n, const Params<S>& p, const S* u, const S* hp, const S* hebb, S* h) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const S* W0 = p.w + i * n;
    const S* A0 = p.alpha + i * n;
    const S* H0 = hebb + i * n;
    S acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
#pragma GCC ivdep
    for (int64_t j = 0; j < n; ++j) {
      const S x = hp[j];
      acc0 += (W0[j] + A0[j] * H0[j]) * x;
      acc1 += (W0[n + j] + A0[n + j] * H0[n + j]) * x;
      acc2 += (W0[2 * n + j] + A0[2 * n + j] * H0[2 * n + j]) * x;
      acc3 += (W0[3 * n + j] + A0[3 * n + j] * H0[3 * n + j]) * x;
    }
    h[i] = u[i] + acc0;
    h[i + 1] = u[i + 1] + acc1;
    h[i + 2] = u[i + 2] + acc2;
    h[i + 3] = u[i + 3] + acc3;
  }
  for (; i < n; ++i) {
    const S* W = p.w + i * n;
    const S* A = p.alpha + i * n;
    const S* H = hebb + i * n;
    S acc = 0;
#pragma GCC ivdep
    for (int64_t j = 0; j < n; ++j) acc += (W[j] + A[j] * H[j]) * hp[j];
    h[i] = u[i] + acc;
  }
  tanh_in_place(h, n);
}

// The same for two batch elements (a, b) at once: each row of W and alpha is read once for both.
template <class S>
void activate_two(int64_t n, const Params<S>& p, const S* ua, const S* ub, const S* hpa, const S* hpb,
                  const S* hebba, const S* hebbb, S* ha, S* hb) {
  int64_t i = 0;
  for (; i + 2 <= n; i += 2) {
    const S* W0 = p.w + i * n;
    const S* A0 = p.alpha + i * n;
    const S* Ha = hebba + i * n;
    const S* Hb = hebbb + i * n;
    S a0 = 0, a1 = 0, b0 = 0, b1 = 0;
#pragma GCC ivdep
    for (int64_t j = 0; j < n; ++j) {
      const S w0 = W0[j], w1 = W0[n + j], al0 = A0[j], al1 = A0[n + j];
      a0 += (w0 + al0 * Ha[j]) * hpa[j];
      a1 += (w1 + al1 * Ha[n + j]) * hpa[j];
      b0 += (w0 + al0 * Hb[j]) * hpb[j];
      b1 += (w1 + al1 * Hb[n + j]) * hpb[j];
    }
    ha[i] = ua[i] + a0;
    ha[i + 1] = ua[i + 1] + a1;
    hb[i] = ub[i] + b0;
    hb[i + 1] = ub[i + 1] + b1;
  }
  for (; i < n; ++i) {
    const S* W = p.w + i * n;
    const S* A = p.alpha + i * n;
    const S* Ha = hebba + i * n;
    const S* Hb = hebbb + i * n;
    S a = 0, b = 0;
#pragma GCC ivdep
    for (int64_t j = 0; j < n; ++j) {
      a += (W[j] + A[j] * Ha[j]) * hpa[j];
      b += (W[j] + A[j] * Hb[j]) * hpb[j];
    }
    ha[i] = ua[i] + a;
    hb[i] = ub[i] + b;
  }
  tanh_in_place(ha, n);
  tanh_in_place(hb, n);
}

// The rates that scale row i of the trace update: f_i m + g_i (fan-out), or m.
template <class S>
void rates_of(const Config& cfg, const Params<S>& p, S m, S* rate) {
  for (int64_t i = 0; i < cfg.n; ++i) rate[i] = cfg.fanout ? p.f[i] * m + p.g[i] : m;
}

// The modulator: m = [tanh(z)] [+ kappa delta] with z = w_M . h + b_M; rate_i = f_i m + g_i, or m.
template <class S>
void modulate(const Config& cfg, const Params<S>& p, const S* h, S delta, S* z_out, S* m_out, S* rate) {
  S z = 0, m = 0;
  if (cfg.learned) {
    S acc = 0;
#pragma GCC ivdep
    for (int64_t i = 0; i < cfg.n; ++i) acc += p.wm[i] * h[i];
    z = p.bm + acc;
    m = std::tanh(z);
  }
  if (cfg.dopamine) m += p.kappa * delta;
  rates_of(cfg, p, m, rate);
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
void plasticity_impl(const Config& cfg, const Params<S>& p, const S* hp, const S* h, const S* hebb_in, S* hebb_out,
                     const S* elig_in, S* elig_out, S delta, S* z, S* m, S* rate) {
  if (cfg.kind != Kind::Plastic) modulate(cfg, p, h, delta, z, m, rate);
  update_traces(cfg, p, hp, h, rate, hebb_in, hebb_out, elig_in, elig_out);
}

// One batch element's view of one backward step t (see episode_backward).
template <class S>
struct BackwardStep {
  const S* h = nullptr;          // h_t
  const S* hp = nullptr;         // h_{t-1}
  const S* hebb = nullptr;       // H_t (the trace after step t)
  const S* hebb_prev = nullptr;  // H_{t-1}
  const S* elig_prev = nullptr;  // E_{t-1}
  const S* rate = nullptr;       // the row rates of step t (N)
  const S* du_next = nullptr;    // dL/da_{t+1} (pass B of step t+1), or null at the last step
  S* dH = nullptr;               // in: the part of dL/dH_t through step t+1's trace rule; out: that of H_{t-1}
  S* dE = nullptr;               // in: dL/dE_t; out: dL/dE_{t-1}
  S* dh = nullptr;               // dL/dh_t from later steps: pass B of step t+1 adds its part
  S* dh_prev = nullptr;          // dL/dh_{t-1} through step t's outer products (zero on entry)
  S* dh_local = nullptr;         // dL/dh_t through step t's outer products and modulator (zero on entry)
  S* dr = nullptr;               // dL/d rate_t (out)
  S d_eta = 0;                   // dL/d eta from step t (out)
};

// Row i of one element, as pass A of step t sees it.
template <class S>
struct RowA {
  S* GH;          // row i of dL/dH_t, turned into that of dL/dH_{t-1}
  const S* H;     // row i of H_{t-1}
  const S* Ho;    // row i of H_t
  S* GE;          // row i of dL/dE_t (modul), turned into that of dL/dE_{t-1}
  const S* E;     // row i of E_{t-1} (modul)
  const S* hp;    // h_{t-1}
  S* dhp;         // dL/dh_{t-1} (columns)
  S hi, ri;       // h_t[i], rate_t[i]
};

template <class S>
RowA<S> row_a(const BackwardStep<S>& e, int64_t i, int64_t n) {
  RowA<S> r;
  r.GH = e.dH + i * n;
  r.H = e.hebb_prev + i * n;
  r.Ho = e.hebb + i * n;
  r.GE = e.dE ? e.dE + i * n : nullptr;
  r.E = e.elig_prev ? e.elig_prev + i * n : nullptr;
  r.hp = e.hp;
  r.dhp = e.dh_prev;
  r.hi = e.h[i];
  r.ri = e.rate[i];
  return r;
}

// Pass A of step t at entry j of row i: back through the trace update. Turns GH[j] (GE[j]) from
// dL/dH_t (dL/dE_t) into the part of dL/dH_{t-1} (dL/dE_{t-1}) that flows through the trace rule;
// adds the gradient of h_{t-1}[j] through the outer product; adds to the row's sums: dh_i (the
// gradient of h_t[i] through the outer product and Oja's decay term), dr_i (of the rate) and d eta.
template <class S, Kind K, Rule R>
inline __attribute__((always_inline)) void pass_a_at(const RowA<S>& r, int64_t j, S c, S eta, S& dh_i, S& dr_i,
                                                    S& d_eta_i) {
  const S hi = r.hi, outer = hi * r.hp[j], G = r.GH[j];
  if constexpr (K == Kind::Plastic && R == Rule::Decay) {
    d_eta_i += G * (outer - r.H[j]);
    const S d_outer = G * eta;
    r.GH[j] = G * (S(1) - eta);
    dh_i += d_outer * r.hp[j];
    r.dhp[j] += d_outer * hi;
  } else if constexpr (K == Kind::Plastic && R == Rule::Oja) {
    d_eta_i += G * (outer - hi * hi * r.H[j]);
    const S d_outer = eta * G;
    dh_i += d_outer * r.hp[j] - S(2) * eta * hi * G * r.H[j];
    r.GH[j] = G * (S(1) - eta * hi * hi);
    r.dhp[j] += d_outer * hi;
  } else if constexpr (K == Kind::Plastic || K == Kind::ModPlast) {
    const S rate = K == Kind::Plastic ? eta : r.ri;
    S d_inc, d_hebb;
    rule_grads<S, R>(c, R == Rule::Clip ? S(0) : r.H[j], r.Ho[j], rate * outer, d_inc, d_hebb);
    const S g_inc = G * d_inc;
    if constexpr (K == Kind::Plastic) {
      d_eta_i += g_inc * outer;
    } else {
      dr_i += g_inc * outer;
    }
    const S d_outer = rate * g_inc;
    r.GH[j] = G * d_hebb;
    dh_i += d_outer * r.hp[j];
    r.dhp[j] += d_outer * hi;
  } else {
    const S e = r.E[j], GE = r.GE[j];
    S d_inc, d_hebb;
    rule_grads<S, R>(c, R == Rule::Clip ? S(0) : r.H[j], r.Ho[j], r.ri * e, d_inc, d_hebb);
    const S g_inc = G * d_inc;
    dr_i += g_inc * e;
    d_eta_i += GE * (outer - e);
    const S d_outer = eta * GE;
    r.GE[j] = r.ri * g_inc + (S(1) - eta) * GE;
    r.GH[j] = G * d_hebb;
    dh_i += d_outer * r.hp[j];
    r.dhp[j] += d_outer * hi;
  }
}

// Pass B of step t+1 at entry j of row i for one element: back through
// a_{t+1} = u_{t+1} + (W + alpha . H_t) h_t. Adds alpha . (da h_t^T) to dL/dH_t (GH), the
// gradient of h_t[j] (dh) and returns the element's part of dL/dalpha[i][j].
template <class S>
inline __attribute__((always_inline)) S pass_b_at(S w, S a, S da, const S* h, const S* H, S* GH, S* dh, int64_t j) {
  const S outer = da * h[j];
  GH[j] += a * outer;
  dh[j] += (w + a * H[j]) * da;
  return outer * H[j];
}

// One fused sweep over the rows for G (1 or 2) batch elements: for each row i, pass B of step t+1
// (when there is one: PassB) and then pass A of step t, in one loop over the row. Both touch row i
// of dL/dH_t, and pass B of step t+1 completes it (the only other path from H_t to the loss), so
// the row goes back through step t's trace update at once, in registers. (dL/dW = sum_t da_t
// h_{t-1}^T is one matrix product over the episode, left to the caller.)
template <class S, Kind K, Rule R, int G, bool PassB>
void fused_rows(const Config& cfg, const Params<S>& p, GradSums<S>& grads, BackwardStep<S>* e) {
  const int64_t n = cfg.n;
  const S c = static_cast<S>(cfg.c), eta = p.eta;
  const int last = G - 1;  // with one element, e[last] is e[0]
  for (int64_t i = 0; i < n; ++i) {
    const S* W = p.w + i * n;
    const S* A = p.alpha + i * n;
    S* gA = grads.alpha + i * n;
    const RowA<S> r0 = row_a(e[0], i, n), r1 = row_a(e[last], i, n);
    const S da0 = PassB ? e[0].du_next[i] : S(0), da1 = PassB ? e[last].du_next[i] : S(0);
    S dh0 = 0, dr0 = 0, de0 = 0, dh1 = 0, dr1 = 0, de1 = 0;
#pragma GCC ivdep
    for (int64_t j = 0; j < n; ++j) {
      if constexpr (PassB) {
        S grad_alpha = pass_b_at(W[j], A[j], da0, e[0].h, r0.Ho, r0.GH, e[0].dh, j);
        if constexpr (G == 2) grad_alpha += pass_b_at(W[j], A[j], da1, e[1].h, r1.Ho, r1.GH, e[1].dh, j);
        gA[j] += grad_alpha;
      }
      pass_a_at<S, K, R>(r0, j, c, eta, dh0, dr0, de0);
      if constexpr (G == 2) pass_a_at<S, K, R>(r1, j, c, eta, dh1, dr1, de1);
    }
    e[0].dh_local[i] += dh0;
    e[0].dr[i] = dr0;
    e[0].d_eta += de0;
    if constexpr (G == 2) {
      e[1].dh_local[i] += dh1;
      e[1].dr[i] = dr1;
      e[1].d_eta += de1;
    }
  }
}

// Back through the modulator and tanh for one element of step t, once its rows are done: du_t =
// dL/da_t from the external gradient g_ext, the later steps' dh and this step's dh_local and dr.
template <class S>
void finish_step(const Config& cfg, const Params<S>& p, GradSums<S>& grads, const BackwardStep<S>& e, S delta, S z,
                 S m, const S* g_ext, S* du) {
  const int64_t n = cfg.n;
  S* dh_local = e.dh_local;
  if (cfg.kind != Kind::Plastic) {
    S dm = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (cfg.fanout) {
        dm += e.dr[i] * p.f[i];
        grads.f[i] += e.dr[i] * m;
        grads.g[i] += e.dr[i];
      } else {
        dm += e.dr[i];
      }
    }
    if (cfg.dopamine) grads.kappa += dm * delta;
    if (cfg.learned) {
      const S t = std::tanh(z);
      const S dz = dm * (S(1) - t * t);
      grads.bm += dz;
      for (int64_t i = 0; i < n; ++i) {
        grads.wm[i] += dz * e.h[i];
        dh_local[i] += dz * p.wm[i];
      }
    }
  }
  grads.eta += e.d_eta;
  for (int64_t i = 0; i < n; ++i) du[i] = (g_ext[i] + e.dh[i] + dh_local[i]) * (S(1) - e.h[i] * e.h[i]);
}

}  // namespace

template <class S>
void step_activate(const Config& cfg, const Params<S>& p, int64_t batch, const S* u, const S* hp, const S* hebb,
                   S* h) {
  const int64_t n = cfg.n, nn = n * n;
  int64_t b = 0;
  for (; b + 2 <= batch; b += 2)
    activate_two(n, p, u + b * n, u + (b + 1) * n, hp + b * n, hp + (b + 1) * n, hebb + b * nn, hebb + (b + 1) * nn,
                 h + b * n, h + (b + 1) * n);
  if (b < batch) activate_one(n, p, u + b * n, hp + b * n, hebb + b * nn, h + b * n);
}

template <class S>
void step_plasticity(const Config& cfg, const Params<S>& p, int64_t batch, const S* hp, const S* h, const S* hebb_in,
                     S* hebb_out, const S* elig_in, S* elig_out, const S* delta, S* rates, S* zs, S* ms) {
  const int64_t n = cfg.n, nn = n * n, rate_size = cfg.fanout ? n : 1;
  std::vector<S> rate(n);
  for (int64_t b = 0; b < batch; ++b) {
    plasticity_impl(cfg, p, hp + b * n, h + b * n, hebb_in + b * nn, hebb_out + b * nn,
                    elig_in ? elig_in + b * nn : nullptr, elig_out ? elig_out + b * nn : nullptr,
                    delta ? delta[b] : S(0), zs + b, ms + b, rate.data());
    std::copy_n(rate.data(), rate_size, rates + b * rate_size);
  }
}

template <class S>
void episode_forward(const Config& cfg, const Params<S>& p, int64_t T, int64_t B, const S* u, const S* delta, S* hs,
                     S* zs, S* ms, S* const* hebb_checkpoints, S* const* elig_checkpoints) {
  const int64_t n = cfg.n, nn = n * n, K = cfg.checkpoint_every;
  const bool modul = cfg.kind == Kind::Modul;
  // Two batch elements at a time (activate_two), as the rollout does.
  std::vector<S> hebb(2 * nn), elig(modul ? 2 * nn : 0), rate(n), zero(n, S(0));
  for (int64_t b0 = 0; b0 < B; b0 += 2) {
    const int64_t group = std::min<int64_t>(2, B - b0);
    std::fill(hebb.begin(), hebb.end(), S(0));
    std::fill(elig.begin(), elig.end(), S(0));
    for (int64_t t = 0; t < T; ++t) {
      const S* hp[2];
      S* h[2];
      for (int64_t g = 0; g < group; ++g) {
        const int64_t b = b0 + g;
        if (t % K == 0) {
          std::copy_n(hebb.data() + g * nn, nn, hebb_checkpoints[t / K] + b * nn);
          if (modul) std::copy_n(elig.data() + g * nn, nn, elig_checkpoints[t / K] + b * nn);
        }
        hp[g] = t == 0 ? zero.data() : hs + ((t - 1) * B + b) * n;
        h[g] = hs + (t * B + b) * n;
      }
      const S* ut = u + (t * B + b0) * n;
      if (group == 2) {
        activate_two(n, p, ut, ut + n, hp[0], hp[1], hebb.data(), hebb.data() + nn, h[0], h[1]);
      } else {
        activate_one(n, p, ut, hp[0], hebb.data(), h[0]);
      }
      for (int64_t g = 0; g < group; ++g) {
        const int64_t i = t * B + b0 + g;
        S* traces = hebb.data() + g * nn;
        S* eligibility = modul ? elig.data() + g * nn : nullptr;
        plasticity_impl(cfg, p, hp[g], h[g], traces, traces, eligibility, eligibility, delta ? delta[i] : S(0),
                        zs + i, ms + i, rate.data());
      }
    }
  }
}

// The backward pass of a whole episode, two batch elements at a time, segment by segment from the
// last: the traces of a segment are recomputed from its checkpoint, then its steps go back from the
// last, each as one fused sweep over the rows (pass B of step t+1, pass A of step t: fused_rows)
// and the modulator and tanh (finish_step). Pass B of step 0 is left out: it multiplies by
// h_{-1} = 0 and H_{-1} = 0 (episodes start from a zero state).
template <class S>
void episode_backward(const Config& cfg, const Params<S>& p, int64_t T, int64_t B, const S* hs, const S* zs,
                      const S* ms, const S* delta, const S* const* hebb_checkpoints,
                      const S* const* elig_checkpoints, const S* grad_hs, S* du, GradSums<S>& grads) {
  const int64_t n = cfg.n, nn = n * n, K = cfg.checkpoint_every, segments = cfg.segments(T);
  const bool modul = cfg.kind == Kind::Modul;
  constexpr int kGroup = 2;
  // Per element of a group: slot s holds the trace after step start + s - 1 (slot 0: the
  // checkpoint), for s = 0 .. K; the gradients carried from step to step; scratch vectors.
  const int64_t slots = K + 1;
  std::vector<S> seg_hebb(kGroup * slots * nn), seg_elig(modul ? kGroup * slots * nn : 0);
  std::vector<S> dH(kGroup * nn), dE(modul ? kGroup * nn : 0);
  std::vector<S> dh(kGroup * n), dh_prev(kGroup * n), dh_local(kGroup * n), dr(kGroup * n), rate(kGroup * n);
  std::vector<S> zero(n, S(0));
  auto h_at = [&](int64_t t, int64_t b) { return t < 0 ? zero.data() : hs + (t * B + b) * n; };
  auto hebb_slot = [&](int g, int64_t s) { return seg_hebb.data() + (g * slots + s) * nn; };
  auto elig_slot = [&](int g, int64_t s) { return modul ? seg_elig.data() + (g * slots + s) * nn : nullptr; };

  with_kind_and_rule<S>(cfg, [&](auto kind, auto rule) {
    constexpr Kind Kd = decltype(kind)::value;
    constexpr Rule Rl = decltype(rule)::value;
    for (int64_t b0 = 0; b0 < B; b0 += kGroup) {
      const int group = static_cast<int>(std::min<int64_t>(kGroup, B - b0));
      std::fill(dH.begin(), dH.end(), S(0));
      std::fill(dE.begin(), dE.end(), S(0));
      std::fill(dh.begin(), dh.end(), S(0));
      for (int64_t seg = segments - 1; seg >= 0; --seg) {
        const int64_t start = seg * K, end = std::min(T, start + K);
        for (int g = 0; g < group; ++g) {
          const int64_t b = b0 + g;
          S* r = rate.data() + g * n;
          std::copy_n(hebb_checkpoints[seg] + b * nn, nn, hebb_slot(g, 0));
          if (modul) std::copy_n(elig_checkpoints[seg] + b * nn, nn, elig_slot(g, 0));
          for (int64_t t = start; t < end; ++t) {
            const int64_t s = t - start;
            if (Kd != Kind::Plastic) rates_of(cfg, p, ms[t * B + b], r);
            update_traces_for<S, Kd, Rl>(cfg, p, h_at(t - 1, b), h_at(t, b), r, hebb_slot(g, s), hebb_slot(g, s + 1),
                                         elig_slot(g, s), elig_slot(g, s + 1));
          }
        }
        for (int64_t t = end - 1; t >= start; --t) {
          const int64_t s = t - start;
          BackwardStep<S> e[kGroup];
          for (int g = 0; g < group; ++g) {
            const int64_t b = b0 + g;
            S* r = rate.data() + g * n;
            if (Kd != Kind::Plastic) rates_of(cfg, p, ms[t * B + b], r);
            std::fill_n(dh_prev.data() + g * n, n, S(0));
            std::fill_n(dh_local.data() + g * n, n, S(0));
            e[g].h = h_at(t, b);
            e[g].hp = h_at(t - 1, b);
            e[g].hebb = hebb_slot(g, s + 1);
            e[g].hebb_prev = hebb_slot(g, s);
            e[g].elig_prev = elig_slot(g, s);
            e[g].rate = r;
            e[g].du_next = t + 1 < T ? du + ((t + 1) * B + b) * n : nullptr;
            e[g].dH = dH.data() + g * nn;
            e[g].dE = modul ? dE.data() + g * nn : nullptr;
            e[g].dh = dh.data() + g * n;
            e[g].dh_prev = dh_prev.data() + g * n;
            e[g].dh_local = dh_local.data() + g * n;
            e[g].dr = dr.data() + g * n;
          }
          const bool pass_b = t + 1 < T;
          if (group == 2 && pass_b) fused_rows<S, Kd, Rl, 2, true>(cfg, p, grads, e);
          if (group == 2 && !pass_b) fused_rows<S, Kd, Rl, 2, false>(cfg, p, grads, e);
          if (group == 1 && pass_b) fused_rows<S, Kd, Rl, 1, true>(cfg, p, grads, e);
          if (group == 1 && !pass_b) fused_rows<S, Kd, Rl, 1, false>(cfg, p, grads, e);
          for (int g = 0; g < group; ++g) {
            const int64_t i = t * B + b0 + g;
            finish_step(cfg, p, grads, e[g], delta ? delta[i] : S(0), zs[i], ms[i], grad_hs + i * n, du + i * n);
            std::copy_n(e[g].dh_prev, n, e[g].dh);  // dL/dh_{t-1} so far, for the next (earlier) step
          }
        }
      }
    }
    return 0;
  });
}

#define DOPA_INSTANTIATE(S)                                                                                        \
  template void step_activate<S>(const Config&, const Params<S>&, int64_t, const S*, const S*, const S*, S*);     \
  template void step_plasticity<S>(const Config&, const Params<S>&, int64_t, const S*, const S*, const S*, S*,      \
                                   const S*, S*, const S*, S*, S*, S*);                                            \
  template void episode_forward<S>(const Config&, const Params<S>&, int64_t, int64_t, const S*, const S*, S*, S*,  \
                                   S*, S* const*, S* const*);                                                      \
  template void episode_backward<S>(const Config&, const Params<S>&, int64_t, int64_t, const S*, const S*,         \
                                    const S*, const S*, const S* const*, const S* const*, const S*, S*,            \
                                    GradSums<S>&);
DOPA_INSTANTIATE(float)
DOPA_INSTANTIATE(double)
#undef DOPA_INSTANTIATE

}  // namespace dopa::nn::kernel::DOPA_KERNEL_ISA
