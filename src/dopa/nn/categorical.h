// Sampling actions from a batch of categorical distributions.
#pragma once

#include <torch/torch.h>

namespace dopa::nn {

// One index per row of probs (B, A), drawn with probability probs[b][a] / sum_a probs[b][a], as
// torch::multinomial(probs, 1).squeeze(1) would, with LibTorch's global generator (so seeding with
// torch::manual_seed makes it reproducible). Returns int64 (B). Why not multinomial: on a small batch
// its checks and Gumbel trick cost about ten tensor operations per call, more than a rollout step's
// network; this is one uniform draw per row and a walk along the row. No gradient.
torch::Tensor sample_categorical(const torch::Tensor& probs);
// The same walk with the uniform draws given: uniform (B,) float64 in [0, 1) (e.g. from a generator of
// one's own, as population training draws each member's from that member's generator).
torch::Tensor sample_categorical(const torch::Tensor& probs, const torch::Tensor& uniform);

}  // namespace dopa::nn
