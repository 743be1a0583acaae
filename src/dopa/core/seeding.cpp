#include "dopa/core/seeding.h"

#include "dopa/core/error.h"
#include "dopa/core/rng.h"

namespace dopa {

uint64_t stream_seed(uint64_t seed, uint64_t index) { return Rng::splitmix64(Rng::splitmix64(seed) + index); }

uint64_t env_seed(uint64_t seed, uint64_t index, Seeding seeding) {
  return seeding == Seeding::Consecutive ? seed + index : stream_seed(seed, index);
}

uint64_t agent_stream_seed(uint64_t seed, AgentStream stream) {
  return stream_seed(seed, (uint64_t{1} << 63) + static_cast<uint64_t>(stream));
}

Seeding parse_seeding(const std::string& text, const std::string& what) {
  if (text == "mixed") return Seeding::Mixed;
  if (text == "consecutive") return Seeding::Consecutive;
  throw Error(what + " = '" + text + "': the seeding is 'mixed' or 'consecutive'");
}

const char* seeding_name(Seeding seeding) { return seeding == Seeding::Consecutive ? "consecutive" : "mixed"; }

}  // namespace dopa
