#include "agents/td/stimulus_representation.h"

#include <algorithm>
#include <cmath>

#include "dopa/core/error.h"

namespace dopa::agents {

namespace {

int features_per_stimulus(const StimulusRepresentationOptions& o) {
  if (o.kind == StimulusKind::Csc) {
    if (o.length < 1) throw Error("td: csc 'length' must be >= 1");
    return o.length;
  }
  if (o.kind == StimulusKind::Presence) return 1;
  if (o.count < 1 || !(o.sigma > 0) || !(o.decay > 0 && o.decay < 1))
    throw Error("td: microstimulus needs count >= 1, sigma > 0 and decay in (0, 1)");
  return o.count;
}

}  // namespace

StimulusRepresentation::StimulusRepresentation(const StimulusRepresentationOptions& options, int stimuli)
    : options_(options),
      stimuli_(stimuli),
      per_stimulus_(features_per_stimulus(options)) {
  if (stimuli < 1) throw Error("td: a representation needs at least one stimulus channel");
  features_.assign(static_cast<size_t>(stimuli_) * per_stimulus_, 0.0);
  reset();
}

void StimulusRepresentation::reset() {
  since_onset_.assign(stimuli_, -1);
  was_on_.assign(stimuli_, false);
}

const std::vector<double>& StimulusRepresentation::update(const float* stimulus) {
  std::fill(features_.begin(), features_.end(), 0.0);
  for (int s = 0; s < stimuli_; ++s) {
    const bool on = stimulus[s] > 0.5f;
    if (on && !was_on_[s]) since_onset_[s] = 0;  // (re)onset
    else if (since_onset_[s] >= 0) ++since_onset_[s];
    was_on_[s] = on;
    double* x = features_.data() + static_cast<size_t>(s) * per_stimulus_;
    const int k = since_onset_[s];
    if (options_.kind == StimulusKind::Csc) {
      if (k >= 0 && k < options_.length) x[k] = 1.0;
    } else if (options_.kind == StimulusKind::Presence) {
      x[0] = on ? 1.0 : 0.0;
    } else if (k >= 0) {  // microstimulus
      const double y = std::pow(options_.decay, k);
      const double norm = 1.0 / std::sqrt(2.0 * M_PI);
      for (int i = 0; i < options_.count; ++i) {
        const double centre = static_cast<double>(i + 1) / options_.count;
        const double d = (y - centre) / options_.sigma;
        x[i] = y * norm * std::exp(-0.5 * d * d);
      }
    }
  }
  return features_;
}

}  // namespace dopa::agents
