#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "dopa/core/space.h"

namespace {

using dopa::DType;
using dopa::Space;

TEST(Space, DiscreteContainsAndSamples) {
  const Space s = Space::discrete(3, 1);
  EXPECT_TRUE(s.contains(std::vector<double>{1}));
  EXPECT_TRUE(s.contains(std::vector<double>{3}));
  EXPECT_FALSE(s.contains(std::vector<double>{0}));
  EXPECT_FALSE(s.contains(std::vector<double>{4}));
  EXPECT_FALSE(s.contains(std::vector<double>{1.5}));
  EXPECT_EQ(s.to_string(), "Discrete(3, start=1)");
  dopa::Rng rng(0);
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < 3000; ++i) {
    int64_t v;
    s.sample(rng, &v);
    ASSERT_GE(v, 1);
    ASSERT_LE(v, 3);
    ++counts[v - 1];
  }
  for (int c : counts) EXPECT_NEAR(c, 1000, 120);
}

TEST(Space, BoxBoundsAreRoundedToTheDtype) {
  const Space s = Space::box({-0.1}, {0.1}, DType::Float32);
  EXPECT_EQ(s.high()[0], static_cast<double>(0.1f));
  const float inside = 0.1f;
  EXPECT_TRUE(s.contains(&inside));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(s.contains(&nan));
  const float outside = 0.100001f;
  EXPECT_FALSE(s.contains(&outside));
}

TEST(Space, BoxSamplesStayInBoundsAndCoverUnboundedDimensions) {
  const double inf = std::numeric_limits<double>::infinity();
  const Space s = Space::box({-1, 0, -inf, -inf}, {1, inf, 5, inf}, DType::Float32);
  EXPECT_EQ(s.size(), 4);
  EXPECT_EQ(s.shape(), std::vector<int64_t>{4});
  dopa::Rng rng(1);
  double negatives = 0;
  for (int i = 0; i < 2000; ++i) {
    float v[4];
    s.sample(rng, v);
    ASSERT_TRUE(s.contains(v));
    negatives += v[3] < 0;
  }
  EXPECT_NEAR(negatives / 2000, 0.5, 0.05);  // unbounded: normal around 0
}

TEST(Space, ToStringLooksLikeGymnasium) {
  EXPECT_EQ(Space::discrete(4).to_string(), "Discrete(4)");
  EXPECT_EQ(Space::box(0, 1, {2, 3}, DType::Float64).to_string(), "Box(0, 1, (2, 3), float64)");
  EXPECT_EQ(Space::box({0, -1}, {1, 1}).to_string(), "Box([0, -1], 1, (2,), float32)");
}

TEST(Rng, SameSeedSameStreamAndNeighbouringSeedsDiffer) {
  dopa::Rng a(5), b(5), c(6);
  for (int i = 0; i < 10; ++i) {
    const uint64_t x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    EXPECT_NE(x, c.next_u64());
  }
  dopa::Rng d(9);
  const std::string saved = d.save();
  const double first = d.uniform();
  d.load(saved);
  EXPECT_EQ(d.uniform(), first);
}

TEST(Rng, DistributionsHaveTheRightMoments) {
  dopa::Rng rng(3);
  double sum = 0, sum_sq = 0, uniform_sum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double z = rng.normal();
    sum += z;
    sum_sq += z * z;
    const double u = rng.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    uniform_sum += u;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(sum_sq / n, 1.0, 0.01);
  EXPECT_NEAR(uniform_sum / n, 0.5, 0.005);
}

TEST(Rng, GammaAndBetaHaveTheRightMoments) {
  dopa::Rng rng(5);
  const int n = 200000;
  // Gamma(k): mean k, variance k (one shape below 1, which takes the other branch).
  for (double shape : {0.5, 1.0, 4.5}) {
    double sum = 0, sum_sq = 0;
    for (int i = 0; i < n; ++i) {
      const double g = rng.gamma(shape);
      ASSERT_GT(g, 0.0);
      sum += g;
      sum_sq += g * g;
    }
    const double mean = sum / n;
    EXPECT_NEAR(mean, shape, 0.02 * shape + 0.01) << shape;
    EXPECT_NEAR(sum_sq / n - mean * mean, shape, 0.05 * shape + 0.01) << shape;
  }
  // Beta(2, 5): mean 2/7, variance 10 / (49 * 8).
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < n; ++i) {
    const double x = rng.beta(2, 5);
    ASSERT_GT(x, 0.0);
    ASSERT_LT(x, 1.0);
    sum += x;
    sum_sq += x * x;
  }
  const double mean = sum / n;
  EXPECT_NEAR(mean, 2.0 / 7.0, 0.003);
  EXPECT_NEAR(sum_sq / n - mean * mean, 10.0 / (49.0 * 8.0), 0.001);
  EXPECT_THROW(rng.gamma(0.0), std::invalid_argument);
}

}  // namespace
