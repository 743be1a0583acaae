// The LSTM core's fast path on the CPU: a rollout step and a whole episode without per-step autograd.
//
// LibTorch's LSTMCell equations and parameters (so model files are the same either way):
//
//   a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh, split into (i, f, g, o) in that order
//   i, f, o = sigmoid(.),  g = tanh(.)
//   c_t = f c_{t-1} + i g,  h_t = o tanh(c_t)
//
// Through autograd an episode costs about a dozen recorded operations per step and as many again
// backwards. Here the input projection of all T steps is one matrix product, each step is one
// product with W_hh plus plain loops, and the backward pass is written out: one product with W_hh
// per step, and the weight gradients as three products over the whole episode. A rollout's steps
// record the gates into the RolloutTape, so the update does not repeat the forward pass. Tests check
// outputs and gradients against LSTMCell's autograd (and finite differences).
#pragma once

#include <torch/torch.h>

#include "dopa/nn/recurrent_core.h"

namespace dopa::nn {

struct LstmWeights {
  torch::Tensor w_ih, w_hh, b_ih, b_hh;  // (4H, I), (4H, H), (4H), (4H)
};

// One step without gradients: x (B, I), h and c (B, H) -> new h_t and c_t. With a tape, records the
// activated gates, c_t, tanh(c_t) and h_t of the step.
std::pair<torch::Tensor, torch::Tensor> lstm_step_fused(const LstmWeights& weights, const torch::Tensor& x,
                                                        const torch::Tensor& h, const torch::Tensor& c,
                                                        RolloutTape* tape = nullptr);

// The whole episode from zero state, differentiable in x and the weights: x (T, B, I) -> (T, B, H).
// With the tape of a rollout of exactly these inputs and weights, the forward pass is taken from it.
torch::Tensor lstm_unroll_fused(const LstmWeights& weights, const torch::Tensor& x,
                                const RolloutTape* tape = nullptr);

}  // namespace dopa::nn
