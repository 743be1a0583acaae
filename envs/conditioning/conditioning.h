// Conditioning-v0: Pavlovian (classical) conditioning trials for TD models of dopamine (Schultz,
// Dayan & Montague 1997; specs/metarl-dopamine.md §3).
//
// An episode is one trial of `trial_steps` steps (observations t = 0 .. trial_steps; it then
// terminates). A conditioned stimulus (CS) comes on at observation t = cs_onset and stays on for
// `cs_duration` steps (0: to the end of the trial); the unconditioned stimulus (US), a reward, comes
// with observation t = cs_onset + isi, i.e. it is the reward of the step into that observation. So a
// TD learner's error for the step into the CS is gamma^isi R once it has learned (spec §3.3).
//
// What a trial brings is drawn at its reset:
//   cue         with `cue_probs` = "0.1,0.5,0.9" there is one CS per entry, each trial shows one of
//               them (uniformly) and the US follows with that cue's probability (Fiorillo 2003-style
//               10/50/90% cues); otherwise one CS and the US follows with probability `reward_prob`
//   magnitude   `reward`, or with `reward_sizes` a draw from those sizes with the relative
//               frequencies `reward_freqs` (Dabney 2020's variable-magnitude task)
//   probes      trial n (counted from 1) is a probe with the US withheld when n is a multiple of
//               `omit_every` (Montague 1996: trials 15, 30, 45, ...), and every trial from
//               `extinction_trial` on is an extinction trial (no US)
// More stimuli: `extra_cs_onsets` = "4,12" adds one CS per entry, on in every trial from that
// observation (for `cs_duration` steps, or to the end), e.g. a serial compound whose earliest member
// takes over the prediction. An env object is one subject's session: trials count its resets.
//
// The action space is Discrete(1) (there is nothing to do). Observation, one float32 per CS (the
// cues, then the extra CSs): 1 while that CS is on. Info: trial (its number, from 1), cue, us (1 on the step that pays the US),
// omitted (1 on the step whose US was withheld: a probe, extinction or a missed probability draw).
#pragma once

#include <string>
#include <vector>

#include "dopa/core/env.h"

namespace dopa::envs {

class Conditioning : public Env {
 public:
  explicit Conditioning(const Config& config);

  static constexpr int kInfoTrial = 0, kInfoCue = 1, kInfoUs = 2, kInfoOmitted = 3;

  int us_step() const { return cs_onset_ + isi_; }  // the observation that comes with the US

 protected:
  void reset_impl(ObsOut obs, InfoOut info) override;
  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override;
  std::string carried_state() const override { return std::to_string(trial_); }
  void set_carried_state(const std::string& state) override { trial_ = std::stoll(state); }

 private:
  void write_obs(ObsOut obs) const;

  int trial_steps_, cs_onset_, cs_duration_, isi_, omit_every_, extinction_trial_;
  double reward_, reward_prob_;
  std::vector<double> cue_probs_;           // empty: one CS with reward_prob
  std::vector<double> sizes_, size_cdf_;    // empty: always `reward`
  std::vector<int> extra_onsets_;           // the extra CSs' onsets
  int64_t trial_ = 0;                       // this trial's number (from 1)
  int cue_ = 0;
  bool us_due_ = false;                     // the US comes this trial
  double magnitude_ = 0.0;
};

}  // namespace dopa::envs
