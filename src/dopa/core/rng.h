// The random number generator every env and agent-side sampler uses.
//
// xoshiro256** (Blackman & Vigna 2018): 32 bytes of state, so that thousands of envs each with its
// own generator stay in cache (std::mt19937_64 carries 2.5 KB). Our own distributions, because the
// standard library's differ between implementations: a seed gives the same numbers on every platform
// and compiler. The seed is expanded with splitmix64 (as the generator's authors recommend), so that
// seed, seed+1, ... (per-env seeding in a VectorEnv) give unrelated streams.
#pragma once

#include <cstdint>
#include <string>

namespace dopa {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { this->seed(seed); }

  void seed(uint64_t seed);
  uint64_t next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  double uniform();                         // [0, 1), 53 random bits
  double uniform(double low, double high);  // [low, high): low + (high - low) * uniform()
  int64_t integer(int64_t n);               // uniform on {0, ..., n-1}, unbiased; n >= 1
  double normal();                          // standard normal (Box-Muller)
  double gamma(double shape);               // Gamma(shape, 1), shape > 0 (Marsaglia & Tsang 2000)
  double beta(double a, double b);          // Beta(a, b), a, b > 0: X / (X + Y), X ~ Gamma(a), Y ~ Gamma(b)
  bool bernoulli(double p) { return uniform() < p; }

  // The complete state as text, and back (for checkpoints).
  std::string save() const;
  void load(const std::string& state);

  static uint64_t splitmix64(uint64_t x);

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace dopa
