#include "dopa/nn/plastic_rnn.h"

#include "dopa/core/error.h"
#include "dopa/nn/plastic_kernel.h"

namespace dopa::nn {

PlasticRnn::PlasticRnn(const CoreOptions& options) : options_(options) {
  const int64_t n = options.hidden;
  const bool plastic_only_rule = options.trace_rule == TraceRule::Decay || options.trace_rule == TraceRule::Oja;
  if (plastic_only_rule && options.type != CoreKind::Plastic)
    throw Error("trace_rule '" + enum_name(options.trace_rule) + "' is defined for core = \"plastic\" only; " + enum_name(options.type) +
                " takes clip or soft");
  if (!(options.trace_clip > 0)) throw Error("trace_clip must be > 0");
  input = register_module("input", torch::nn::Linear(options.inputs, n));
  w = register_parameter("w", options.init_scale * torch::rand({n, n}));
  alpha = register_parameter("alpha", options.init_scale * torch::rand({n, n}));
  if (options.type == CoreKind::Plastic || options.type == CoreKind::Modul)
    eta = register_parameter("eta", torch::full({1}, options.eta_init));
  if (learned_modulator()) modulator_head = register_module("modulator", torch::nn::Linear(n, 1));
  if (dopamine_modulator()) kappa = register_parameter("kappa", torch::ones({1}));
  if (options.fanout) {
    if (!has_modulator()) throw Error("fanout needs a modulated core (modplast or modul)");
    fanout = register_module("fanout", torch::nn::Linear(1, n));
  }
}

CoreState PlasticRnn::initial_state(int64_t batch) const {
  const int64_t n = options_.hidden;
  const auto options = w.options();
  CoreState state{{torch::zeros({batch, n}, options), torch::zeros({batch, n, n}, options)}, {}, {}};
  if (retroactive()) state.tensors.push_back(torch::zeros({batch, n, n}, options));
  return state;
}

torch::Tensor PlasticRnn::modulation(const torch::Tensor& h, const torch::Tensor& delta) {
  torch::Tensor m = modulator_signal(learned_modulator() ? modulator_head->forward(h) : torch::Tensor(), kappa, delta);
  if (fanout) m = fanout->forward(m);  // (B, N)
  return m;
}

torch::Tensor PlasticRnn::step(const torch::Tensor& x, CoreState& state, const DopamineFn& dopamine) {
  if (dopamine_modulator() && !dopamine)
    throw Error(enum_name(options_.type) + " with modulator = \"" + enum_name(options_.modulator) + "\" needs the TD error");
  if (options_.fused && w.device().is_cpu() && !torch::GradMode::is_enabled()) {
    // Rollouts: the fused kernel (a CPU kernel), traces updated in place.
    torch::Tensor elig = retroactive() ? state.tensors[2] : torch::Tensor();
    torch::Tensor h = plastic_step_fused(*this, input->forward(x), state.tensors[0], state.tensors[1], elig, dopamine,
                                         &state.modulator, state.tape.get());
    state.tensors[0] = h;
    if (retroactive()) state.tensors[2] = elig;  // a checkpointing step hands back new trace tensors
    return h;
  }
  const torch::Tensor h_prev = state.tensors[0];
  const torch::Tensor h = plastic_hidden(input->forward(x), h_prev, w, alpha, state.tensors[1]);
  torch::Tensor rate;
  if (has_modulator()) {
    torch::Tensor delta;
    if (dopamine_modulator()) delta = dopamine(h).detach();  // a signal: no gradient through it
    state.modulator = modulation(h, delta);
    rate = state.modulator.unsqueeze(2);  // (B, 1 or N, 1)
  }
  torch::Tensor no_elig;
  update_traces(options_, h_prev, h, eta, rate, state.tensors[1], retroactive() ? state.tensors[2] : no_elig);
  state.tensors[0] = h;
  return h;
}

torch::Tensor PlasticRnn::unroll_autograd(const torch::Tensor& x, const torch::Tensor& dopamine,
                                          torch::Tensor* modulators) {
  return RecurrentCore::unroll(x, dopamine, modulators);
}

torch::Tensor PlasticRnn::unroll(const torch::Tensor& x, const torch::Tensor& dopamine, torch::Tensor* modulators,
                                 const RolloutTape* tape) {
  // The fused kernel runs on the CPU; on other devices, LibTorch's operations and autograd.
  if (!options_.fused || !w.device().is_cpu()) return unroll_autograd(x, dopamine, modulators);
  return plastic_unroll_fused(*this, x, dopamine, modulators, tape);
}

torch::Tensor plastic_hidden(const torch::Tensor& u, const torch::Tensor& h_prev, const torch::Tensor& w,
                             const torch::Tensor& alpha, const torch::Tensor& hebb) {
  const torch::Tensor effective = w + alpha * hebb;  // (..., N, N)
  return torch::tanh(u + torch::matmul(effective, h_prev.unsqueeze(-1)).squeeze(-1));
}

torch::Tensor modulator_signal(const torch::Tensor& learned_input, const torch::Tensor& kappa, const torch::Tensor& delta) {
  torch::Tensor m;
  if (learned_input.defined()) m = torch::tanh(learned_input);
  if (delta.defined()) {
    const torch::Tensor d = kappa * delta.unsqueeze(-1);
    m = m.defined() ? m + d : d;
  }
  return m;
}

void update_traces(const CoreOptions& options, const torch::Tensor& h_prev, const torch::Tensor& h,
                   const torch::Tensor& eta, const torch::Tensor& rate, torch::Tensor& hebb, torch::Tensor& elig) {
  const torch::Tensor outer = h.unsqueeze(-1) * h_prev.unsqueeze(-2);  // (..., N, N): post_i * pre_j
  const double c = options.trace_clip;
  const auto bounded = [&](const torch::Tensor& trace, const torch::Tensor& increment) {
    if (options.trace_rule == TraceRule::Soft)
      return trace + torch::relu(increment) * (c - trace) - torch::relu(-increment) * (trace + c);
    return torch::clamp(trace + increment, -c, c);
  };
  if (options.type == CoreKind::Plastic) {
    if (options.trace_rule == TraceRule::Decay) {
      hebb = (1 - eta) * hebb + eta * outer;
    } else if (options.trace_rule == TraceRule::Oja) {
      hebb = hebb + eta * (outer - h.pow(2).unsqueeze(-1) * hebb);
    } else {
      hebb = bounded(hebb, eta * outer);
    }
  } else if (options.type == CoreKind::Modul) {  // retroactive: H from E_{t-1}, then E
    hebb = bounded(hebb, rate * elig);
    elig = (1 - eta) * elig + eta * outer;
  } else {
    hebb = bounded(hebb, rate * outer);
  }
}

}  // namespace dopa::nn
