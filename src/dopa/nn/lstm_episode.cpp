#include "dopa/nn/lstm_episode.h"

namespace dopa::nn {

namespace {

// One step's activations, in place: `gates` (B, 4H) holds a_t on entry and the activated
// (i, f, g, o) on return; c_prev (B, H) is undefined at the first step (zero state). Writes c_t,
// tanh(c_t) and h_t. The transcendental functions go through ATen (vectorised); the rest are plain
// loops. sigmoid(a) = (1 + tanh(a / 2)) / 2, so that one tanh call covers all four gates.
void activate(torch::Tensor& gates, const torch::Tensor& c_prev, torch::Tensor& c, torch::Tensor& tanh_c,
              torch::Tensor& h) {
  const int64_t B = gates.size(0), H = gates.size(1) / 4;
  AT_DISPATCH_FLOATING_TYPES(gates.scalar_type(), "lstm_activate", [&] {
    using S = scalar_t;
    S* a = gates.data_ptr<S>();
    for (int64_t b = 0; b < B; ++b) {
      S* row = a + b * 4 * H;
      for (int64_t j = 0; j < 2 * H; ++j) row[j] *= S(0.5);          // i, f
      for (int64_t j = 3 * H; j < 4 * H; ++j) row[j] *= S(0.5);      // o
    }
    gates.tanh_();
    const S* cp = c_prev.defined() ? c_prev.data_ptr<S>() : nullptr;
    S* cn = c.data_ptr<S>();
    for (int64_t b = 0; b < B; ++b) {
      S* row = a + b * 4 * H;
      for (int64_t j = 0; j < 2 * H; ++j) row[j] = S(0.5) + S(0.5) * row[j];
      for (int64_t j = 3 * H; j < 4 * H; ++j) row[j] = S(0.5) + S(0.5) * row[j];
      const S* i = row;
      const S* f = row + H;
      const S* g = row + 2 * H;
      S* c_row = cn + b * H;
      if (cp != nullptr) {
        const S* cp_row = cp + b * H;
        for (int64_t j = 0; j < H; ++j) c_row[j] = f[j] * cp_row[j] + i[j] * g[j];
      } else {
        for (int64_t j = 0; j < H; ++j) c_row[j] = i[j] * g[j];
      }
    }
    at::tanh_out(tanh_c, c);
    const S* tc = tanh_c.data_ptr<S>();
    S* hn = h.data_ptr<S>();
    for (int64_t b = 0; b < B; ++b) {
      const S* o = a + b * 4 * H + 3 * H;
      for (int64_t j = 0; j < H; ++j) hn[b * H + j] = o[j] * tc[b * H + j];
    }
  });
}

// The reverse of one step, on raw rows of the episode's tensors (one dispatch per step is what the
// small sizes afford). In: the step's activated gates (B, 4H), c_{t-1} (null at t = 0), tanh(c_t),
// the output's dL/dh_t and the next step's (from_next), and dL/dc_t from the next step (dc, updated
// in place to dL/dc_{t-1}). Out: dL/da_t into grad_gates (B, 4H).
template <typename S>
void reverse_step(int64_t B, int64_t H, const S* gates, const S* c_prev, const S* tanh_c, const S* grad_h,
                  const S* from_next, S* dc, S* grad_gates) {
  for (int64_t b = 0; b < B; ++b) {
    const S* row = gates + b * 4 * H;
    const S *i = row, *f = row + H, *g = row + 2 * H, *o = row + 3 * H;
    const S* tc = tanh_c + b * H;
    S* dc_row = dc + b * H;
    S* out = grad_gates + b * 4 * H;
    for (int64_t j = 0; j < H; ++j) {
      const S dh = grad_h[b * H + j] + from_next[b * H + j];  // dL/dh_t, all of it
      const S dc_t = dc_row[j] + dh * o[j] * (S(1) - tc[j] * tc[j]);
      const S c_before = c_prev != nullptr ? c_prev[b * H + j] : S(0);
      out[j] = dc_t * g[j] * i[j] * (S(1) - i[j]);
      out[H + j] = dc_t * c_before * f[j] * (S(1) - f[j]);
      out[2 * H + j] = dc_t * i[j] * (S(1) - g[j] * g[j]);
      out[3 * H + j] = dh * tc[j] * o[j] * (S(1) - o[j]);
      dc_row[j] = dc_t * f[j];
    }
  }
}

// The episode as one autograd node. It keeps the activated gates, c_t, tanh(c_t) and h_t of every
// step: (T, B, 7H) numbers, small for the LSTM's sizes.
struct LstmEpisode : public torch::autograd::Function<LstmEpisode> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const RolloutTape* tape, torch::Tensor x,
                               torch::Tensor w_ih, torch::Tensor w_hh, torch::Tensor b_ih, torch::Tensor b_hh) {
    const torch::Tensor xc = x.detach().contiguous();
    const torch::Tensor wih = w_ih.detach(), whh = w_hh.detach();
    const int64_t T = xc.size(0), B = xc.size(1), H = whh.size(1);
    torch::Tensor gates, c, tanh_c, hs;
    if (tape != nullptr && static_cast<int64_t>(tape->gates.size()) == T && static_cast<int64_t>(tape->h.size()) == T) {
      // The rollout already ran this forward pass.
      gates = torch::stack(tape->gates);
      c = torch::stack(tape->c);
      tanh_c = torch::stack(tape->tanh_c);
      hs = torch::stack(tape->h);
    } else {
      gates = torch::addmm(b_ih.detach(), xc.reshape({T * B, xc.size(2)}), wih.t()).view({T, B, 4 * H});
      gates += b_hh.detach();
      c = torch::empty({T, B, H}, xc.options());
      tanh_c = torch::empty_like(c);
      hs = torch::empty_like(c);
      for (int64_t t = 0; t < T; ++t) {
        torch::Tensor g = gates[t], ct = c[t], tct = tanh_c[t], ht = hs[t];
        if (t > 0) g.addmm_(hs[t - 1], whh.t());
        activate(g, t > 0 ? c[t - 1] : torch::Tensor(), ct, tct, ht);
      }
    }
    ctx->save_for_backward({x, w_ih, w_hh});
    ctx->saved_data["gates"] = gates;
    ctx->saved_data["c"] = c;
    ctx->saved_data["tanh_c"] = tanh_c;
    // Detached: the output would otherwise point back to this node (a reference cycle).
    ctx->saved_data["hs"] = hs.detach();
    return hs;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor x = saved[0].detach(), w_ih = saved[1].detach(), w_hh = saved[2].detach().contiguous();
    const torch::Tensor gates = ctx->saved_data["gates"].toTensor(), c = ctx->saved_data["c"].toTensor();
    const torch::Tensor tanh_c = ctx->saved_data["tanh_c"].toTensor(), hs = ctx->saved_data["hs"].toTensor();
    const int64_t T = hs.size(0), B = hs.size(1), H = hs.size(2);
    const torch::Tensor grad_hs = grad_outputs[0].defined() ? grad_outputs[0].contiguous() : torch::zeros_like(hs);

    torch::Tensor grad_gates = torch::empty_like(gates);  // dL/da_t, (T, B, 4H)
    torch::Tensor from_next = torch::zeros({B, H}, hs.options());  // dL/dh_t through step t + 1
    torch::Tensor dc = torch::zeros({B, H}, hs.options());
    AT_DISPATCH_FLOATING_TYPES(hs.scalar_type(), "lstm_episode_backward", [&] {
      using S = scalar_t;
      const S *a = gates.data_ptr<S>(), *cs = c.data_ptr<S>(), *tcs = tanh_c.data_ptr<S>();
      const S* gh = grad_hs.data_ptr<S>();
      S* ga = grad_gates.data_ptr<S>();
      S *fn = from_next.data_ptr<S>(), *dcp = dc.data_ptr<S>();  // mm_out writes in place: fixed
      for (int64_t t = T - 1; t >= 0; --t) {
        const int64_t row = t * B * H;  // step t's offset in the (T, B, H) tensors
        reverse_step<S>(B, H, a + 4 * row, t > 0 ? cs + row - B * H : nullptr, tcs + row, gh + row, fn, dcp,
                        ga + 4 * row);
        if (t > 0) torch::mm_out(from_next, grad_gates.select(0, t), w_hh);  // dL/dh_{t-1} through W_hh
      }
    });
    // The weight gradients over the whole episode at once.
    const torch::Tensor flat = grad_gates.view({T * B, 4 * H});
    const torch::Tensor grad_w_ih = torch::mm(flat.t(), x.reshape({T * B, x.size(2)}));
    // dL/dW_hh = sum over t >= 1 of da_t h_{t-1}^T (h_{-1} = 0).
    const torch::Tensor grad_w_hh = T > 1 ? torch::mm(grad_gates.slice(0, 1).reshape({(T - 1) * B, 4 * H}).t(),
                                                      hs.slice(0, 0, T - 1).reshape({(T - 1) * B, H}))
                                          : torch::zeros_like(w_hh);
    const torch::Tensor grad_b = flat.sum(0);
    torch::Tensor grad_x;
    if (ctx->needs_input_grad(1)) grad_x = torch::mm(flat, w_ih).view(x.sizes());
    return {torch::Tensor(), grad_x, grad_w_ih, grad_w_hh, grad_b, grad_b.clone()};
  }
};

}  // namespace

std::pair<torch::Tensor, torch::Tensor> lstm_step_fused(const LstmWeights& weights, const torch::Tensor& x,
                                                        const torch::Tensor& h, const torch::Tensor& c,
                                                        RolloutTape* tape) {
  // In the order of the episode's forward pass (x's product and both biases, then h's).
  torch::Tensor gates = torch::addmm(weights.b_ih, x, weights.w_ih.t());
  gates += weights.b_hh;
  gates.addmm_(h, weights.w_hh.t());
  const auto options = gates.options();
  const int64_t B = gates.size(0), H = gates.size(1) / 4;
  torch::Tensor c_next = torch::empty({B, H}, options), tanh_c = torch::empty({B, H}, options);
  torch::Tensor h_next = torch::empty({B, H}, options);
  activate(gates, c.contiguous(), c_next, tanh_c, h_next);
  if (tape != nullptr) {
    tape->gates.push_back(gates);
    tape->c.push_back(c_next);
    tape->tanh_c.push_back(tanh_c);
    tape->h.push_back(h_next);
  }
  return {h_next, c_next};
}

torch::Tensor lstm_unroll_fused(const LstmWeights& weights, const torch::Tensor& x, const RolloutTape* tape) {
  return LstmEpisode::apply(tape, x, weights.w_ih, weights.w_hh, weights.b_ih, weights.b_hh);
}

}  // namespace dopa::nn
