// meta_a2c for S seeds at once (population.h): the loop around meta_a2c's iteration (algorithm.h)
// with S monitors, one EpisodeLog per member.
#include "agents/meta_a2c/population.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>

#include "dopa/core/error.h"
#include "dopa/core/seeding.h"
#include "dopa/neuromod/update_modulators.h"
#include "dopa/train/optimizer.h"
#include "dopa/train/training_loop.h"

namespace dopa::agents {

namespace {

// The settings population training does not batch yet (the cores: StackedMembers).
void check_supported(const Config& config, const MetaA2CConfig& cfg) {
  if (cfg.optimizer != OptimizerKind::Adam) throw Error("meta_a2c population training supports optimizer = \"adam\" only");
  if (cfg.record_modulator) throw Error("meta_a2c population training does not record modulators");
  if (neuromod::UpdateModulators(config, "meta_a2c", 0).any())
    throw Error("meta_a2c population training does not run update modulators (acetylcholine, noradrenaline, serotonin)");
}

}  // namespace

MetaA2CPopulation::MetaA2CPopulation(const Config& agent_config, const EnvSpec& env, std::vector<uint64_t> seeds,
                                     torch::Device device)
    : cfg_(MetaA2CConfig::read(agent_config)), log_interval_(LoopCadence(agent_config).log_interval), seeds_(std::move(seeds)),
      device_(device), members_((check_supported(agent_config, cfg_), agent_config), env, seeds_, device),
      algorithm_(cfg_, members_) {}

std::vector<TrainResult> MetaA2CPopulation::train(const std::vector<VectorEnv*>& envs, int64_t total_steps,
                                                  const std::vector<TrainMonitor*>& monitors) {
  if (static_cast<int64_t>(envs.size()) != size()) throw Error("meta_a2c population: one VectorEnv per member");
  // Member s's episodes and actions as its separate run's: its envs reset with its seed, its actions
  // from a generator seeded as that run seeds LibTorch's.
  std::vector<at::Generator> samplers;
  for (size_t s = 0; s < envs.size(); ++s) {
    if (envs[s]->autoreset_mode() != AutoresetMode::SameStep)
      throw Error("meta_a2c population: every member's VectorEnv needs SameStep autoreset");
    envs[s]->reset(seeds_[s]);
    samplers.push_back(at::make_generator<at::CPUGeneratorImpl>(agent_stream_seed(seeds_[s], AgentStream::Sampling)));
  }
  VectorEnvMembers members(envs, samplers, device_);
  return train_on(members, total_steps, monitors);
}

std::vector<TrainResult> MetaA2CPopulation::train(TensorEnv& envs, int64_t total_steps,
                                                  const std::vector<TrainMonitor*>& monitors) {
  if (envs.device() != device_)
    throw Error("meta_a2c population: the TensorEnv is on " + envs.device().str() + ", the population on " + device_.str());
  TensorEnvRows members(envs, size(), seeds_[0]);
  envs.reset(seeds_[0]);
  return train_on(members, total_steps, monitors);
}

std::vector<TrainResult> MetaA2CPopulation::train_on(MemberEnvs& envs, int64_t total_steps,
                                                     const std::vector<TrainMonitor*>& monitors) {
  const int64_t S = size(), B = envs.batch();
  if (static_cast<int64_t>(monitors.size()) != S) throw Error("meta_a2c population: one monitor per member");
  const auto optimizer = make_optimizer(cfg_.optimizer, members_.parameters(), cfg_.lr, cfg_.adam_eps);
  std::vector<TrainResult> results(S);
  std::vector<EpisodeLog> episodes(S);  // each member's, as the training loop keeps a run's
  const auto start = std::chrono::steady_clock::now();
  int64_t global_step = 0;

  for (int64_t iteration = 1; global_step < total_steps; ++iteration) {
    bool stop = false;
    for (TrainMonitor* m : monitors) stop = stop || m->should_stop();
    if (stop) {
      for (TrainResult& r : results) r.stopped_early = true;
      break;
    }
    const double progress = static_cast<double>(global_step) / static_cast<double>(total_steps);
    const double entropy_coef = cfg_.ent.at(progress);
    set_learning_rate(*optimizer, cfg_.anneal_lr ? linear_schedule(cfg_.lr, 0.0, 1.0, progress) : cfg_.lr);
    const MetaA2CAlgorithm::Update update =
        algorithm_.iterate(envs, cfg_.gamma, entropy_coef, iteration > cfg_.burn_in, false, *optimizer);

    // Each member's episodes into its log, and its row when one is due.
    const int64_t T = update.episode_length;
    global_step += T * B;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const bool log_now = iteration % log_interval_ == 0 || global_step >= total_steps;
    for (int64_t s = 0; s < S; ++s) {
      const torch::Tensor episode_returns = update.episode_returns[s].contiguous();
      const float* returns = episode_returns.data_ptr<float>();
      for (int64_t b = 0; b < B; ++b) episodes[s].add(returns[b], T);
      monitors[s]->progress(global_step, episodes[s].recent_mean());
      if (log_now)
        monitors[s]->log(global_step, metrics_row(episodes[s], meta_a2c_columns(iteration, update, s, entropy_coef),
                                                  global_step / std::max(seconds, 1e-9)));
      TrainResult& r = results[s];
      r.global_step = global_step;
      r.episodes = episodes[s].episodes();
      r.final_return = episodes[s].recent_mean();
      r.best_return = episodes[s].best_return();
    }
  }
  return results;
}

void MetaA2CPopulation::save_member(int64_t s, const std::string& path) const {
  torch::save(members_.member(s), path);
}

}  // namespace dopa::agents
