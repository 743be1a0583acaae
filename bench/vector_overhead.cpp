// VectorEnv's overhead over a raw loop of Env::step calls, in instructions (deterministic, unlike
// wall time on a shared machine). Run through bench/vector_overhead.sh, which counts with callgrind
// the instructions executed inside step_loop() only and divides by the env steps.
//
//   dopa_bench_vector_overhead raw|vec ENV_ID NUM_ENVS STEPS
#include <ATen/ATen.h>

#include <cstdio>
#include <cstring>
#include <functional>

#include "dopa/core/registry.h"
#include "dopa/core/vector_env.h"

// The measured region: callgrind --toggle-collect=step_loop counts only what runs in here.
__attribute__((noinline)) void step_loop(const std::function<void(int64_t)>& step, int64_t steps) {
  for (int64_t s = 0; s < steps; ++s) step(s);
}

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s raw|vec ENV_ID NUM_ENVS STEPS\n", argv[0]);
    return 2;
  }
  const bool vector = std::strcmp(argv[1], "vec") == 0;
  const std::string id = argv[2];
  const int64_t num_envs = std::atoll(argv[3]);
  const int64_t steps = std::atoll(argv[4]);

  // 16 batches of random actions, made before either loop.
  auto probe = dopa::make(id);
  dopa::Rng rng(1);
  std::vector<at::Tensor> batches;
  for (int k = 0; k < 16; ++k) {
    at::Tensor batch = at::empty({num_envs}, at::kLong);
    for (int64_t i = 0; i < num_envs; ++i) probe->action_space().sample(rng, batch.data_ptr<int64_t>() + i);
    batches.push_back(batch);
  }

  double checksum = 0;
  if (vector) {
    dopa::VectorEnv envs(id, num_envs);
    envs.reset(0);
    step_loop([&](int64_t s) {
      envs.step(batches[s % 16]);
      checksum += envs.rewards().data_ptr<double>()[0];
    }, steps);
  } else {
    std::vector<std::unique_ptr<dopa::Env>> envs;
    for (int64_t i = 0; i < num_envs; ++i) envs.push_back(dopa::make(id));
    const dopa::EnvSpec& spec = envs[0]->spec();
    const int64_t row = spec.observation_space.size() * static_cast<int64_t>(dopa::dtype_size(spec.observation_space.dtype()));
    std::vector<unsigned char> obs(num_envs * row);
    std::vector<double> rewards(num_envs), info_values(num_envs * std::max<int64_t>(1, spec.info_size));
    std::unique_ptr<bool[]> info_present(new bool[num_envs * (spec.info_keys.size() + 1)]());
    auto obs_out = [&](int64_t i) {
      return dopa::ObsOut(obs.data() + i * row, spec.observation_space.dtype(), spec.observation_space.size());
    };
    auto info_out = [&](int64_t i) {
      if (spec.info_keys.empty()) return dopa::InfoOut();
      return dopa::InfoOut(info_values.data() + i * spec.info_size, info_present.get() + i * spec.info_keys.size(),
                           &spec.info_offsets);
    };
    for (int64_t i = 0; i < num_envs; ++i) envs[i]->reset(i, obs_out(i), info_out(i));
    step_loop([&](int64_t s) {
      const int64_t* actions = batches[s % 16].data_ptr<int64_t>();
      for (int64_t i = 0; i < num_envs; ++i) {
        if (envs[i]->needs_reset()) {
          envs[i]->reset(std::nullopt, obs_out(i), info_out(i));
          continue;
        }
        rewards[i] = envs[i]->step(dopa::Action(actions[i]), obs_out(i), info_out(i)).reward;
      }
      checksum += rewards[0];
    }, steps);
  }
  std::printf("%g\n", checksum);
  return 0;
}
