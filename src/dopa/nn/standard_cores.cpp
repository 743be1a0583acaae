#include "dopa/nn/standard_cores.h"

#include "dopa/nn/lstm_episode.h"

namespace dopa::nn {

ElmanCore::ElmanCore(int64_t inputs, int64_t hidden, double init_scale) : hidden_(hidden) {
  input_ = register_module("input", torch::nn::Linear(inputs, hidden));
  w_ = register_parameter("w", init_scale * torch::rand({hidden, hidden}));
}

CoreState ElmanCore::initial_state(int64_t batch) const { return {{torch::zeros({batch, hidden_}, w_.options())}, {}, {}}; }

torch::Tensor elman_hidden(const torch::Tensor& u, const torch::Tensor& h_prev, const torch::Tensor& w) {
  return torch::tanh(u + torch::matmul(h_prev, w.transpose(-2, -1)));
}

torch::Tensor ElmanCore::step(const torch::Tensor& x, CoreState& state, const DopamineFn&) {
  torch::Tensor h = elman_hidden(input_->forward(x), state.tensors[0], w_);
  state.tensors[0] = h;
  return h;
}

MlpCore::MlpCore(int64_t inputs, int64_t hidden) : hidden_(hidden) {
  layer_ = register_module("layer", torch::nn::Linear(inputs, hidden));
}

CoreState MlpCore::initial_state(int64_t batch) const {
  return {{torch::zeros({batch, hidden_}, layer_->weight.options())}, {}, {}};
}

torch::Tensor MlpCore::step(const torch::Tensor& x, CoreState& state, const DopamineFn&) {
  torch::Tensor h = torch::tanh(layer_->forward(x));
  state.tensors[0] = h;
  return h;
}

namespace {

void scale_weights(torch::Tensor& w_ih, torch::Tensor& w_hh, double gain) {
  if (gain == 1.0) return;
  torch::NoGradGuard no_grad;
  w_ih.mul_(gain);
  w_hh.mul_(gain);
}

}  // namespace

LstmCore::LstmCore(int64_t inputs, int64_t hidden, double gain, bool fused) : hidden_(hidden), fused_(fused) {
  cell_ = register_module("lstm", torch::nn::LSTMCell(inputs, hidden));
  scale_weights(cell_->weight_ih, cell_->weight_hh, gain);
}

CoreState LstmCore::initial_state(int64_t batch) const {
  const auto options = cell_->weight_ih.options();
  return {{torch::zeros({batch, hidden_}, options), torch::zeros({batch, hidden_}, options)}, {}, {}};
}

LstmWeights LstmCore::weights() const {
  return {cell_->weight_ih, cell_->weight_hh, cell_->bias_ih, cell_->bias_hh};
}

torch::Tensor LstmCore::step(const torch::Tensor& x, CoreState& state, const DopamineFn&) {
  if (use_fused() && !torch::GradMode::is_enabled()) {  // rollouts
    auto [h, c] = lstm_step_fused(weights(), x, state.tensors[0], state.tensors[1], state.tape.get());
    state.tensors = {h, c};
    return h;
  }
  auto [h, c] = cell_->forward(x, std::make_tuple(state.tensors[0], state.tensors[1]));
  state.tensors = {h, c};
  return h;
}

torch::Tensor LstmCore::unroll(const torch::Tensor& x, const torch::Tensor& dopamine, torch::Tensor* modulators,
                               const RolloutTape* tape) {
  if (!use_fused()) return RecurrentCore::unroll(x, dopamine, modulators);
  return lstm_unroll_fused(weights(), x, tape);
}

GruCore::GruCore(int64_t inputs, int64_t hidden, double gain) : hidden_(hidden) {
  cell_ = register_module("gru", torch::nn::GRUCell(inputs, hidden));
  scale_weights(cell_->weight_ih, cell_->weight_hh, gain);
}

CoreState GruCore::initial_state(int64_t batch) const {
  return {{torch::zeros({batch, hidden_}, cell_->weight_ih.options())}, {}, {}};
}

torch::Tensor GruCore::step(const torch::Tensor& x, CoreState& state, const DopamineFn&) {
  torch::Tensor h = cell_->forward(x, state.tensors[0]);
  state.tensors[0] = h;
  return h;
}

}  // namespace dopa::nn
