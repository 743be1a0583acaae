#include "dopa/core/space.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>


namespace dopa {

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int64: return "int64";
    case DType::UInt8: return "uint8";
    case DType::Bool: return "bool";
  }
  return "?";
}

namespace {

double round_to(DType dtype, double v) {
  if (dtype == DType::Float32 && std::isfinite(v)) return static_cast<double>(static_cast<float>(v));
  return v;
}

double element(const void* data, DType dtype, int64_t i) {
  switch (dtype) {
    case DType::Float32: return static_cast<const float*>(data)[i];
    case DType::Float64: return static_cast<const double*>(data)[i];
    case DType::Int64: return static_cast<double>(static_cast<const int64_t*>(data)[i]);
    case DType::UInt8: return static_cast<const uint8_t*>(data)[i];
    case DType::Bool: return static_cast<const bool*>(data)[i] ? 1.0 : 0.0;
  }
  return 0;
}

void set_element(void* data, DType dtype, int64_t i, double v) {
  switch (dtype) {
    case DType::Float32: static_cast<float*>(data)[i] = static_cast<float>(v); break;
    case DType::Float64: static_cast<double*>(data)[i] = v; break;
    case DType::Int64: static_cast<int64_t*>(data)[i] = static_cast<int64_t>(std::floor(v)); break;
    case DType::UInt8: static_cast<uint8_t*>(data)[i] = static_cast<uint8_t>(std::floor(v)); break;
    case DType::Bool: static_cast<bool*>(data)[i] = v >= 1.0; break;
  }
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream out;
  out.precision(std::numeric_limits<float>::max_digits10);
  out << v;
  return out.str();
}

}  // namespace

Space Space::discrete(int64_t n, int64_t start) {
  if (n < 1) throw std::invalid_argument("Discrete space needs n >= 1");
  Space s;
  s.discrete_ = true;
  s.n_ = n;
  s.start_ = start;
  s.size_ = 1;
  s.dtype_ = DType::Int64;
  s.low_ = {static_cast<double>(start)};
  s.high_ = {static_cast<double>(start + n - 1)};
  return s;
}

Space Space::box(std::vector<double> low, std::vector<double> high, DType dtype, std::vector<int64_t> shape) {
  if (low.size() != high.size()) throw std::invalid_argument("Box: low and high differ in size");
  if (shape.empty()) shape = {static_cast<int64_t>(low.size())};
  int64_t size = 1;
  for (int64_t d : shape) size *= d;
  if (size != static_cast<int64_t>(low.size())) throw std::invalid_argument("Box: shape does not match bounds");
  Space s;
  s.shape_ = std::move(shape);
  s.size_ = size;
  s.dtype_ = dtype;
  for (int64_t i = 0; i < size; ++i) {
    if (low[i] > high[i]) throw std::invalid_argument("Box: low > high");
    s.low_.push_back(round_to(dtype, low[i]));
    s.high_.push_back(round_to(dtype, high[i]));
  }
  return s;
}

Space Space::box(double low, double high, std::vector<int64_t> shape, DType dtype) {
  int64_t size = 1;
  for (int64_t d : shape) size *= d;
  return box(std::vector<double>(size, low), std::vector<double>(size, high), dtype, std::move(shape));
}

bool Space::contains(const void* data) const {
  for (int64_t i = 0; i < size_; ++i) {
    const double v = element(data, dtype_, i);
    if (!(v >= low_[i] && v <= high_[i])) return false;  // also rejects NaN
  }
  return true;
}

bool Space::contains(const std::vector<double>& values) const {
  if (static_cast<int64_t>(values.size()) != size_) return false;
  std::vector<unsigned char> buffer(size_ * dtype_size(dtype_));
  for (int64_t i = 0; i < size_; ++i) {
    // Values must be representable: 1.5 is not in a Discrete space.
    if (dtype_ == DType::Int64 && values[i] != std::floor(values[i])) return false;
    set_element(buffer.data(), dtype_, i, values[i]);
  }
  return contains(buffer.data());
}

void Space::sample(Rng& rng, void* out) const {
  if (discrete_) {
    *static_cast<int64_t*>(out) = start_ + rng.integer(n_);
    return;
  }
  for (int64_t i = 0; i < size_; ++i) {
    const bool bounded_below = std::isfinite(low_[i]), bounded_above = std::isfinite(high_[i]);
    double v;
    if (dtype_ == DType::Int64 || dtype_ == DType::UInt8 || dtype_ == DType::Bool) {
      v = low_[i] + static_cast<double>(rng.integer(static_cast<int64_t>(high_[i] - low_[i]) + 1));
    } else if (bounded_below && bounded_above) {
      v = rng.uniform(low_[i], high_[i]);
    } else if (bounded_below) {
      v = low_[i] - std::log(1.0 - rng.uniform());
    } else if (bounded_above) {
      v = high_[i] + std::log(1.0 - rng.uniform());
    } else {
      v = rng.normal();
    }
    set_element(out, dtype_, i, v);
    // Rounding to float32 can push a value just past a bound: clamp as Gymnasium does.
    if (dtype_ == DType::Float32) {
      float& f = static_cast<float*>(out)[i];
      if (f < low_[i]) f = static_cast<float>(low_[i]);
      if (f > high_[i]) f = static_cast<float>(high_[i]);
    }
  }
}

std::string Space::to_string() const {
  if (discrete_) {
    return "Discrete(" + std::to_string(n_) + (start_ != 0 ? ", start=" + std::to_string(start_) : "") + ")";
  }
  std::string shape = "(";
  for (size_t i = 0; i < shape_.size(); ++i) shape += std::to_string(shape_[i]) + (shape_.size() == 1 ? "," : (i + 1 < shape_.size() ? ", " : ""));
  shape += ")";
  auto bounds = [](const std::vector<double>& b) {
    for (double v : b)
      if (v != b[0]) {
        std::string out = "[";
        for (size_t i = 0; i < b.size(); ++i) out += (i ? ", " : "") + number(b[i]);
        return out + "]";
      }
    return number(b.empty() ? 0.0 : b[0]);
  };
  return "Box(" + bounds(low_) + ", " + bounds(high_) + ", " + shape + ", " + dtype_name(dtype_) + ")";
}

bool Space::operator==(const Space& other) const {
  return discrete_ == other.discrete_ && n_ == other.n_ && start_ == other.start_ && shape_ == other.shape_ &&
         dtype_ == other.dtype_ && low_ == other.low_ && high_ == other.high_;
}

}  // namespace dopa
