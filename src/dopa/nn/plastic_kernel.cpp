#include "dopa/nn/plastic_kernel.h"

#include <cstdlib>
#include <string>

#include "dopa/nn/plastic_kernel_isa.h"
#include "dopa/nn/plastic_rnn.h"

namespace dopa::nn {

namespace {

using kernel::Config;
using kernel::GradSums;
using kernel::Kind;
using kernel::Params;
using kernel::Rule;

// The kernel build for this CPU: 2 = AVX-512, 1 = AVX2 + FMA, 0 = baseline. DOPA_KERNEL_ISA=generic,
// avx2 or avx512 in the environment caps it (to compare them, or to reproduce a run exactly on
// another CPU: the builds round floating-point sums differently).
int kernel_isa() {
  static const int isa = [] {
    int best = 0;
#if defined(__x86_64__) || defined(__i386__)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) best = 1;
    if (best == 1 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq"))
      best = 2;
#endif
    if (const char* cap = std::getenv("DOPA_KERNEL_ISA")) {
      const std::string name(cap);
      best = std::min(best, name == "generic" ? 0 : (name == "avx2" ? 1 : 2));
    }
    return best;
  }();
  return isa;
}

#define DOPA_KERNEL_CALL(function, ...)                                                          \
  (kernel_isa() == 2   ? kernel::avx512::function(__VA_ARGS__)                                    \
   : kernel_isa() == 1 ? kernel::avx2::function(__VA_ARGS__)                                      \
                       : kernel::generic::function(__VA_ARGS__))

Config make_config(const PlasticRnn& core) {
  const CoreOptions& o = core.options();
  Config cfg;
  cfg.n = o.hidden;
  cfg.kind = o.type;
  cfg.rule = o.trace_rule;
  cfg.c = o.trace_clip;
  cfg.learned = core.learned_modulator();
  cfg.dopamine = core.dopamine_modulator();
  cfg.fanout = o.fanout;
  // The backward pass keeps the traces of one segment for two batch elements: 2 x 21 x 40 KB at
  // N = 100, or twice that with modul's E. 10 steps keep modul's within L2 (2 MB here).
  cfg.checkpoint_every = cfg.kind == Kind::Modul ? 10 : 20;
  return cfg;
}

// The core's parameters in a fixed order (w, alpha, eta, wm, bm, kappa, f, g); a parameter this
// configuration does not have is passed as a zero tensor of its shape.
std::vector<torch::Tensor> parameter_list(const PlasticRnn& core) {
  const int64_t n = core.options().hidden;
  const auto options = core.w.options();
  auto or_zeros = [&](const torch::Tensor& t, int64_t size) { return t.defined() ? t : torch::zeros({size}, options); };
  return {core.w,
          core.alpha,
          or_zeros(core.eta, 1),
          core.modulator_head ? core.modulator_head->weight.reshape({n}) : torch::zeros({n}, options),
          core.modulator_head ? core.modulator_head->bias.reshape({1}) : torch::zeros({1}, options),
          or_zeros(core.kappa, 1),
          core.fanout ? core.fanout->weight.reshape({n}) : torch::zeros({n}, options),
          core.fanout ? core.fanout->bias.reshape({n}) : torch::zeros({n}, options)};
}

std::vector<torch::Tensor> contiguous_detached(const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> out;
  for (const auto& p : params) out.push_back(p.detach().contiguous());
  return out;
}

template <class S>
Params<S> make_params(const std::vector<torch::Tensor>& p) {
  Params<S> params;
  params.w = p[0].data_ptr<S>();
  params.alpha = p[1].data_ptr<S>();
  params.eta = p[2].data_ptr<S>()[0];
  params.wm = p[3].data_ptr<S>();
  params.bm = p[4].data_ptr<S>()[0];
  params.kappa = p[5].data_ptr<S>()[0];
  params.f = p[6].data_ptr<S>();
  params.g = p[7].data_ptr<S>();
  return params;
}

// The parameters as one rollout step reads them: straight from the core's tensors (a step is too
// short to spend a dozen tensor operations collecting them), zeros for those the configuration
// lacks.
template <class S>
Params<S> step_params(const PlasticRnn& core, std::vector<S>& zeros) {
  zeros.assign(core.options().hidden, S(0));
  auto data = [](const torch::Tensor& t) {
    TORCH_CHECK(t.is_contiguous(), "plastic kernel: parameters must be contiguous");
    return t.data_ptr<S>();
  };
  Params<S> p;
  p.w = data(core.w);
  p.alpha = data(core.alpha);
  p.eta = core.eta.defined() ? data(core.eta)[0] : S(0);
  p.kappa = core.kappa.defined() ? data(core.kappa)[0] : S(0);
  p.wm = core.modulator_head ? data(core.modulator_head->weight) : zeros.data();
  p.bm = core.modulator_head ? data(core.modulator_head->bias)[0] : S(0);
  p.f = core.fanout ? data(core.fanout->weight) : zeros.data();
  p.g = core.fanout ? data(core.fanout->bias) : zeros.data();
  return p;
}

// The data pointers of a list of tensors (the trace checkpoints, one (B, N, N) tensor per segment).
template <class S>
std::vector<S*> pointers(const std::vector<torch::Tensor>& tensors) {
  std::vector<S*> out;
  for (const auto& t : tensors) out.push_back(t.data_ptr<std::remove_const_t<S>>());
  return out;
}

// A whole episode as one autograd node: forward keeps h_t for every step and the traces every
// cfg.checkpoint_every steps; backward recomputes the traces segment by segment and runs the
// hand-written reverse pass (plastic_kernel_impl.h).
struct PlasticEpisode : public torch::autograd::Function<PlasticEpisode> {
  // Inputs: u (T, B, N) = W_in x + b, the 8 parameter tensors, dopamine (T, B) (or an empty tensor).
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const PlasticRnn* core,
                               const RolloutTape* tape, torch::Tensor u, torch::Tensor w, torch::Tensor alpha,
                               torch::Tensor eta, torch::Tensor wm, torch::Tensor bm, torch::Tensor kappa,
                               torch::Tensor f, torch::Tensor g, torch::Tensor dopamine) {
    const auto params = contiguous_detached({w, alpha, eta, wm, bm, kappa, f, g});
    const torch::Tensor uc = u.detach().contiguous();
    const int64_t T = uc.size(0), B = uc.size(1), n = uc.size(2);
    const Config cfg = make_config(*core);
    const int64_t segments = cfg.segments(T);
    const auto options = uc.options();
    torch::Tensor hs = torch::empty({T, B, n}, options);
    torch::Tensor zs = torch::zeros({T, B}, options), ms = torch::zeros({T, B}, options);
    // The traces before every checkpoint_every-th step, one (B, N, N) tensor per segment (kept as a
    // list: the rollout's record is used as it is, without copying it into one tensor).
    std::vector<torch::Tensor> hebb_checkpoints, elig_checkpoints;
    const torch::Tensor delta = dopamine.numel() ? dopamine.detach().to(uc.scalar_type()).contiguous() : dopamine;
    if (tape != nullptr && static_cast<int64_t>(tape->h.size()) == T &&
        static_cast<int64_t>(tape->hebb.size()) == segments) {
      // The rollout already ran this forward pass: take its record.
      hs = torch::stack(tape->h);
      zs = torch::stack(tape->z);
      ms = torch::stack(tape->m);
      hebb_checkpoints = tape->hebb;
      if (cfg.kind == Kind::Modul) elig_checkpoints = tape->elig;
    } else {
      for (int64_t s = 0; s < segments; ++s) {
        hebb_checkpoints.push_back(torch::empty({B, n, n}, options));
        if (cfg.kind == Kind::Modul) elig_checkpoints.push_back(torch::empty({B, n, n}, options));
      }
      AT_DISPATCH_FLOATING_TYPES(uc.scalar_type(), "plastic_episode_forward", [&] {
        using S = scalar_t;
        DOPA_KERNEL_CALL(episode_forward<S>, cfg, make_params<S>(params), T, B, uc.data_ptr<S>(),
                         delta.numel() ? delta.data_ptr<S>() : nullptr, hs.data_ptr<S>(), zs.data_ptr<S>(),
                         ms.data_ptr<S>(), pointers<S>(hebb_checkpoints).data(),
                         pointers<S>(elig_checkpoints).data());
      });
    }
    ctx->save_for_backward({w, alpha, eta, wm, bm, kappa, f, g});
    // Detached: the output itself would point back to this node through its grad_fn (a reference
    // cycle that would keep every episode's buffers alive).
    ctx->saved_data["hs"] = hs.detach();
    ctx->saved_data["zs"] = zs;
    ctx->saved_data["ms"] = ms;
    ctx->saved_data["hebb_checkpoints"] = hebb_checkpoints;
    ctx->saved_data["elig_checkpoints"] = elig_checkpoints;
    ctx->saved_data["delta"] = delta;
    ctx->saved_data["core"] = reinterpret_cast<int64_t>(core);
    return hs;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto* core = reinterpret_cast<const PlasticRnn*>(ctx->saved_data["core"].toInt());
    const auto params = contiguous_detached(ctx->get_saved_variables());
    const torch::Tensor hs = ctx->saved_data["hs"].toTensor();
    const torch::Tensor zs = ctx->saved_data["zs"].toTensor();
    const torch::Tensor ms = ctx->saved_data["ms"].toTensor();
    const std::vector<torch::Tensor> hebb_checkpoints = ctx->saved_data["hebb_checkpoints"].toTensorVector();
    const std::vector<torch::Tensor> elig_checkpoints = ctx->saved_data["elig_checkpoints"].toTensorVector();
    const torch::Tensor delta = ctx->saved_data["delta"].toTensor();
    const torch::Tensor grad_hs = grad_outputs[0].defined() ? grad_outputs[0].contiguous() : torch::zeros_like(hs);
    const int64_t T = hs.size(0), B = hs.size(1), n = hs.size(2);
    const Config cfg = make_config(*core);
    torch::Tensor du = torch::empty_like(hs);
    std::vector<torch::Tensor> param_grads;
    AT_DISPATCH_FLOATING_TYPES(hs.scalar_type(), "plastic_episode_backward", [&] {
      using S = scalar_t;
      GradSums<S> grads(n);
      DOPA_KERNEL_CALL(episode_backward<S>, cfg, make_params<S>(params), T, B, hs.data_ptr<S>(), zs.data_ptr<S>(),
                       ms.data_ptr<S>(), delta.numel() ? delta.data_ptr<S>() : nullptr,
                       pointers<const S>(hebb_checkpoints).data(), pointers<const S>(elig_checkpoints).data(),
                       grad_hs.data_ptr<S>(), du.data_ptr<S>(), grads);
      auto as_tensor = [&](const S* data, at::IntArrayRef shape) {
        return torch::from_blob(const_cast<S*>(data), shape, hs.options()).clone();
      };
      auto scalar = [&](S v) { return torch::full({1}, v, hs.options()); };
      // dL/dW = sum over steps and batch of da_t (x) h_{t-1}: one matrix product.
      const torch::Tensor h_prev = torch::cat({torch::zeros({1, B, n}, hs.options()), hs.slice(0, 0, T - 1)});
      const torch::Tensor grad_w = torch::mm(du.reshape({T * B, n}).t(), h_prev.reshape({T * B, n}));
      param_grads = {grad_w,                          as_tensor(grads.alpha, {n, n}), scalar(grads.eta),
                     as_tensor(grads.wm.data(), {n}), scalar(grads.bm),               scalar(grads.kappa),
                     as_tensor(grads.f.data(), {n}),  as_tensor(grads.g.data(), {n})};
    });
    torch::autograd::variable_list out = {torch::Tensor(), torch::Tensor(), du};
    for (auto& p : param_grads) out.push_back(p);
    out.push_back(torch::Tensor());  // dopamine: a signal, no gradient
    return out;
  }
};

}  // namespace

torch::Tensor plastic_unroll_fused(PlasticRnn& core, const torch::Tensor& x, const torch::Tensor& dopamine,
                                   torch::Tensor* modulators, const RolloutTape* tape) {
  const torch::Tensor u = core.input->forward(x);  // (T, B, N), through autograd
  const auto p = parameter_list(core);
  const torch::Tensor delta = dopamine.defined() ? dopamine : torch::empty({0}, u.options());
  torch::Tensor hs = PlasticEpisode::apply(&core, tape, u, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], delta);
  if (modulators && core.has_modulator()) {
    // Recompute M_t from the outputs (cheap: N per step) rather than keep it from the forward pass.
    torch::NoGradGuard no_grad;
    torch::Tensor m;
    if (core.learned_modulator()) m = torch::tanh(core.modulator_head->forward(hs));  // (T, B, 1)
    if (core.dopamine_modulator()) {
      const torch::Tensor d = core.kappa * delta.unsqueeze(2);
      m = m.defined() ? m + d : d;
    }
    *modulators = core.fanout ? core.fanout->forward(m) : m;
  }
  return hs;
}

torch::Tensor plastic_step_fused(const PlasticRnn& core, const torch::Tensor& u, const torch::Tensor& h_prev,
                                 torch::Tensor& hebb, torch::Tensor& elig, const DopamineFn& dopamine,
                                 torch::Tensor* modulator, RolloutTape* tape) {
  const torch::Tensor uc = u.detach().contiguous(), hp = h_prev.detach().contiguous();
  const int64_t B = uc.size(0), n = uc.size(1);
  const Config cfg = make_config(core);
  torch::Tensor h = torch::empty({B, n}, uc.options());
  torch::Tensor rates = torch::zeros({B, cfg.fanout ? n : 1}, uc.options());
  torch::Tensor zs = torch::zeros({B}, uc.options()), ms = torch::zeros({B}, uc.options());
  // A checkpoint keeps the traces before this step: the tape takes the live tensors as they are, and
  // this step's update writes into new ones (no copy).
  torch::Tensor hebb_in = hebb, elig_in = elig;
  if (tape != nullptr && static_cast<int64_t>(tape->h.size()) % cfg.checkpoint_every == 0) {
    tape->hebb.push_back(hebb);
    hebb = torch::empty_like(hebb);
    if (elig.defined()) {
      tape->elig.push_back(elig);
      elig = torch::empty_like(elig);
    }
  }
  AT_DISPATCH_FLOATING_TYPES(uc.scalar_type(), "plastic_step_fused", [&] {
    using S = scalar_t;
    std::vector<S> zeros;
    const Params<S> p = step_params<S>(core, zeros);
    DOPA_KERNEL_CALL(step_activate<S>, cfg, p, B, uc.data_ptr<S>(), hp.data_ptr<S>(), hebb_in.data_ptr<S>(),
                     h.data_ptr<S>());
    // The TD error needs h_t (through the critic), so it is asked for between the two halves.
    torch::Tensor delta;
    if (cfg.dopamine) delta = dopamine(h).detach().to(uc.scalar_type()).contiguous();
    DOPA_KERNEL_CALL(step_plasticity<S>, cfg, p, B, hp.data_ptr<S>(), h.data_ptr<S>(), hebb_in.data_ptr<S>(),
                     hebb.data_ptr<S>(), elig.defined() ? elig_in.data_ptr<S>() : nullptr,
                     elig.defined() ? elig.data_ptr<S>() : nullptr, delta.defined() ? delta.data_ptr<S>() : nullptr,
                     rates.data_ptr<S>(), zs.data_ptr<S>(), ms.data_ptr<S>());
  });
  if (modulator && core.has_modulator()) *modulator = rates;
  if (tape != nullptr) {
    tape->h.push_back(h);
    tape->z.push_back(zs);
    tape->m.push_back(ms);
  }
  return h;
}

}  // namespace dopa::nn
