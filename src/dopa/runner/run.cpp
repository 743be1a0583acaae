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

#include "dopa/core/error.h"
#include "dopa/core/vector_env.h"
#include "dopa/runner/experiment.h"
#include "dopa/runner/metrics.h"
#include "dopa/runner/progress.h"

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

class RunMonitor : public TrainMonitor {
 public:
  RunMonitor(const std::string& metrics_path, int64_t total_steps, int progress, bool append)
      : metrics_(metrics_path, append),
        progress_(total_steps, "steps", progress),
        start_(std::chrono::steady_clock::now()) {}

  void log(int64_t global_step, const Metrics& metrics) override { metrics_.write(global_step, elapsed(), metrics); }
  void progress(int64_t global_step, double recent_return) override {
    char status[64];
    std::snprintf(status, sizeof status, "return %.2f", recent_return);
    progress_.update(global_step, status);
  }
  bool should_stop() const override { return g_stop_requested.load(); }
  void finish() { progress_.finish(); }
  double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  MetricsCsv metrics_;
  Progress progress_;
  std::chrono::steady_clock::time_point start_;
};

std::string default_run_dir(const std::string& name) {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  return (fs::path("runs") / (name + "-" + stamp)).string();
}

// A resumed run continues from its checkpoint: metrics rows logged after it (the run went on, then
// was killed) would be logged again, so they go.
void drop_metrics_after_checkpoint(const fs::path& dir) {
  std::ifstream progress(dir / "progress.txt");
  std::string key;
  int64_t checkpoint_step = -1;
  while (progress >> key)
    if (key == "global_step") progress >> checkpoint_step;
  if (checkpoint_step < 0 || !fs::exists(dir / "metrics.csv")) return;
  std::ifstream in(dir / "metrics.csv");
  std::string line, kept;
  for (bool header = true; std::getline(in, line); header = false)
    if (header || std::stoll(line.substr(0, line.find(','))) <= checkpoint_step) kept += line + "\n";
  in.close();
  const fs::path tmp = dir / "metrics.csv.tmp";
  std::ofstream(tmp) << kept;
  fs::rename(tmp, dir / "metrics.csv");
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw Error("cannot write '" + path.string() + "'");
}

}  // namespace

RunOutcome run_experiment(const RunOptions& options) {
  // 1. Check everything before writing anything.
  const bool resume = !options.resume_dir.empty();
  if (resume && !fs::exists(fs::path(options.resume_dir) / "config.toml"))
    throw Error("cannot resume '" + options.resume_dir + "': it has no config.toml (is it a run folder?)");
  const std::string experiment_path =
      resume ? (fs::path(options.resume_dir) / "config.toml").string() : options.experiment_path;
  const Experiment experiment = load_experiment(experiment_path, options.overrides, options.quick);
  const AgentRegistration& agent_registration = AgentRegistry::global().find(experiment.agent.get_string("algo"));
  if (resume && !agent_registration.resumable)
    throw Error("cannot resume '" + options.resume_dir + "': agent " + agent_registration.name + " writes no checkpoints");
  VectorEnvOptions env_options;
  env_options.num_threads = static_cast<int>(experiment.env.get_int("num_threads"));
  env_options.autoreset = agent_registration.autoreset;
  Kwargs env_kwargs = experiment.env_kwargs.values();
  VectorEnv envs(experiment.env.get_string("id"), experiment.env.get_int("num_envs"), env_kwargs, env_options);
  const uint64_t seed = static_cast<uint64_t>(experiment.top.get_int("seed"));
  std::unique_ptr<Agent> agent = agent_registration.factory(experiment.agent, envs.spec(), seed);

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
  spdlog::info("run '{}': {} x {} ({} thread(s)), agent {} ({} parameters), {} steps -> {}", experiment.name(),
               experiment.env.get_int("num_envs"), experiment.env.get_string("id"), envs.num_threads(),
               experiment.agent.get_string("algo"), agent->num_parameters(), experiment.top.get_int("total_steps"),
               outcome.run_dir);

  // 3. Train.
  TrainOptions train_options;
  train_options.seed = seed;
  train_options.total_steps = experiment.top.get_int("total_steps");
  train_options.run_dir = dir.string();
  train_options.resume = resume;
  if (resume) drop_metrics_after_checkpoint(dir);
  RunMonitor monitor((dir / "metrics.csv").string(), train_options.total_steps, options.progress, resume);
  {
    StopSignals signals;
    outcome.result = agent->train(envs, train_options, monitor);
  }
  monitor.finish();
  outcome.wall_time = monitor.elapsed();
  outcome.interrupted = outcome.result.stopped_early;
  agent->save((dir / "model.pt").string());

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
  if (agent->num_parameters() >= 0) summary.insert("parameters", agent->num_parameters());
  if (envs.spec().reward_threshold) summary.insert("reward_threshold", *envs.spec().reward_threshold);
  std::ostringstream json;
  json << toml::json_formatter{summary} << "\n";
  write_text(dir / "summary.json", json.str());
  spdlog::info("{} after {} steps ({} episodes, {}): mean return of the last 100 episodes {:.3f}",
               outcome.interrupted ? "interrupted" : "done", r.global_step, r.episodes,
               Progress::duration(outcome.wall_time), r.final_return);
  return outcome;
}

}  // namespace dopa
