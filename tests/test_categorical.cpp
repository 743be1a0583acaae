// Action sampling: frequencies follow the probabilities, zero-probability actions never come out,
// the global seed makes it reproducible, bad input is refused.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "dopa/core/error.h"
#include "dopa/nn/categorical.h"

namespace {

TEST(SampleCategorical, FrequenciesFollowTheProbabilities) {
  torch::manual_seed(3);
  // Unnormalised rows: row 0 is (0.1, 0.6, 0, 0.3), row 1 always picks action 3.
  const torch::Tensor probs = torch::tensor({{0.2f, 1.2f, 0.0f, 0.6f}, {0.0f, 0.0f, 0.0f, 5.0f}});
  const int draws = 40000;
  std::vector<int64_t> counts(4, 0);
  for (int i = 0; i < draws; ++i) {
    const torch::Tensor a = dopa::nn::sample_categorical(probs);
    ASSERT_EQ(a.scalar_type(), torch::kLong);
    ASSERT_EQ(a[1].item<int64_t>(), 3);
    ++counts[a[0].item<int64_t>()];
  }
  EXPECT_EQ(counts[2], 0);
  // Binomial standard deviation at p = 0.6 over 40000 draws: 0.0024; 0.01 is four of them.
  EXPECT_NEAR(counts[0] / double(draws), 0.1, 0.01);
  EXPECT_NEAR(counts[1] / double(draws), 0.6, 0.01);
  EXPECT_NEAR(counts[3] / double(draws), 0.3, 0.01);
}

TEST(SampleCategorical, TheSeedMakesItReproducible) {
  const torch::Tensor probs = torch::softmax(torch::randn({64, 5}), 1);
  torch::manual_seed(7);
  const torch::Tensor a = dopa::nn::sample_categorical(probs);
  torch::manual_seed(7);
  const torch::Tensor b = dopa::nn::sample_categorical(probs);
  EXPECT_TRUE(torch::equal(a, b));
  torch::manual_seed(8);
  EXPECT_FALSE(torch::equal(a, dopa::nn::sample_categorical(probs)));
}

TEST(SampleCategorical, BadProbabilitiesAreRefused) {
  EXPECT_THROW(dopa::nn::sample_categorical(torch::tensor({{0.5f, -0.1f}})), dopa::Error);
  EXPECT_THROW(dopa::nn::sample_categorical(torch::tensor({{0.0f, 0.0f}})), dopa::Error);
  EXPECT_THROW(dopa::nn::sample_categorical(torch::tensor({{NAN, 1.0f}})), dopa::Error);
  EXPECT_THROW(dopa::nn::sample_categorical(torch::tensor({0.5f, 0.5f})), dopa::Error);
}

}  // namespace
