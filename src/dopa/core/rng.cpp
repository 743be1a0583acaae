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

void Rng::seed(uint64_t seed) {
  // splitmix64 as a sequence generator: state += golden gamma, then mix.
  uint64_t x = seed;
  for (uint64_t& word : s_) {
    word = splitmix64(x);
    x += 0x9e3779b97f4a7c15ULL;
  }
}

double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Rng::uniform(double low, double high) { return low + (high - low) * uniform(); }

int64_t Rng::integer(int64_t n) {
  if (n <= 0) throw std::invalid_argument("Rng::integer needs n >= 1");
  // Rejection sampling on the top of the 64-bit range keeps every value equally likely.
  const uint64_t range = static_cast<uint64_t>(n);
  const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
  uint64_t x;
  do {
    x = next_u64();
  } while (x >= limit);
  return static_cast<int64_t>(x % range);
}

double Rng::normal() {
  const double u1 = 1.0 - uniform();  // (0, 1]: log is finite
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

double Rng::gamma(double shape) {
  if (!(shape > 0)) throw std::invalid_argument("Rng::gamma: the shape must be positive");
  if (shape < 1) {
    // Gamma(shape) = Gamma(shape + 1) * U^(1 / shape).
    const double u = 1.0 - uniform();  // (0, 1]
    return gamma(shape + 1.0) * std::pow(u, 1.0 / shape);
  }
  // Marsaglia & Tsang: d (1 + c x)^3 for a standard normal x, accepted by a squeeze or the log test.
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = normal();
      v = 1.0 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = 1.0 - uniform();  // (0, 1]
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

double Rng::beta(double a, double b) {
  const double x = gamma(a), y = gamma(b);
  return x / (x + y);
}

std::string Rng::save() const {
  std::ostringstream out;
  out << s_[0] << " " << s_[1] << " " << s_[2] << " " << s_[3];
  return out.str();
}

void Rng::load(const std::string& state) {
  std::istringstream in(state);
  uint64_t words[4];
  in >> words[0] >> words[1] >> words[2] >> words[3];
  if (!in) throw std::invalid_argument("Rng::load: malformed generator state");
  for (int i = 0; i < 4; ++i) s_[i] = words[i];
}

}  // namespace dopa
