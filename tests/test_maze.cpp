// Maze-v0 against the Backpropamine spec (specs/backpropamine.md §1): layout, observation layout,
// the reward/teleport rule, wall penalty, episode length and the random policy's return.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "envs/maze/maze.h"

namespace {

using dopa::Action;
using dopa::EnvSession;
using dopa::envs::Maze;

std::unique_ptr<Maze> make_maze(const dopa::Kwargs& kwargs = {}) {
  auto env = dopa::make("Maze-v0", kwargs);
  return std::unique_ptr<Maze>(static_cast<Maze*>(env.release()));
}

TEST(Maze, LayoutHasBorderPillarsAndOpenCentre) {
  for (int size : {11, 13}) {
    auto maze = make_maze({{"size", size}});
    int walls = 0;
    for (int r = 0; r < size; ++r) {
      for (int c = 0; c < size; ++c) {
        const bool border = r == 0 || c == 0 || r == size - 1 || c == size - 1;
        const bool pillar = r % 2 == 0 && c % 2 == 0 && !(r == size / 2 && c == size / 2);
        EXPECT_EQ(maze->is_wall(r, c), border || pillar) << "size " << size << " cell " << r << "," << c;
        walls += maze->is_wall(r, c);
      }
    }
    EXPECT_FALSE(maze->is_wall(size / 2, size / 2));
    // Spec: 65 open cells for L = 11 (16 pillars), 97 for L = 13 (24 pillars, centre removed).
    EXPECT_EQ(maze->open_cell_count(), size == 11 ? 65 : 97);
    EXPECT_EQ(size * size - walls, maze->open_cell_count());
  }
}

TEST(Maze, ResetObservationLayout) {
  auto maze = make_maze({{"size", 11}});
  EnvSession session(*maze);
  const auto& obs = session.reset(3);
  ASSERT_EQ(obs.size(), 17u);
  EXPECT_EQ(maze->agent_row(), 5);
  EXPECT_EQ(maze->agent_col(), 5);
  // Around the centre (5,5) of an 11-maze: (4,4),(4,6),(6,4),(6,6) are pillars, the rest open.
  const std::vector<double> patch = {1, 0, 1, 0, 0, 0, 1, 0, 1};
  for (int i = 0; i < 9; ++i) EXPECT_EQ(obs[i], patch[i]) << "patch " << i;
  EXPECT_EQ(obs[9], 0.0);   // unused
  EXPECT_EQ(obs[10], 1.0);  // bias
  EXPECT_EQ(obs[11], 0.0);  // time
  EXPECT_EQ(obs[12], 0.0);  // previous reward
  EXPECT_EQ(obs[13], 1.0);  // previous action starts as action 0 (official code)
  EXPECT_EQ(obs[14] + obs[15] + obs[16], 0.0);
  // The reward cell is never the centre.
  EXPECT_FALSE(maze->reward_row() == 5 && maze->reward_col() == 5);
  EXPECT_EQ(session.info("reward_row"), maze->reward_row());
}

TEST(Maze, RewardCellPaysAndTeleports) {
  auto maze = make_maze({{"size", 11}, {"rew", 10.0}});
  EnvSession session(*maze);
  session.reset(0);
  // Agent at (1,1), reward cell right of it at (1,2); previous action 0, reward 0.
  session.set_state({1, 1, 1, 2, 0, 0});
  for (int trial = 0; trial < 50; ++trial) {
    session.set_state({1, 1, 1, 2, 0, 0});
    const auto r = session.step(Action(3));  // right
    EXPECT_EQ(r.reward, 10.0);
    EXPECT_EQ(session.info("goal_reached"), 1.0);
    // Teleported to an open cell other than the reward cell.
    EXPECT_FALSE(maze->agent_row() == 1 && maze->agent_col() == 2);
    EXPECT_FALSE(maze->is_wall(maze->agent_row(), maze->agent_col()));
    EXPECT_EQ(maze->reward_row(), 1);
    EXPECT_EQ(maze->reward_col(), 2);
    const auto& obs = session.obs();
    EXPECT_EQ(obs[12], 10.0);  // previous reward
    EXPECT_EQ(obs[16], 1.0);   // previous action: right
    // The wall patch describes the new position.
    int i = 0;
    for (int dr = -1; dr <= 1; ++dr)
      for (int dc = -1; dc <= 1; ++dc)
        EXPECT_EQ(obs[i++], maze->is_wall(maze->agent_row() + dr, maze->agent_col() + dc) ? 1.0 : 0.0);
  }
}

TEST(Maze, TeleportCoversOpenCellsUniformly) {
  auto maze = make_maze({{"size", 11}});
  EnvSession session(*maze);
  session.reset(1);
  std::map<std::pair<int, int>, int> landed;
  const int hits = 64000;
  for (int k = 0; k < hits; ++k) {
    if (maze->needs_reset()) session.reset();
    session.set_state({1, 1, 1, 2, 0, 0});
    session.step(Action(3));
    ++landed[{maze->agent_row(), maze->agent_col()}];
  }
  EXPECT_EQ(landed.size(), 64u);  // every open cell but the reward cell
  for (const auto& [cell, count] : landed) EXPECT_NEAR(count, hits / 64.0, 5 * std::sqrt(hits / 64.0));
}

TEST(Maze, WallBumpCostsPenaltyAndAgentStays) {
  auto maze = make_maze({{"size", 11}, {"wp", 0.05}});
  EnvSession session(*maze);
  session.reset(0);
  session.set_state({1, 1, 9, 9, 0, 0});
  const auto r = session.step(Action(0));  // up, into the border
  EXPECT_DOUBLE_EQ(r.reward, -0.05);
  EXPECT_EQ(maze->agent_row(), 1);
  EXPECT_EQ(maze->agent_col(), 1);
  EXPECT_FLOAT_EQ(session.obs()[12], -0.05f);
  const auto moved = session.step(Action(1));  // down, open
  EXPECT_EQ(moved.reward, 0.0);
  EXPECT_EQ(maze->agent_row(), 2);
}

TEST(Maze, EpisodeTerminatesAfterEpisodeLength) {
  auto maze = make_maze({{"episode_length", 200}});
  EnvSession session(*maze);
  session.reset(0);
  dopa::StepResult r;
  for (int t = 1; t <= 200; ++t) {
    r = session.step(Action(t % 4));
    EXPECT_FLOAT_EQ(session.obs()[11], static_cast<float>(t / 200.0));
    EXPECT_EQ(r.terminated, t == 200);
    EXPECT_FALSE(r.truncated);
  }
  EXPECT_EQ(r.episode_length, 200);
}

// The uniform-random policy's mean return, spec: about 7.6 on size 11 and 5.4 on size 13.
double random_policy_return(int size, int episodes) {
  auto env = dopa::make("Maze-v0", {{"size", size}});
  dopa::EnvSession session(*env);
  dopa::Rng rng(7);
  double total = 0;
  session.reset(11);
  for (int e = 0; e < episodes; ++e) {
    if (e > 0) session.reset();
    dopa::StepResult r;
    do {
      r = session.step(Action(rng.integer(4)));
    } while (!r.done());
    total += r.episode_return;
  }
  return total / episodes;
}

TEST(Maze, RandomPolicyReturnMatchesSpec) {
  // 2000 episodes: the standard error is about 0.1.
  EXPECT_NEAR(random_policy_return(11, 2000), 7.6, 0.6);
  EXPECT_NEAR(random_policy_return(13, 2000), 5.4, 0.6);
}

TEST(Maze, RejectsBadSize) {
  EXPECT_THROW(dopa::make("Maze-v0", {{"size", 12}}), dopa::Error);
  EXPECT_THROW(dopa::make("Maze-v0", {{"size", 3}}), dopa::Error);
}

}  // namespace
