// The Gittins index of a Bernoulli arm (Gittins 1979), for the Gittins-index bandit baseline.
//
// An arm whose success probability has the posterior Beta(a, b) has index lambda when, with a
// reward of lambda per step offered for retiring for good, pulling the arm once more (and going on
// optimally) and retiring at once are worth the same (the calibration, or retirement, form).
// Pulling the arm of highest index is optimal for the discounted infinite-horizon bandit.
#pragma once

namespace dopa::agents {

// Gittins index of Beta(a, b) (a, b > 0) at discount gamma (0 < gamma < 1), to within `tolerance`.
// Bisection on lambda; each step is a dynamic program over the posteriors reachable within D pulls,
// D large enough that gamma^D is below the tolerance (beyond D the arm's mean is taken as known).
// Cost: O(D^2) per bisection step (D = 175 at gamma = 0.9, 1,600 at 0.99).
double gittins_index(double a, double b, double gamma, double tolerance = 1e-7);

}  // namespace dopa::agents
