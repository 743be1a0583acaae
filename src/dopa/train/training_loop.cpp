#include "dopa/train/training_loop.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "dopa/core/error.h"
#include "dopa/core/output_file.h"
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

TrainResult train_in_updates(UpdateAgent& agent, VectorEnv& envs, const TrainOptions& options, TrainMonitor& monitor) {
  const LoopCadence cadence = agent.cadence();
  const int64_t steps_per_update = agent.steps_per_update(envs);
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
  if (fresh_envs) {  // a new run, or a checkpoint from other envs (the warm-up's)
    envs.reset(options.seed + static_cast<uint64_t>(update) * 1000003ULL);
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
