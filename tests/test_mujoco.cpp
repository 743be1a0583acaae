// The MuJoCo v5 tasks (envs/mujoco/): parity of dopa's own models with Gymnasium's reference models
// (skipped when shared/reference is absent), step-by-step agreement with Gymnasium's own envs run
// live (tests/gymnasium_reference.h; docs/testing.md has the tolerances and what differs), one-step
// checks of observations, reward terms and termination against the spec (shared/specs/envs.md 4.5),
// reset distributions, and clear errors for missing or malformed model files.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <numeric>
#include <vector>

#include <unistd.h>

#include "dopa/core/env_checker.h"
#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "dopa/core/strings.h"
#include "envs/mujoco/mujoco_env.h"
#include "gymnasium_reference.h"
#include "reference.h"

namespace {

using dopa::Action;
using dopa::EnvSession;
using dopa::Kwargs;
using dopa::envs::MujocoEnv;

struct Task {
  std::string id;
  std::string reference_file;  // in shared/reference/gymnasium-mujoco/
  int nq, nv, nu, obs_size;
  double dt;
  // Its velocities (and so its forward reward) come from the main body's xpos, which lags qpos by
  // one physics step after mj_step: a state written with set_state has no such lag, so one step
  // from a written state cannot reproduce them (a rollout does).
  bool velocity_from_lagging_xpos = false;
};

const std::vector<Task>& tasks() {
  static const std::vector<Task> all = {
      {"InvertedPendulum-v5", "inverted_pendulum.xml", 2, 2, 1, 4, 0.04},
      {"InvertedDoublePendulum-v5", "inverted_double_pendulum.xml", 3, 3, 1, 9, 0.05},
      {"Reacher-v5", "reacher.xml", 4, 4, 2, 10, 0.02},
      {"HalfCheetah-v5", "half_cheetah.xml", 9, 9, 6, 17, 0.05},
      {"Hopper-v5", "hopper.xml", 6, 6, 3, 11, 0.008},
      {"Walker2d-v5", "walker2d_v5.xml", 9, 9, 6, 17, 0.008},
      {"Ant-v5", "ant.xml", 15, 14, 8, 105, 0.05, true},
      {"Swimmer-v5", "swimmer.xml", 5, 5, 2, 8, 0.04},
  };
  return all;
}

void PrintTo(const Task& task, std::ostream* os) { *os << task.id; }

MujocoEnv& as_mujoco(std::unique_ptr<dopa::Env>& env) { return dynamic_cast<MujocoEnv&>(*env); }

std::vector<float> random_action(dopa::Rng& rng, const dopa::Space& space) {
  std::vector<float> a(space.size());
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(rng.uniform(space.low()[i], space.high()[i]));
  return a;
}

// The sum of a step's reward terms, as each task's info names them.
double reward_terms(const EnvSession& s) {
  double sum = 0.0;
  for (const char* key : {"reward_forward", "reward_ctrl", "reward_contact", "reward_survive", "reward_dist",
                          "distance_penalty", "velocity_penalty"}) {
    if (s.has_info(key)) sum += s.info(key);
  }
  return sum;
}

class MujocoTask : public ::testing::TestWithParam<Task> {};

TEST_P(MujocoTask, PassesTheEnvChecker) {
  const auto problems = dopa::check_env(GetParam().id, {}, {300, 5});
  EXPECT_TRUE(problems.empty()) << dopa::join(problems, "\n");
}

TEST_P(MujocoTask, SizesAndTimestepAsTheSpec) {
  const Task& task = GetParam();
  auto env = dopa::make(task.id);
  const MujocoEnv& mj = as_mujoco(env);
  EXPECT_EQ(mj.model()->nq, task.nq);
  EXPECT_EQ(mj.model()->nv, task.nv);
  EXPECT_EQ(mj.model()->nu, task.nu);
  EXPECT_EQ(env->observation_space().size(), task.obs_size);
  EXPECT_EQ(env->observation_space().dtype(), dopa::DType::Float64);
  EXPECT_EQ(env->action_space().size(), task.nu);
  EXPECT_NEAR(mj.dt(), task.dt, 1e-12);
}

// Our model against Gymnasium's: the same start state and the same actions give the same states,
// observations, rewards and terminations for 200 steps (the tolerance, 1e-6).
TEST_P(MujocoTask, OwnModelMatchesTheReferenceModel) {
  const Task& task = GetParam();
  const std::string dir = dopa::test::reference_dir();
  DOPA_REQUIRE_REFERENCE(dir);
  const std::string reference = dir + "/gymnasium-mujoco/" + task.reference_file;
  ASSERT_TRUE(std::filesystem::exists(reference)) << reference;

  // Long episodes: a time limit must not cut one side alone.
  auto ours = dopa::make(task.id, {{"max_episode_steps", 100000}});
  auto theirs = dopa::make(task.id, {{"xml_file", reference}, {"max_episode_steps", 100000}});
  EnvSession a(*ours), b(*theirs);
  dopa::Rng actions(11);
  uint64_t seed = 3;
  auto start = [&] {
    a.reset(seed);
    b.reset(seed);
    // Both get the same state through set_state, so that both have run mj_forward as often: its
    // solver warm-starts from the last acceleration, and an extra call shifts contact forces by ~1e-16.
    const auto start_state = ours->state();
    a.set_state(start_state);
    b.set_state(start_state);
    ++seed;
  };
  start();
  double worst = 0.0;
  for (int t = 0; t < 200; ++t) {
    const auto action = random_action(actions, ours->action_space());
    const auto ra = a.step(Action(action));
    const auto rb = b.step(Action(action));
    const auto sa = ours->state(), sb = theirs->state();
    ASSERT_EQ(sa.size(), sb.size());
    for (size_t i = 0; i < sa.size(); ++i) worst = std::max(worst, std::abs(sa[i] - sb[i]));
    for (size_t i = 0; i < a.obs().size(); ++i) {
      ASSERT_NEAR(a.obs()[i], b.obs()[i], 1e-6) << "step " << t << " observation element " << i;
    }
    ASSERT_NEAR(ra.reward, rb.reward, 1e-6) << "step " << t;
    ASSERT_EQ(ra.terminated, rb.terminated) << "step " << t;
    ASSERT_LE(worst, 1e-6) << "step " << t << ": qpos/qvel differ";
    if (ra.terminated) start();
  }
  char text[32];
  std::snprintf(text, sizeof(text), "%.3g", worst);
  RecordProperty("max_state_difference", text);
}

TEST_P(MujocoTask, RewardTermsSumToTheReward) {
  const Task& task = GetParam();
  auto env = dopa::make(task.id);
  EnvSession s(*env);
  s.reset(5);
  dopa::Rng actions(2);
  for (int t = 0; t < 100; ++t) {
    const auto r = s.step(Action(random_action(actions, env->action_space())));
    ASSERT_NEAR(reward_terms(s), r.reward, 1e-9) << "step " << t;
    if (r.done()) s.reset();
  }
}

TEST_P(MujocoTask, SameSeedSameTrajectoryOtherSeedOther) {
  const Task& task = GetParam();
  auto trajectory = [&](uint64_t seed) {
    auto env = dopa::make(task.id);
    EnvSession s(*env);
    std::vector<double> out = s.reset(seed);
    dopa::Rng actions(4);
    for (int t = 0; t < 50; ++t) {
      s.step(Action(random_action(actions, env->action_space())));
      out.insert(out.end(), s.obs().begin(), s.obs().end());
      if (env->needs_reset()) break;
    }
    return out;
  };
  EXPECT_EQ(trajectory(1), trajectory(1));
  EXPECT_NE(trajectory(1), trajectory(2));
}

// ---- live: Gymnasium's own v5 envs (its XML and Python code, PyPI's MuJoCo), recorded as the test runs ----

// Episodes of random actions (InvertedPendulum's last a few steps), each at most 100 steps
// (Reacher's time limit is 50).
constexpr int kLiveEpisodes = 10, kLiveMaxSteps = 100;

struct Worst {
  double value = 0.0;
  std::string where;
  void update(double got, double want, const std::string& what) {
    const double difference = std::abs(got - want) / (1.0 + std::abs(want));
    if (difference > value) value = difference, where = what;
  }
};

// From each state Gymnasium recorded, one step with its action: the observation, reward, every
// numeric info entry (reward terms, positions, velocities), the flags, and qpos/qvel after the step.
TEST_P(MujocoTask, OneStepMatchesGymnasiumFromEachRecordedState) {
  const Task& task = GetParam();
  auto recording = dopa::test::record_gymnasium(task.id, kLiveEpisodes, kLiveMaxSteps);
  DOPA_REQUIRE_GYMNASIUM(recording);
  const auto& rows = recording.rows;
  auto env = dopa::make(task.id);
  EnvSession s(*env);
  Worst obs, reward, info, state;
  int steps = 0;
  for (size_t k = 1; k < rows.size(); ++k) {
    const auto &previous = rows[k - 1], &row = rows[k];
    if (row.t == 0) continue;
    const std::string where = "episode " + std::to_string(row.episode) + " t " + std::to_string(row.t);
    s.reset(0);
    s.set_state(previous.state);
    env->set_elapsed_steps(previous.t);
    const auto r = s.step(row.to_action());
    ++steps;
    ASSERT_EQ(s.obs().size(), row.obs.size());
    for (size_t i = 0; i < row.obs.size(); ++i) obs.update(s.obs()[i], row.obs[i], where + " obs " + std::to_string(i));
    const auto now = env->state();
    ASSERT_EQ(now.size(), row.state.size());
    for (size_t i = 0; i < now.size(); ++i) state.update(now[i], row.state[i], where + " state " + std::to_string(i));
    const bool lagging = task.velocity_from_lagging_xpos;
    if (!lagging) reward.update(r.reward, row.reward, where + " reward");
    for (const auto& [key, value] : row.info) {
      ASSERT_TRUE(s.has_info(key)) << where << ": Gymnasium's info has '" << key << "', dopa's not";
      if (lagging && (key == "x_velocity" || key == "y_velocity" || key == "reward_forward")) continue;
      info.update(s.info(key), value, where + " info " + key);
    }
    ASSERT_EQ(r.terminated, row.terminated) << where;
    ASSERT_EQ(r.truncated, row.truncated) << where;
  }
  std::printf("%s: %d steps; worst relative difference obs %.3g (%s), state %.3g (%s), reward %.3g, info %.3g (%s)\n",
              task.id.c_str(), steps, obs.value, obs.where.c_str(), state.value, state.where.c_str(), reward.value,
              info.value, info.where.c_str());
  EXPECT_GE(steps, 30);
  EXPECT_LE(obs.value, 1e-9) << obs.where;
  EXPECT_LE(state.value, 1e-9) << state.where;
  // Gymnasium squares and sums a float32 action in float32 (NumPy 2 keeps the dtype); dopa in double.
  EXPECT_LE(reward.value, 1e-7) << reward.where;
  EXPECT_LE(info.value, 1e-7) << info.where;
}

// From each episode's reset state, the recorded actions in turn, for the first kRolloutSteps steps.
// Later on, in the tasks with contacts, differences of 1e-16 (the contact solver's warm start: the
// test writes the reset state with set_state) can grow past 1e-6: HalfCheetah and Ant each had an
// episode or more do so between steps 53 and 87.
constexpr int kRolloutSteps = 40;

TEST_P(MujocoTask, RolloutMatchesGymnasiumFromTheResetState) {
  const Task& task = GetParam();
  auto recording = dopa::test::record_gymnasium(task.id, kLiveEpisodes, kLiveMaxSteps);
  DOPA_REQUIRE_GYMNASIUM(recording);
  auto env = dopa::make(task.id);
  EnvSession s(*env);
  Worst obs, reward;
  for (const auto& row : recording.rows) {
    const std::string where = "episode " + std::to_string(row.episode) + " t " + std::to_string(row.t);
    if (row.t == 0) {
      s.reset(0);
      s.set_state(row.state);
      continue;
    }
    if (row.t > kRolloutSteps) continue;
    const auto r = s.step(row.to_action());
    for (size_t i = 0; i < row.obs.size(); ++i) obs.update(s.obs()[i], row.obs[i], where + " obs " + std::to_string(i));
    reward.update(r.reward, row.reward, where + " reward");
    ASSERT_EQ(r.terminated, row.terminated) << where;
  }
  std::printf("%s rollout: worst relative difference obs %.3g (%s), reward %.3g (%s)\n", task.id.c_str(), obs.value,
              obs.where.c_str(), reward.value, reward.where.c_str());
  EXPECT_LE(obs.value, 1e-6) << obs.where;
  EXPECT_LE(reward.value, 1e-6) << reward.where;
}

INSTANTIATE_TEST_SUITE_P(Gymnasium, MujocoTask, ::testing::ValuesIn(tasks()),
                         [](const auto& info) {
                           std::string name = info.param.id;
                           name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
                           return name;
                         });

// ---- one-step checks against the spec ----

TEST(HalfCheetah, ObservationForwardRewardAndControlCost) {
  auto env = dopa::make("HalfCheetah-v5");
  EnvSession s(*env);
  s.reset(0);
  const double x_before = env->state()[0];
  const std::vector<float> action = {0.5f, -0.25f, 1.0f, 0.0f, -1.0f, 0.75f};
  const auto r = s.step(Action(action));
  const auto state = env->state();  // qpos (9), qvel (9)
  for (int i = 0; i < 8; ++i) EXPECT_EQ(s.obs()[i], state[1 + i]);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(s.obs()[8 + i], state[9 + i]);
  const double x_velocity = (state[0] - x_before) / 0.05;
  EXPECT_NEAR(s.info("x_velocity"), x_velocity, 1e-12);
  EXPECT_NEAR(s.info("x_position"), state[0], 1e-12);
  EXPECT_NEAR(s.info("reward_ctrl"), -0.1 * (0.25 + 0.0625 + 1 + 0 + 1 + 0.5625), 1e-12);
  EXPECT_NEAR(r.reward, x_velocity + s.info("reward_ctrl"), 1e-12);
  EXPECT_FALSE(r.terminated);

  auto with_x = dopa::make("HalfCheetah-v5", {{"exclude_current_positions_from_observation", false}});
  EXPECT_EQ(with_x->observation_space().size(), 18);
}

TEST(Hopper, UnhealthyEndsTheEpisodeWithoutTheSurvivalReward) {
  auto env = dopa::make("Hopper-v5");
  EnvSession s(*env);
  s.reset(0);
  const std::vector<float> zero(3, 0.0f);
  auto r = s.step(Action(zero));
  EXPECT_FALSE(r.terminated);
  EXPECT_EQ(s.info("reward_survive"), 1.0);

  auto state = env->state();
  state[1] = 0.5;  // torso height below healthy_z_min = 0.7
  s.set_state(state);
  r = s.step(Action(zero));
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(s.info("reward_survive"), 0.0);
  EXPECT_NEAR(r.reward, s.info("reward_forward") + s.info("reward_ctrl"), 1e-12);

  // terminate_when_unhealthy = false: the episode goes on, still without the survival reward (v5).
  auto lenient = dopa::make("Hopper-v5", {{"terminate_when_unhealthy", false}});
  EnvSession l(*lenient);
  l.reset(0);
  l.set_state(state);
  r = l.step(Action(zero));
  EXPECT_FALSE(r.terminated);
  EXPECT_EQ(l.info("reward_survive"), 0.0);
}

TEST(Hopper, ObservationClipsVelocitiesAndTiltEndsTheEpisode) {
  auto env = dopa::make("Hopper-v5");
  EnvSession s(*env);
  s.reset(0);
  auto state = env->state();
  state[6 + 3] = 50.0;  // thigh joint velocity
  const auto obs = s.set_state(state);
  EXPECT_EQ(obs[5 + 3], 10.0);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(obs[i], state[1 + i]);

  state = env->state();
  state[6 + 3] = 0.0;
  state[2] = 0.3;  // torso pitch beyond healthy_angle_max = 0.2
  s.set_state(state);
  EXPECT_TRUE(s.step(Action(std::vector<float>(3, 0.0f))).terminated);
}

TEST(Walker2d, TooHighIsUnhealthy) {
  auto env = dopa::make("Walker2d-v5");
  EnvSession s(*env);
  s.reset(0);
  auto state = env->state();
  state[1] = 2.5;  // above healthy_z_max = 2.0
  s.set_state(state);
  EXPECT_TRUE(s.step(Action(std::vector<float>(6, 0.0f))).terminated);
  // Both feet have friction 1.9 (walker2d_v5.xml).
  const auto& model = *as_mujoco(env).model();
  for (const char* foot : {"foot_geom", "foot_left_geom"}) {
    const int id = mj_name2id(&model, mjOBJ_GEOM, foot);
    ASSERT_GE(id, 0) << foot;
    EXPECT_EQ(model.geom_friction[3 * id], 1.9) << foot;
  }
}

TEST(Ant, ObservationHoldsClippedContactForcesAndTheContactCost) {
  auto env = dopa::make("Ant-v5");
  EnvSession s(*env);
  s.reset(0);
  dopa::Rng actions(3);
  bool saw_contact = false;
  for (int t = 0; t < 40; ++t) {
    const auto r = s.step(Action(random_action(actions, env->action_space())));
    const mjData& d = *as_mujoco(env).data();
    const mjModel& m = *as_mujoco(env).model();
    double contact = 0.0;
    for (int i = 0; i < 6 * m.nbody; ++i) {
      const double f = std::clamp(d.cfrc_ext[i], -1.0, 1.0);
      contact += f * f;
      if (i >= 6) {
        ASSERT_EQ(s.obs()[13 + 14 + i - 6], f);
      }
      saw_contact = saw_contact || f != 0.0;
    }
    ASSERT_NEAR(s.info("reward_contact"), -5e-4 * contact, 1e-12);
    for (int i = 0; i < 13; ++i) ASSERT_EQ(s.obs()[i], d.qpos[2 + i]);
    if (r.done()) break;
  }
  EXPECT_TRUE(saw_contact) << "the ant's legs never touched the floor";

  auto no_contact = dopa::make("Ant-v5", {{"include_cfrc_ext_in_observation", false}});
  EXPECT_EQ(no_contact->observation_space().size(), 27);
  auto env2 = dopa::make("Ant-v5");
  EnvSession s2(*env2);
  s2.reset(0);
  auto state = env2->state();
  state[2] = 1.2;  // torso above healthy_z_max = 1.0
  s2.set_state(state);
  EXPECT_TRUE(s2.step(Action(std::vector<float>(8, 0.0f))).terminated);
}

TEST(InvertedPendulum, FallingPoleEndsWithRewardZero) {
  auto env = dopa::make("InvertedPendulum-v5");
  EnvSession s(*env);
  s.reset(0);
  auto r = s.step(Action(std::vector<float>{0.0f}));
  EXPECT_FALSE(r.terminated);
  EXPECT_EQ(r.reward, 1.0);
  s.set_state({0.0, 0.5, 0.0, 0.0});
  r = s.step(Action(std::vector<float>{0.0f}));
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(r.reward, 0.0);
}

TEST(InvertedDoublePendulum, ObservationAndTipHeightTermination) {
  auto env = dopa::make("InvertedDoublePendulum-v5");
  EnvSession s(*env);
  s.reset(0);
  const auto obs = s.set_state({0.1, 0.2, -0.3, 20.0, 0.5, -0.5});
  EXPECT_EQ(obs[0], 0.1);
  EXPECT_DOUBLE_EQ(obs[1], std::sin(0.2));
  EXPECT_DOUBLE_EQ(obs[2], std::sin(-0.3));
  EXPECT_DOUBLE_EQ(obs[3], std::cos(0.2));
  EXPECT_DOUBLE_EQ(obs[4], std::cos(-0.3));
  EXPECT_EQ(obs[5], 10.0);  // clipped
  auto r = s.step(Action(std::vector<float>{0.0f}));
  EXPECT_FALSE(r.terminated);
  EXPECT_EQ(s.info("reward_survive"), 10.0);
  s.set_state({0.0, 1.5, 0.0, 0.0, 0.0, 0.0});  // poles nearly horizontal: tip far below 1
  r = s.step(Action(std::vector<float>{0.0f}));
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(s.info("reward_survive"), 0.0);
}

TEST(Reacher, GoalInsideTheDiscAndDistanceAfterTheStep) {
  auto env = dopa::make("Reacher-v5");
  EnvSession s(*env);
  for (uint64_t seed = 0; seed < 50; ++seed) {
    const auto obs = s.reset(seed);
    const auto state = env->state();
    ASSERT_LT(std::hypot(state[2], state[3]), 0.2);
    ASSERT_EQ(obs[4], state[2]);
    ASSERT_EQ(state[4 + 2], 0.0);
    ASSERT_EQ(state[4 + 3], 0.0);
    ASSERT_LE(std::abs(state[4 + 0]), 0.005);
  }
  const auto r = s.step(Action(std::vector<float>{0.3f, -0.4f}));
  const mjData& d = *as_mujoco(env).data();
  const mjModel& m = *as_mujoco(env).model();
  const int tip = mj_name2id(&m, mjOBJ_BODY, "fingertip"), target = mj_name2id(&m, mjOBJ_BODY, "target");
  const double distance = std::hypot(d.xpos[3 * tip] - d.xpos[3 * target], d.xpos[3 * tip + 1] - d.xpos[3 * target + 1],
                                     d.xpos[3 * tip + 2] - d.xpos[3 * target + 2]);
  EXPECT_NEAR(s.info("reward_dist"), -distance, 1e-12);
  EXPECT_NEAR(s.info("reward_ctrl"), -(0.09 + 0.16), 1e-7);
  EXPECT_NEAR(r.reward, -distance - (0.09 + 0.16), 1e-7);
}

// Reset noise: qpos within qpos0 +- scale for the uniform tasks; different seeds differ.
TEST(MujocoReset, NoiseWithinTheScale) {
  for (const auto& [id, scale] : std::map<std::string, double>{{"Hopper-v5", 5e-3}, {"InvertedPendulum-v5", 0.01},
                                                               {"HalfCheetah-v5", 0.1}, {"Swimmer-v5", 0.1}}) {
    auto env = dopa::make(id);
    EnvSession s(*env);
    const mjModel& m = *as_mujoco(env).model();
    double largest = 0.0;
    for (uint64_t seed = 0; seed < 100; ++seed) {
      s.reset(seed);
      const auto state = env->state();
      for (int i = 0; i < m.nq; ++i) largest = std::max(largest, std::abs(state[i] - m.qpos0[i]));
    }
    EXPECT_LE(largest, scale) << id;
    EXPECT_GT(largest, 0.8 * scale) << id << ": the noise should reach near its scale in 100 resets";
  }
}

// ---- model files ----

TEST(MujocoModel, MissingFileNamesIt) {
  try {
    dopa::make("Hopper-v5", {{"xml_file", "/nonexistent/hopper.xml"}});
    FAIL() << "no error";
  } catch (const dopa::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/hopper.xml"), std::string::npos) << e.what();
  }
  try {
    dopa::make("Hopper-v5", {{"xml_file", "no_such_model.xml"}});
    FAIL() << "no error";
  } catch (const dopa::Error& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_model.xml"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("DOPA_MUJOCO_ASSETS"), std::string::npos) << e.what();
  }
}

TEST(MujocoModel, MalformedFileQuotesMujocosMessage) {
  const auto path = std::filesystem::temp_directory_path() / "dopa_test_malformed_model.xml";
  std::ofstream(path) << "<mujoco><worldbody><body name='b'><joint type='hinge'/><geom size='x'/></body></worldbody>";
  try {
    dopa::make("Hopper-v5", {{"xml_file", path.string()}});
    FAIL() << "no error";
  } catch (const dopa::Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find("cannot load MuJoCo model"), std::string::npos) << message;
    EXPECT_GT(message.size(), path.string().size() + 30) << "MuJoCo's own message is missing: " << message;
  }
  std::filesystem::remove(path);
}

// MuJoCo loads a NaN in a model file with only a warning, and then steps NaN states: refused, naming
// the file.
TEST(MujocoModel, ANaNInTheFileIsRefused) {
  const auto path = std::filesystem::temp_directory_path() / ("dopa_test_nan_model_" + std::to_string(::getpid()) + ".xml");
  std::ifstream in(std::string(DOPA_SOURCE_DIR) + "/envs/mujoco/assets/inverted_pendulum.xml");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  const size_t at = text.find("timestep=\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, text.find('"', at + 10) - at + 1, "timestep=\"nan\"");
  std::ofstream(path) << text;
  try {
    dopa::make("InvertedPendulum-v5", {{"xml_file", path.string()}});
    FAIL() << "a model with a NaN timestep was loaded";
  } catch (const dopa::Error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("NaN"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

// MuJoCo's default handlers write MUJOCO_LOG.TXT into the working directory (and exit on an error);
// dopa's log the warning instead and go on (MuJoCo resets the unstable state).
TEST(MujocoModel, AnUnstableStateWarnsWithoutWritingALogFile) {
  const auto dir = std::filesystem::temp_directory_path() / ("dopa_test_mujoco_log_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto previous = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  auto env = dopa::make("InvertedPendulum-v5");
  EnvSession s(*env);
  s.reset(0);
  s.set_state({0.0, 0.0, 1e300, 0.0});
  const auto r = s.step(Action(std::vector<float>{0.0f}));
  std::filesystem::current_path(previous);
  EXPECT_FALSE(std::filesystem::exists(dir / "MUJOCO_LOG.TXT"));
  for (double x : env->state()) EXPECT_TRUE(std::isfinite(x)) << "MuJoCo resets a diverged state";
  (void)r;
  std::filesystem::remove_all(dir);
}

}  // namespace
