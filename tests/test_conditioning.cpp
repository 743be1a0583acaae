// Conditioning-v0 (envs/conditioning) and the TD model of dopamine (agents/td) against
// specs/metarl-dopamine.md §3: the trial layout, probes, cue probabilities, and the analytic fixed
// point of CSC TD(0) (delta at the CS -> gamma^ISI R, at the US -> 0, at an omitted US -> -R).
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "agents/td/stimulus_config.h"
#include "agents/td/stimulus_representation.h"
#include "agents/td/td_lambda.h"
#include "dopa/core/error.h"
#include "dopa/core/registry.h"

namespace {

using dopa::Kwargs;
using dopa::agents::StimulusKind;
using dopa::agents::StimulusRepresentation;
using dopa::agents::StimulusRepresentationOptions;
using dopa::agents::TdLambda;
using dopa::agents::TdLambdaOptions;

TEST(Conditioning, TheCsComesOnAtOnsetAndTheUsIsiStepsLater) {
  auto env = dopa::make("Conditioning-v0", {{"trial_steps", 12}, {"cs_onset", 3}, {"cs_duration", 4},
                                            {"isi", 5}, {"reward", 2.5}});
  dopa::EnvSession session(*env);
  session.reset(1);
  EXPECT_EQ(session.obs()[0], 0.0);
  EXPECT_EQ(session.info("trial"), 1.0);
  for (int t = 1; t <= 12; ++t) {
    const auto r = session.step(0);
    EXPECT_EQ(session.obs()[0], t >= 3 && t < 7 ? 1.0 : 0.0) << t;
    EXPECT_EQ(r.reward, t == 8 ? 2.5 : 0.0) << t;
    EXPECT_EQ(session.info("us"), t == 8 ? 1.0 : 0.0) << t;
    EXPECT_EQ(r.terminated, t == 12) << t;
  }
  EXPECT_THROW(session.step(1), dopa::Error);  // Discrete(1): nothing to choose
}

TEST(Conditioning, ProbesAndExtinctionWithholdTheUs) {
  auto env = dopa::make("Conditioning-v0", {{"trial_steps", 6}, {"cs_onset", 1}, {"isi", 2},
                                            {"omit_every", 3}, {"extinction_trial", 8}});
  dopa::EnvSession session(*env);
  for (int trial = 1; trial <= 10; ++trial) {
    session.reset(trial == 1 ? std::optional<uint64_t>(0) : std::nullopt);
    double paid = 0.0, omitted = 0.0;
    for (bool done = false; !done;) {
      const auto r = session.step(0);
      paid += r.reward;
      omitted += session.info("omitted");
      done = r.done();
    }
    const bool withheld = trial % 3 == 0 || trial >= 8;
    EXPECT_EQ(paid, withheld ? 0.0 : 1.0) << trial;
    EXPECT_EQ(omitted, withheld ? 1.0 : 0.0) << trial;
  }
}

TEST(Conditioning, CueProbabilitiesAndRewardSizesAreDrawnAsConfigured) {
  auto env = dopa::make("Conditioning-v0", {{"trial_steps", 4}, {"cs_onset", 1}, {"isi", 2},
                                            {"cue_probs", "0.1,0.5,0.9"}, {"reward_sizes", "1,5"},
                                            {"reward_freqs", "3,1"}});
  ASSERT_EQ(env->observation_space().size(), 3);
  dopa::EnvSession session(*env);
  session.reset(7);
  std::map<int, std::pair<int, int>> trials_and_rewards;  // by cue
  std::map<double, int> sizes;
  const int n = 30000;
  for (int trial = 0; trial < n; ++trial) {
    if (trial > 0) session.reset();
    const int cue = static_cast<int>(session.info("cue"));
    session.step(0);
    EXPECT_EQ(session.obs()[cue], 1.0);  // only this trial's cue is on
    EXPECT_EQ(session.obs()[0] + session.obs()[1] + session.obs()[2], 1.0);
    session.step(0);
    const auto r = session.step(0);  // into observation 3 = cs_onset + isi: the US
    trials_and_rewards[cue].first += 1;
    if (r.reward > 0) {
      trials_and_rewards[cue].second += 1;
      sizes[r.reward] += 1;
    }
    while (!session.step(0).done()) {
    }
  }
  const double probs[] = {0.1, 0.5, 0.9};
  for (int cue = 0; cue < 3; ++cue) {
    const auto [count, rewarded] = trials_and_rewards[cue];
    EXPECT_NEAR(count, n / 3.0, 5 * std::sqrt(n * (1.0 / 3) * (2.0 / 3)));
    EXPECT_NEAR(static_cast<double>(rewarded) / count, probs[cue], 0.02) << cue;
  }
  ASSERT_EQ(sizes.size(), 2u);
  EXPECT_NEAR(static_cast<double>(sizes[1.0]) / (sizes[1.0] + sizes[5.0]), 0.75, 0.02);
}

TEST(Conditioning, BadKwargsNameTheProblem) {
  auto message = [](const Kwargs& kwargs) {
    try {
      dopa::make("Conditioning-v0", kwargs);
    } catch (const dopa::Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message({{"trial_steps", 10}, {"cs_onset", 5}, {"isi", 6}}).find("'isi' must be from 1 to 5"),
            std::string::npos);
  EXPECT_NE(message({{"cs_onset", 0}}).find("'cs_onset'"), std::string::npos);
  EXPECT_NE(message({{"cue_probs", "0.1,x"}}).find("numbers separated by commas"), std::string::npos);
  EXPECT_NE(message({{"reward_sizes", "1,2"}, {"reward_freqs", "1"}}).find("same length"), std::string::npos);
  EXPECT_NE(message({{"reward_prob", 1.5}}).find("'reward_prob'"), std::string::npos);
}

TEST(StimulusRepresentation, CscMarksTimeSinceOnsetPresenceTheStimulusMicrostimuliPeakInTurn) {
  const float off = 0.0f, on = 1.0f;
  StimulusRepresentation csc({StimulusKind::Csc, 5}, 1);
  EXPECT_EQ(csc.update(&off), std::vector<double>(5, 0.0));  // before the CS: no features, V = 0
  for (int k = 0; k < 7; ++k) {
    const auto& x = csc.update(k < 2 ? &on : &off);  // the CS lasts 2 steps; the delay line runs on
    for (int i = 0; i < 5; ++i) EXPECT_EQ(x[i], i == k ? 1.0 : 0.0) << k << " " << i;
  }
  StimulusRepresentation presence({StimulusKind::Presence}, 1);
  EXPECT_EQ(presence.update(&on)[0], 1.0);
  EXPECT_EQ(presence.update(&off)[0], 0.0);

  StimulusRepresentationOptions micro;
  micro.kind = dopa::agents::StimulusKind::Microstimulus;
  StimulusRepresentation m(micro, 1);
  ASSERT_EQ(m.size(), 20);
  // As the trace y = 0.985^k decays, the basis function centred nearest y peaks: the last (centre
  // 1) at onset, earlier ones later; all are y-weighted Gaussians of width 0.08.
  int previous_peak = 20;
  for (int k = 0; k <= 100; ++k) {
    const auto& x = m.update(&on);
    const int peak = static_cast<int>(std::max_element(x.begin(), x.end()) - x.begin());
    const double y = std::pow(0.985, k);
    EXPECT_LE(peak, previous_peak);
    EXPECT_NEAR(x[peak], y * std::exp(-0.5 * std::pow((y - (peak + 1) / 20.0) / 0.08, 2)) / std::sqrt(2 * M_PI),
                1e-12);
    previous_peak = peak;
  }
  EXPECT_LT(previous_peak, 5);  // y = 0.22 after 100 steps
  EXPECT_THROW(dopa::parse_enum<StimulusKind>("tapped", "representation"), dopa::Error);
}

// One trial of Conditioning-v0 through CSC TD(0); returns delta by observation index (from 1).
std::vector<double> run_trial(dopa::EnvSession& session, StimulusRepresentation& rep, TdLambda& td, bool learn) {
  std::vector<double> deltas(1, 0.0);
  rep.reset();
  td.reset_trace();
  std::vector<double> x = rep.update(reinterpret_cast<const float*>(session.raw_obs()));
  for (bool done = false; !done;) {
    const auto r = session.step(0);
    const std::vector<double> x_next = rep.update(reinterpret_cast<const float*>(session.raw_obs()));
    deltas.push_back(learn ? td.update(x, r.reward, x_next, r.terminated) : td.error(x, r.reward, x_next, r.terminated));
    x = x_next;
    done = r.done();
  }
  return deltas;
}

TEST(TdModel, CscTd0ReachesTheAnalyticFixedPoint) {
  const double R = 10.0;
  for (const double gamma : {0.9, 0.98, 1.0}) {
    for (const int isi : {3, 10}) {
      const int trials = 3000, onset = 5;
      auto env = dopa::make("Conditioning-v0", {{"trial_steps", onset + isi + 5}, {"cs_onset", onset}, {"isi", isi},
                                                {"reward", R}, {"omit_every", trials}});
      dopa::EnvSession session(*env);
      StimulusRepresentation rep({StimulusKind::Csc, 40}, 1);
      TdLambda td(TdLambdaOptions{gamma, 0.2, 0.0}, rep.size());
      std::vector<double> deltas;
      for (int trial = 1; trial < trials; ++trial) {
        session.reset(trial == 1 ? std::optional<uint64_t>(0) : std::nullopt);
        deltas = run_trial(session, rep, td, true);
      }
      const std::string where = "gamma " + std::to_string(gamma) + " isi " + std::to_string(isi);
      EXPECT_NEAR(deltas[onset], std::pow(gamma, isi) * R, 0.01 * std::pow(gamma, isi) * R) << where;
      EXPECT_NEAR(deltas[onset + isi], 0.0, 0.01 * R) << where;
      for (int t = 1; t < onset; ++t) EXPECT_EQ(deltas[t], 0.0) << where;  // nothing predicts the CS
      session.reset();  // trial 3000: the probe, the US withheld
      const std::vector<double> probe = run_trial(session, rep, td, true);
      EXPECT_NEAR(probe[onset + isi], -R, 0.01 * R) << where;
      EXPECT_NEAR(probe[onset], deltas[onset], 1e-9) << where;  // the CS response does not know yet
    }
  }
}

TEST(TdModel, BeforeLearningTheErrorIsAtTheUsAndItMovesBackToTheCs) {
  auto env = dopa::make("Conditioning-v0", {{"trial_steps", 20}, {"cs_onset", 4}, {"isi", 8}});
  dopa::EnvSession session(*env);
  StimulusRepresentation rep({StimulusKind::Csc, 20}, 1);
  TdLambda td(TdLambdaOptions{0.98, 0.3, 0.0}, rep.size());
  auto peak_step = [](const std::vector<double>& d) {
    return static_cast<int>(std::max_element(d.begin(), d.end()) - d.begin());
  };
  session.reset(0);
  EXPECT_EQ(peak_step(run_trial(session, rep, td, true)), 12);  // first trial: a burst at the reward
  int previous = 12;
  for (int trial = 0; trial < 200; ++trial) {  // TD(0): the bump travels back one step at a time
    session.reset();
    const int peak = peak_step(run_trial(session, rep, td, true));
    EXPECT_LE(peak, previous);
    previous = peak;
  }
  EXPECT_EQ(previous, 4);  // learned: the burst has moved to the CS
}

TEST(TdModel, EligibilityTracesSpreadTheErrorBackInOneTrial) {
  // TD(lambda): after one rewarded trial every CSC weight from the CS to the US has moved (with
  // lambda = 0 only the last one has).
  for (const double lambda : {0.0, 0.9}) {
    auto env = dopa::make("Conditioning-v0", {{"trial_steps", 10}, {"cs_onset", 2}, {"isi", 5}});
    dopa::EnvSession session(*env);
    StimulusRepresentation rep({StimulusKind::Csc, 10}, 1);
    TdLambda td(TdLambdaOptions{1.0, 0.5, lambda}, rep.size());
    session.reset(0);
    run_trial(session, rep, td, true);
    for (int k = 0; k < 5; ++k) {
      const double expected = lambda == 0.0 ? (k == 4 ? 0.5 : 0.0) : 0.5 * std::pow(lambda, 4 - k);
      EXPECT_NEAR(td.weights()[k], expected, 1e-12) << lambda << " " << k;
    }
  }
}

}  // namespace

namespace {

TEST(TdModel, TheEarliestOfASerialCompoundTakesOverThePrediction) {
  // CS A at step 10 predicts the reward at step 20; an extra CS B at step 4 comes on before A in
  // every trial. Learned, the burst sits at B (gamma^16 R), nothing is left at A (A is predicted)
  // or at the reward.
  auto env = dopa::make("Conditioning-v0",
                        {{"trial_steps", 25}, {"cs_onset", 10}, {"isi", 10}, {"extra_cs_onsets", "4"}});
  ASSERT_EQ(env->observation_space().size(), 2);
  dopa::EnvSession session(*env);
  StimulusRepresentation rep({StimulusKind::Csc, 25}, 2);
  TdLambda td(TdLambdaOptions{0.95, 0.2, 0.0}, rep.size());
  std::vector<double> deltas;
  for (int trial = 0; trial < 3000; ++trial) {
    session.reset(trial == 0 ? std::optional<uint64_t>(0) : std::nullopt);
    deltas = run_trial(session, rep, td, true);
  }
  EXPECT_NEAR(deltas[4], std::pow(0.95, 16), 0.01);
  EXPECT_NEAR(deltas[10], 0.0, 0.01);
  EXPECT_NEAR(deltas[20], 0.0, 0.01);
  EXPECT_THROW(dopa::make("Conditioning-v0", {{"extra_cs_onsets", "0"}}), dopa::Error);
}

}  // namespace
