// Observation and action spaces, as Gymnasium's Discrete and Box.
//
//   Space::discrete(4)                          actions {0, 1, 2, 3}, stored as int64
//   Space::box({-4.8, -inf}, {4.8, inf}, Float32)  a float32 vector with per-element bounds
//
// A Box's bounds are stored as doubles already rounded to its dtype, so that contains() compares
// exactly as NumPy compares a float32 array with float32 bounds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dopa/core/rng.h"

namespace dopa {

enum class DType { Float32, Float64, Int64, UInt8, Bool };

constexpr size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::Int64: return 8;
    case DType::UInt8: return 1;
    case DType::Bool: return 1;
  }
  return 0;
}
const char* dtype_name(DType dtype);  // "float32", ...

class Space {
 public:
  static Space discrete(int64_t n, int64_t start = 0);
  // Box with per-element bounds; `shape` defaults to {low.size()}.
  static Space box(std::vector<double> low, std::vector<double> high, DType dtype = DType::Float32,
                   std::vector<int64_t> shape = {});
  // Box with the same bounds for every element.
  static Space box(double low, double high, std::vector<int64_t> shape, DType dtype = DType::Float32);

  bool is_discrete() const { return discrete_; }
  int64_t n() const { return n_; }          // Discrete: number of values
  int64_t start() const { return start_; }  // Discrete: smallest value
  const std::vector<int64_t>& shape() const { return shape_; }  // Discrete: {} (a scalar)
  int64_t size() const { return size_; }  // number of elements (1 for Discrete)
  DType dtype() const { return dtype_; }  // Int64 for Discrete
  const std::vector<double>& low() const { return low_; }
  const std::vector<double>& high() const { return high_; }

  // True when `data` (size() elements of dtype()) lies inside the space. NaN is never inside.
  bool contains(const void* data) const;
  bool contains(const std::vector<double>& values) const;

  // Writes a random element into `out` (size() elements of dtype()), as Gymnasium samples:
  // uniform for Discrete and bounded Box dimensions, exponential for half-bounded, normal for
  // unbounded ones.
  void sample(Rng& rng, void* out) const;

  // "Discrete(4)", "Box(-4.8, 4.8, (4,), float32)" or "Box([...], [...], (2,), float32)".
  std::string to_string() const;

  bool operator==(const Space& other) const;

 Space() = default;  // an empty Box; assign a real space before use

 private:
  bool discrete_ = false;
  int64_t n_ = 0, start_ = 0, size_ = 0;
  std::vector<int64_t> shape_;
  DType dtype_ = DType::Float32;
  std::vector<double> low_, high_;
};

}  // namespace dopa
