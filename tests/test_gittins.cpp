// The Gittins index against its tabulated value and its known properties.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "agents/bandit_baselines/gittins.h"
#include "dopa/core/error.h"

namespace {

using dopa::agents::gittins_index;

TEST(Gittins, UniformPriorAtDiscountNineTenthsMatchesTheTable) {
  // specs/metarl-dopamine.md §1.4: Beta(1, 1) at gamma = 0.9 is about 0.7029 (Gittins' tables).
  EXPECT_NEAR(gittins_index(1, 1, 0.9), 0.7029, 0.001);
}

TEST(Gittins, IndexExceedsTheMeanByLessAsThePosteriorNarrows) {
  double previous_bonus = 1.0;
  for (int n : {2, 10, 50, 200}) {
    const double bonus = gittins_index(n / 2.0, n / 2.0, 0.9) - 0.5;
    EXPECT_GT(bonus, 0.0) << n;
    EXPECT_LT(bonus, previous_bonus) << n;
    previous_bonus = bonus;
  }
  EXPECT_LT(previous_bonus, 0.02);
}

TEST(Gittins, IndexGrowsWithTheDiscountAndTheSuccesses) {
  EXPECT_LT(gittins_index(1, 1, 0.5), gittins_index(1, 1, 0.9));
  EXPECT_LT(gittins_index(1, 1, 0.9), gittins_index(1, 1, 0.99));
  EXPECT_LT(gittins_index(2, 3, 0.9), gittins_index(3, 3, 0.9));
  EXPECT_THROW(gittins_index(0, 1, 0.9), dopa::Error);
  EXPECT_THROW(gittins_index(1, 1, 1.0), dopa::Error);
}

}  // namespace

namespace {

TEST(Gittins, TheTableAgreesWithTheIndexOfEachState) {
  const dopa::agents::GittinsTable table(0.9, 30, 1000);
  for (auto [s, f] : std::vector<std::pair<int, int>>{{0, 0}, {1, 0}, {0, 1}, {5, 3}, {2, 20}, {25, 5}}) {
    EXPECT_NEAR(table.index(s, f), gittins_index(1.0 + s, 1.0 + f, 0.9), 2e-5) << s << "," << f;
  }
  EXPECT_THROW(table.index(20, 11), dopa::Error);
}

}  // namespace
