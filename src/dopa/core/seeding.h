// Seeding: how one run seed becomes the seeds of all the random streams a run draws from.
//
//   dopa::env_seed(seed, i, dopa::Seeding::Mixed)      // env i of a VectorEnv reset with `seed`
//   dopa::agent_stream_seed(seed, dopa::AgentStream::Sampling)  // the agent's action sampling
//
// A run with seed s draws from many streams: one per env of its VectorEnv, the agent's action
// sampling, its modulators' noise. Each stream's seed is mixed from (s, stream index) with
// splitmix64 (numpy's SeedSequence idea), so that no two streams of a run, and no two streams of
// runs with different seeds, begin at the same seed. Seeding env i with s + i instead (Gymnasium's
// vector envs: env.seeding = "consecutive") makes env i + 1 of run s and env i of run s + 1 the
// same stream, so that runs with seeds 0 and 1 of 30 envs share 29 of them; it is kept for parity
// tests against Gymnasium and for the evaluation episodes of `dopa play` and `dopa eval`
// ("episode e is the env reset with seed + e", the same for every algorithm scored).
// The model's initialisation draws from LibTorch's generator seeded with s itself.
#pragma once

#include <cstdint>
#include <string>

namespace dopa {

enum class Seeding {
  Mixed,        // env i: stream_seed(seed, i)
  Consecutive,  // env i: seed + i (Gymnasium)
};

// The seed of stream `index` of a run seeded `seed`: splitmix64(splitmix64(seed) + index). Two
// (seed, index) pairs share it only when splitmix64(seed) - splitmix64(seed') = index' - index.
uint64_t stream_seed(uint64_t seed, uint64_t index);

// The seed of env `index` of a batch reset with `seed`.
uint64_t env_seed(uint64_t seed, uint64_t index, Seeding seeding);

// The agent's own streams, at stream indices no env of a batch reaches (2^63 + k).
enum class AgentStream : uint64_t {
  Sampling = 1,    // actions (LibTorch's generator during a rollout)
  Modulators = 2,  // the modulators' noise (neuromod::UpdateModulators)
};
uint64_t agent_stream_seed(uint64_t seed, AgentStream stream);

// "mixed" or "consecutive" (dopa::Error naming `what` otherwise), and back.
Seeding parse_seeding(const std::string& text, const std::string& what);
const char* seeding_name(Seeding seeding);

}  // namespace dopa
