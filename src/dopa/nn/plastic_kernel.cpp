#include "dopa/nn/plastic_kernel.h"

#include <cmath>
#include <vector>

#include "dopa/nn/plastic_rnn.h"

namespace dopa::nn {

namespace {

enum class Kind { Plastic, ModPlast, Modul };
enum class Rule { Clip, Soft, Decay, Oja };

// The network for one call: configuration and raw parameter pointers (row-major N x N for w and
// alpha: row i holds the inputs of neuron i).
template <class S>
struct Net {
  int64_t n = 0;
  Kind kind = Kind::Plastic;
  Rule rule = Rule::Clip;
  S c = 1;
  bool learned = false, dopamine = false, fanout = false;
  const S* w = nullptr;
  const S* alpha = nullptr;
  S eta = 0, bm = 0, kappa = 0;
  const S* wm = nullptr;  // (N) modulator weights
  const S* f = nullptr;   // (N) fanout weights
  const S* g = nullptr;   // (N) fanout biases
};

// Parameter gradients (accumulated).
template <class S>
struct Grads {
  std::vector<S> w, alpha, wm, f, g;
  S eta = 0, bm = 0, kappa = 0;
  explicit Grads(int64_t n) : w(n * n), alpha(n * n), wm(n), f(n), g(n) {}
};

// The trace rule's new value, for clip and soft.
template <class S>
inline S apply_rule(Rule rule, S c, S hebb, S increment) {
  if (rule == Rule::Soft) {
    return hebb + (increment > 0 ? increment * (c - hebb) : S(0)) + (increment < 0 ? increment * (hebb + c) : S(0));
  }
  const S p = hebb + increment;
  return p < -c ? -c : (p > c ? c : p);
}

// d rule / d increment and d rule / d hebb, as autograd computes them (clamp passes the gradient
// where -c <= p <= c; relu where its input is > 0).
template <class S>
inline void rule_grads(Rule rule, S c, S hebb, S increment, S* d_increment, S* d_hebb) {
  if (rule == Rule::Soft) {
    *d_increment = increment > 0 ? c - hebb : (increment < 0 ? hebb + c : S(0));
    *d_hebb = S(1) - (increment > 0 ? increment : (increment < 0 ? -increment : S(0)));
    return;
  }
  const S p = hebb + increment;
  const S pass = (p >= -c && p <= c) ? S(1) : S(0);
  *d_increment = pass;
  *d_hebb = pass;
}

// The modulator: m = [tanh(z)] [+ kappa delta], z = w_M . h + b_M; rate_i = f_i m + g_i or m.
template <class S>
void modulate(const Net<S>& net, const S* h, S delta, S* z_out, S* m_out, S* rate) {
  S z = 0, m = 0;
  if (net.learned) {
    z = net.bm;
    for (int64_t i = 0; i < net.n; ++i) z += net.wm[i] * h[i];
    m = std::tanh(z);
  }
  if (net.dopamine) m += net.kappa * delta;
  for (int64_t i = 0; i < net.n; ++i) rate[i] = net.fanout ? net.f[i] * m + net.g[i] : m;
  *z_out = z;
  *m_out = m;
}

// The trace update of one step, in place: H (and E) from H_{t-1} (and E_{t-1}) given h_{t-1} = hp,
// h_t = h and the rates.
template <class S>
void update_traces(const Net<S>& net, const S* hp, const S* h, const S* rate, S* hebb, S* elig) {
  const int64_t n = net.n;
  for (int64_t i = 0; i < n; ++i) {
    S* H = hebb + i * n;
    const S hi = h[i];
    switch (net.kind) {
      case Kind::Plastic:
        if (net.rule == Rule::Decay) {
          for (int64_t j = 0; j < n; ++j) H[j] = (S(1) - net.eta) * H[j] + net.eta * (hi * hp[j]);
        } else if (net.rule == Rule::Oja) {
          for (int64_t j = 0; j < n; ++j) H[j] = H[j] + net.eta * (hi * hp[j] - hi * hi * H[j]);
        } else {
          for (int64_t j = 0; j < n; ++j) H[j] = apply_rule(net.rule, net.c, H[j], net.eta * (hi * hp[j]));
        }
        break;
      case Kind::ModPlast: {
        const S r = rate[i];
        for (int64_t j = 0; j < n; ++j) H[j] = apply_rule(net.rule, net.c, H[j], r * (hi * hp[j]));
        break;
      }
      case Kind::Modul: {
        const S r = rate[i];
        S* E = elig + i * n;
        for (int64_t j = 0; j < n; ++j) {
          H[j] = apply_rule(net.rule, net.c, H[j], r * E[j]);
          E[j] = (S(1) - net.eta) * E[j] + net.eta * (hi * hp[j]);
        }
        break;
      }
    }
  }
}

// h = tanh(u + (W + alpha . H) hp) for one batch element.
template <class S>
void activate(const Net<S>& net, const S* u, const S* hp, const S* hebb, S* h) {
  const int64_t n = net.n;
  for (int64_t i = 0; i < n; ++i) {
    const S* W = net.w + i * n;
    const S* A = net.alpha + i * n;
    const S* H = hebb + i * n;
    S acc = 0;
    for (int64_t j = 0; j < n; ++j) acc += (W[j] + A[j] * H[j]) * hp[j];
    h[i] = std::tanh(u[i] + acc);
  }
}

// The plasticity of one step, in place: the modulator (if any), then the traces.
template <class S>
void plasticity(const Net<S>& net, const S* hp, const S* h, S* hebb, S* elig, S delta, S* z, S* m, S* rate) {
  if (net.kind != Kind::Plastic) modulate(net, h, delta, z, m, rate);
  update_traces(net, hp, h, rate, hebb, elig);
}

// One forward step of one batch element.
template <class S>
void forward_step(const Net<S>& net, const S* u, const S* hp, S* hebb, S* elig, S delta, S* h, S* z, S* m,
                  S* rate) {
  activate(net, u, hp, hebb, h);
  plasticity(net, hp, h, hebb, elig, delta, z, m, rate);
}

// One backward step of one batch element. In: the step's inputs (hp = h_{t-1}, Hp = H_{t-1},
// Ep = E_{t-1}), its outputs h, z, m, the external gradient of h (g_ext), and the gradients
// arriving from later steps: dh (of h_t), dH (of H_t), dE (of E_t). Out: dh, dH, dE become the
// gradients of h_{t-1}, H_{t-1}, E_{t-1}; du the gradient of u_t; parameter gradients accumulate.
template <class S>
void backward_step(const Net<S>& net, Grads<S>& grads, const S* hp, const S* h, const S* Hp, const S* Ep, S delta,
                   S z, S m, const S* g_ext, S* dh, S* dH, S* dE, S* du, std::vector<S>& scratch) {
  const int64_t n = net.n;
  S* rate = scratch.data();
  S* dr = rate + n;
  S* dh_local = dr + n;
  S* dhp = dh_local + n;
  for (int64_t i = 0; i < n; ++i) {
    rate[i] = net.kind == Kind::Plastic ? S(0) : (net.fanout ? net.f[i] * m + net.g[i] : m);
    dr[i] = dh_local[i] = dhp[i] = 0;
  }

  // Pass A: through the trace update (the gradients of H_t, E_t -> H_{t-1}, E_{t-1}, h_t, h_{t-1}, rates).
  S d_eta = 0;
  for (int64_t i = 0; i < n; ++i) {
    S* GH = dH + i * n;
    S* GE = net.kind == Kind::Modul ? dE + i * n : nullptr;
    const S* H = Hp + i * n;
    const S* E = net.kind == Kind::Modul ? Ep + i * n : nullptr;
    const S hi = h[i], ri = rate[i];
    S dh_i = 0, dr_i = 0;
    for (int64_t j = 0; j < n; ++j) {
      const S outer = hi * hp[j];
      S d_outer = 0, d_inc, d_hebb;
      switch (net.kind) {
        case Kind::Plastic:
          if (net.rule == Rule::Decay) {
            d_eta += GH[j] * (outer - H[j]);
            d_outer = GH[j] * net.eta;
            GH[j] = GH[j] * (S(1) - net.eta);
          } else if (net.rule == Rule::Oja) {
            d_eta += GH[j] * (outer - hi * hi * H[j]);
            d_outer = net.eta * GH[j];
            dh_i -= S(2) * net.eta * hi * GH[j] * H[j];
            GH[j] = GH[j] * (S(1) - net.eta * hi * hi);
          } else {
            rule_grads(net.rule, net.c, H[j], net.eta * outer, &d_inc, &d_hebb);
            const S g_inc = GH[j] * d_inc;
            d_eta += g_inc * outer;
            d_outer = net.eta * g_inc;
            GH[j] = GH[j] * d_hebb;
          }
          break;
        case Kind::ModPlast:
          rule_grads(net.rule, net.c, H[j], ri * outer, &d_inc, &d_hebb);
          {
            const S g_inc = GH[j] * d_inc;
            dr_i += g_inc * outer;
            d_outer = ri * g_inc;
          }
          GH[j] = GH[j] * d_hebb;
          break;
        case Kind::Modul:
          rule_grads(net.rule, net.c, H[j], ri * E[j], &d_inc, &d_hebb);
          {
            const S g_inc = GH[j] * d_inc;
            dr_i += g_inc * E[j];
            d_eta += GE[j] * (outer - E[j]);
            d_outer = net.eta * GE[j];
            GE[j] = ri * g_inc + (S(1) - net.eta) * GE[j];
          }
          GH[j] = GH[j] * d_hebb;
          break;
      }
      dh_i += d_outer * hp[j];
      dhp[j] += d_outer * hi;
    }
    dh_local[i] += dh_i;
    dr[i] = dr_i;
  }
  grads.eta += d_eta;

  // The modulator.
  if (net.kind != Kind::Plastic) {
    S dm = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (net.fanout) {
        dm += dr[i] * net.f[i];
        grads.f[i] += dr[i] * m;
        grads.g[i] += dr[i];
      } else {
        dm += dr[i];
      }
    }
    if (net.dopamine) grads.kappa += dm * delta;
    if (net.learned) {
      const S t = std::tanh(z);
      const S dz = dm * (S(1) - t * t);
      grads.bm += dz;
      for (int64_t i = 0; i < n; ++i) {
        grads.wm[i] += dz * h[i];
        dh_local[i] += dz * net.wm[i];
      }
    }
  }

  // h_t = tanh(a_t).
  for (int64_t i = 0; i < n; ++i) du[i] = (g_ext[i] + dh[i] + dh_local[i]) * (S(1) - h[i] * h[i]);

  // Pass B: a_t = u_t + (W + alpha . H_{t-1}) h_{t-1}.
  for (int64_t i = 0; i < n; ++i) {
    const S da = du[i];
    const S* W = net.w + i * n;
    const S* A = net.alpha + i * n;
    const S* H = Hp + i * n;
    S* GH = dH + i * n;
    S* gW = grads.w.data() + i * n;
    S* gA = grads.alpha.data() + i * n;
    for (int64_t j = 0; j < n; ++j) {
      const S x = da * hp[j];
      gW[j] += x;
      gA[j] += x * H[j];
      GH[j] += A[j] * x;
      dhp[j] += (W[j] + A[j] * H[j]) * da;
    }
  }
  for (int64_t j = 0; j < n; ++j) dh[j] = dhp[j];
}

template <class S>
Net<S> make_net(const PlasticRnn& core, const std::vector<torch::Tensor>& p) {
  const CoreOptions& o = core.options();
  Net<S> net;
  net.n = o.hidden;
  net.kind = o.type == "plastic" ? Kind::Plastic : (o.type == "modplast" ? Kind::ModPlast : Kind::Modul);
  net.rule = o.trace_rule == "soft" ? Rule::Soft
             : o.trace_rule == "decay" ? Rule::Decay
             : o.trace_rule == "oja"   ? Rule::Oja
                                       : Rule::Clip;
  net.c = static_cast<S>(o.trace_clip);
  net.learned = core.learned_modulator();
  net.dopamine = core.dopamine_modulator();
  net.fanout = o.fanout;
  // p: w, alpha, eta, wm, bm, kappa, f, g (contiguous, of type S; unused ones are placeholders).
  net.w = p[0].data_ptr<S>();
  net.alpha = p[1].data_ptr<S>();
  net.eta = p[2].data_ptr<S>()[0];
  net.wm = p[3].data_ptr<S>();
  net.bm = p[4].data_ptr<S>()[0];
  net.kappa = p[5].data_ptr<S>()[0];
  net.f = p[6].data_ptr<S>();
  net.g = p[7].data_ptr<S>();
  return net;
}

// The core's parameters in the order make_net reads them, with placeholders for unused ones.
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

// The whole episode as one autograd node.
struct PlasticEpisode : public torch::autograd::Function<PlasticEpisode> {
  // inputs: u (T, B, N), then the 8 parameter tensors, then dopamine (T, B) (or an empty tensor).
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const PlasticRnn* core, torch::Tensor u,
                               torch::Tensor w, torch::Tensor alpha, torch::Tensor eta, torch::Tensor wm,
                               torch::Tensor bm, torch::Tensor kappa, torch::Tensor f, torch::Tensor g,
                               torch::Tensor dopamine) {
    const auto params = contiguous_detached({w, alpha, eta, wm, bm, kappa, f, g});
    const torch::Tensor uc = u.detach().contiguous();
    const int64_t T = uc.size(0), B = uc.size(1), n = uc.size(2);
    const int64_t segments = (T + kCheckpointEvery - 1) / kCheckpointEvery;
    const bool modul = core->retroactive();
    const auto options = uc.options();
    torch::Tensor hs = torch::empty({T, B, n}, options);
    torch::Tensor zs = torch::zeros({T, B}, options), ms = torch::zeros({T, B}, options);
    torch::Tensor hebb_checkpoints = torch::empty({B, segments, n, n}, options);
    torch::Tensor elig_checkpoints = modul ? torch::empty({B, segments, n, n}, options) : torch::empty({0}, options);
    const torch::Tensor delta = dopamine.numel() ? dopamine.detach().to(uc.scalar_type()).contiguous() : dopamine;

    AT_DISPATCH_FLOATING_TYPES(uc.scalar_type(), "plastic_episode_forward", [&] {
      const Net<scalar_t> net = make_net<scalar_t>(*core, params);
      std::vector<scalar_t> hebb(n * n), elig(n * n), rate(n), zero(n, 0);
      for (int64_t b = 0; b < B; ++b) {
        std::fill(hebb.begin(), hebb.end(), 0);
        std::fill(elig.begin(), elig.end(), 0);
        for (int64_t t = 0; t < T; ++t) {
          if (t % kCheckpointEvery == 0) {
            std::copy(hebb.begin(), hebb.end(), hebb_checkpoints[b][t / kCheckpointEvery].data_ptr<scalar_t>());
            if (modul) std::copy(elig.begin(), elig.end(), elig_checkpoints[b][t / kCheckpointEvery].data_ptr<scalar_t>());
          }
          const scalar_t* hp = t == 0 ? zero.data() : hs.data_ptr<scalar_t>() + ((t - 1) * B + b) * n;
          const scalar_t d = delta.numel() ? delta.data_ptr<scalar_t>()[t * B + b] : scalar_t(0);
          forward_step(net, uc.data_ptr<scalar_t>() + (t * B + b) * n, hp, hebb.data(), elig.data(), d,
                       hs.data_ptr<scalar_t>() + (t * B + b) * n, zs.data_ptr<scalar_t>() + t * B + b,
                       ms.data_ptr<scalar_t>() + t * B + b, rate.data());
        }
      }
    });
    ctx->save_for_backward({w, alpha, eta, wm, bm, kappa, f, g});
    ctx->saved_data["hs"] = hs;
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
    const torch::Tensor hebb_checkpoints = ctx->saved_data["hebb_checkpoints"].toTensor();
    const torch::Tensor elig_checkpoints = ctx->saved_data["elig_checkpoints"].toTensor();
    const torch::Tensor delta = ctx->saved_data["delta"].toTensor();
    const torch::Tensor g_out = grad_outputs[0].defined() ? grad_outputs[0].contiguous() : torch::zeros_like(hs);
    const int64_t T = hs.size(0), B = hs.size(1), n = hs.size(2);
    const bool modul = core->retroactive();
    torch::Tensor du = torch::empty_like(hs);
    std::vector<torch::Tensor> param_grads;

    AT_DISPATCH_FLOATING_TYPES(hs.scalar_type(), "plastic_episode_backward", [&] {
      using S = scalar_t;
      const Net<S> net = make_net<S>(*core, params);
      Grads<S> grads(n);
      const int64_t K = kCheckpointEvery;
      // Traces H_s, ..., H_{s+K-1} of one segment (and E), recomputed from its checkpoint.
      std::vector<S> seg_hebb(K * n * n), seg_elig(modul ? K * n * n : 0);
      std::vector<S> dh(n), dH(n * n), dE(modul ? n * n : 0), rate(n), zero(n, 0), scratch(4 * n);
      const S* h_all = hs.data_ptr<S>();
      auto h_at = [&](int64_t t, int64_t b) { return t < 0 ? zero.data() : h_all + (t * B + b) * n; };
      for (int64_t b = 0; b < B; ++b) {
        std::fill(dh.begin(), dh.end(), 0);
        std::fill(dH.begin(), dH.end(), 0);
        std::fill(dE.begin(), dE.end(), 0);
        for (int64_t seg = (T - 1) / K; seg >= 0; --seg) {
          const int64_t start = seg * K, end = std::min(T, start + K);
          // Recompute the traces before each step of the segment.
          std::copy_n(hebb_checkpoints[b][seg].data_ptr<S>(), n * n, seg_hebb.data());
          if (modul) std::copy_n(elig_checkpoints[b][seg].data_ptr<S>(), n * n, seg_elig.data());
          for (int64_t t = start; t + 1 < end; ++t) {
            const int64_t s = t - start;
            std::copy_n(seg_hebb.data() + s * n * n, n * n, seg_hebb.data() + (s + 1) * n * n);
            if (modul) std::copy_n(seg_elig.data() + s * n * n, n * n, seg_elig.data() + (s + 1) * n * n);
            const S m = ms.data_ptr<S>()[t * B + b];
            for (int64_t i = 0; i < n; ++i) rate[i] = net.fanout ? net.f[i] * m + net.g[i] : m;
            update_traces(net, h_at(t - 1, b), h_at(t, b), rate.data(), seg_hebb.data() + (s + 1) * n * n,
                          modul ? seg_elig.data() + (s + 1) * n * n : nullptr);
          }
          for (int64_t t = end - 1; t >= start; --t) {
            const int64_t s = t - start;
            const S d = delta.numel() ? delta.data_ptr<S>()[t * B + b] : S(0);
            backward_step(net, grads, h_at(t - 1, b), h_at(t, b), seg_hebb.data() + s * n * n,
                          modul ? seg_elig.data() + s * n * n : nullptr, d, zs.data_ptr<S>()[t * B + b],
                          ms.data_ptr<S>()[t * B + b], g_out.data_ptr<S>() + (t * B + b) * n, dh.data(), dH.data(),
                          modul ? dE.data() : nullptr, du.data_ptr<S>() + (t * B + b) * n, scratch);
          }
        }
      }
      auto as_tensor = [&](const std::vector<S>& v, at::IntArrayRef shape) {
        return torch::from_blob(const_cast<S*>(v.data()), shape, hs.options()).clone();
      };
      auto scalar = [&](S v) { return torch::full({1}, v, hs.options()); };
      param_grads = {as_tensor(grads.w, {n, n}), as_tensor(grads.alpha, {n, n}), scalar(grads.eta),
                     as_tensor(grads.wm, {n}),   scalar(grads.bm),               scalar(grads.kappa),
                     as_tensor(grads.f, {n}),    as_tensor(grads.g, {n})};
    });
    torch::autograd::variable_list out = {torch::Tensor(), du};
    for (auto& p : param_grads) out.push_back(p);
    out.push_back(torch::Tensor());  // dopamine: a signal, no gradient
    return out;
  }
};

}  // namespace

torch::Tensor plastic_unroll_fused(PlasticRnn& core, const torch::Tensor& x, const torch::Tensor& dopamine,
                                   torch::Tensor* modulators) {
  const torch::Tensor u = core.input->forward(x);  // (T, B, N), through autograd
  const auto p = parameter_list(core);
  const torch::Tensor delta = dopamine.defined() ? dopamine : torch::empty({0}, u.options());
  torch::Tensor hs = PlasticEpisode::apply(&core, u, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], delta);
  if (modulators && core.modulated()) {
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
                                 torch::Tensor* modulator) {
  const auto params = contiguous_detached(parameter_list(core));
  const torch::Tensor uc = u.detach().contiguous(), hp = h_prev.detach().contiguous();
  const int64_t B = uc.size(0), n = uc.size(1);
  torch::Tensor h = torch::empty({B, n}, uc.options());
  const int64_t rate_size = core.options().fanout ? n : 1;
  torch::Tensor rates = torch::zeros({B, rate_size}, uc.options());
  AT_DISPATCH_FLOATING_TYPES(uc.scalar_type(), "plastic_step_fused", [&] {
    using S = scalar_t;
    const Net<S> net = make_net<S>(core, params);
    for (int64_t b = 0; b < B; ++b)
      activate(net, uc.data_ptr<S>() + b * n, hp.data_ptr<S>() + b * n, hebb.data_ptr<S>() + b * n * n,
               h.data_ptr<S>() + b * n);
    // The TD error needs h_t (through the critic), so it is asked for between the two halves.
    torch::Tensor delta;
    if (net.dopamine) delta = dopamine(h).detach().to(uc.scalar_type()).contiguous();
    std::vector<S> rate(n);
    for (int64_t b = 0; b < B; ++b) {
      S z = 0, m = 0;
      plasticity(net, hp.data_ptr<S>() + b * n, h.data_ptr<S>() + b * n, hebb.data_ptr<S>() + b * n * n,
                 elig.defined() ? elig.data_ptr<S>() + b * n * n : nullptr, delta.defined() ? delta.data_ptr<S>()[b] : S(0),
                 &z, &m, rate.data());
      for (int64_t r = 0; r < rate_size; ++r) rates.data_ptr<S>()[b * rate_size + r] = rate[r];
    }
  });
  if (modulator && core.modulated()) *modulator = rates;
  return h;
}

}  // namespace dopa::nn
