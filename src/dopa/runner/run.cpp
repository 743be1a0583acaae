#include "dopa/runner/run.h"

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>

#include "dopa/core/error.h"
#include "dopa/core/folder_lock.h"
#include "dopa/core/output_file.h"
#include "dopa/core/vector_env.h"
#include "dopa/runner/experiment.h"
#include "dopa/runner/metrics.h"
#include "dopa/runner/progress.h"
#include "dopa/runner/stop_signals.h"
#include "dopa/train/checkpoint.h"
#include "dopa/train/device.h"
#include "dopa/train/training_loop.h"

namespace dopa {

namespace fs = std::filesystem;

namespace {

// Writes metrics.csv, shows progress, and tells the agent to stop: on Ctrl-C, or at `stop_step`
// (> 0: the end of the warm-up; the agent then checkpoints as on Ctrl-C).
class RunMonitor : public TrainMonitor {
 public:
  // show_progress false: no bar or progress lines (the other members of a population run).
  RunMonitor(const std::string& metrics_path, int64_t total_steps, int64_t stop_step, int progress, bool append,
             double clock_start, bool show_progress = true)
      : metrics_(metrics_path, append),
        stop_step_(stop_step),
        clock_start_(clock_start),
        start_(std::chrono::steady_clock::now()) {
    if (show_progress) progress_.emplace(total_steps, "steps", progress);
  }

  // metrics.csv's wall_time runs on across resumes and the warm-up.
  void log(int64_t global_step, const Metrics& metrics) override {
    metrics_.write(global_step, clock_start_ + elapsed(), metrics);
    check_losses_finite(global_step, metrics);  // after writing: the diverged row is kept to look at
  }
  void progress(int64_t global_step, double recent_return) override {
    step_ = global_step;
    char status[64];
    std::snprintf(status, sizeof status, "return %.2f", recent_return);
    if (progress_) progress_->update(global_step, status);
  }
  bool should_stop() const override { return StopSignals::requested() || (stop_step_ > 0 && step_ >= stop_step_); }
  void finish() {
    if (progress_) progress_->finish();
  }
  double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  MetricsCsv metrics_;
  std::optional<Progress> progress_;
  int64_t stop_step_, step_ = 0;
  double clock_start_;
  std::chrono::steady_clock::time_point start_;
};

std::string default_run_dir(const std::string& name) {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  return (fs::path("runs") / (name + "-" + stamp)).string();
}

// A resumed run continues from its checkpoint: metrics rows logged after it (the run went on, then
// was killed) would be logged again, so they go. Returns the wall time of the last row kept, where
// the resumed run's clock starts (0 if none).
double drop_metrics_after_checkpoint(const fs::path& dir) {
  const int64_t checkpoint = checkpoint_step(dir.string());
  if (checkpoint < 0) return 0.0;
  const std::string row = keep_rows_up_to(dir / "metrics.csv", checkpoint);  // global_step,wall_time,...
  if (row.empty()) return 0.0;
  const size_t second = row.find(',') + 1;
  return std::stod(row.substr(second, row.find(',', second) - second));
}


// How a run's VectorEnv steps: the experiment's threads and seeding, the agent's autoreset mode,
// pinned buffers when the network is on a GPU (asynchronous copies).
VectorEnvOptions env_options(const Experiment& experiment, const AgentRegistration& agent, c10::Device device) {
  VectorEnvOptions options;
  options.num_threads = static_cast<int>(experiment.env.get_int("num_threads"));
  options.autoreset = agent.autoreset;
  options.pinned = !device.is_cpu();
  options.seeding = parse_seeding(experiment.env.get_string("seeding"), "env.seeding");
  return options;
}

// summary.json: what the run did.
void write_summary(const fs::path& dir, const Experiment& experiment, const RunOutcome& outcome, int64_t parameters,
                   const std::optional<double>& reward_threshold) {
  const TrainResult& r = outcome.result;
  nlohmann::ordered_json summary = {
      {"experiment", experiment.name()},
      {"env", experiment.env.get_string("id")},
      {"agent", experiment.agent.get_string("algo")},
      {"seed", experiment.top.get_int("seed")},
      {"global_step", r.global_step},
      {"episodes", r.episodes},
      {"final_return", r.final_return},
      {"best_return", r.best_return},
      {"wall_time_s", outcome.wall_time},
      {"steps_per_second", outcome.wall_time > 0 ? (r.global_step - r.start_step) / outcome.wall_time : 0.0},
      {"interrupted", outcome.interrupted},
  };
  if (parameters >= 0) summary["parameters"] = parameters;
  if (reward_threshold) summary["reward_threshold"] = *reward_threshold;
  write_file(dir / "summary.json", summary.dump(2) + "\n");
}

// Removes a new run's folder when the run is refused (an exception) before it has written a metrics
// row or a checkpoint: a rejected command leaves nothing behind. A run that failed later (it
// diverged, say) keeps its folder: its rows are what tell why.
// Made before the folder is written to; keep() once the run has trained.
class RejectedRunCleanup {
 public:
  RejectedRunCleanup(fs::path dir, bool new_run) : dir_(std::move(dir)), active_(new_run), existed_(fs::exists(dir_)) {}
  ~RejectedRunCleanup() {
    if (!active_ || fs::exists(dir_ / "checkpoint")) return;
    std::ifstream metrics(dir_ / "metrics.csv");
    std::string header, row;
    if (std::getline(metrics, header) && std::getline(metrics, row)) return;
    metrics.close();
    std::error_code ignored;
    if (!existed_) {
      fs::remove_all(dir_, ignored);
      return;
    }
    for (const auto& entry : fs::directory_iterator(dir_, ignored)) fs::remove_all(entry.path(), ignored);
  }
  RejectedRunCleanup(const RejectedRunCleanup&) = delete;
  RejectedRunCleanup& operator=(const RejectedRunCleanup&) = delete;
  void keep() { active_ = false; }

 private:
  fs::path dir_;
  bool active_, existed_;  // existed_: the user's empty folder, kept (emptied)
};

// A run folder opened for writing: its config.toml written, the folder locked against a second
// process (unless the caller holds the lock already: a resumed run locks before it reads), and a
// new run's folder removed again when the run is refused before its first metrics row.
class RunFolderWriter {
 public:
  RunFolderWriter(const fs::path& dir, const Experiment& experiment, bool new_run, bool locked) : cleanup_(dir, new_run) {
    write_file(dir / "config.toml", experiment.to_toml());
    if (!locked) lock_.emplace(dir, "run folder");
  }
  void keep() { cleanup_.keep(); }  // the run has trained

 private:
  RejectedRunCleanup cleanup_;
  std::optional<FolderLock> lock_;
};

// A run folder `dir` for a new run: refused when it holds anything already.
void check_new_run_folder(const fs::path& dir, const std::string& advice) {
  if (fs::exists(dir) && !(fs::is_directory(dir) && fs::is_empty(dir)))
    throw Error("run folder '" + dir.string() + "' already exists and is not empty; " + advice);
}

// The envs and the agent of one stretch of training (the warm-up, or the run with its own settings),
// built before anything is written: the env and the agent check their settings here.
struct PhaseSetup {
  const AgentRegistration* registration = nullptr;
  c10::Device device = c10::kCPU;
  std::unique_ptr<VectorEnv> envs;
  std::unique_ptr<Agent> agent;
};

PhaseSetup build_phase(const Experiment& experiment) {
  PhaseSetup setup;
  setup.registration = &AgentRegistry::global().find(experiment.agent.get_string("algo"));
  setup.device = resolve_device(experiment.top.get_string("device"), *setup.registration);
  setup.envs = std::make_unique<VectorEnv>(experiment.env.get_string("id"), experiment.env.get_int("num_envs"),
                                           experiment.env_kwargs.values(),
                                           env_options(experiment, *setup.registration, setup.device));
  setup.agent = setup.registration->factory(experiment.agent, setup.envs->spec(),
                                            static_cast<uint64_t>(experiment.top.get_int("seed")));
  if (const auto* updates = dynamic_cast<const UpdateAgent*>(setup.agent.get())) check_update_fits(*updates, *setup.envs);
  return setup;
}

// One stretch of training with `setup`: stops at `stop_step` (> 0: the end of the warm-up), continues
// from the folder's checkpoint when `resume`.
struct Phase {
  TrainResult result;
  double wall_time = 0.0;
  int64_t parameters = -1;
  std::optional<double> reward_threshold;
};

Phase train_phase(PhaseSetup setup, const Experiment& experiment, const fs::path& dir, bool resume, int64_t stop_step,
                  const RunOptions& options) {
  VectorEnv& envs = *setup.envs;
  Agent& agent = *setup.agent;
  const int64_t total_steps = experiment.top.get_int("total_steps");
  spdlog::info("{} '{}': {} x {} ({} thread(s)), agent {} ({} parameters), {} steps{} -> {}",
               stop_step > 0 ? "warm-up of" : "run", experiment.name(), experiment.env.get_int("num_envs"),
               experiment.env.get_string("id"), envs.num_threads(), setup.registration->name, agent.num_parameters(),
               total_steps, stop_step > 0 ? " (the first " + std::to_string(stop_step) + " with [warmup])" : "",
               dir.string());

  TrainOptions train_options;
  train_options.seed = static_cast<uint64_t>(experiment.top.get_int("seed"));
  train_options.total_steps = total_steps;
  train_options.run_dir = dir.string();
  train_options.resume = resume;
  train_options.device = setup.device;
  if (!train_options.device.is_cpu()) spdlog::info("training on {}", train_options.device.str());
  const double clock_start = resume ? drop_metrics_after_checkpoint(dir) : 0.0;
  RunMonitor monitor((dir / "metrics.csv").string(), total_steps, stop_step, options.progress, resume, clock_start);
  Phase phase;
  {
    StopSignals signals;
    phase.result = agent.train(envs, train_options, monitor);
  }
  monitor.finish();
  phase.wall_time = monitor.elapsed();
  agent.save((dir / "model.pt").string());
  phase.parameters = agent.num_parameters();
  phase.reward_threshold = envs.spec().reward_threshold;
  return phase;
}

}  // namespace

RunOutcome run_experiment(const RunOptions& options) {
  // 1. Check everything before writing anything.
  bool resume = !options.resume_dir.empty();
  if (resume && !fs::exists(fs::path(options.resume_dir) / "config.toml"))
    throw Error("cannot resume '" + options.resume_dir + "': it has no config.toml (is it a run folder?)");
  std::optional<FolderLock> lock;  // held until the run ends: a second process is refused
  if (resume) lock.emplace(options.resume_dir, "run folder");
  const std::string experiment_path =
      resume ? (fs::path(options.resume_dir) / "config.toml").string() : options.experiment_path;
  const Experiment experiment = load_experiment(experiment_path, options.overrides, options.quick);
  const AgentRegistration& agent_registration = AgentRegistry::global().find(experiment.agent.get_string("algo"));
  if (resume && !agent_registration.resumable)
    throw Error("cannot resume '" + options.resume_dir + "': agent " + agent_registration.name + " writes no checkpoints");
  if (resume) {
    const std::optional<SavedSummary> saved = read_summary(options.resume_dir);
    if (saved && saved->finished && options.overrides.empty())
      throw Error("'" + options.resume_dir + "' has finished (its summary.json says so): nothing to resume; " +
                  "--set total_steps=N trains it further");
    CheckpointReader(options.resume_dir).progress_int("global_step");  // a damaged one is refused here
  }
  std::optional<Experiment> warmup;
  if (experiment.warmup_steps > 0) {
    if (!agent_registration.resumable)
      throw Error("[warmup] needs an agent that writes checkpoints (the run continues from the warm-up's); " +
                  agent_registration.name + " does not");
    warmup = load_experiment(experiment_path, options.overrides, options.quick, /*warmup_phase=*/true);
  }
  const int64_t total_steps = experiment.top.get_int("total_steps");

  RunOutcome outcome;
  outcome.run_dir = resume ? options.resume_dir
                           : (options.out_dir.empty() ? default_run_dir(experiment.name()) : options.out_dir);
  const fs::path dir(outcome.run_dir);
  if (!resume) check_new_run_folder(dir, "choose another --out, or --resume it");
  // The warm-up comes first unless the checkpoint is past it.
  const bool warm_up =
      warmup && (resume ? checkpoint_step(dir.string()) : 0) < std::min(experiment.warmup_steps, total_steps);
  at::set_num_threads(static_cast<int>(experiment.top.get_int("torch_threads")));
  PhaseSetup first = build_phase(warm_up ? *warmup : experiment);

  // 2. The run folder. An agent may refuse its settings only when it meets the envs (a batch too
  // small for its minibatches, say): a new run refused before its first metrics row leaves none.
  RunFolderWriter folder(dir, experiment, !resume, lock.has_value());

  // 3. Train: the warm-up, then the run's own settings from the warm-up's checkpoint.
  std::optional<Phase> last;
  int64_t start_step = -1;
  double wall_time = 0.0;
  auto train = [&](PhaseSetup setup, const Experiment& e, int64_t stop_step) {
    last = train_phase(std::move(setup), e, dir, resume, stop_step, options);
    if (start_step < 0) start_step = last->result.start_step;
    wall_time += last->wall_time;
    resume = true;
  };
  if (warm_up) {
    train(std::move(first), *warmup, experiment.warmup_steps);
    if (!StopSignals::requested() && last->result.global_step < total_steps && checkpoint_step(dir.string()) < 0)
      throw Error("the warm-up left no checkpoint to continue from (are checkpoints turned off?)");
  }
  if (!last) {
    train(std::move(first), experiment, 0);
  } else if (!StopSignals::requested() && last->result.global_step < total_steps) {
    train(build_phase(experiment), experiment, 0);
  }
  folder.keep();
  outcome.result = last->result;
  outcome.result.start_step = start_step;
  outcome.result.stopped_early = StopSignals::requested();
  outcome.wall_time = wall_time;
  outcome.interrupted = outcome.result.stopped_early;

  // 4. The summary.
  write_summary(dir, experiment, outcome, last->parameters, last->reward_threshold);
  const TrainResult& r = outcome.result;
  spdlog::info("{} after {} steps ({} episodes, {}): mean return of the last 100 episodes {:.3f}",
               outcome.interrupted ? "interrupted" : "done", r.global_step, r.episodes,
               Progress::duration(outcome.wall_time), r.final_return);
  return outcome;
}

std::optional<SavedSummary> read_summary(const std::string& run_dir) {
  std::ifstream in(fs::path(run_dir) / "summary.json");
  if (!in) return std::nullopt;
  const nlohmann::json summary = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!summary.is_object()) return std::nullopt;
  SavedSummary saved;
  saved.finished = summary.value("interrupted", true) == false;
  saved.final_return = summary.value("final_return", NAN);
  saved.best_return = summary.value("best_return", NAN);
  return saved;
}

std::string population_member_dir(const std::string& out, int64_t seed) {
  const std::string tag = "{seed}";
  const size_t at = out.find(tag);
  if (at == std::string::npos) return (fs::path(out) / ("s" + std::to_string(seed))).string();
  return out.substr(0, at) + std::to_string(seed) + out.substr(at + tag.size());
}

std::vector<RunOutcome> run_population(const RunOptions& options, const std::vector<int64_t>& seeds) {
  // 1. Check everything before writing anything: every member's experiment, the agent's population
  // trainer (it refuses what it cannot batch), the folders.
  if (!options.resume_dir.empty())
    throw Error("a population run writes no checkpoints, so it cannot be resumed; run its seeds again");
  if (seeds.empty()) throw Error("a population run needs at least one seed");
  std::vector<Experiment> experiments;
  for (int64_t seed : seeds) {
    std::vector<std::string> overrides = options.overrides;
    overrides.push_back("seed=" + std::to_string(seed));
    experiments.push_back(load_experiment(options.experiment_path, overrides, options.quick));
  }
  const Experiment& first = experiments[0];
  const AgentRegistration& registration = AgentRegistry::global().find(first.agent.get_string("algo"));
  if (!registration.population) throw Error("agent " + registration.name + " has no population training");
  if (first.warmup_steps > 0) throw Error("a population run does not do [warmup]; --set warmup.steps=0");
  const c10::Device device = resolve_device(first.top.get_string("device"), registration);
  const std::string out = options.out_dir.empty() ? default_run_dir(first.name()) : options.out_dir;
  std::vector<fs::path> dirs;
  for (int64_t seed : seeds) {
    dirs.emplace_back(population_member_dir(out, seed));
    check_new_run_folder(dirs.back(), "choose another --out");
  }
  std::vector<std::unique_ptr<VectorEnv>> envs;
  std::vector<VectorEnv*> env_pointers;
  for (size_t s = 0; s < seeds.size(); ++s) {
    envs.push_back(std::make_unique<VectorEnv>(first.env.get_string("id"), first.env.get_int("num_envs"),
                                               first.env_kwargs.values(), env_options(first, registration, device)));
    env_pointers.push_back(envs.back().get());
  }
  const std::vector<uint64_t> member_seeds(seeds.begin(), seeds.end());
  const std::unique_ptr<PopulationTrainer> population =
      registration.population(first.agent, envs[0]->spec(), member_seeds, device);

  // 2. The run folders, one per member, each as its separate run's.
  std::vector<std::unique_ptr<RunFolderWriter>> folders;
  for (size_t s = 0; s < seeds.size(); ++s)
    folders.push_back(std::make_unique<RunFolderWriter>(dirs[s], experiments[s], /*new_run=*/true, /*locked=*/false));
  at::set_num_threads(static_cast<int>(first.top.get_int("torch_threads")));
  const int64_t total_steps = first.top.get_int("total_steps");
  spdlog::info("population '{}': {} seeds x {} x {}, agent {} ({} parameters each), {} steps each{} -> {}", first.name(),
               seeds.size(), first.env.get_int("num_envs"), first.env.get_string("id"), registration.name,
               population->num_parameters(), total_steps, device.is_cpu() ? "" : " on " + device.str(),
               population_member_dir(out, seeds[0]));

  // 3. Train (member 0 shows the progress).
  std::vector<std::unique_ptr<RunMonitor>> monitors;
  std::vector<TrainMonitor*> monitor_pointers;
  for (size_t s = 0; s < seeds.size(); ++s) {
    monitors.push_back(std::make_unique<RunMonitor>((dirs[s] / "metrics.csv").string(), total_steps, 0,
                                                    options.progress, false, 0.0, s == 0));
    monitor_pointers.push_back(monitors.back().get());
  }
  std::vector<TrainResult> results;
  {
    StopSignals signals;
    results = population->train(env_pointers, total_steps, monitor_pointers);
  }
  for (auto& folder : folders) folder->keep();

  // 4. Each member's model and summary.
  std::vector<RunOutcome> outcomes;
  for (size_t s = 0; s < seeds.size(); ++s) {
    monitors[s]->finish();
    population->save_member(static_cast<int64_t>(s), (dirs[s] / "model.pt").string());
    RunOutcome outcome;
    outcome.run_dir = dirs[s].string();
    outcome.result = results[s];
    outcome.result.stopped_early = StopSignals::requested();
    outcome.interrupted = outcome.result.stopped_early;
    outcome.wall_time = monitors[s]->elapsed();
    write_summary(dirs[s], experiments[s], outcome, population->num_parameters(), envs[s]->spec().reward_threshold);
    outcomes.push_back(outcome);
  }
  spdlog::info("{} after {} steps per seed ({}): mean return of each seed's last 100 episodes{}",
               outcomes[0].interrupted ? "interrupted" : "done", outcomes[0].result.global_step,
               Progress::duration(outcomes[0].wall_time), [&] {
                 std::string text;
                 for (size_t s = 0; s < seeds.size(); ++s)
                   text += " s" + std::to_string(seeds[s]) + " " + std::to_string(outcomes[s].result.final_return);
                 return text;
               }());
  return outcomes;
}

}  // namespace dopa
