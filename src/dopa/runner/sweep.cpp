#include "dopa/runner/sweep.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include "dopa/core/error.h"
#include "dopa/core/folder_lock.h"
#include "dopa/core/output_file.h"
#include "dopa/core/plugin.h"
#include "dopa/core/program_path.h"
#include "dopa/core/strings.h"
#include "dopa/core/registry.h"
#include "dopa/runner/experiment.h"
#include "dopa/runner/run.h"
#include "dopa/runner/stop_signals.h"
#include "dopa/train/agent.h"
#include "dopa/train/checkpoint.h"
#include "dopa/train/device.h"

extern char** environ;

namespace dopa {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

// The program trials run with: $DOPA_PROGRAM when set (a program that embeds dopa's command line,
// such as the test suite, points it at the dopa binary), else this one.
std::string this_program() {
  if (const char* program = std::getenv("DOPA_PROGRAM"); program != nullptr && *program != '\0') return program;
  const std::string path = program_path();
  if (path.empty()) throw Error("dopa sweep: cannot find its own executable (/proc/self/exe)");
  return path;
}

int64_t parse_int(const std::string& text, const std::string& what) {
  try {
    size_t used = 0;
    const int64_t value = std::stoll(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  throw Error("bad " + what + " '" + text + "': not an integer");
}

// A run folder's name from a grid point: '/' would make a sub-folder, spaces are awkward in shells.
std::string folder_safe(std::string text) {
  for (char& c : text) {
    if (c == '/' || c == ' ' || c == '"' || c == '\'') c = '_';
  }
  return text;
}

bool finished(const fs::path& dir) {
  const std::optional<SavedSummary> summary = read_summary(dir.string());
  return summary && summary->finished;
}

const char* status_name(TrialStatus status) {
  switch (status) {
    case TrialStatus::Finished: return "finished";
    case TrialStatus::AlreadyFinished: return "finished earlier";
    case TrialStatus::Failed: return "failed";
    case TrialStatus::Interrupted: return "interrupted";
    case TrialStatus::NotRun: return "not run";
  }
  return "?";
}

struct Running {
  std::vector<size_t> trials;  // one, or a population's
  pid_t pid;
  Clock::time_point start;
  bool timed_out = false;
  bool killed = false;
};

// Starts `args` with stdout and stderr appended to `log`.
pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int error = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) throw Error("dopa sweep: cannot start " + args[0] + ": " + std::strerror(error));
  return pid;
}

}  // namespace

int SweepResult::failed() const {
  int n = 0;
  for (TrialStatus s : status) n += s == TrialStatus::Failed;
  return n;
}

std::vector<int64_t> parse_seeds(const std::string& text, const std::string& option) {
  std::vector<int64_t> seeds;
  const auto seed = [&](const std::string& part) {
    try {
      const int64_t value = parse_int(part, "seed");
      if (value >= 0) return value;
    } catch (const Error&) {
    }
    throw Error(option + " " + text + ": '" + part + "' is not a seed (a whole number >= 0)");
  };
  for (const std::string& part : split(text, ',')) {
    const size_t dash = part.find('-', 1);
    if (dash == std::string::npos) {
      seeds.push_back(seed(part));
      continue;
    }
    const int64_t first = seed(part.substr(0, dash)), last = seed(part.substr(dash + 1));
    if (last < first) throw Error(option + " " + text + ": the seed range '" + part + "' ends before it starts");
    for (int64_t s = first; s <= last; ++s) seeds.push_back(s);
  }
  if (seeds.empty()) throw Error(option + " names no seed");
  return seeds;
}

std::pair<std::string, std::vector<std::string>> parse_grid_axis(const std::string& text) {
  const auto [key, values] = split_assignment(text, "--grid");
  std::vector<std::string> list = split(values, ',');
  if (list.empty() || (list.size() == 1 && list[0].empty())) throw Error("--grid " + text + ": no values");
  return {key, list};
}

std::pair<int, int> parse_shard(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) throw Error("--shard " + text + ": expected i/n, e.g. 0/4");
  const int64_t i = parse_int(text.substr(0, slash), "shard index"), n = parse_int(text.substr(slash + 1), "shard count");
  if (n < 1 || i < 0 || i >= n) throw Error("--shard " + text + ": needs 0 <= i < n");
  return {static_cast<int>(i), static_cast<int>(n)};
}

std::pair<int, int> mpi_rank_and_size() {
  for (const auto& [rank_var, size_var] : {std::pair<const char*, const char*>{"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"},
                                           {"PMI_RANK", "PMI_SIZE"},
                                           {"SLURM_PROCID", "SLURM_NTASKS"}}) {
    const char* rank = std::getenv(rank_var);
    const char* size = std::getenv(size_var);
    if (rank == nullptr || size == nullptr) continue;
    return parse_shard(std::string(rank) + "/" + size);
  }
  throw Error("--mpi: no MPI rank in the environment (OMPI_COMM_WORLD_RANK, PMI_RANK or SLURM_PROCID); "
              "start the sweep with mpirun -n K (or srun)");
}

std::vector<SweepTrial> sweep_trials(const SweepOptions& options) {
  const Experiment base = load_experiment(options.experiment_path, options.overrides, options.quick);
  const std::vector<int64_t> seeds = options.seeds.empty() ? std::vector<int64_t>{base.top.get_int("seed")} : options.seeds;

  // The grid's points: every combination, the first axis slowest.
  std::vector<std::vector<std::string>> points = {{}};
  for (const auto& [key, values] : options.grid) {
    std::vector<std::vector<std::string>> next;
    for (const auto& point : points) {
      for (const auto& value : values) {
        next.push_back(point);
        next.back().push_back(key + "=" + value);
      }
    }
    points = std::move(next);
  }

  std::vector<SweepTrial> trials;
  for (const auto& point : points) {
    const std::string label = point.empty() ? base.name() : join(point, ",");
    for (const int64_t seed : seeds) {
      SweepTrial trial;
      trial.point = label;
      trial.seed = seed;
      trial.name = folder_safe(label) + "-s" + std::to_string(seed);
      trial.overrides = options.overrides;
      trial.overrides.insert(trial.overrides.end(), point.begin(), point.end());
      trial.overrides.push_back("seed=" + std::to_string(seed));
      // Every trial's settings are checked now, so that a bad key fails the sweep before it starts.
      try {
        load_experiment(options.experiment_path, trial.overrides, options.quick);
      } catch (const Error& e) {
        throw Error("sweep trial " + trial.name + ": " + e.what());
      }
      trials.push_back(std::move(trial));
    }
  }
  return trials;
}

namespace {

// Whether the sweep trains each point's seeds as one population (`dopa run --population`): on, off,
// or auto: when the agent has population training for this configuration and trains on a GPU here
// (on a CPU, separate processes on separate cores are faster: docs/benchmarks.md).
bool use_populations(const SweepOptions& options, const Experiment& base) {
  if (options.population == PopulationMode::Off) return false;
  const bool required = options.population == PopulationMode::On;
  const AgentRegistration& agent = AgentRegistry::global().find(base.agent.get_string("algo"));
  if (!agent.population) {
    if (required) throw Error("--population on: agent " + agent.name + " has no population training");
    return false;
  }
  if (!required && resolve_device(base.top.get_string("device"), agent).is_cpu()) return false;
  try {  // the population trainer refuses what it cannot batch
    const auto env = make(base.env.get_string("id"), base.env_kwargs.values());
    agent.population(base.agent, env->spec(), {0}, c10::Device(c10::kCPU));
  } catch (const Error& e) {
    if (required) throw Error(std::string("--population on: ") + e.what());
    spdlog::info("seeds run as separate trials: {}", e.what());
    return false;
  }
  return true;
}

}  // namespace

SweepResult run_sweep(const SweepOptions& options) {
  const std::vector<SweepTrial> all = sweep_trials(options);
  const Experiment base = load_experiment(options.experiment_path, options.overrides, options.quick);
  SweepResult result;
  result.out_dir = options.out_dir.empty() ? "sweeps/" + base.name() : options.out_dir;
  for (size_t k = 0; k < all.size(); ++k) {
    if (static_cast<int>(k % options.shard_count) == options.shard_index) result.trials.push_back(all[k]);
  }
  result.status.assign(result.trials.size(), TrialStatus::NotRun);
  result.reasons.assign(result.trials.size(), "");
  fs::create_directories(result.out_dir);
  // Shards of one sweep share its folder (each its own trials); the same shard twice is refused.
  const FolderLock lock = options.shard_count > 1
                              ? FolderLock(fs::path(result.out_dir) / (".shard-" + std::to_string(options.shard_index) +
                                                                       "-of-" + std::to_string(options.shard_count) + ".lock"),
                                           "sweep shard")
                              : FolderLock(result.out_dir, "sweep folder");

  const std::string dopa = options.dopa_binary.empty() ? this_program() : options.dopa_binary;
  const int jobs = options.jobs > 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  spdlog::info("sweep '{}': {} trials ({} in shard {}/{}), {} at a time -> {}", base.name(), all.size(),
               result.trials.size(), options.shard_index, options.shard_count, jobs, result.out_dir);

  const bool populations = use_populations(options, base);
  // Jobs: one trial each, or with populations the unfinished seeds of a point together (trials that
  // left a checkpoint resume alone).
  std::deque<std::vector<size_t>> queue;
  std::map<std::string, size_t> point_job;  // point -> its population's place in the queue
  for (size_t i = 0; i < result.trials.size(); ++i) {
    const fs::path dir = fs::path(result.out_dir) / result.trials[i].name;
    if (finished(dir)) {
      result.status[i] = TrialStatus::AlreadyFinished;
    } else if (populations && checkpoint_step(dir.string()) < 0) {
      const auto [place, added] = point_job.emplace(result.trials[i].point, queue.size());
      if (added) queue.emplace_back();
      queue[place->second].push_back(i);
    } else {
      queue.push_back({i});
    }
  }
  std::vector<int> attempts(result.trials.size(), 0);

  std::optional<StopSignals> signals(std::in_place);

  std::vector<Running> running;
  Clock::time_point stop_time{};
  // A job's name in messages and its log: the trial's, or the point's population.
  auto job_name = [&](const std::vector<size_t>& job) {
    if (job.size() == 1) return result.trials[job[0]].name;
    return folder_safe(result.trials[job[0]].point) + "-population";
  };
  auto launch = [&](const std::vector<size_t>& job) {
    const SweepTrial& trial = result.trials[job[0]];
    const fs::path dir = fs::path(result.out_dir) / trial.name;
    const std::string log = (fs::path(result.out_dir) / job_name(job)).string() + ".log";
    std::vector<std::string> args = {dopa};
    for (const std::string& plugin : loaded_plugins()) args.insert(args.end(), {"--plugin", plugin});  // --plugin's
    args.push_back("run");
    if (job.size() > 1) {
      // `dopa run --population`: the point's overrides (less the seed), its seeds, one folder each.
      std::string seeds;
      for (size_t i : job) {
        fs::remove_all(fs::path(result.out_dir) / result.trials[i].name);
        seeds += (seeds.empty() ? "" : ",") + std::to_string(result.trials[i].seed);
      }
      args.push_back(options.experiment_path);
      for (size_t k = 0; k + 1 < trial.overrides.size(); ++k) args.insert(args.end(), {"--set", trial.overrides[k]});
      if (options.quick) args.push_back("--quick");
      args.insert(args.end(), {"--population", seeds, "--out",
                               (fs::path(result.out_dir) / (folder_safe(trial.point) + "-s{seed}")).string()});
    } else if (checkpoint_step(dir.string()) >= 0) {
      args.insert(args.end(), {"--resume", dir.string()});  // its checkpoint, its config
    } else {
      fs::remove_all(dir);
      args.push_back(options.experiment_path);
      for (const auto& o : trial.overrides) args.insert(args.end(), {"--set", o});
      if (options.quick) args.push_back("--quick");
      args.insert(args.end(), {"--out", dir.string()});
    }
    args.push_back("--no-progress");
    for (size_t i : job) ++attempts[i];
    running.push_back({job, spawn(args, log), Clock::now()});
    spdlog::info("{} {} started{}", job.size() > 1 ? "population" : "trial", job_name(job),
                 attempts[job[0]] > 1 ? " (attempt " + std::to_string(attempts[job[0]]) + ")" : "");
  };

  while (!running.empty() || (!queue.empty() && !StopSignals::requested())) {
    while (!StopSignals::requested() && !queue.empty() && static_cast<int>(running.size()) < jobs) {
      launch(queue.front());
      queue.pop_front();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const auto now = Clock::now();

    if (StopSignals::requested() && stop_time == Clock::time_point{}) {
      stop_time = now;
      result.interrupted = true;
      spdlog::warn("sweep stopping (signal {}): the running trials checkpoint and end", StopSignals::received());
      for (auto& r : running) kill(r.pid, SIGTERM);
    }
    for (auto& r : running) {
      const double seconds = std::chrono::duration<double>(now - r.start).count();
      if (options.timeout_s > 0 && seconds > options.timeout_s && !r.timed_out) {
        r.timed_out = true;
        kill(r.pid, SIGTERM);
      }
      // A trial that ignores SIGTERM for 30 s is killed.
      const bool asked_to_stop = r.timed_out || stop_time != Clock::time_point{};
      const double since = r.timed_out ? seconds - options.timeout_s : std::chrono::duration<double>(now - stop_time).count();
      if (asked_to_stop && since > 30 && !r.killed) {
        r.killed = true;
        kill(r.pid, SIGKILL);
      }
    }

    for (size_t k = 0; k < running.size();) {
      int wstatus = 0;
      if (waitpid(running[k].pid, &wstatus, WNOHANG) != running[k].pid) {
        ++k;
        continue;
      }
      const Running r = running[k];
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(k));
      const std::string name = job_name(r.trials);
      const bool ok = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
      if (ok && !r.timed_out) {
        for (size_t i : r.trials) result.status[i] = TrialStatus::Finished;
        spdlog::info("{} {} finished", r.trials.size() > 1 ? "population" : "trial", name);
        continue;
      }
      if (stop_time != Clock::time_point{} && !r.timed_out) {
        for (size_t i : r.trials) result.status[i] = TrialStatus::Interrupted;
        continue;
      }
      std::string reason = r.timed_out ? "ran past the timeout of " + shortest_text(options.timeout_s) + " s"
                           : WIFSIGNALED(wstatus) ? std::string("killed by signal ") + strsignal(WTERMSIG(wstatus))
                                                  : "exit status " + std::to_string(WEXITSTATUS(wstatus));
      reason += " (log: " + (fs::path(result.out_dir) / name).string() + ".log)";
      if (attempts[r.trials[0]] <= options.retries) {
        spdlog::warn("{} failed: {}; retrying", name, reason);
        queue.push_back(r.trials);
      } else {
        for (size_t i : r.trials) {
          result.status[i] = TrialStatus::Failed;
          result.reasons[i] = reason;
        }
        spdlog::error("{} failed: {}", name, reason);
      }
    }
  }
  signals.reset();

  // The shard's record, rewritten whole.
  const fs::path record = fs::path(result.out_dir) /
                          ("sweep-" + std::to_string(options.shard_index) + "-of-" + std::to_string(options.shard_count) + ".json");
  {
    nlohmann::ordered_json trials = nlohmann::ordered_json::array();
    for (size_t i = 0; i < result.trials.size(); ++i) {
      const SweepTrial& t = result.trials[i];
      trials.push_back({{"name", t.name},
                        {"point", t.point},
                        {"seed", t.seed},
                        {"status", status_name(result.status[i])},
                        {"attempts", attempts[i]},
                        {"reason", result.reasons[i]}});
    }
    const nlohmann::ordered_json shard = {{"experiment", options.experiment_path}, {"trials", trials}};
    write_file(record, shard.dump(2) + "\n");
  }
  return result;
}

}  // namespace dopa
