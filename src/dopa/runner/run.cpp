#include "dopa/runner/run.h"

#include <ATen/Parallel.h>
#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>

#include "dopa/core/error.h"
#include "dopa/core/vector_env.h"
#include "dopa/runner/experiment.h"
#include "dopa/runner/metrics.h"
#include "dopa/runner/progress.h"
#include "dopa/train/checkpoint.h"
#include "dopa/train/device.h"

namespace dopa {

namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_stop_requested{false};

extern "C" void request_stop(int) { g_stop_requested.store(true); }

// Installs the Ctrl-C/SIGTERM handlers for the duration of training.
class StopSignals {
 public:
  StopSignals() {
    g_stop_requested.store(false);
    previous_int_ = std::signal(SIGINT, request_stop);
    previous_term_ = std::signal(SIGTERM, request_stop);
  }
  ~StopSignals() {
    std::signal(SIGINT, previous_int_);
    std::signal(SIGTERM, previous_term_);
  }

 private:
  void (*previous_int_)(int);
  void (*previous_term_)(int);
};

// Writes metrics.csv, shows progress, and tells the agent to stop: on Ctrl-C, or at `stop_step`
// (> 0: the end of the warm-up; the agent then checkpoints as on Ctrl-C).
class RunMonitor : public TrainMonitor {
 public:
  RunMonitor(const std::string& metrics_path, int64_t total_steps, int64_t stop_step, int progress, bool append,
             double clock_start)
      : metrics_(metrics_path, append),
        progress_(total_steps, "steps", progress),
        stop_step_(stop_step),
        clock_start_(clock_start),
        start_(std::chrono::steady_clock::now()) {}

  // metrics.csv's wall_time runs on across resumes and the warm-up.
  void log(int64_t global_step, const Metrics& metrics) override {
    metrics_.write(global_step, clock_start_ + elapsed(), metrics);
    check_losses_finite(global_step, metrics);  // after writing: the diverged row is kept to look at
  }
  void progress(int64_t global_step, double recent_return) override {
    step_ = global_step;
    char status[64];
    std::snprintf(status, sizeof status, "return %.2f", recent_return);
    progress_.update(global_step, status);
  }
  bool should_stop() const override { return g_stop_requested.load() || (stop_step_ > 0 && step_ >= stop_step_); }
  void finish() { progress_.finish(); }
  double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  MetricsCsv metrics_;
  Progress progress_;
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
  if (checkpoint < 0 || !fs::exists(dir / "metrics.csv")) return 0.0;
  std::ifstream in(dir / "metrics.csv");
  std::string line, kept;
  double wall_time = 0.0;
  for (bool header = true; std::getline(in, line); header = false) {
    if (header) {
      kept += line + "\n";
    } else if (std::stoll(line.substr(0, line.find(','))) <= checkpoint) {
      kept += line + "\n";
      const size_t second = line.find(',') + 1;  // global_step,wall_time,...
      wall_time = std::stod(line.substr(second, line.find(',', second) - second));
    }
  }
  in.close();
  const fs::path tmp = dir / "metrics.csv.tmp";
  std::ofstream(tmp) << kept;
  fs::rename(tmp, dir / "metrics.csv");
  return wall_time;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw Error("cannot write '" + path.string() + "'");
}


// One stretch of training: the warm-up (stop_step > 0) or the run with its own settings. Builds
// the envs and the agent of `experiment`, continues from the folder's checkpoint when `resume`.
struct Phase {
  TrainResult result;
  double wall_time = 0.0;
  int64_t parameters = -1;
  std::optional<double> reward_threshold;
};

Phase train_phase(const Experiment& experiment, const fs::path& dir, bool resume, int64_t stop_step,
                  const RunOptions& options) {
  const AgentRegistration& registration = AgentRegistry::global().find(experiment.agent.get_string("algo"));
  VectorEnvOptions env_options;
  env_options.num_threads = static_cast<int>(experiment.env.get_int("num_threads"));
  env_options.autoreset = registration.autoreset;
  Kwargs env_kwargs = experiment.env_kwargs.values();
  VectorEnv envs(experiment.env.get_string("id"), experiment.env.get_int("num_envs"), env_kwargs, env_options);
  const uint64_t seed = static_cast<uint64_t>(experiment.top.get_int("seed"));
  std::unique_ptr<Agent> agent = registration.factory(experiment.agent, envs.spec(), seed);
  const int64_t total_steps = experiment.top.get_int("total_steps");
  spdlog::info("{} '{}': {} x {} ({} thread(s)), agent {} ({} parameters), {} steps{} -> {}",
               stop_step > 0 ? "warm-up of" : "run", experiment.name(), experiment.env.get_int("num_envs"),
               experiment.env.get_string("id"), envs.num_threads(), registration.name, agent->num_parameters(),
               total_steps, stop_step > 0 ? " (the first " + std::to_string(stop_step) + " with [warmup])" : "",
               dir.string());

  TrainOptions train_options;
  train_options.seed = seed;
  train_options.total_steps = total_steps;
  train_options.run_dir = dir.string();
  train_options.resume = resume;
  train_options.device = resolve_device(experiment.top.get_string("device"), registration);
  if (!train_options.device.is_cpu()) spdlog::info("training on {}", train_options.device.str());
  const double clock_start = resume ? drop_metrics_after_checkpoint(dir) : 0.0;
  RunMonitor monitor((dir / "metrics.csv").string(), total_steps, stop_step, options.progress, resume, clock_start);
  Phase phase;
  {
    StopSignals signals;
    phase.result = agent->train(envs, train_options, monitor);
  }
  monitor.finish();
  phase.wall_time = monitor.elapsed();
  agent->save((dir / "model.pt").string());
  phase.parameters = agent->num_parameters();
  phase.reward_threshold = envs.spec().reward_threshold;
  return phase;
}

}  // namespace

RunOutcome run_experiment(const RunOptions& options) {
  // 1. Check everything before writing anything.
  bool resume = !options.resume_dir.empty();
  if (resume && !fs::exists(fs::path(options.resume_dir) / "config.toml"))
    throw Error("cannot resume '" + options.resume_dir + "': it has no config.toml (is it a run folder?)");
  const std::string experiment_path =
      resume ? (fs::path(options.resume_dir) / "config.toml").string() : options.experiment_path;
  const Experiment experiment = load_experiment(experiment_path, options.overrides, options.quick);
  const AgentRegistration& agent_registration = AgentRegistry::global().find(experiment.agent.get_string("algo"));
  resolve_device(experiment.top.get_string("device"), agent_registration);  // an unusable device fails here
  if (resume && !agent_registration.resumable)
    throw Error("cannot resume '" + options.resume_dir + "': agent " + agent_registration.name + " writes no checkpoints");
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
  if (!resume && fs::exists(dir) && !(fs::is_directory(dir) && fs::is_empty(dir)))
    throw Error("run folder '" + outcome.run_dir + "' already exists and is not empty; choose another --out, or --resume it");

  // 2. The run folder.
  fs::create_directories(dir);
  write_text(dir / "config.toml", experiment.to_toml());
  at::set_num_threads(static_cast<int>(experiment.top.get_int("torch_threads")));

  // 3. Train: the warm-up first (unless the checkpoint is past it), then the run's own settings from
  // the warm-up's checkpoint.
  std::optional<Phase> last;
  int64_t start_step = -1;
  double wall_time = 0.0;
  auto train = [&](const Experiment& e, int64_t stop_step) {
    last = train_phase(e, dir, resume, stop_step, options);
    if (start_step < 0) start_step = last->result.start_step;
    wall_time += last->wall_time;
    resume = true;
  };
  if (warmup && (resume ? checkpoint_step(dir.string()) : 0) < std::min(experiment.warmup_steps, total_steps)) {
    train(*warmup, experiment.warmup_steps);
    if (!g_stop_requested.load() && last->result.global_step < total_steps && checkpoint_step(dir.string()) < 0)
      throw Error("the warm-up left no checkpoint to continue from (are checkpoints turned off?)");
  }
  if (!last || (!g_stop_requested.load() && last->result.global_step < total_steps)) train(experiment, 0);
  outcome.result = last->result;
  outcome.result.start_step = start_step;
  outcome.result.stopped_early = g_stop_requested.load();
  outcome.wall_time = wall_time;
  outcome.interrupted = outcome.result.stopped_early;

  // 4. The summary.
  const TrainResult& r = outcome.result;
  toml::table summary{
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
  if (last->parameters >= 0) summary.insert("parameters", last->parameters);
  if (last->reward_threshold) summary.insert("reward_threshold", *last->reward_threshold);
  std::ostringstream json;
  json << toml::json_formatter{summary} << "\n";
  write_text(dir / "summary.json", json.str());
  spdlog::info("{} after {} steps ({} episodes, {}): mean return of the last 100 episodes {:.3f}",
               outcome.interrupted ? "interrupted" : "done", r.global_step, r.episodes,
               Progress::duration(outcome.wall_time), r.final_return);
  return outcome;
}

}  // namespace dopa
