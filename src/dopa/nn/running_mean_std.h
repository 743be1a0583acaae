// Running mean and variance of a stream of batches (Chan et al.'s parallel update, as Gymnasium's
// RunningMeanStd), and the two normalisers PPO uses with it:
//
//   ObservationNormalizer   (x - mean) / sqrt(var + 1e-8), clipped to +-clip, statistics updated with
//                           every observation batch while training (Gymnasium's NormalizeObservation);
//   RewardNormalizer        r / sqrt(var(G) + 1e-8), clipped to +-clip, where G is each env's
//                           discounted return so far (Gymnasium's NormalizeReward).
//
// The statistics are module buffers, so they are saved and loaded with the model that owns them:
// a trained policy is evaluated with the statistics it was trained with.
#pragma once

#include <torch/torch.h>

namespace dopa::nn {

class RunningMeanStdImpl : public torch::nn::Module {
 public:
  explicit RunningMeanStdImpl(int64_t size);
  // Folds a batch (B, size) into the statistics.
  void update(const torch::Tensor& batch);
  const torch::Tensor& mean() const { return mean_; }
  const torch::Tensor& var() const { return var_; }
  double count() const { return count_.item<double>(); }

 private:
  torch::Tensor mean_, var_, count_;  // float64; count starts at 1e-4 as Gymnasium's
};
TORCH_MODULE(RunningMeanStd);

class ObservationNormalizerImpl : public torch::nn::Module {
 public:
  ObservationNormalizerImpl(int64_t size, double clip);
  // Normalises obs (B, size); updates the statistics first when `update` is true.
  torch::Tensor forward(const torch::Tensor& obs, bool update);

 private:
  RunningMeanStd stats_;
  double clip_;
};
TORCH_MODULE(ObservationNormalizer);

class RewardNormalizerImpl : public torch::nn::Module {
 public:
  RewardNormalizerImpl(double gamma, double clip);
  // Scales one step's rewards (B,); `terminated` (B,) ends the running returns. Updates the statistics.
  torch::Tensor forward(const torch::Tensor& rewards, const torch::Tensor& terminated);
  // The scale applied to rewards (for values computed outside forward(), such as a bootstrap).
  double scale() const;
  // The running discounted returns of the envs' current episodes (not a buffer: they belong to the
  // episodes, not to the trained model), for checkpoints; undefined before the first step.
  const torch::Tensor& running_returns() const { return returns_; }
  void set_running_returns(torch::Tensor returns) { returns_ = std::move(returns); }

 private:
  RunningMeanStd stats_;
  torch::Tensor returns_;  // per env, float64
  double gamma_, clip_;
};
TORCH_MODULE(RewardNormalizer);

}  // namespace dopa::nn
