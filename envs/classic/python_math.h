// Arithmetic as Gymnasium's Python/NumPy code does it, for bit-exact classic-control ports
// (shared/reference/golden/README.md, "Traps for a bit-exact C++ port").
#pragma once

#include <cmath>

namespace dopa::envs {

// Python's `x**2` on a float: libm's pow(x, 2.0), which differs from x*x in the last bit for about
// 0.08% of inputs. Compilers fold a visible pow(x, 2.0) into x*x, so the call goes through a
// volatile function pointer that they cannot see through.
inline double python_square(double x) {
  static double (*volatile const libm_pow)(double, double) = ::pow;
  return libm_pow(x, 2.0);
}

// Python's `x % m` for floats (floored: the result has the sign of m), as NumPy computes it.
inline double python_mod(double x, double m) {
  double r = std::fmod(x, m);
  if (r != 0.0 && ((r < 0) != (m < 0))) r += m;
  if (r == 0.0) r = std::copysign(0.0, m);
  return r;
}

}  // namespace dopa::envs
