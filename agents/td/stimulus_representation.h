// How a TD model of dopamine sees time since a stimulus came on (Ludvig, Sutton & Kehoe 2008, 2012;
// specs/metarl-dopamine.md §3.1-3.2). Fed the stimulus channels each step (1 while a stimulus is on,
// as Conditioning-v0 observes them), it returns the feature vector x(t) of the linear value
// V(t) = w . x(t):
//
//   csc             complete serial compound ("tapped delay line"): per stimulus, `length` features;
//                   x_i(t) = 1 iff the stimulus came on i steps ago (i < length), whether or not it
//                   is still on
//   presence        per stimulus, one feature: 1 while it is on
//   microstimulus   per stimulus, `count` features over a memory trace y(t) = decay^(steps since
//                   onset) (0 before onset): x_i(t) = y(t) exp(-(y(t) - i/count)^2 / (2 sigma^2)) /
//                   sqrt(2 pi), i = 1 .. count (Ludvig, Sutton & Kehoe 2008, eq. 1-2)
//
// Before a stimulus comes on, its features are 0, so values before the CS are 0 (the "pre-CS values
// clamped at 0" of the classic model). A stimulus that is on at the first step came on then.
#pragma once

#include <string>
#include <vector>

namespace dopa::agents {

enum class StimulusKind { Csc, Presence, Microstimulus };

struct StimulusRepresentationOptions {
  StimulusKind kind = StimulusKind::Csc;
  int length = 60;           // csc: features per stimulus (steps after onset that get their own weight)
  int count = 20;            // microstimulus: features per stimulus
  double sigma = 0.08;       // microstimulus: width of each basis function
  double decay = 0.985;      // microstimulus: trace decay per step
};

class StimulusRepresentation {
 public:
  StimulusRepresentation(const StimulusRepresentationOptions& options, int stimuli);

  int size() const { return static_cast<int>(features_.size()); }
  // A new trial: no stimulus has come on.
  void reset();
  // The features for this step's stimulus channels (`stimuli` values).
  const std::vector<double>& update(const float* stimulus);

 private:
  StimulusRepresentationOptions options_;
  int stimuli_, per_stimulus_;
  std::vector<int> since_onset_;  // steps since each stimulus came on; -1: not yet
  std::vector<bool> was_on_;
  std::vector<double> features_;
};

}  // namespace dopa::agents
