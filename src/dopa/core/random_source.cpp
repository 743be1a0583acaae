#include "dopa/core/random_source.h"

#include <ATen/ATen.h>

#include <cstdio>
#include <sstream>
#include <vector>

#include "dopa/core/error.h"
#include "dopa/core/rng.h"

namespace dopa {

at::Tensor RandomSource::uniform(const at::Tensor& rows) { return uniforms(rows, 1).squeeze(1); }
at::Tensor RandomSource::integer(int64_t n, const at::Tensor& rows) { return integers(n, rows, 1).squeeze(1); }

namespace {

// One dopa::Rng per row, drawn on the host in the order the CPU envs draw.
class StreamRandomSource : public RandomSource {
 public:
  StreamRandomSource(int64_t rows, c10::Device device, Seeding seeding)
      : streams_(rows), device_(device), seeding_(seeding) {}

  void seed(uint64_t seed) override {
    for (size_t i = 0; i < streams_.size(); ++i) streams_[i].seed(env_seed(seed, i, seeding_));
  }

  at::Tensor uniforms(const at::Tensor& rows, int64_t count) override {
    return draw<double>(rows, count, at::kDouble, [](Rng& rng) { return rng.uniform(); });
  }

  at::Tensor integers(int64_t n, const at::Tensor& rows, int64_t count) override {
    return draw<int64_t>(rows, count, at::kLong, [n](Rng& rng) { return rng.integer(n); });
  }

  std::string save() const override {
    std::ostringstream out;
    for (const Rng& rng : streams_) out << rng.save() << "\n";
    return out.str();
  }

  void load(const std::string& state) override {
    std::istringstream in(state);
    std::string line;
    for (Rng& rng : streams_) {
      if (!std::getline(in, line)) throw Error("RandomSource: the saved streams are fewer than the rows");
      rng.load(line);
    }
  }

 private:
  template <typename T, typename Draw>
  at::Tensor draw(const at::Tensor& rows, int64_t count, at::ScalarType type, Draw one) {
    const int64_t n = static_cast<int64_t>(streams_.size());
    if (rows.numel() != n) throw Error("RandomSource: the row mask has " + std::to_string(rows.numel()) + " rows, not " + std::to_string(n));
    const at::Tensor mask = rows.to(at::kCPU, at::kBool).contiguous();
    const bool* m = mask.data_ptr<bool>();
    at::Tensor out = at::zeros({n, count}, at::TensorOptions().dtype(type));
    T* o = out.data_ptr<T>();
    for (int64_t i = 0; i < n; ++i)
      if (m[i])
        for (int64_t k = 0; k < count; ++k) o[i * count + k] = one(streams_[i]);
    return out.to(device_);
  }

  std::vector<Rng> streams_;
  c10::Device device_;
  Seeding seeding_;
};

// LibTorch's generator on the device; every row draws.
class DeviceRandomSource : public RandomSource {
 public:
  DeviceRandomSource(int64_t rows, c10::Device device)
      : rows_(rows), device_(device), generator_(at::globalContext().defaultGenerator(device).clone()) {}

  void seed(uint64_t seed) override {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    generator_.set_current_seed(seed);
  }

  at::Tensor uniforms(const at::Tensor& rows, int64_t count) override {
    return at::rand({rows_, count}, generator_, at::TensorOptions().dtype(at::kDouble).device(device_));
  }

  at::Tensor integers(int64_t n, const at::Tensor& rows, int64_t count) override {
    return at::randint(n, {rows_, count}, generator_, at::TensorOptions().dtype(at::kLong).device(device_));
  }

  std::string save() const override {
    const at::Tensor state = generator_.get_state().contiguous();
    std::string text;
    char hex[3];
    for (int64_t i = 0; i < state.numel(); ++i) {
      std::snprintf(hex, sizeof hex, "%02x", state.data_ptr<uint8_t>()[i]);
      text += hex;
    }
    return text;
  }

  void load(const std::string& state) override {
    at::Tensor bytes = at::empty({static_cast<int64_t>(state.size() / 2)}, at::kByte);
    for (int64_t i = 0; i < bytes.numel(); ++i)
      bytes.data_ptr<uint8_t>()[i] = static_cast<uint8_t>(std::stoi(state.substr(2 * i, 2), nullptr, 16));
    generator_.set_state(bytes);
  }

 private:
  int64_t rows_;
  c10::Device device_;
  at::Generator generator_;
};

}  // namespace

std::unique_ptr<RandomSource> make_random_source(const std::string& kind, int64_t rows, c10::Device device,
                                                 Seeding seeding) {
  if (kind == "streams") return std::make_unique<StreamRandomSource>(rows, device, seeding);
  if (kind == "device") return std::make_unique<DeviceRandomSource>(rows, device);
  throw Error("unknown random source '" + kind + "' (streams or device)");
}

}  // namespace dopa
