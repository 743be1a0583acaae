// The five classic-control envs against Gymnasium's recorded trajectories
// (shared/reference/golden/<ID>.csv and its README): each test writes a recorded state into the env,
// replays the recorded actions, and compares observations, rewards, states and flags with the
// tolerances the README gives. DOPA_GOLDEN_STRICT=1 asks for exact equality (what a bit-exact port
// on x86-64 glibc gets; other libms differ by ULPs).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "dopa/core/registry.h"
#include "reference.h"

namespace {

struct Row {
  int episode = 0, t = 0;
  int64_t action = 0;                  // Discrete envs ("action")
  std::vector<float> continuous_action;  // Box envs ("action_0", ...): exact float32 values
  std::vector<double> obs, state;
  double reward = 0;
  bool terminated = false, truncated = false;

  dopa::Action to_action() const {
    return continuous_action.empty() ? dopa::Action(action) : dopa::Action(continuous_action);
  }
};

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream fields(line);
  std::string cell;
  while (std::getline(fields, cell, ',')) cells.push_back(cell);
  return cells;
}

std::vector<Row> read_golden(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = split(line);
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> cells = split(line);
    cells.resize(header.size());
    Row row;
    for (size_t i = 0; i < header.size(); ++i) {
      const std::string& name = header[i];
      const std::string& cell = cells[i];
      const double number = cell.empty() ? 0.0 : std::strtod(cell.c_str(), nullptr);
      if (name == "episode") row.episode = std::stoi(cell);
      else if (name == "t") row.t = std::stoi(cell);
      else if (name == "action") row.action = cell.empty() ? 0 : std::stoll(cell);
      else if (name.rfind("action_", 0) == 0) row.continuous_action.push_back(static_cast<float>(number));
      else if (name.rfind("obs_", 0) == 0) row.obs.push_back(number);
      else if (name.rfind("state_", 0) == 0) row.state.push_back(number);
      else if (name == "reward") row.reward = number;
      else if (name == "terminated") row.terminated = cell == "1";
      else if (name == "truncated") row.truncated = cell == "1";
    }
    rows.push_back(row);
  }
  return rows;
}

bool strict() { return dopa::test::strict_reference(); }

void expect_close(const std::vector<double>& got, const std::vector<double>& want, double tolerance,
                  const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  if (strict()) tolerance = 0;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_LE(std::fabs(got[i] - want[i]), tolerance + tolerance * std::fabs(want[i])) << what << " element " << i;
}

// The README's tolerances (|got - ref| <= tol + tol * |ref|).
struct Tolerances {
  double one_step_state = 1e-12;  // obs 1e-6 and reward 1e-9 in every env
  double rollout = 1e-6;          // obs, reward and state
  double rollout_reward = 1e-6;
};

struct GoldenCase {
  std::string id;
  size_t rows;  // including each episode's t = 0 row, excluding the header
  Tolerances tolerances;
};

std::ostream& operator<<(std::ostream& out, const GoldenCase& c) { return out << c.id; }

class ClassicGolden : public ::testing::TestWithParam<GoldenCase> {
 protected:
  void SetUp() override {
    const std::string dir = dopa::test::reference_dir();
    DOPA_REQUIRE_REFERENCE(dir);
    rows_ = read_golden(dir + "/golden/" + GetParam().id + ".csv");
    ASSERT_EQ(rows_.size(), GetParam().rows);
  }
  std::vector<Row> rows_;
};

TEST_P(ClassicGolden, OneStepFromEachRecordedState) {
  const Tolerances tol = GetParam().tolerances;
  auto env = dopa::make(GetParam().id);
  dopa::EnvSession session(*env);
  for (size_t k = 1; k < rows_.size(); ++k) {
    const Row& previous = rows_[k - 1];
    const Row& row = rows_[k];
    if (row.t == 0) continue;
    const std::string where = "episode " + std::to_string(row.episode) + " t " + std::to_string(row.t);
    session.reset(0);
    session.set_state(previous.state);
    env->set_elapsed_steps(previous.t);
    const dopa::StepResult r = session.step(row.to_action());
    expect_close(session.obs(), row.obs, 1e-6, where + " obs");
    expect_close(env->state(), row.state, tol.one_step_state, where + " state");
    expect_close({r.reward}, {row.reward}, 1e-9, where + " reward");
    EXPECT_EQ(r.terminated, row.terminated) << where;
    EXPECT_EQ(r.truncated, row.truncated) << where;
  }
}

TEST_P(ClassicGolden, RolloutFromRecordedInitialState) {
  const Tolerances tol = GetParam().tolerances;
  auto env = dopa::make(GetParam().id);
  dopa::EnvSession session(*env);
  int episodes = 0;
  for (size_t k = 0; k < rows_.size(); ++k) {
    const Row& row = rows_[k];
    const std::string where = "episode " + std::to_string(row.episode) + " t " + std::to_string(row.t);
    if (row.t == 0) {
      ++episodes;
      ASSERT_TRUE(k == 0 || env->needs_reset()) << "the previous episode did not end where the reference's did";
      session.reset(static_cast<uint64_t>(row.episode));
      expect_close(session.set_state(row.state), row.obs, 0, where + " reset obs");  // obs from state exactly
      continue;
    }
    ASSERT_FALSE(env->needs_reset()) << where << ": the episode ended before the reference's did";
    const dopa::StepResult r = session.step(row.to_action());
    expect_close(session.obs(), row.obs, tol.rollout, where + " obs");
    expect_close(env->state(), row.state, tol.rollout, where + " state");
    expect_close({r.reward}, {row.reward}, tol.rollout_reward, where + " reward");
    ASSERT_EQ(r.terminated, row.terminated) << where;
    ASSERT_EQ(r.truncated, row.truncated) << where;
  }
  EXPECT_EQ(episodes, 3);
  EXPECT_TRUE(env->needs_reset());
}

INSTANTIATE_TEST_SUITE_P(
    Gymnasium, ClassicGolden,
    ::testing::Values(GoldenCase{"CartPole-v1", 116, {}}, GoldenCase{"Pendulum-v1", 603, {}},
                      GoldenCase{"MountainCar-v0", 506, {}},
                      // Its state is stored as float32, so one step can round differently.
                      GoldenCase{"MountainCarContinuous-v0", 1379, {1e-6, 1e-6, 1e-6}},
                      // Chaotic: a rollout amplifies ULP differences; its rewards are -1/0 exactly.
                      GoldenCase{"Acrobot-v1", 1099, {1e-12, 1e-3, 0}}),
    [](const ::testing::TestParamInfo<GoldenCase>& info) {
      std::string name = info.param.id;
      for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return name;
    });

}  // namespace
