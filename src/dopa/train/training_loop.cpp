#include "dopa/train/training_loop.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "dopa/core/error.h"
#include "dopa/core/memory.h"
#include "dopa/core/output_file.h"
#include "dopa/core/seeding.h"
#include "dopa/core/vector_env.h"
#include "dopa/train/checkpoint.h"

namespace dopa {

namespace fs = std::filesystem;

SettingsTable<LoopCadence> LoopCadence::table(int64_t log_interval, int64_t checkpoint_every,
                                               const std::string& update_name) {
  return {
      setting(&LoopCadence::log_interval, "log_interval", log_interval, update_name + "s between metrics rows",
              at_least(1)),
      setting(&LoopCadence::checkpoint_every, "checkpoint_every", checkpoint_every,
              update_name + "s between checkpoints in the run folder (0: only when stopped and at the end)",
              at_least(0)),
  };
}

LoopCadence::LoopCadence(const Config& config) {
  static const SettingsTable<LoopCadence> reader = table(1, 0, "update");  // the defaults are not read
  *this = reader.read(config, "agent");
}

ConfigSchema loop_config_keys(int64_t log_interval, int64_t checkpoint_every, const std::string& update_name) {
  return LoopCadence::table(log_interval, checkpoint_every, update_name).schema();
}

std::ostream* RunRecords::open(const std::string& name, const std::string& header) {
  if (run_dir_.empty()) return nullptr;
  auto& file = files_[name];
  if (file) return file.get();
  const fs::path path = fs::path(run_dir_) / name;
  if (resumed_ >= 0) keep_rows_up_to(path, resumed_);
  fs::create_directories(path.parent_path());
  file = std::make_unique<std::ofstream>(path, std::ios::app);
  if (!*file) throw Error("cannot write '" + path.string() + "'");
  if (file->tellp() == 0) *file << header << "\n";
  return file.get();
}

void RunRecords::write(const std::string& name, const std::string& text) const {
  if (!run_dir_.empty()) write_file(fs::path(run_dir_) / name, text);
}

Metrics metrics_row(EpisodeLog& log, const Metrics& own, double steps_per_second) {
  const EpisodeLog::Interval interval = log.take_interval();
  Metrics row = {{"episodes", static_cast<double>(log.episodes())},
                 {"episodic_return", interval.mean_return},
                 {"episodic_length", interval.mean_length}};
  row.insert(row.end(), own.begin(), own.end());
  row.emplace_back("SPS", steps_per_second);
  return row;
}

TrainResult UpdateAgent::train(VectorEnv& envs, const TrainOptions& options, TrainMonitor& monitor) {
  return train_in_updates(*this, envs, options, monitor);
}

void check_update_fits(const UpdateAgent& agent, const VectorEnv& envs) {
  const int64_t steps_per_update = agent.steps_per_update(envs);
  const int64_t num_envs = envs.num_envs();
  const int64_t steps = steps_per_update > 0 ? steps_per_update / num_envs : envs.spec().max_episode_steps;
  const double per_step =
      4.0 * static_cast<double>(envs.single_observation_space().size() + envs.single_action_space().size() + 8);
  check_fits_in_memory(2.0 * per_step * static_cast<double>(num_envs) * static_cast<double>(steps),
                       "one update's experience (env.num_envs = " + std::to_string(num_envs) + " x " +
                           std::to_string(steps) + (steps_per_update > 0 ? " steps per update)" : " steps per episode)"),
                       memory_text(2.0 * per_step) + " per transition at least");
}

TrainResult train_in_updates(UpdateAgent& agent, VectorEnv& envs, const TrainOptions& options, TrainMonitor& monitor) {
  const LoopCadence cadence = agent.cadence();
  const int64_t steps_per_update = agent.steps_per_update(envs);
  check_update_fits(agent, envs);
  const int64_t num_updates = steps_per_update > 0 ? std::max<int64_t>(1, options.total_steps / steps_per_update) : 0;
  const auto finished = [&](int64_t update, int64_t global_step) {
    return num_updates > 0 ? update >= num_updates : global_step >= options.total_steps;
  };

  TrainResult result;
  EpisodeLog log;
  int64_t update = 0;  // the updates done
  const auto start = std::chrono::steady_clock::now();

  // Checkpoints hold the loop's state, the agent's, LibTorch's generator and the envs: a resumed run
  // goes on exactly as an uninterrupted one.
  const bool checkpoints = !options.run_dir.empty();
  if (checkpoints) envs.record_for_snapshots();
  const auto save_checkpoint = [&] {
    CheckpointWriter out(options.run_dir);
    out.progress("update", update);
    out.progress("global_step", result.global_step);
    out.progress("episodes", log.episodes());
    out.progress("best_return", log.best_return());
    out.text("episode_log", log.save());
    out.random_generator();
    out.envs(envs);
    agent.save_state(out);
    out.commit();
  };

  std::unique_ptr<CheckpointReader> checkpoint;
  if (options.resume) {
    checkpoint = std::make_unique<CheckpointReader>(options.run_dir);
    update = checkpoint->progress_int("update");
  }
  RunRecords records(options.run_dir, options.resume ? update : -1);
  agent.begin(envs, options, records);
  bool fresh_envs = true;
  if (checkpoint) {
    fresh_envs = !checkpoint->envs(envs);
    checkpoint->random_generator();
    log.load(checkpoint->text("episode_log"));
    result.global_step = result.start_step = checkpoint->progress_int("global_step");
    agent.load_state(*checkpoint, !fresh_envs);
    checkpoint.reset();
  }
  if (fresh_envs) {  // a new run, or a checkpoint from other envs (the warm-up's: new episodes)
    envs.reset(update == 0 ? options.seed : stream_seed(options.seed, static_cast<uint64_t>(update)));
    agent.start_episodes(envs);
  }

  int64_t last_checkpoint = update;
  while (!finished(update, result.global_step)) {
    if (monitor.should_stop()) {  // Ctrl-C or SIGTERM: the state after the last whole update
      result.stopped_early = true;
      break;
    }
    ++update;
    result.global_step += agent.update(envs, {update, num_updates, result.global_step, options.total_steps, log});
    monitor.progress(result.global_step, log.recent_mean());
    if (update % cadence.log_interval == 0 || finished(update, result.global_step)) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      monitor.log(result.global_step,
                  metrics_row(log, agent.metrics(), (result.global_step - result.start_step) / std::max(seconds, 1e-9)));
    }
    if (checkpoints && cadence.checkpoint_every > 0 && update % cadence.checkpoint_every == 0) {
      save_checkpoint();
      last_checkpoint = update;
    }
  }
  // Where the run stopped (Ctrl-C, or done): --resume, with more steps if done, goes on from here.
  if (checkpoints && update > last_checkpoint) save_checkpoint();
  agent.end();
  result.episodes = log.episodes();
  result.final_return = log.recent_mean();
  result.best_return = log.best_return();
  return result;
}

}  // namespace dopa
