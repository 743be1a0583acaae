// Doya's (2002) neuromodulators as sources of an agent's meta-parameters (specs/metarl-dopamine.md
// §4): dopamine is the TD error itself; serotonin sets the discount gamma, noradrenaline the inverse
// temperature beta of the softmax (or an entropy weight), acetylcholine the learning rate alpha.
// An agent reads each meta-parameter from a MetaParameter every step and tells it what happened.
//
// A MetaParameter is configured by a short text (agents expose it as one config key per modulator):
//
//   "0.1"  or "fixed:0.1"         a constant
//   "linear:0.5:0.01"             from 0.5 to 0.01, linearly over the run
//   "meta:0.99"                   Schweighofer & Doya's (2003) stochastic meta-learning, from 0.99:
//                                 the value is f(b0 + sigma), f logistic for alpha and gamma, exp for
//                                 beta; sigma ~ N(0, 1) is redrawn every 100 steps; every step
//                                 b0 += 0.2 (rbar - rbarbar) sigma, with rbar the reward's running
//                                 average (time constant 100 steps) and rbarbar that of rbar (100):
//                                 perturbations that raised the recent reward above the longer-run
//                                 average are kept
//   "surprise:0.01:0.5:1"         a rule on recent TD errors (Pearce-Hall-like, ours): from 0.01
//                                 (no surprise) towards 0.5 as the running average of |delta|
//                                 (time constant 100 steps) grows, as tanh(|delta|avg / 1)
#pragma once

#include <string>

#include "dopa/core/rng.h"

namespace dopa::neuromod {

// How an unbounded activity b maps onto the meta-parameter in meta-learning.
enum class Squash { Logistic, Exp };  // (0, 1) for alpha and gamma; (0, inf) for beta

class MetaParameter {
 public:
  // Parses `spec` (dopa::Error naming `name` when malformed or out of range for `squash`).
  MetaParameter(const std::string& spec, Squash squash, const std::string& name);

  double value() const { return value_; }
  // One step happened: its reward and TD error, and the run's progress in [0, 1].
  void step(double reward, double delta, double progress, Rng& rng);

  const std::string& spec() const { return spec_; }
  // Everything step() has accumulated, as text, and back (for checkpoints).
  std::string state() const;
  void set_state(const std::string& state);

 private:
  enum class Kind { Fixed, Linear, Meta, Surprise };
  double squash(double b) const;
  double unsquash(double v) const;

  std::string spec_, name_;
  Squash squash_;
  Kind kind_ = Kind::Fixed;
  double value_ = 0.0;
  double start_ = 0.0, end_ = 0.0;           // linear; surprise: low, high
  double scale_ = 1.0;                       // surprise
  double base_ = 0.0, sigma_ = 0.0;          // meta: b0 and the perturbation
  double reward_avg_ = 0.0, reward_avg_avg_ = 0.0, surprise_ = 0.0;
  long long steps_ = 0;
};

}  // namespace dopa::neuromod
