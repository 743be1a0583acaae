// Distributional TD (src/dopa/neuromod) against specs/metarl-dopamine.md §3.4: predictors with
// asymmetries tau converge to the tau-expectiles of Dabney et al.'s reward distribution.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "dopa/core/error.h"
#include "dopa/core/rng.h"
#include "dopa/neuromod/distributional_td.h"

namespace {

using dopa::neuromod::DistributionalTd;

// Dabney et al. 2020's variable-magnitude task: reward sizes (uL) and their frequencies.
const std::vector<double> kSizes = {0.1, 0.3, 1.2, 2.5, 5, 10, 20};
const std::vector<double> kFreqs = {0.066, 0.091, 0.148, 0.155, 0.312, 0.151, 0.077};

// The tau-expectile, solved exactly: the balance tau E[(X - e)+] - (1 - tau) E[(e - X)+] is linear
// in e between consecutive sizes, so find the interval where it changes sign and solve there.
double exact_expectile(double tau) {
  const double total = std::accumulate(kFreqs.begin(), kFreqs.end(), 0.0);
  for (size_t k = 0; k + 1 < kSizes.size(); ++k) {
    // For e in [size_k, size_k+1]: sizes 0..k lie below, k+1.. above. balance(e) = A - B e.
    double A = 0.0, B = 0.0;
    for (size_t j = 0; j < kSizes.size(); ++j) {
      const double p = kFreqs[j] / total, w = j <= k ? 1.0 - tau : tau;
      A += p * w * kSizes[j];
      B += p * w;
    }
    const double e = A / B;
    if (e >= kSizes[k] && e <= kSizes[k + 1]) return e;
  }
  ADD_FAILURE() << "no root";
  return 0.0;
}

TEST(DistributionalTd, ExpectileOfTheLibraryMatchesTheExactOneAndTheMean) {
  const double total = std::accumulate(kFreqs.begin(), kFreqs.end(), 0.0);
  double mean = 0.0;
  for (size_t k = 0; k < kSizes.size(); ++k) mean += kSizes[k] * kFreqs[k] / total;
  EXPECT_NEAR(dopa::neuromod::expectile(kSizes, kFreqs, 0.5), mean, 1e-12);
  for (double tau = 0.05; tau < 1; tau += 0.05)
    EXPECT_NEAR(dopa::neuromod::expectile(kSizes, kFreqs, tau), exact_expectile(tau), 1e-9) << tau;
  EXPECT_THROW(dopa::neuromod::expectile(kSizes, kFreqs, 1.0), dopa::Error);
}

TEST(DistributionalTd, PredictorsConvergeToTheExpectilesOfTheRewardDistribution) {
  // One cue (a single constant feature) followed by a reward drawn from Dabney's distribution, trial
  // after trial; each predictor's value of the cue is then averaged over the last 100,000 trials.
  std::vector<double> taus;
  for (int i = 1; i <= 9; ++i) taus.push_back(i / 10.0);
  DistributionalTd population(taus, 0.01, 0.9, 1);
  std::vector<double> cdf(kFreqs.size());
  std::partial_sum(kFreqs.begin(), kFreqs.end(), cdf.begin());
  dopa::Rng rng(2020);
  const std::vector<double> cue = {1.0};
  std::vector<double> average(taus.size(), 0.0);
  const int trials = 300000, averaged = 100000;
  for (int trial = 0; trial < trials; ++trial) {
    const double u = rng.uniform() * cdf.back();
    const double reward = kSizes[std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin()];
    population.update(cue, reward, cue, /*terminal=*/true);
    if (trial >= trials - averaged) {
      const auto v = population.values(cue);
      for (size_t i = 0; i < taus.size(); ++i) average[i] += v[i] / averaged;
    }
  }
  for (size_t i = 0; i < taus.size(); ++i) {
    const double target = exact_expectile(taus[i]);
    EXPECT_NEAR(average[i], target, 0.02 * target) << "tau " << taus[i];
  }
  // Reversal points: the reward size at which each predictor's delta changes sign is its value.
  for (size_t i = 0; i < taus.size(); ++i) {
    std::vector<double> responses;
    for (double size : kSizes) responses.push_back(size - average[i]);  // delta for that reward
    EXPECT_NEAR(dopa::neuromod::reversal_point(kSizes, responses), average[i], 1e-9);
  }
}

TEST(DistributionalTd, ReversalPointInterpolatesAndClampsAtTheEnds) {
  EXPECT_DOUBLE_EQ(dopa::neuromod::reversal_point({1, 2, 4}, {-3, -1, 1}), 3.0);
  EXPECT_DOUBLE_EQ(dopa::neuromod::reversal_point({1, 2, 4}, {1, 2, 3}), 1.0);
  EXPECT_DOUBLE_EQ(dopa::neuromod::reversal_point({1, 2, 4}, {-3, -2, -1}), 4.0);
  EXPECT_THROW(DistributionalTd({0.0}, 0.1, 0.9, 1), dopa::Error);
}

}  // namespace
