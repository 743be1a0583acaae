// CartPole-v1 against Gymnasium's recorded trajectories (shared/reference/golden/CartPole-v1.csv):
// the test writes the recorded initial state into the env, replays the recorded actions, and
// compares observations, rewards, states and flags with the tolerances the golden README gives.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "dopa/core/registry.h"
#include "reference.h"

namespace {

struct Row {
  int episode = 0, t = 0;
  int64_t action = 0;
  std::vector<double> obs, state;
  double reward = 0;
  bool terminated = false, truncated = false;
};

std::vector<Row> read_golden(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  {
    std::stringstream fields(line);
    std::string f;
    while (std::getline(fields, f, ',')) header.push_back(f);
  }
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream fields(line);
    std::string f;
    while (std::getline(fields, f, ',')) cells.push_back(f);
    cells.resize(header.size());
    Row row;
    for (size_t i = 0; i < header.size(); ++i) {
      const std::string& name = header[i];
      const std::string& cell = cells[i];
      if (name == "episode") row.episode = std::stoi(cell);
      else if (name == "t") row.t = std::stoi(cell);
      else if (name == "action" && !cell.empty()) row.action = std::stoll(cell);
      else if (name.rfind("obs_", 0) == 0) row.obs.push_back(std::strtod(cell.c_str(), nullptr));
      else if (name.rfind("state_", 0) == 0) row.state.push_back(std::strtod(cell.c_str(), nullptr));
      else if (name == "reward" && !cell.empty()) row.reward = std::strtod(cell.c_str(), nullptr);
      else if (name == "terminated") row.terminated = cell == "1";
      else if (name == "truncated") row.truncated = cell == "1";
    }
    rows.push_back(row);
  }
  return rows;
}

void expect_close(const std::vector<double>& got, const std::vector<double>& want, double atol, double rtol,
                  const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_LE(std::fabs(got[i] - want[i]), atol + rtol * std::fabs(want[i])) << what << " element " << i;
}

class CartPoleGolden : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = dopa::test::reference_dir();
    if (dir.empty()) GTEST_SKIP() << "shared/reference not found (set DOPA_REFERENCE_DIR)";
    rows_ = read_golden(dir + "/golden/CartPole-v1.csv");
    ASSERT_EQ(rows_.size(), 116u);
  }
  std::vector<Row> rows_;
};

TEST_F(CartPoleGolden, OneStepFromEachRecordedState) {
  auto env = dopa::make("CartPole-v1");
  dopa::EnvSession session(*env);
  for (size_t k = 1; k < rows_.size(); ++k) {
    const Row& previous = rows_[k - 1];
    const Row& row = rows_[k];
    if (row.t == 0) continue;
    const std::string where = "episode " + std::to_string(row.episode) + " t " + std::to_string(row.t);
    session.reset(0);
    session.set_state(previous.state);
    env->set_elapsed_steps(previous.t);
    const dopa::StepResult r = session.step(dopa::Action(row.action));
    expect_close(session.obs(), row.obs, 1e-6, 1e-6, where + " obs");
    expect_close(env->state(), row.state, 1e-12, 1e-12, where + " state");
    EXPECT_NEAR(r.reward, row.reward, 1e-9 + 1e-9 * std::fabs(row.reward)) << where;
    EXPECT_EQ(r.terminated, row.terminated) << where;
    EXPECT_EQ(r.truncated, row.truncated) << where;
  }
}

TEST_F(CartPoleGolden, RolloutFromRecordedInitialState) {
  auto env = dopa::make("CartPole-v1");
  dopa::EnvSession session(*env);
  int episodes = 0;
  for (size_t k = 0; k < rows_.size(); ++k) {
    const Row& row = rows_[k];
    const std::string where = "episode " + std::to_string(row.episode) + " t " + std::to_string(row.t);
    if (row.t == 0) {
      ++episodes;
      ASSERT_TRUE(k == 0 || env->needs_reset()) << "the previous episode did not end where the reference's did";
      session.reset(static_cast<uint64_t>(row.episode));
      const auto& obs = session.set_state(row.state);
      expect_close(obs, row.obs, 0, 0, where + " reset obs");  // obs = (float)state exactly
      continue;
    }
    ASSERT_FALSE(env->needs_reset()) << where << ": the episode ended before the reference's did";
    const dopa::StepResult r = session.step(dopa::Action(row.action));
    expect_close(session.obs(), row.obs, 1e-6, 1e-6, where + " obs");
    expect_close(env->state(), row.state, 1e-6, 1e-6, where + " state");
    EXPECT_NEAR(r.reward, row.reward, 1e-6) << where;
    ASSERT_EQ(r.terminated, row.terminated) << where;
    ASSERT_EQ(r.truncated, row.truncated) << where;
  }
  EXPECT_EQ(episodes, 3);
  EXPECT_TRUE(env->needs_reset());
}

}  // namespace
