// The random number generator every env and agent-side sampler uses.
//
// std::mt19937_64 (whose output sequence the C++ standard fixes) with our own distributions, because
// the standard library's distributions differ between implementations: a seed gives the same numbers
// on every platform and compiler. Seeds go through splitmix64 so that seed, seed+1, ... (per-env
// seeding in a VectorEnv) give unrelated streams.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace dopa {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { this->seed(seed); }

  void seed(uint64_t seed);
  uint64_t next_u64() { return engine_(); }

  double uniform();                         // [0, 1), 53 random bits
  double uniform(double low, double high);  // [low, high): low + (high - low) * uniform()
  int64_t integer(int64_t n);               // uniform on {0, ..., n-1}, unbiased; n >= 1
  double normal();                          // standard normal (Box-Muller)
  bool bernoulli(double p) { return uniform() < p; }

  // The complete state as text, and back (for checkpoints).
  std::string save() const;
  void load(const std::string& state);

  static uint64_t splitmix64(uint64_t x);

 private:
  std::mt19937_64 engine_;
};

}  // namespace dopa
