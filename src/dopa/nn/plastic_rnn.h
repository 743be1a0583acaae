// Plastic recurrent networks (Miconi et al. 2018 "Differentiable plasticity", 2019 "Backpropamine").
//
// Only the recurrent N x N weights are plastic. With pre = h_{t-1}, post = h_t and
// outer = post (x) pre (row i = the inputs of neuron i):
//
//   h_t = tanh(W_in x_t + b + (W + alpha (.) H_{t-1}) h_{t-1})
//
//   plastic   H_t = rule(H_{t-1}, eta * outer)                 eta: a learned scalar
//   modplast  H_t = rule(H_{t-1}, M_t * outer)                 M_t from the new h_t
//   modul     H_t = rule(H_{t-1}, M_t * E_{t-1}),  then        (retroactive: H before E)
//             E_t = (1 - eta_E) E_{t-1} + eta_E * outer         eta_E: a learned scalar
//
// Trace rules: clip  H + D clipped to [-c, c] (c = trace_clip, 1 in the paper);
//              soft  H + [D]+ (c - H) + [D]- (H + c);
//              decay (1 - eta) H + eta * outer, and oja H + eta * post_i (pre_j - post_i H_ij)
//              (the 2018 forms; plastic only).
// Modulator M_t (modplast, modul), one per batch element:
//   learned   tanh(w_M . h_t + b_M)                              (Backpropamine)
//   dopamine  kappa * delta_{t-1}, the critic's TD error          (a three-factor rule)
//   both      tanh(w_M . h_t + b_M) + kappa * delta_{t-1}
// with kappa a learned gain (initially 1). With fanout (the simplemaze form) M_t becomes one rate per
// postsynaptic neuron: M_i = f_i M_t + g_i (a learned Linear(1 -> N) with bias).
// Initialisation as maze/batch.py: W, alpha ~ init_scale * U[0, 1), eta = eta_E = eta_init; the
// Linear layers as PyTorch's defaults.
#pragma once

#include "dopa/nn/recurrent_core.h"

namespace dopa::nn {

class PlasticRnn : public RecurrentCore {
 public:
  explicit PlasticRnn(const CoreOptions& options);

  int64_t hidden_size() const override { return options_.hidden; }
  CoreState initial_state(int64_t batch) const override;
  torch::Tensor step(const torch::Tensor& x, CoreState& state, const DopamineFn& dopamine = {}) override;
  torch::Tensor unroll(const torch::Tensor& x, const torch::Tensor& dopamine, torch::Tensor* modulators = nullptr,
                       const RolloutTape* tape = nullptr) override;
  bool uses_dopamine() const override { return dopamine_modulator(); }
  bool has_modulator() const override { return nn::has_modulator(options_.type); }

  // The autograd implementation of unroll() (the reference the fused kernel is tested against).
  torch::Tensor unroll_autograd(const torch::Tensor& x, const torch::Tensor& dopamine,
                                torch::Tensor* modulators = nullptr);

  const CoreOptions& options() const { return options_; }
  bool retroactive() const { return options_.type == CoreKind::Modul; }
  bool learned_modulator() const { return has_modulator() && options_.modulator != ModulatorSource::Dopamine; }
  bool dopamine_modulator() const { return has_modulator() && options_.modulator != ModulatorSource::Learned; }

  // Parameters (undefined when the configuration does not use them).
  torch::nn::Linear input{nullptr};    // W_in, b
  torch::Tensor w, alpha;              // (N, N)
  torch::Tensor eta;                   // (1): plastic's rate, modul's eta_E
  torch::nn::Linear modulator_head{nullptr};  // w_M, b_M: h -> 1
  torch::Tensor kappa;                 // (1): gain of the dopamine channel
  torch::nn::Linear fanout{nullptr};   // 1 -> N with bias

 private:
  // The modulator of this step, (B, 1) or (B, N) with fanout. delta: (B,) or undefined.
  torch::Tensor modulation(const torch::Tensor& h, const torch::Tensor& delta);

  CoreOptions options_;
};

// The equations of one plastic step in LibTorch operations, over any leading dimensions: a batch
// (B, N) with W, alpha (N, N), or a population's members x batch (S, B, N) with (S, 1, N, N). The
// autograd paths (PlasticRnn::step, the meta_a2c population's StackedMembers) share them; the fused kernel
// (plastic_kernel_impl.h) restates them in C++ and is tested against them.
//
// h_t = tanh(u_t + (W + alpha (.) H_{t-1}) h_{t-1}), with u_t = W_in x_t + b.
torch::Tensor plastic_hidden(const torch::Tensor& u, const torch::Tensor& h_prev, const torch::Tensor& w,
                             const torch::Tensor& alpha, const torch::Tensor& hebb);
// The modulator M_t before fanout, from the terms the core has: tanh(w_M . h_t + b_M) given
// `learned_input` = w_M . h_t + b_M (..., 1), plus kappa delta_{t-1} given `delta` (...) and `kappa`
// shaped to broadcast against (..., 1). Either may be undefined.
torch::Tensor modulator_signal(const torch::Tensor& learned_input, const torch::Tensor& kappa, const torch::Tensor& delta);
// The traces after step t (H, and E for modul), as the header comment's rules. `eta`: plastic's rate
// or modul's eta_E, shaped to broadcast against the traces (undefined for modplast); `rate`: M_t as
// (..., 1 or N, 1), scaling the rows (undefined for plastic).
void update_traces(const CoreOptions& options, const torch::Tensor& h_prev, const torch::Tensor& h,
                   const torch::Tensor& eta, const torch::Tensor& rate, torch::Tensor& hebb, torch::Tensor& elig);

}  // namespace dopa::nn
