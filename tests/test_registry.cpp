#include <gtest/gtest.h>

#include <algorithm>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"

namespace {

TEST(Registry, ListsTheFirstEnvs) {
  const auto ids = dopa::EnvRegistry::global().ids();
  for (const std::string id : {"Bandit-v0", "BanditDependentUniform-v0", "BanditEasy-v0", "BanditMedium-v0",
                               "BanditHard-v0", "BanditKArmed-v0", "Maze-v0", "CartPole-v1"})
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
}

TEST(Registry, MakeAppliesKwargsAndDeclaresTheSpec) {
  auto maze = dopa::make("Maze-v0", {{"size", 13}});
  EXPECT_EQ(maze->spec().id, "Maze-v0");
  EXPECT_EQ(maze->spec().config.get_int("size"), 13);
  EXPECT_EQ(maze->observation_space().size(), 17);
  EXPECT_EQ(maze->action_space().n(), 4);
  auto cartpole = dopa::make("CartPole-v1");
  EXPECT_EQ(cartpole->spec().max_episode_steps, 500);
  EXPECT_EQ(cartpole->spec().reward_threshold, 475.0);
  EXPECT_EQ(dopa::make("CartPole-v1", {{"max_episode_steps", 50}})->spec().max_episode_steps, 50);
  // A preset changes the default, and can itself be overridden.
  EXPECT_EQ(dopa::make("BanditEasy-v0")->spec().config.get_string("task"), "easy");
  EXPECT_EQ(dopa::make("BanditEasy-v0", {{"task", "hard"}})->spec().config.get_string("task"), "hard");
}

TEST(Registry, TimeLimitTruncates) {
  auto env = dopa::make("CartPole-v1", {{"max_episode_steps", 3}});
  dopa::EnvSession session(*env);
  session.reset(0);
  session.set_state({0, 0, 0, 0});  // balanced: it will not fall within 3 steps
  dopa::StepResult r;
  for (int t = 1; t <= 3; ++t) {
    r = session.step(dopa::Action(t % 2));
    EXPECT_EQ(r.truncated, t == 3);
    EXPECT_FALSE(r.terminated);
  }
  EXPECT_EQ(r.episode_length, 3);
  EXPECT_EQ(r.episode_return, 3.0);
  EXPECT_THROW(session.step(dopa::Action(0)), dopa::Error);
}

TEST(Registry, UnknownIdSuggestsCloseMatches) {
  try {
    dopa::make("maze-v0");
    FAIL();
  } catch (const dopa::Error& e) {
    EXPECT_NE(std::string(e.what()).find("Did you mean 'Maze-v0'?"), std::string::npos) << e.what();
  }
  EXPECT_THROW(dopa::make("Maze-v0", {{"sizes", 13}}), dopa::Error);
  EXPECT_THROW(dopa::make("Maze-v0", {{"size", "13"}}), dopa::Error);
  EXPECT_THROW(dopa::make("CartPole-v1", {{"max_episode_steps", -1}}), dopa::Error);
}

TEST(Registry, ParsesKwargsFromText) {
  const auto kwargs = dopa::parse_env_kwargs("Maze-v0", {"size=13", "rew=5"});
  EXPECT_EQ(kwargs.at("size").as_int(), 13);
  EXPECT_EQ(kwargs.at("rew").as_float(), 5.0);
  EXPECT_THROW(dopa::parse_env_kwargs("Maze-v0", {"size13"}), dopa::Error);
  EXPECT_THROW(dopa::parse_env_kwargs("Maze-v0", {"size=big"}), dopa::Error);
}

TEST(Registry, DuplicateIdIsRejected) {
  dopa::EnvRegistration r;
  r.id = "Maze-v0";
  r.factory = [](const dopa::Config&) -> std::unique_ptr<dopa::Env> { return nullptr; };
  EXPECT_THROW(dopa::EnvRegistry::global().add(r), dopa::Error);
}

}  // namespace
