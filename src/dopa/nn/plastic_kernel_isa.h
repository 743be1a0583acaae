// The plastic kernel's entry points, compiled once per instruction set (plastic_kernel_impl.h):
// kernel::generic (the compiler's baseline), kernel::avx2 (AVX2 + FMA) and kernel::avx512.
// plastic_kernel.cpp picks the best the CPU runs when the program starts. No torch here: raw arrays, row-major, batch-major.
#pragma once

#include <cstdint>
#include <vector>

#include "dopa/nn/core_kinds.h"

namespace dopa::nn::kernel {

using Kind = CoreKind;  // Plastic, ModPlast or Modul here
using Rule = TraceRule;


struct Config {
  int64_t n = 0;
  Kind kind = Kind::Plastic;
  Rule rule = Rule::Clip;
  double c = 1.0;  // trace bound
  bool learned = false, dopamine = false, fanout = false;
  // Steps between stored traces: the backward pass recomputes the traces of one segment of this
  // many steps for two batch elements at a time, and that buffer should fit in L2 (plastic_kernel.cpp
  // picks it).
  int64_t checkpoint_every = 20;
  int64_t segments(int64_t steps) const { return (steps + checkpoint_every - 1) / checkpoint_every; }
};

// Parameters: w, alpha (N x N, row i = the inputs of neuron i); the scalars; wm, f, g (N).
template <class S>
struct Params {
  const S* w = nullptr;
  const S* alpha = nullptr;
  S eta = 0, bm = 0, kappa = 0;
  const S* wm = nullptr;
  const S* f = nullptr;
  const S* g = nullptr;
};

// Parameter gradients, accumulated (W's is a matrix product the caller does).
template <class S>
struct GradSums {
  std::vector<S> alpha_storage, wm, f, g;
  S* alpha;
  S eta = 0, bm = 0, kappa = 0;
  explicit GradSums(int64_t n) : alpha_storage(n * n), wm(n), f(n), g(n), alpha(alpha_storage.data()) {}
};

#define DOPA_DECLARE_KERNEL_ISA(isa)                                                                              \
  namespace isa {                                                                                                 \
  /* h (B, N) = tanh(u + (W + alpha . H) hp) */                                                                  \
  template <class S>                                                                                              \
  void step_activate(const Config& cfg, const Params<S>& p, int64_t batch, const S* u, const S* hp, const S* hebb, \
                     S* h);                                                                                       \
  /* the modulator and the traces from hebb_in (elig_in) into hebb_out (elig_out), which may be the same */      \
  /* arrays; rates (B, 1 or N) receive the rates, zs and ms (B) z_t and M_t */                                    \
  template <class S>                                                                                              \
  void step_plasticity(const Config& cfg, const Params<S>& p, int64_t batch, const S* hp, const S* h,             \
                       const S* hebb_in, S* hebb_out, const S* elig_in, S* elig_out, const S* delta, S* rates,    \
                       S* zs, S* ms);                                                                             \
  /* a whole episode: hs (T, B, N), zs and ms (T, B), the traces before every checkpoint_every-th step: */   \
  /* hebb_checkpoints[segment] (B, N, N), and elig_checkpoints for modul */                   \
  template <class S>                                                                                              \
  void episode_forward(const Config& cfg, const Params<S>& p, int64_t T, int64_t B, const S* u, const S* delta,   \
                       S* hs, S* zs, S* ms, S* const* hebb_checkpoints, S* const* elig_checkpoints);                            \
  /* its backward pass: du (T, B, N) and the parameter gradients except w's (the caller's: du^T h_prev) */                                              \
  template <class S>                                                                                              \
  void episode_backward(const Config& cfg, const Params<S>& p, int64_t T, int64_t B, const S* hs, const S* zs,    \
                        const S* ms, const S* delta, const S* const* hebb_checkpoints, const S* const* elig_checkpoints,        \
                        const S* grad_hs, S* du, GradSums<S>& grads);                                            \
  }

DOPA_DECLARE_KERNEL_ISA(generic)
DOPA_DECLARE_KERNEL_ISA(avx2)
DOPA_DECLARE_KERNEL_ISA(avx512)
#undef DOPA_DECLARE_KERNEL_ISA

}  // namespace dopa::nn::kernel
