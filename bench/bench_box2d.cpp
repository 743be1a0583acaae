// What LunarLander-v3 costs over its physics: the env's step against a bare b2World::Step of the
// same world (same bodies, fixtures, joints, 1/50 s with 180 velocity and 60 position iterations).
//
//   build/bench/dopa_bench_box2d --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Both run episodes of the free-fall phase: reset(seed) (a new world and one no-op step), then
// kFallSteps more frames, the env with the no-op action (engines off: its RNG draws, observation,
// shaping and termination checks), the bare world with Step alone. items_per_second = frames per
// second, the reset's frame included, so the difference per item is the env's own overhead.
// Also: the env under Gymnasium's heuristic (landing, contacts, resets: the realistic cost) and
// the cost of a reset alone (building the world).
#include <benchmark/benchmark.h>

#include <box2d/box2d.h>

#include "agents/heuristic/heuristic.h"
#include "dopa/core/registry.h"
#include "envs/box2d/lunar_lander.h"

namespace {

// Contact-free frames: pushed down at most 4 m/s by the reset's random force and falling at g = 10,
// the lander drops at most 4.2 units in 30 frames, less than its height above the highest terrain.
// So both paths step the same kind of world (three bodies, two joints, no contacts).
constexpr int kFallSteps = 30;

std::unique_ptr<dopa::envs::LunarLander> make_lander() {
  auto env = dopa::make("LunarLander-v3");
  return std::unique_ptr<dopa::envs::LunarLander>(static_cast<dopa::envs::LunarLander*>(env.release()));
}

void BM_LunarLanderEnvStep(benchmark::State& state) {
  auto env = make_lander();
  dopa::EnvSession session(*env);
  uint64_t seed = 0;
  for (auto _ : state) {
    session.reset(seed++);
    for (int t = 0; t < kFallSteps; ++t) {
      const dopa::StepResult result = session.step(dopa::Action(0));
      if (result.done()) state.SkipWithError("the lander reached the ground within kFallSteps frames");
      benchmark::DoNotOptimize(result.reward);
    }
  }
  state.SetItemsProcessed(state.iterations() * (kFallSteps + 1));
}

void BM_LunarLanderBareWorldStep(benchmark::State& state) {
  auto env = make_lander();
  dopa::EnvSession session(*env);
  uint64_t seed = 0;
  for (auto _ : state) {
    session.reset(seed++);
    b2World& world = env->world();
    for (int t = 0; t < kFallSteps; ++t) world.Step(1.0f / 50, 6 * 30, 2 * 30);
    benchmark::DoNotOptimize(world.GetBodyList()->GetPosition());
  }
  state.SetItemsProcessed(state.iterations() * (kFallSteps + 1));
}

void BM_LunarLanderReset(benchmark::State& state) {
  auto env = make_lander();
  dopa::EnvSession session(*env);
  uint64_t seed = 0;
  for (auto _ : state) benchmark::DoNotOptimize(session.reset(seed++).data());
  state.SetItemsProcessed(state.iterations());
}

// Whole episodes under the heuristic (discrete): steps per second, resets included.
void BM_LunarLanderHeuristic(benchmark::State& state) {
  auto env = make_lander();
  dopa::EnvSession session(*env);
  session.reset(0);
  uint64_t seed = 1;
  for (auto _ : state) {
    const auto* obs = static_cast<const float*>(session.raw_obs());
    if (session.step(dopa::Action(dopa::agents::lunar_lander_heuristic_discrete(obs))).done()) session.reset(seed++);
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(BM_LunarLanderEnvStep);
BENCHMARK(BM_LunarLanderBareWorldStep);
BENCHMARK(BM_LunarLanderReset);
BENCHMARK(BM_LunarLanderHeuristic);

BENCHMARK_MAIN();
