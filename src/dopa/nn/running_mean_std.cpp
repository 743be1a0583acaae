#include "dopa/nn/running_mean_std.h"

namespace dopa::nn {

constexpr double kEpsilon = 1e-8;

RunningMeanStdImpl::RunningMeanStdImpl(int64_t size) {
  mean_ = register_buffer("mean", torch::zeros({size}, torch::kFloat64));
  var_ = register_buffer("var", torch::ones({size}, torch::kFloat64));
  count_ = register_buffer("count", torch::full({}, 1e-4, torch::kFloat64));
}

void RunningMeanStdImpl::update(const torch::Tensor& batch) {
  torch::NoGradGuard no_grad;
  const torch::Tensor x = batch.to(torch::kFloat64).reshape({batch.size(0), -1});
  const torch::Tensor batch_mean = x.mean(0);
  const torch::Tensor batch_var = x.var(0, /*unbiased=*/false);
  const double batch_count = static_cast<double>(x.size(0));
  const double count = count_.item<double>();
  const double total = count + batch_count;
  const torch::Tensor delta = batch_mean - mean_;
  // Chan et al.: combine the two sets' sums of squared deviations.
  const torch::Tensor m2 = var_ * count + batch_var * batch_count + delta.square() * count * batch_count / total;
  mean_.add_(delta * batch_count / total);
  var_.copy_(m2 / total);
  count_.fill_(total);
}

ObservationNormalizerImpl::ObservationNormalizerImpl(int64_t size, double clip)
    : stats_(register_module("stats", RunningMeanStd(size))), clip_(clip) {}

torch::Tensor ObservationNormalizerImpl::forward(const torch::Tensor& obs, bool update) {
  torch::NoGradGuard no_grad;
  if (update) stats_->update(obs);
  const torch::Tensor normalized = (obs.to(torch::kFloat64) - stats_->mean()) / (stats_->var() + kEpsilon).sqrt();
  return normalized.clamp(-clip_, clip_).to(torch::kFloat32);
}

RewardNormalizerImpl::RewardNormalizerImpl(double gamma, double clip)
    : stats_(register_module("stats", RunningMeanStd(1))), gamma_(gamma), clip_(clip) {}

torch::Tensor RewardNormalizerImpl::forward(const torch::Tensor& rewards, const torch::Tensor& terminated) {
  torch::NoGradGuard no_grad;
  const torch::Tensor r = rewards.to(torch::kFloat64);
  if (!returns_.defined() || returns_.size(0) != r.size(0)) returns_ = torch::zeros_like(r);
  returns_ = returns_ * gamma_ * (1 - terminated.to(torch::kFloat64)) + r;
  stats_->update(returns_.unsqueeze(1));
  return (r / std::sqrt(stats_->var().item<double>() + kEpsilon)).clamp(-clip_, clip_).to(torch::kFloat32);
}

double RewardNormalizerImpl::scale() const { return 1.0 / std::sqrt(stats_->var().item<double>() + kEpsilon); }

}  // namespace dopa::nn
