#include "dopa/nn/categorical.h"

#include <cmath>

#include "dopa/core/error.h"

namespace dopa::nn {

torch::Tensor sample_categorical(const torch::Tensor& probs) {
  if (probs.dim() != 2 || probs.size(1) < 1) throw Error("sample_categorical: probs must be (batch, actions)");
  return sample_categorical(probs, torch::rand({probs.size(0)}, torch::kDouble));
}

torch::Tensor sample_categorical(const torch::Tensor& probs, const torch::Tensor& uniform_draws) {
  if (probs.dim() != 2 || probs.size(1) < 1) throw Error("sample_categorical: probs must be (batch, actions)");
  if (uniform_draws.numel() != probs.size(0)) throw Error("sample_categorical: one uniform draw per row");
  const torch::Tensor p = probs.detach().to(torch::kCPU, torch::kDouble).contiguous();
  const int64_t rows = p.size(0), actions = p.size(1);
  const torch::Tensor uniform = uniform_draws.to(torch::kCPU, torch::kDouble).contiguous();
  torch::Tensor out = torch::empty({rows}, torch::kLong);
  const double* pp = p.data_ptr<double>();
  const double* u = uniform.data_ptr<double>();
  int64_t* o = out.data_ptr<int64_t>();
  for (int64_t b = 0; b < rows; ++b) {
    const double* row = pp + b * actions;
    double total = 0;
    for (int64_t a = 0; a < actions; ++a) {
      if (!(row[a] >= 0) || std::isinf(row[a]))
        throw Error("sample_categorical: probabilities must be finite and non-negative");
      total += row[a];
    }
    if (!(total > 0)) throw Error("sample_categorical: a row of probabilities sums to 0");
    // The first action whose cumulative probability passes u * total; the last one if rounding
    // leaves the sum short of it. Actions of probability 0 are never picked.
    const double target = u[b] * total;
    int64_t pick = -1;
    double cumulative = 0;
    for (int64_t a = 0; a < actions; ++a) {
      if (row[a] <= 0) continue;
      cumulative += row[a];
      pick = a;
      if (cumulative > target) break;
    }
    o[b] = pick;
  }
  return out;
}

}  // namespace dopa::nn
