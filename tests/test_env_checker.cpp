// The env checker over every registered env (and a few kwarg variants).
#include <gtest/gtest.h>

#include "dopa/core/env_checker.h"
#include "dopa/core/registry.h"
#include "dopa/core/strings.h"

namespace {

class EveryEnv : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryEnv, PassesTheChecker) {
  const auto problems = dopa::check_env(GetParam());
  EXPECT_TRUE(problems.empty()) << dopa::join(problems, "\n");
}

INSTANTIATE_TEST_SUITE_P(Registry, EveryEnv, ::testing::ValuesIn(dopa::EnvRegistry::global().ids()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST(EnvChecker, KwargVariantsPass) {
  const std::vector<std::pair<std::string, dopa::Kwargs>> variants = {
      {"Maze-v0", {{"size", 13}, {"wp", 0.05}}},
      {"BanditKArmed-v0", {{"arms", 50}, {"trials", 10}}},
      {"CartPole-v1", {{"sutton_barto_reward", true}, {"max_episode_steps", 0}}},
  };
  for (const auto& [id, kwargs] : variants) {
    const auto problems = dopa::check_env(id, kwargs);
    EXPECT_TRUE(problems.empty()) << dopa::join(problems, "\n");
  }
}

}  // namespace
