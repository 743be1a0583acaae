// LunarLander-v3 and LunarLanderContinuous-v3 (envs/box2d/lunar_lander.h): the env contract, seeding,
// kwarg and action checks, reset's no-op step, and issue 6's acceptance: Gymnasium's heuristic
// controller scores 237 (discrete) and 284 (continuous) on average over 1000 episodes (EnvPool's
// reference; its test allows +-20 and +-10).
//
// The acceptance in full takes about 5 s per form; DOPA_HEURISTIC_EPISODES=1000 runs it:
//   DOPA_HEURISTIC_EPISODES=1000 build/tests/dopa_tests --gtest_filter='LunarLander.Heuristic*'
// By default the tests play 300 episodes (seeds 0..299) and widen the bands by two standard errors
// of a 300-episode mean.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <vector>

#include "agents/heuristic/heuristic.h"
#include "dopa/core/env_checker.h"
#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "dopa/core/strings.h"
#include "gymnasium_reference.h"

namespace {

using dopa::Action;
using dopa::EnvSession;

const float* raw(const EnvSession& session) { return static_cast<const float*>(session.raw_obs()); }

// Observations and rewards of `steps` random steps after reset(seed); actions from their own stream.
std::vector<double> random_trajectory(const std::string& id, uint64_t seed, int steps = 300) {
  auto env = dopa::make(id);
  EnvSession session(*env);
  std::vector<double> out = session.reset(seed);
  dopa::Rng actions(99);
  std::vector<float> values(2);
  for (int t = 0; t < steps; ++t) {
    dopa::StepResult r;
    if (env->action_space().is_discrete()) {
      r = session.step(Action(actions.integer(4)));
    } else {
      for (float& v : values) v = static_cast<float>(actions.uniform(-1, 1));
      r = session.step(Action(values));
    }
    out.insert(out.end(), session.obs().begin(), session.obs().end());
    out.push_back(r.reward);
    if (r.done()) session.reset();
  }
  return out;
}

// The heuristic's return in episodes seed, seed + 1, ...
std::vector<double> heuristic_returns(const std::string& id, int episodes, uint64_t seed = 0,
                                      const dopa::Kwargs& kwargs = {}) {
  auto env = dopa::make(id, kwargs);
  const bool discrete = env->action_space().is_discrete();
  EnvSession session(*env);
  std::vector<double> returns;
  for (int e = 0; e < episodes; ++e) {
    session.reset(seed + static_cast<uint64_t>(e));
    dopa::StepResult r;
    do {
      if (discrete) {
        r = session.step(Action(dopa::agents::lunar_lander_heuristic_discrete(raw(session))));
      } else {
        const auto a = dopa::agents::lunar_lander_heuristic_continuous(raw(session));
        r = session.step(Action(a.data(), 2));
      }
    } while (!r.done());
    returns.push_back(r.episode_return);
  }
  return returns;
}

int heuristic_episodes() {
  const char* value = std::getenv("DOPA_HEURISTIC_EPISODES");
  return value != nullptr ? std::atoi(value) : 300;
}

// The acceptance band, widened by two standard errors of an `episodes`-episode mean below 1000.
// The episode returns' standard deviation: Gymnasium's 106 (discrete); this port's 25 (continuous,
// above Gymnasium's 19), both over 1000 episodes.
double band(double acceptance, double return_std, int episodes) {
  return episodes >= 1000 ? acceptance : acceptance + 2 * return_std / std::sqrt(static_cast<double>(episodes));
}

double mean(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); }

TEST(LunarLander, PassesTheEnvChecker) {
  const std::vector<std::pair<std::string, dopa::Kwargs>> variants = {
      {"LunarLander-v3", {}},
      {"LunarLanderContinuous-v3", {}},
      {"LunarLander-v3", {{"enable_wind", true}, {"gravity", -11.5}}},
      {"LunarLanderContinuous-v3", {{"enable_wind", true}}},
  };
  // Not with the strongest recommended wind (wind_power 20, turbulence_power 2): random play there
  // spins the lander past the declared +-2 pi, as it would in Gymnasium (the angle is not wrapped).
  for (const auto& [id, kwargs] : variants) {
    const auto problems = dopa::check_env(id, kwargs);
    EXPECT_TRUE(problems.empty()) << id << ": " << dopa::join(problems, "\n");
  }
}

TEST(LunarLander, SpacesAndSpecAsGymnasium) {
  auto discrete = dopa::make("LunarLander-v3");
  EXPECT_EQ(discrete->action_space().to_string(), "Discrete(4)");
  EXPECT_EQ(discrete->observation_space().size(), 8);
  EXPECT_EQ(discrete->spec().max_episode_steps, 1000);
  EXPECT_EQ(discrete->spec().reward_threshold, 200.0);
  auto continuous = dopa::make("LunarLanderContinuous-v3");
  EXPECT_EQ(continuous->action_space().to_string(), "Box(-1, 1, (2,), float32)");
  EXPECT_TRUE(continuous->spec().config.get_bool("continuous"));
  // The same env as LunarLander-v3 with continuous = true.
  EXPECT_EQ(dopa::make("LunarLander-v3", {{"continuous", true}})->action_space(), continuous->action_space());
}

TEST(LunarLander, SameSeedSameTrajectoryDifferentSeedsDiffer) {
  for (const std::string id : {"LunarLander-v3", "LunarLanderContinuous-v3"}) {
    const auto a = random_trajectory(id, 5);
    EXPECT_EQ(a, random_trajectory(id, 5)) << id;
    EXPECT_NE(a, random_trajectory(id, 6)) << id;
  }
}

TEST(LunarLander, ResetReturnsTheObservationOfOneNoOpStep) {
  auto env = dopa::make("LunarLander-v3");
  EnvSession session(*env);
  const std::vector<double> obs = session.reset(3);
  EXPECT_EQ(env->elapsed_steps(), 0);
  // The lander starts at (W/2, H): x = 0, y = (H - (H/4 + 18/30)) / (H/2) = 1.41, and one frame of
  // gravity and push has moved it a little.
  EXPECT_NEAR(obs[0], 0.0, 0.01);
  EXPECT_NEAR(obs[1], 1.41, 0.01);
  EXPECT_NE(obs[3], 0.0);  // it is already falling (or pushed)
  EXPECT_EQ(obs[6], 0.0);
  EXPECT_EQ(obs[7], 0.0);
  // The first step's reward is a shaping difference (reset's step set the previous shaping), small.
  const auto r = session.step(Action(0));
  EXPECT_LT(std::abs(r.reward), 5.0);
}

TEST(LunarLander, BadKwargsAreErrors) {
  for (double gravity : {-12.0, -13.0, 0.0, 1.0}) {
    try {
      dopa::make("LunarLander-v3", {{"gravity", gravity}});
      ADD_FAILURE() << "gravity " << gravity << " was accepted";
    } catch (const dopa::Error& e) {
      EXPECT_NE(std::string(e.what()).find("'gravity' must be between -12 and 0"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(dopa::make("LunarLander-v3", {{"gravty", -10.0}}), dopa::Error);
  EXPECT_THROW(dopa::make("LunarLander-v3", {{"enable_wind", "yes"}}), dopa::Error);
  // Out of the recommended range: a warning (as Gymnasium), not an error.
  EXPECT_NO_THROW(dopa::make("LunarLander-v3", {{"enable_wind", true}, {"wind_power", 30.0}, {"turbulence_power", -1.0}}));
}

TEST(LunarLander, ActionsOutsideTheSpaceAreErrors) {
  auto discrete = dopa::make("LunarLander-v3");
  EnvSession d(*discrete);
  d.reset(0);
  EXPECT_THROW(d.step(Action(4)), dopa::Error);
  EXPECT_THROW(d.step(Action(-1)), dopa::Error);
  EXPECT_NO_THROW(d.step(Action(2)));

  auto continuous = dopa::make("LunarLanderContinuous-v3");
  EnvSession c(*continuous);
  c.reset(0);
  EXPECT_THROW(c.step(Action(std::vector<float>{1.5f, 0.0f})), dopa::Error);
  EXPECT_THROW(c.step(Action(std::vector<float>{0.0f})), dopa::Error);
  EXPECT_THROW(c.step(Action(std::vector<float>{NAN, 0.0f})), dopa::Error);
  EXPECT_THROW(c.step(Action(1)), dopa::Error);
  EXPECT_NO_THROW(c.step(Action(std::vector<float>{1.0f, -1.0f})));
}

TEST(LunarLander, DoingNothingCrashes) {
  // Free fall from the top ends with the hull on the ground: -100 on the last step.
  auto env = dopa::make("LunarLander-v3");
  EnvSession session(*env);
  session.reset(1);
  dopa::StepResult r;
  do r = session.step(Action(0));
  while (!r.done());
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(r.reward, -100.0);
  EXPECT_LT(r.episode_length, 200);
}

// Issue 6's acceptance, as EnvPool's test compares with Gymnasium's 1000-episode means:
// 236.9 +- 105.8 (discrete) and 283.9 +- 18.9 (continuous). Measured with 1000 episodes (seeds
// 0..999): 238.4 +- 99.6 and 282.5 +- 25.1.
TEST(LunarLander, HeuristicScoresAsGymnasiumDiscrete) {
  const int episodes = heuristic_episodes();
  const double m = mean(heuristic_returns("LunarLander-v3", episodes));
  EXPECT_NEAR(m, 237.0, band(20.0, 106.0, episodes)) << episodes << " episodes";
  RecordProperty("mean_return", std::to_string(m));
}

TEST(LunarLander, HeuristicScoresAsGymnasiumContinuous) {
  const int episodes = heuristic_episodes();
  const double m = mean(heuristic_returns("LunarLanderContinuous-v3", episodes));
  EXPECT_NEAR(m, 284.0, band(10.0, 25.0, episodes)) << episodes << " episodes";
  RecordProperty("mean_return", std::to_string(m));
}

// Live: Gymnasium's own heuristic on its own LunarLander (its Box2D wheel, 2.3.10; dopa's is
// Debian's 2.4.1) over the same 300 seeds, which draw other terrains there. The means must agree
// within 2.5 standard errors of their difference. Measured: 242.1 +- 100.2 (discrete) and
// 283.8 +- 31.1 (continuous) in Gymnasium, 300 episodes each.
void expect_heuristic_scores_as_live_gymnasium(const std::string& id) {
  const int episodes = 300;
  std::vector<double> theirs;
  const auto status = dopa::test::run_gymnasium_script(
      "heuristic_scores.py", "'" + id + "' " + std::to_string(episodes), [&](const std::string& path) {
        std::ifstream in(path);
        for (double r; in >> r;) theirs.push_back(r);
      });
  DOPA_REQUIRE_GYMNASIUM(status);
  ASSERT_EQ(theirs.size(), static_cast<size_t>(episodes));
  const std::vector<double> ours = heuristic_returns(id, episodes);
  auto variance = [](const std::vector<double>& v) {
    const double m = mean(v);
    double sum = 0;
    for (double x : v) sum += (x - m) * (x - m);
    return sum / static_cast<double>(v.size() - 1);
  };
  const double standard_error = std::sqrt((variance(ours) + variance(theirs)) / episodes);
  EXPECT_NEAR(mean(ours), mean(theirs), 2.5 * standard_error) << id;
  ::testing::Test::RecordProperty("gymnasium_mean_return", std::to_string(mean(theirs)));
}

TEST(LunarLander, HeuristicScoresAsLiveGymnasiumDiscrete) { expect_heuristic_scores_as_live_gymnasium("LunarLander-v3"); }

TEST(LunarLander, HeuristicScoresAsLiveGymnasiumContinuous) {
  expect_heuristic_scores_as_live_gymnasium("LunarLanderContinuous-v3");
}

TEST(LunarLander, WindPushesTheLander) {
  // The same seed with and without wind: the wind changes the trajectory, and the heuristic still
  // lands more often than not.
  const auto calm = heuristic_returns("LunarLander-v3", 20, 0);
  const auto windy = heuristic_returns("LunarLander-v3", 20, 0, {{"enable_wind", true}});
  EXPECT_NE(calm, windy);
  EXPECT_GT(mean(windy), 0.0);
}

}  // namespace
