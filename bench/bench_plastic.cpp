// The plastic cores' cost per training iteration at the paper's maze size (B = 30 episodes of
// T = 200 steps, N = 100, 17 inputs), split into the rollout (200 fused steps without gradients) and
// the update (unroll with gradients and the backward pass), fused kernel versus autograd.
//
//   build/bench/dopa_bench_plastic --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "dopa/nn/plastic_rnn.h"

namespace {

constexpr int64_t kT = 200, kB = 30, kInputs = 17;

std::shared_ptr<dopa::nn::PlasticRnn> make(const std::string& type, bool fused) {
  dopa::nn::CoreOptions o;
  o.type = dopa::parse_enum<dopa::nn::CoreKind>(type, "core");
  o.inputs = kInputs;
  o.hidden = type == "plastic" ? 101 : 100;
  o.fused = fused;
  torch::manual_seed(0);
  return std::make_shared<dopa::nn::PlasticRnn>(o);
}

void BM_Rollout(benchmark::State& state, const std::string& type) {
  at::set_num_threads(1);
  auto core = make(type, true);
  const torch::Tensor x = torch::rand({kT, kB, kInputs});
  torch::NoGradGuard no_grad;
  for (auto _ : state) {
    auto s = core->initial_state(kB);
    for (int64_t t = 0; t < kT; ++t) benchmark::DoNotOptimize(core->step(x[t], s));
  }
}

void BM_UnrollBackward(benchmark::State& state, const std::string& type, bool fused) {
  at::set_num_threads(1);
  auto core = make(type, fused);
  const torch::Tensor x = torch::rand({kT, kB, kInputs});
  const torch::Tensor weights = torch::randn({kT, kB, core->hidden_size()});
  for (auto _ : state) {
    core->zero_grad();
    (core->unroll(x, torch::Tensor()) * weights).sum().backward();
  }
}

}  // namespace

BENCHMARK_CAPTURE(BM_Rollout, modplast, std::string("modplast"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Rollout, modul, std::string("modul"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_UnrollBackward, modplast_fused, std::string("modplast"), true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_UnrollBackward, modul_fused, std::string("modul"), true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_UnrollBackward, plastic_fused, std::string("plastic"), true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_UnrollBackward, modplast_autograd, std::string("modplast"), false)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2);

BENCHMARK_MAIN();
