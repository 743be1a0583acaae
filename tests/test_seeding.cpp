// Seeding (core/seeding.h): runs with different seeds share no env stream and no agent stream;
// "consecutive" seeding is Gymnasium's seed + i.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <array>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "dopa/core/error.h"
#include "dopa/core/seeding.h"
#include "dopa/core/vector_env.h"

namespace {

using dopa::Seeding;

// The first observation of every env of a CartPole VectorEnv reset with `seed`: four uniform draws
// from the env's stream, so two envs with the same stream have the same one.
std::vector<std::array<float, 4>> first_observations(uint64_t seed, int64_t num_envs, Seeding seeding) {
  dopa::VectorEnvOptions options;
  options.seeding = seeding;
  dopa::VectorEnv envs("CartPole-v1", num_envs, {}, options);
  envs.reset(seed);
  const at::Tensor obs = envs.observations().contiguous();
  std::vector<std::array<float, 4>> out(num_envs);
  for (int64_t i = 0; i < num_envs; ++i)
    for (int k = 0; k < 4; ++k) out[i][k] = obs[i][k].item<float>();
  return out;
}

TEST(Seeding, TenRunsOfThirtyEnvsShareNoEnvStream) {
  std::map<std::array<float, 4>, std::string> seen;  // first observation -> which run and env
  for (uint64_t seed = 0; seed < 10; ++seed) {
    const auto obs = first_observations(seed, 30, Seeding::Mixed);
    for (size_t i = 0; i < obs.size(); ++i) {
      const std::string who = "seed " + std::to_string(seed) + " env " + std::to_string(i);
      const auto [at, inserted] = seen.emplace(obs[i], who);
      EXPECT_TRUE(inserted) << who << " repeats the stream of " << at->second;
    }
  }
  EXPECT_EQ(seen.size(), 300u);
}

// What the mixing is for: with seed + i, run s + 1's env i is run s's env i + 1.
TEST(Seeding, ConsecutiveSeedingIsGymnasiumsSeedPlusIndex) {
  for (uint64_t seed = 0; seed < 9; ++seed) {
    const auto run = first_observations(seed, 30, Seeding::Consecutive);
    const auto next_run = first_observations(seed + 1, 30, Seeding::Consecutive);
    for (size_t i = 0; i + 1 < run.size(); ++i) EXPECT_EQ(next_run[i], run[i + 1]) << "seed " << seed << " env " << i;
  }
  // And env i of a consecutive batch is the env reset with seed + i.
  const auto batch = first_observations(7, 3, Seeding::Consecutive);
  for (uint64_t i = 0; i < 3; ++i) EXPECT_EQ(first_observations(7 + i, 1, Seeding::Consecutive)[0], batch[i]);
}

TEST(Seeding, MixedSeedingSeedsEnvIWithTheStreamSeed) {
  const auto batch = first_observations(7, 3, Seeding::Mixed);
  for (uint64_t i = 0; i < 3; ++i)
    EXPECT_EQ(first_observations(dopa::stream_seed(7, i), 1, Seeding::Consecutive)[0], batch[i]) << "env " << i;
}

// The seeds themselves: 1,000 runs x 1,000 envs and each run's agent streams, all different.
TEST(Seeding, StreamSeedsOfAThousandRunsAreAllDifferent) {
  std::set<uint64_t> seeds;
  size_t count = 0;
  for (uint64_t run = 0; run < 1000; ++run) {
    for (uint64_t i = 0; i < 1000; ++i, ++count) seeds.insert(dopa::env_seed(run, i, Seeding::Mixed));
    for (auto stream : {dopa::AgentStream::Sampling, dopa::AgentStream::Modulators}) {
      seeds.insert(dopa::agent_stream_seed(run, stream));
      ++count;
    }
  }
  EXPECT_EQ(seeds.size(), count);
}

TEST(Seeding, NamesParseAndABadOneIsNamed) {
  EXPECT_EQ(dopa::parse_seeding("mixed", "env.seeding"), Seeding::Mixed);
  EXPECT_EQ(dopa::parse_seeding("consecutive", "env.seeding"), Seeding::Consecutive);
  EXPECT_STREQ(dopa::seeding_name(Seeding::Consecutive), "consecutive");
  try {
    dopa::parse_seeding("random", "env.seeding");
    FAIL() << "no error";
  } catch (const dopa::Error& e) {
    EXPECT_NE(std::string(e.what()).find("env.seeding"), std::string::npos) << e.what();
  }
}

}  // namespace
