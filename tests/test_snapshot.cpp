// Exact env snapshots (checkpoints): every registered env, restored into a fresh VectorEnv, goes on
// bit for bit as the original does.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "dopa/core/vector_env.h"

namespace {

// A batch of random actions from the action space.
at::Tensor random_actions(const dopa::VectorEnv& envs, dopa::Rng& rng) {
  const dopa::Space& space = envs.single_action_space();
  std::vector<int64_t> shape{envs.num_envs()};
  shape.insert(shape.end(), space.shape().begin(), space.shape().end());
  at::Tensor actions = at::empty(shape, space.is_discrete() ? at::kLong : at::kFloat);
  auto* data = static_cast<unsigned char*>(actions.data_ptr());
  const int64_t row = space.size() * static_cast<int64_t>(actions.element_size());
  for (int64_t i = 0; i < envs.num_envs(); ++i) space.sample(rng, data + i * row);
  return actions;
}

std::vector<at::Tensor> buffers(const dopa::VectorEnv& envs) {
  std::vector<at::Tensor> out = {envs.observations(), envs.rewards(),         envs.terminations(),
                                 envs.truncations(),  envs.episode_returns(), envs.episode_lengths(),
                                 envs.final_mask()};
  for (auto& t : out) t = t.clone();
  return out;
}

void expect_same_buffers(const dopa::VectorEnv& a, const dopa::VectorEnv& b, const std::string& where) {
  for (const auto& key : a.info_keys()) {
    ASSERT_TRUE(at::equal(a.info_mask(key.name), b.info_mask(key.name))) << "info mask " << key.name << " " << where;
    const at::Tensor rows = a.info_mask(key.name);
    ASSERT_TRUE(at::equal(a.info(key.name).index({rows}), b.info(key.name).index({rows})))
        << "info " << key.name << " " << where;
  }
  const auto x = buffers(a), y = buffers(b);
  const char* names[] = {"observations", "rewards", "terminations", "truncations", "episode_returns",
                         "episode_lengths", "final_mask"};
  for (size_t k = 0; k < x.size(); ++k) {
    // Episode statistics are defined only in rows that just ended.
    if (k == 4 || k == 5) {
      const at::Tensor ended = a.terminations().logical_or(a.truncations());
      ASSERT_TRUE(at::equal(x[k].masked_select(ended), y[k].masked_select(ended))) << names[k] << " " << where;
      continue;
    }
    ASSERT_TRUE(at::equal(x[k], y[k])) << names[k] << " differ " << where;
  }
}

// Steps `envs` with random actions; takes a snapshot after `before` steps, then steps `after` more
// and checks that a VectorEnv restored from the snapshot does the same with the same actions.
void check_replay(const std::string& id, dopa::AutoresetMode mode, int before, int after, const dopa::Kwargs& kwargs = {}) {
  dopa::VectorEnvOptions options;
  options.autoreset = mode;
  dopa::VectorEnv original(id, 3, kwargs, options);
  original.record_for_snapshots();
  original.reset(7);
  dopa::Rng rng(1);
  for (int t = 0; t < before; ++t) original.step(random_actions(original, rng));
  const std::string snapshot = original.snapshot();

  dopa::VectorEnv restored(id, 3, kwargs, options);
  ASSERT_TRUE(restored.snapshot_fits(snapshot));
  restored.restore_snapshot(snapshot);
  expect_same_buffers(original, restored, "right after the restore");
  for (int t = 0; t < after; ++t) {
    const at::Tensor actions = random_actions(original, rng);
    original.step(actions);
    restored.step(actions);
    expect_same_buffers(original, restored, "at step " + std::to_string(t) + " after the restore");
    if (mode == dopa::AutoresetMode::SameStep) {
      ASSERT_TRUE(at::equal(original.final_observations().index({original.final_mask()}),
                            restored.final_observations().index({restored.final_mask()})));
    }
  }
}

class EveryEnvSnapshot : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryEnvSnapshot, ReplaysExactly) {
  // Several episodes before the snapshot (an env must carry nothing from one episode into the
  // next), and a restore in the middle of one.
  check_replay(GetParam(), dopa::AutoresetMode::SameStep, 257, 150);
}

INSTANTIATE_TEST_SUITE_P(Registry, EveryEnvSnapshot, ::testing::ValuesIn(dopa::EnvRegistry::global().ids()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST(Snapshot, EnvsThatCarryStateAcrossEpisodesReplayExactly) {
  // Conditioning-v0 counts trials (every 3rd a probe), Ring-v0 counts steps (its reward switches).
  check_replay("Conditioning-v0", dopa::AutoresetMode::SameStep, 200, 150, {{"omit_every", 3}});
  check_replay("Ring-v0", dopa::AutoresetMode::SameStep, 200, 150, {{"switch_step", 260}, {"max_episode_steps", 30}});
}

TEST(Snapshot, NextStepAutoresetReplaysExactly) {
  check_replay("CartPole-v1", dopa::AutoresetMode::NextStep, 301, 200);
}

TEST(Snapshot, ASnapshotFromOtherEnvsIsRefusedWithTheDifference) {
  dopa::VectorEnv envs("CartPole-v1", 2);
  envs.record_for_snapshots();
  envs.reset(0);
  const std::string snapshot = envs.snapshot();
  dopa::VectorEnv more("CartPole-v1", 3);
  EXPECT_FALSE(more.snapshot_fits(snapshot));
  try {
    more.restore_snapshot(snapshot);
    FAIL() << "expected an error";
  } catch (const dopa::Error& e) {
    EXPECT_NE(std::string(e.what()).find("CartPole-v1 x 2"), std::string::npos) << e.what();
  }
  dopa::VectorEnv other_kwargs("CartPole-v1", 2, {{"sutton_barto_reward", true}});
  EXPECT_FALSE(other_kwargs.snapshot_fits(snapshot));
  EXPECT_FALSE(envs.snapshot_fits("garbage"));
}

TEST(Snapshot, NeedsRecordingFromTheFirstReset) {
  dopa::VectorEnv envs("CartPole-v1", 1);
  envs.reset(0);
  EXPECT_THROW(envs.snapshot(), dopa::Error);
  EXPECT_THROW(envs.record_for_snapshots(), dopa::Error);
}

}  // namespace
