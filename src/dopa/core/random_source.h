// RandomSource: where a batch of tensor envs (core/tensor_env.h) gets its random numbers.
//
//   auto random = dopa::make_random_source("streams", 1024, at::kCPU);
//   random->seed(42);                          // row i: the stream of env_seed(42, i) (core/seeding.h)
//   at::Tensor u = random->uniform(rows);      // (B,) float64 in [0, 1) for the rows where `rows`
//   at::Tensor k = random->integer(6, rows);   // (B,) int64 in {0, ..., 5}
//
// Two kinds, the same draws' distributions:
//   streams  one dopa::Rng per row, on the host, seeded and drawn exactly as the CPU env of that row
//            would be (VectorEnv::reset seeds env i with env_seed(seed, i, seeding)), so that a tensor env
//            steps identically to its CPU env; the draws are copied to the device. Rows outside
//            `rows` draw nothing (their streams do not move) and read 0.
//   device   LibTorch's generator on the device: every row draws (no host round trip), rows
//            outside `rows` are ignored by the caller. Other numbers than the CPU envs'.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <memory>
#include <string>

#include "dopa/core/seeding.h"

namespace dopa {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void seed(uint64_t seed) = 0;
  // `count` draws for every row where `rows` ((B,) bool, any device) is true, in order: (B, count).
  virtual at::Tensor uniforms(const at::Tensor& rows, int64_t count) = 0;          // float64 in [0, 1)
  virtual at::Tensor integers(int64_t n, const at::Tensor& rows, int64_t count) = 0;  // int64 in [0, n)
  // One draw per row: (B,).
  at::Tensor uniform(const at::Tensor& rows);
  at::Tensor integer(int64_t n, const at::Tensor& rows);
  // The streams' state as text and back (checkpoints; "device" saves its generator's state).
  virtual std::string save() const = 0;
  virtual void load(const std::string& state) = 0;
};

// kind: "streams" or "device" (throws dopa::Error otherwise); `seeding` as the VectorEnv's whose
// numbers the streams repeat (the device generator has one seed).
std::unique_ptr<RandomSource> make_random_source(const std::string& kind, int64_t rows, c10::Device device,
                                                 Seeding seeding = Seeding::Mixed);

}  // namespace dopa
