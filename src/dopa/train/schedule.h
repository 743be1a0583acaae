// Schedules of a setting over training.
#pragma once

#include "dopa/core/config.h"
#include "dopa/core/error.h"
#include "dopa/core/settings.h"

namespace dopa {

// Linear from `start` to `end` over the first `fraction` of training, then `end` (fraction 0: `start`
// throughout); `progress` in [0, 1]. Wang et al. anneal the entropy weight 1 -> 0 (a reproduction:
// over the first 70%).
inline double linear_schedule(double start, double end, double fraction, double progress) {
  if (fraction <= 0) return start;
  return progress >= fraction ? end : start + (end - start) * progress / fraction;
}

// The entropy weight of the actor-critics (a2c, meta_a2c): ent_coef, annealed linearly to
// ent_coef_end over the first ent_anneal of the run. Its keys, declared once for both, each agent
// with its own default ent_coef:
struct EntropySchedule {
  double start = 0.0, end = 0.0, fraction = 0.0;

  static SettingsTable<EntropySchedule> table(double ent_coef) {
    return {
        setting(&EntropySchedule::start, "ent_coef", ent_coef,
                "weight of the exploration term (with ent_anneal: at the start)", {}, {"entropy_coef"}),
        setting(&EntropySchedule::end, "ent_coef_end", 0.0, "the exploration weight at the end of the annealing", {},
                {"entropy_coef_end", "entropy_coef_final"}),
        setting(&EntropySchedule::fraction, "ent_anneal", 0.0,
                "fraction of the run over which ent_coef goes linearly to ent_coef_end (0: constant, 1: the whole run)",
                between(0, 1), {"entropy_anneal", "anneal_entropy"}),
    };
  }
  // The weight at `progress` in [0, 1] of the run.
  double at(double progress) const { return linear_schedule(start, end, fraction, progress); }
};

}  // namespace dopa
