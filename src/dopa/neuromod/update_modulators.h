// Doya's neuromodulators on a deep agent's updates (specs/metarl-dopamine.md §4.1): acetylcholine
// sets the step size, noradrenaline the entropy weight (the softmax's temperature, in effect),
// serotonin the discount gamma; dopamine is the agent's own TD error. Each comes from a
// MetaParameter source (meta_parameter.h) named by a config key, or is off (""), and then the
// agent's own setting holds. An agent reads them before each update and reports after it.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dopa/core/config.h"
#include "dopa/core/rng.h"
#include "dopa/neuromod/meta_parameter.h"

namespace dopa::neuromod {

class UpdateModulators {
 public:
  // The keys acetylcholine, noradrenaline and serotonin, for an agent's schema.
  static ConfigSchema config_keys();

  // Reads those keys (dopa::Error naming `agent` and the key when a source is malformed).
  UpdateModulators(const Config& config, const std::string& agent, uint64_t seed);

  bool sets_lr() const { return acetylcholine_.has_value(); }
  bool sets_gamma() const { return serotonin_.has_value(); }
  bool any() const { return acetylcholine_ || noradrenaline_ || serotonin_; }
  double lr(double otherwise) const { return acetylcholine_ ? acetylcholine_->value() : otherwise; }
  double entropy_coef(double otherwise) const { return noradrenaline_ ? noradrenaline_->value() : otherwise; }
  double gamma(double otherwise) const { return serotonin_ ? serotonin_->value() : otherwise; }
  // The metrics columns ("lr", lr) and ("gamma", gamma) of the meta-parameters a modulator sets, only
  // where one does (a run's columns never change).
  std::vector<std::pair<std::string, double>> columns(double lr, double gamma) const {
    std::vector<std::pair<std::string, double>> out;
    if (sets_lr()) out.emplace_back("lr", lr);
    if (sets_gamma()) out.emplace_back("gamma", gamma);
    return out;
  }

  // After an update: its reward (a mean: meta_a2c's episode return, a2c's reward per step), its mean
  // |advantage| (the dopamine the surprise rule sees) and the run's progress in [0, 1] at the next
  // update (where a linear schedule's value is then read).
  void step(double reward, double surprise, double next_progress);

  // Checkpoints: write() adds "acetylcholine ...", "noradrenaline ...", "serotonin ...",
  // "modulator_rng ..." lines; read() takes one such line's key and the rest of the line (other keys
  // and sources not configured are ignored).
  void write(std::ostream& out) const;
  void read(const std::string& key, const std::string& rest);
  // All of write()'s lines as text (doubles round-trip exactly), and back.
  std::string save() const;
  void load(const std::string& saved);

 private:
  std::optional<MetaParameter> acetylcholine_, noradrenaline_, serotonin_;
  Rng rng_;  // the meta-learning perturbations
};

}  // namespace dopa::neuromod
