// The fused implementation of plastic recurrent networks (PlasticRnn), without autograd.
//
// One step of one batch element is a few passes over N x N arrays, written as plain loops that the
// compiler vectorises. PlasticRnn::step() uses it for rollouts (no gradients needed), and
// plastic_unroll_fused() runs a whole episode as one autograd function whose backward pass is
// written out by hand: it keeps h_t for every step but the B x N x N traces only every
// kernel::Config::checkpoint_every steps, recomputing the steps in between, so memory stays O(B N^2 T / K) instead
// of the O(B N^2 T) autograd needs. The equations are in plastic_rnn.h; tests check this file's
// gradients against PlasticRnn::unroll_autograd() and against finite differences.
#pragma once

#include <torch/torch.h>

#include "dopa/nn/recurrent_core.h"

namespace dopa::nn {

class PlasticRnn;

// One forward step for a batch, without gradients: the traces H (B, N, N) and E (B, N, N, or
// undefined) are updated in place, except on a step the tape checkpoints: the tape keeps the old
// tensors and `hebb` and `elig` are set to new ones. u = W_in x + b (B, N). Returns h_t (a new
// tensor); writes M_t into `modulator` ((B, 1) or (B, N)) when the core is modulated.
torch::Tensor plastic_step_fused(const PlasticRnn& core, const torch::Tensor& u, const torch::Tensor& h_prev,
                                 torch::Tensor& hebb, torch::Tensor& elig, const DopamineFn& dopamine,
                                 torch::Tensor* modulator, RolloutTape* tape = nullptr);

// The whole episode with the hand-written backward: x (T, B, inputs), dopamine (T, B) or undefined.
// With the tape of a rollout of the same inputs (and parameters), its forward pass is not repeated.
torch::Tensor plastic_unroll_fused(PlasticRnn& core, const torch::Tensor& x, const torch::Tensor& dopamine,
                                   torch::Tensor* modulators, const RolloutTape* tape = nullptr);

}  // namespace dopa::nn
