#include <gtest/gtest.h>

#include "dopa/core/error.h"
#include "dopa/runner/experiment.h"
#include "dopa/runner/trained_agent.h"

namespace {

const char* kExperiment = R"(
seed = 3
total_steps = 1_000

[env]
id = "Maze-v0"
num_envs = 4
kwargs = { size = 13 }

[agent]
algo = "a2c"
lr = 1e-4
)";

std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {},
                     bool warmup_phase = false) {
  try {
    dopa::parse_experiment(text, "test.toml", "test", overrides, false, warmup_phase);
  } catch (const dopa::Error& e) {
    return e.what();
  }
  return "";
}

TEST(Experiment, ResolvesEveryKeyWithDefaults) {
  const auto e = dopa::parse_experiment(kExperiment, "test.toml", "maze-test");
  EXPECT_EQ(e.name(), "maze-test");
  EXPECT_EQ(e.top.get_int("seed"), 3);
  EXPECT_EQ(e.env.get_string("id"), "Maze-v0");
  EXPECT_EQ(e.env_kwargs.get_int("size"), 13);
  EXPECT_EQ(e.env_kwargs.get_float("rew"), 10.0);  // the env's default
  EXPECT_EQ(e.agent.get_float("lr"), 1e-4);
  EXPECT_EQ(e.agent.get_string("core"), "lstm");
}

TEST(Experiment, OverridesAreTypedBySchema) {
  const auto e = dopa::parse_experiment(kExperiment, "test.toml", "t",
                                        {"agent.lr=3e-4", "env.kwargs.size=11", "seed=9", "agent.core=gru"});
  EXPECT_EQ(e.agent.get_float("lr"), 3e-4);
  EXPECT_EQ(e.env_kwargs.get_int("size"), 11);
  EXPECT_EQ(e.top.get_int("seed"), 9);
  EXPECT_EQ(e.agent.get_string("core"), "gru");
  // Changing the env changes which kwargs are valid: CartPole has no 'size'.
  EXPECT_THROW(dopa::parse_experiment(kExperiment, "test.toml", "t", {"env.id=CartPole-v1"}), dopa::Error);
}

TEST(Experiment, ResolvedTomlReadsBackTheSame) {
  const auto e = dopa::parse_experiment(kExperiment, "test.toml", "t", {"agent.gamma=0.95"});
  const auto again = dopa::parse_experiment(e.to_toml(), "resolved.toml", "other");
  EXPECT_EQ(again.to_toml(), e.to_toml());
}

TEST(Experiment, BadInputNamesTheKey) {
  EXPECT_NE(error_of(kExperiment, {"agent.lrr=1"}).find("Did you mean 'lr'?"), std::string::npos);
  EXPECT_NE(error_of(kExperiment, {"agent.lr=fast"}).find("'agent.lr' expects a number"), std::string::npos);
  EXPECT_NE(error_of(kExperiment, {"agent.lr"}).find("malformed --set 'agent.lr'"), std::string::npos);
  EXPECT_NE(error_of(kExperiment, {"env.kwargs.sise=3"}).find("unknown Maze-v0 kwarg 'sise'"), std::string::npos);
  EXPECT_NE(error_of("bogus = 1\n" + std::string(kExperiment)).find("unknown experiment key 'bogus'"),
            std::string::npos);
  EXPECT_NE(error_of("[env]\nid = \"Maze-v9\"\n[agent]\nalgo = \"a2c\"\n").find("Did you mean 'Maze-v0'?"),
            std::string::npos);
  EXPECT_NE(error_of("[env]\nid = \"Maze-v0\"\n[agent]\nalgo = \"a3c\"\n").find("unknown agent 'a3c'"),
            std::string::npos);
  EXPECT_NE(error_of("seed = \n").find("test.toml:1"), std::string::npos);
  EXPECT_NE(error_of("[env]\nid = \"Maze-v0\"\nnum_envs = \"four\"\n[agent]\nalgo = \"a2c\"\n").find("'num_envs' must be int"),
            std::string::npos);
  EXPECT_NE(error_of("[envs]\nid = 1\n").find("unknown section [envs]"), std::string::npos);
  EXPECT_THROW(dopa::load_experiment("/nonexistent/experiment.toml"), dopa::Error);
}

TEST(Experiment, WarmupOverridesApplyLastAndOnlyToTheWarmup) {
  const std::string text = std::string(kExperiment) + "[warmup]\nsteps = 500\nenv.num_envs = 2\nagent.lr = 1e-3\n";
  const auto e = dopa::parse_experiment(text, "test.toml", "t", {"agent.lr=3e-4", "agent.gamma=0.5"});
  EXPECT_EQ(e.warmup_steps, 500);
  EXPECT_EQ(e.env.get_int("num_envs"), 4);
  EXPECT_EQ(e.agent.get_float("lr"), 3e-4);
  const auto warm = dopa::parse_experiment(text, "test.toml", "t", {"agent.lr=3e-4", "agent.gamma=0.5"}, false, true);
  EXPECT_EQ(warm.env.get_int("num_envs"), 2);
  EXPECT_EQ(warm.agent.get_float("lr"), 1e-3);    // the warm-up's own value wins
  EXPECT_EQ(warm.agent.get_float("gamma"), 0.5);  // the user's other settings hold in the warm-up too
  // The resolved file keeps the warm-up, so a resumed run knows it.
  const auto again = dopa::parse_experiment(e.to_toml(), "resolved.toml", "t", {}, false, true);
  EXPECT_EQ(again.warmup_steps, 500);
  EXPECT_EQ(again.env.get_int("num_envs"), 2);
  EXPECT_EQ(dopa::parse_experiment(text, "test.toml", "t", {"warmup.steps=0"}).warmup_steps, 0);
  EXPECT_NE(error_of(std::string(kExperiment) + "[warmup]\nsteps = 5\nseed = 1\n").find("not 'seed'"),
            std::string::npos);
  EXPECT_NE(error_of(kExperiment, {"warmup.steps=5"}).find("no [warmup] table"), std::string::npos);
  EXPECT_NE(error_of(std::string(kExperiment) + "[warmup]\nsteps = 5\nagent.lrr = 1\n", {}, true)
                .find("Did you mean 'lr'?"),
            std::string::npos);
}

TEST(TrainedAgent, TestBatchIsTheLargestDivisorUpToTheLimit) {
  EXPECT_EQ(dopa::test_batch_size(300), 100);
  EXPECT_EQ(dopa::test_batch_size(7), 7);
  EXPECT_EQ(dopa::test_batch_size(1000, 64), 50);
  EXPECT_EQ(dopa::test_batch_size(101), 1);  // a prime above the limit: one at a time
  EXPECT_THROW(dopa::test_batch_size(0), dopa::Error);
}

}  // namespace
