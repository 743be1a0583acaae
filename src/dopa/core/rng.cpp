#include "dopa/core/rng.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace dopa {

uint64_t Rng::splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void Rng::seed(uint64_t seed) { engine_.seed(splitmix64(seed)); }

double Rng::uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

double Rng::uniform(double low, double high) { return low + (high - low) * uniform(); }

int64_t Rng::integer(int64_t n) {
  if (n <= 0) throw std::invalid_argument("Rng::integer needs n >= 1");
  // Rejection sampling on the top of the 64-bit range keeps every value equally likely.
  const uint64_t range = static_cast<uint64_t>(n);
  const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
  uint64_t x;
  do {
    x = engine_();
  } while (x >= limit);
  return static_cast<int64_t>(x % range);
}

double Rng::normal() {
  const double u1 = 1.0 - uniform();  // (0, 1]: log is finite
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

std::string Rng::save() const {
  std::ostringstream out;
  out << engine_;
  return out.str();
}

void Rng::load(const std::string& state) {
  std::istringstream in(state);
  in >> engine_;
  if (!in) throw std::invalid_argument("Rng::load: malformed generator state");
}

}  // namespace dopa
