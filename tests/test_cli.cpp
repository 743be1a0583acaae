// The `dopa` command as a user runs it: output, exit status 2 on bad input, no partial output.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Result {
  int status;
  std::string out;
};

// Runs `dopa <args>` (stderr merged into the output).
Result dopa(const std::string& args) {
  const std::string command = std::string(DOPA_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

fs::path temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("dopa-cli-test-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A run folder's summary.json, parsed (null when it is missing or not JSON).
nlohmann::json summary_of(const fs::path& run) {
  std::ifstream in(run / "summary.json");
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Cli, ListEnvs) {
  const Result r = dopa("list envs");
  EXPECT_EQ(r.status, 0);
  for (const char* id : {"Bandit-v0", "BanditEasy-v0", "BanditMedium-v0", "BanditHard-v0",
                         "BanditDependentUniform-v0", "BanditKArmed-v0", "Maze-v0", "CartPole-v1"})
    EXPECT_NE(r.out.find(id), std::string::npos) << id;
  EXPECT_NE(r.out.find("Discrete(4)"), std::string::npos);
}

TEST(Cli, RolloutWritesTheCsvAndIsDeterministic) {
  const fs::path dir = temp_dir("rollout");
  const Result a = dopa("rollout CartPole-v1 --seed 4 --steps 30 --out " + (dir / "a.csv").string());
  ASSERT_EQ(a.status, 0) << a.out;
  dopa("rollout CartPole-v1 --seed 4 --steps 30 --out " + (dir / "b.csv").string());
  const std::string csv = read(dir / "a.csv");
  EXPECT_EQ(csv, read(dir / "b.csv"));
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "episode,t,action_0,obs_0,obs_1,obs_2,obs_3,reward,terminated,truncated");
  // 30 steps plus a reset row per episode.
  const auto rows = std::count(csv.begin(), csv.end(), '\n') - 1;
  EXPECT_GE(rows, 31);
  fs::remove_all(dir);
}

TEST(Cli, RolloutReplaysAnActionsFile) {
  const fs::path dir = temp_dir("actions");
  std::ofstream(dir / "actions.txt") << "# three moves\n3\n3\n1\n";
  const Result r = dopa("rollout Maze-v0 --seed 0 --actions " + (dir / "actions.txt").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("\n0,3,1,"), std::string::npos) << r.out;  // episode 0, t 3, action 1
  std::ofstream(dir / "bad.txt") << "3\n7\n";
  const Result bad = dopa("rollout Maze-v0 --actions " + (dir / "bad.txt").string() + " --out " + (dir / "out.csv").string());
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.out.find("outside Discrete(4)"), std::string::npos) << bad.out;
  EXPECT_FALSE(fs::exists(dir / "out.csv"));
  EXPECT_FALSE(fs::exists(dir / "out.csv.partial"));
  fs::remove_all(dir);
}

TEST(Cli, BadInputExitsWithStatus2AndOneMessage) {
  const fs::path dir = temp_dir("bad");
  const std::string experiment = (dir / "e.toml").string();
  std::ofstream(experiment) << "total_steps = 200\n[env]\nid = \"BanditEasy-v0\"\nnum_envs = 2\n[agent]\nalgo = \"a2c\"\n";
  const std::string ppo = std::string(DOPA_SOURCE_DIR) + "/experiments/control/cartpole_ppo.toml";
  const std::string out = " --out " + (dir / "run").string();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"rollout Maze-v1", "Did you mean 'Maze-v0'?"},
      {"rollout Maze-v0 --kw sise=13", "Valid: size"},
      {"rollout Maze-v0 --kw size=big", "'size' expects an integer"},
      {"rollout Maze-v0 --steps -10" + out, "--steps"},
      {"run " + experiment + out + " --set agent.lrr=1", "Did you mean 'lr'?"},
      {"run " + experiment + out + " --set agent.lr", "malformed --set"},
      {"run " + experiment + out + " --set agent.hidden=1.5", "'agent.hidden' expects an integer"},
      {"run " + (dir / "missing.toml").string() + out, "no such file"},
      {"run " + experiment + out + " --set env.id=Pendulum-v9", "unknown env ID"},
      {"run " + experiment + out + " --device gpu", "unknown device 'gpu'"},
      {"run " + experiment + out + " --device cuda", "device 'cuda': "},  // a2c trains on the CPU only
      {"run " + experiment + out + " --population 0-2", "agent a2c has no population training"},
      {"sweep " + experiment + " --population maybe" + out, "must be one of auto, on, off; got 'maybe'"},
      {"eval --policy ucb2" + out, "unknown bandit policy 'ucb2'"},
      {"eval --policy ucb1:c=-1" + out, "c must be >= 0"},
      {"eval --policy ucb1:k=1" + out, "bad parameter 'k=1'"},
      {"eval --policy thompson --kw arms=0" + out, "arms"},
      // Ranges are checked where the settings are read, before the run folder is made (issue 27).
      {"run " + experiment + out + " --set agent.hidden=0", "'hidden' must be >= 1, got 0"},
      {"run " + experiment + out + " --set agent.lr=nan", "'lr' must be a number, got nan"},
      {"run " + experiment + out + " --set agent.lr=1e308", "'lr' must be in (0, 10], got 1e+308"},
      {"run " + experiment + out + " --set agent.gamma=2", "'gamma' must be in [0, 1], got 2"},
      {"run " + experiment + out + " --set total_steps=0", "'total_steps' must be >= 1, got 0"},
      {"run " + ppo + out + " --set agent.hidden=0", "'hidden' must be >= 1, got 0"},  // was SIGFPE
      // Rejected by the agent itself (not a range): still nothing written.
      {"run " + experiment + out + " --set agent.serotonin=meta:1.5", "serotonin"},
      // Envs that would not fit in memory are refused before they are built.
      {"run " + experiment + out + " --set env.num_envs=100000000000", "would need about"},
      // So is an update whose experience would not fit (the envs themselves would).
      {"run " + ppo + out + " --set env.num_envs=1000 --set agent.num_steps=100000000",
       "one update's experience (env.num_envs = 1000 x 100000000 steps per update) would need about"},
  };
  for (const auto& [args, message] : cases) {
    const Result r = dopa(args);
    EXPECT_EQ(r.status, 2) << args << "\n" << r.out;
    EXPECT_NE(r.out.find(message), std::string::npos) << args << "\n" << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << args << "\n" << r.out;
    EXPECT_FALSE(fs::exists(dir / "run")) << args;
  }
  fs::remove_all(dir);
}

TEST(Cli, EvalWritesTheBaselineTables) {
  const fs::path dir = temp_dir("eval");
  const Result r = dopa("eval --kw arms=3 --kw trials=20 --episodes 200 --policy thompson --policy 'ucb1:c=0..1/0.5' "
                        "--out " + (dir / "eval").string());
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string summary = read(dir / "eval" / "summary.csv");
  EXPECT_EQ(summary.rfind("baseline,spec,swept,episodes,total_reward,total_reward_se,regret_10,", 0), 0u) << summary;
  EXPECT_NE(summary.find("\n\"thompson\",\"thompson\",1,200,"), std::string::npos) << summary;
  EXPECT_NE(summary.find(",\"ucb1:c=0..1/0.5\",3,200,"), std::string::npos) << summary;  // 0, 0.5, 1
  const std::string regret = read(dir / "eval" / "regret.csv");
  EXPECT_EQ(std::count(regret.begin(), regret.end(), '\n'), 21);  // header + 20 pulls
  fs::remove_all(dir);
}

TEST(Cli, EvalScoresATrainedRunBesideTheBaselines) {
  const fs::path dir = temp_dir("eval-run");
  const std::string experiment = std::string(DOPA_SOURCE_DIR) + "/experiments/bandits/independent_lstm.toml";
  ASSERT_EQ(dopa("run " + experiment + " --quick --no-progress --out " + (dir / "run").string()).status, 0);
  const Result r = dopa("eval --run " + (dir / "run").string() + " --episodes 40 --policy thompson --out " +
                        (dir / "eval").string());
  ASSERT_EQ(r.status, 0) << r.out;
  const std::string summary = read(dir / "eval" / "summary.csv");
  EXPECT_NE(summary.find("\n\"trained(run)\","), std::string::npos) << summary;
  EXPECT_NE(summary.find("\n\"thompson\","), std::string::npos) << summary;
  // An agent that cannot play frozen (a2c) and a folder that is no run are refused.
  const std::string a2c = std::string(DOPA_SOURCE_DIR) + "/experiments/bandits/easy_lstm_quick.toml";
  ASSERT_EQ(dopa("run " + a2c + " --quick --no-progress --out " + (dir / "a2c").string()).status, 0);
  EXPECT_EQ(dopa("eval --run " + (dir / "a2c").string() + " --episodes 40").status, 2);
  EXPECT_EQ(dopa("eval --run " + dir.string() + " --episodes 40").status, 2);
  fs::remove_all(dir);
}

TEST(Cli, PlayWritesEveryStepOfATrainedAgentWithItsInfo) {
  const fs::path dir = temp_dir("play");
  const std::string experiment = std::string(DOPA_SOURCE_DIR) + "/experiments/bandits/two_step_lstm.toml";
  ASSERT_EQ(dopa("run " + experiment + " --quick --no-progress --out " + (dir / "run").string()).status, 0);
  // --out in a folder that does not exist yet: made.
  const Result r = dopa("play --run " + (dir / "run").string() + " --episodes 6 --kw trials=20 --out " +
                        (dir / "plays" / "play.csv").string());
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(std::vector<fs::path>(fs::directory_iterator(dir / "plays"), {}),
            std::vector<fs::path>{dir / "plays" / "play.csv"});  // no partial file left
  std::ifstream in(dir / "plays" / "play.csv");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "episode,t,reward,common,stage2,rewarded,good_state,stage1_action,value,delta");
  std::set<int> episodes;
  int rows = 0;
  while (std::getline(in, line)) {
    ++rows;
    episodes.insert(std::stoi(line.substr(0, line.find(','))));
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), 9) << line;
  }
  EXPECT_EQ(rows, 6 * 20);  // --kw trials=20 changed the run's 100-trial episodes
  EXPECT_EQ(episodes, (std::set<int>{0, 1, 2, 3, 4, 5}));
  // Not a run folder: refused, nothing written.
  EXPECT_EQ(dopa("play --run " + dir.string() + " --out " + (dir / "none" / "play.csv").string()).status, 2);
  EXPECT_FALSE(fs::exists(dir / "none"));
  fs::remove_all(dir);
}

// meta_a2c's own columns: the critic's value, the TD error delta_{t-1} (what a dopamine-modulated core
// uses at step t) and a modulated core's M_t. Each row's delta is rebuilt from the rows' value and
// reward columns, so a value or reward written one step off fails.
TEST(Cli, PlayWritesTheCriticsValueTdErrorAndModulator) {
  const fs::path dir = temp_dir("play-modulator");
  const std::string experiment = std::string(DOPA_SOURCE_DIR) + "/experiments/cue_reward/modplast.toml";
  ASSERT_EQ(dopa("run " + experiment + " --quick --no-progress --set agent.hidden=20 --out " + (dir / "run").string()).status,
            0);
  const Result r = dopa("play --run " + (dir / "run").string() + " --episodes 2 --out " + (dir / "play.csv").string());
  ASSERT_EQ(r.status, 0) << r.out;
  std::ifstream in(dir / "play.csv");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "episode,t,reward,decision,correct,target_shown,value,delta,modulator");
  const double gamma = 0.9;  // modplast.toml
  std::map<int, std::pair<double, double>> previous;  // episode -> the value and reward of its last row
  std::set<double> modulators;
  int rows = 0;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream row(line);
    for (std::string field; std::getline(row, field, ',');) fields.push_back(field);
    ASSERT_EQ(fields.size(), 9u) << line;
    const int episode = std::stoi(fields[0]), t = std::stoi(fields[1]);
    const double reward = std::stod(fields[2]), value = std::stod(fields[6]), delta = std::stod(fields[7]),
                 modulator = std::stod(fields[8]);
    const auto& [previous_value, previous_reward] = previous[episode];
    const double expected = t == 0 ? 0.0 : previous_reward + gamma * value - previous_value;
    EXPECT_NEAR(delta, expected, 1e-5) << line;
    EXPECT_LE(std::abs(modulator), 1.0) << line;  // tanh
    modulators.insert(modulator);
    previous[episode] = {value, reward};
    ++rows;
  }
  EXPECT_EQ(rows, 2 * 120);
  EXPECT_GT(modulators.size(), 100u);  // M_t changes from step to step
  // A core without a modulator has no modulator column.
  ASSERT_EQ(dopa("run " + experiment + " --quick --no-progress --set agent.core=plastic --set agent.hidden=20 --out " +
                 (dir / "plastic").string())
                .status,
            0);
  ASSERT_EQ(dopa("play --run " + (dir / "plastic").string() + " --episodes 2 --out " + (dir / "p.csv").string()).status, 0);
  std::ifstream plastic(dir / "p.csv");
  std::getline(plastic, line);
  EXPECT_EQ(line, "episode,t,reward,decision,correct,target_shown,value,delta");
  fs::remove_all(dir);
}

// CartPole's episodes end at different steps: each is written once, t = 0, 1, ... to its end (the
// rows an agent plays on after an episode's end are not; Agent::play).
TEST(Cli, PlayWritesEpisodesOfDifferentLengthsOnce) {
  const fs::path dir = temp_dir("play-lengths");
  const std::string experiment = std::string(DOPA_SOURCE_DIR) + "/experiments/control/cartpole_ppo.toml";
  ASSERT_EQ(dopa("run " + experiment + " --quick --no-progress --out " + (dir / "run").string()).status, 0);
  const Result r = dopa("play --run " + (dir / "run").string() + " --episodes 8 --seed 5 --out " +
                        (dir / "play.csv").string());
  ASSERT_EQ(r.status, 0) << r.out;
  std::ifstream in(dir / "play.csv");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "episode,t,reward");
  std::map<int, int> length;  // episode -> rows, each row's t the count before it
  while (std::getline(in, line)) {
    std::stringstream fields(line);
    std::string episode, t, reward;
    std::getline(fields, episode, ',');
    std::getline(fields, t, ',');
    std::getline(fields, reward, ',');
    EXPECT_EQ(std::stoi(t), length[std::stoi(episode)]++) << line;
    EXPECT_EQ(reward, "1") << line;
  }
  ASSERT_EQ(length.size(), 8u);
  std::set<int> distinct;
  for (const auto& [episode, rows] : length) {
    EXPECT_GE(rows, 8);  // a CartPole episode lasts at least 8 steps
    distinct.insert(rows);
  }
  EXPECT_GT(distinct.size(), 1u);
  fs::remove_all(dir);
}

TEST(Cli, RunWritesTheRunFolder) {
  const fs::path dir = temp_dir("run");
  const std::string experiment = (dir / "e.toml").string();
  std::ofstream(experiment) << "total_steps = 400\n[env]\nid = \"BanditEasy-v0\"\nnum_envs = 2\nkwargs = { trials = 10 }\n"
                               "[agent]\nalgo = \"a2c\"\nrollout_steps = 10\nlog_interval = 1\n";
  const fs::path run = dir / "run";
  const Result r = dopa("run " + experiment + " --out " + run.string() + " --no-progress --set seed=2");
  ASSERT_EQ(r.status, 0) << r.out;
  for (const char* file : {"config.toml", "metrics.csv", "summary.json", "model.pt"})
    EXPECT_TRUE(fs::exists(run / file)) << file;
  EXPECT_NE(read(run / "config.toml").find("seed = 2"), std::string::npos);
  const std::string metrics = read(run / "metrics.csv");
  EXPECT_EQ(metrics.substr(0, metrics.find('\n')).rfind("global_step,wall_time,episodes,episodic_return", 0), 0u);
  EXPECT_EQ(std::count(metrics.begin(), metrics.end(), '\n'), 1 + 20);  // 400 steps / (2 envs x 10 steps)
  EXPECT_EQ(summary_of(run).value("global_step", -1), 400) << read(run / "summary.json");
  EXPECT_TRUE(summary_of(run).contains("parameters")) << read(run / "summary.json");
  // The resolved config runs again as it is, and an existing folder is not overwritten.
  const Result again = dopa("run " + (run / "config.toml").string() + " --out " + (dir / "run2").string() + " --no-progress");
  EXPECT_EQ(again.status, 0) << again.out;
  const Result clash = dopa("run " + experiment + " --out " + run.string());
  EXPECT_EQ(clash.status, 2);
  EXPECT_NE(clash.out.find("already exists"), std::string::npos);
  fs::remove_all(dir);
}

TEST(Cli, ResumeContinuesARunFromItsCheckpoint) {
  const fs::path dir = temp_dir("resume");
  const fs::path run = dir / "run";
  const std::string demo = std::string(DOPA_SOURCE_DIR) + "/experiments/maze/demo.toml";
  const std::string settings = " --no-progress --set agent.burn_in=0 --set agent.log_interval=1 --set agent.checkpoint_every=2";
  Result first = dopa("run " + demo + " --out " + run.string() + settings + " --set total_steps=24000");
  ASSERT_EQ(first.status, 0) << first.out;
  EXPECT_NE(read(run / "checkpoint" / "progress.txt").find("update 4"), std::string::npos);
  // Rows logged after the last checkpoint (as if the run had gone on and been killed) are dropped.
  std::ofstream(run / "metrics.csv", std::ios::app) << "30000,1,5,150,1,200,0,0,0,1\n";
  Result second = dopa("run --resume " + run.string() + settings + " --set total_steps=36000");
  ASSERT_EQ(second.status, 0) << second.out;
  const std::string metrics = read(run / "metrics.csv");
  EXPECT_EQ(std::count(metrics.begin(), metrics.end(), '\n'), 1 + 6);  // header, 4 rows, then 2 more
  EXPECT_NE(metrics.find("\n36000,"), std::string::npos);
  EXPECT_EQ(summary_of(run).value("global_step", -1), 36000);
  // Agents without checkpoints, and folders without a run, are refused.
  EXPECT_EQ(dopa("run --resume " + (dir / "missing").string()).status, 2);
  fs::remove_all(dir);
}

// metrics.csv without the columns that depend on the clock (wall_time, SPS).
std::vector<std::string> metrics_without_clock(const fs::path& file) {
  std::istringstream in(read(file));
  std::string line;
  std::vector<std::string> rows, header;
  std::getline(in, line);
  for (std::istringstream cells(line); std::getline(cells, line, ',');) header.push_back(line);
  while (std::getline(in, line)) {
    std::istringstream cells(line);
    std::string cell, row;
    for (size_t k = 0; std::getline(cells, cell, ','); ++k)
      if (header.at(k) != "wall_time" && header.at(k) != "SPS") row += cell + ",";
    rows.push_back(row);
  }
  return rows;
}

// Starts `dopa run` in the background, waits until its first checkpoint is on disk, sends it
// `signal` and waits for it to end. Returns the seconds from the signal to the end.
double interrupt_run(const std::string& args, const fs::path& run, int signal) {
  const std::string command = std::string(DOPA_BINARY) + " " + args + " >" + run.string() + ".log 2>&1";
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(run / "checkpoint" / "progress.txt") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  kill(pid, signal);
  const auto sent = std::chrono::steady_clock::now();
  int status = 0;
  waitpid(pid, &status, 0);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
}

TEST(Cli, KilledOrStoppedRunsResumeToTheMetricsOfAnUninterruptedOne) {
  const fs::path dir = temp_dir("kill");
  const std::string experiment = (dir / "e.toml").string();
  // About 3 s of PPO on CartPole, a checkpoint every 2 updates.
  std::ofstream(experiment) << R"(total_steps = 40960
seed = 5
[env]
id = "CartPole-v1"
num_envs = 4
[agent]
algo = "ppo"
num_steps = 128
checkpoint_every = 2
normalize_obs = true
)";
  const Result whole = dopa("run " + experiment + " --no-progress --out " + (dir / "whole").string());
  ASSERT_EQ(whole.status, 0) << whole.out;
  const std::vector<std::string> expected = metrics_without_clock(dir / "whole" / "metrics.csv");
  ASSERT_EQ(expected.size(), 80u);

  // kill -9: the run dies wherever it is; the resumed run starts from the last checkpoint.
  const fs::path killed = dir / "killed";
  interrupt_run("run " + experiment + " --no-progress --out " + killed.string(), killed, SIGKILL);
  ASSERT_FALSE(fs::exists(killed / "summary.json")) << "the run ended before it was killed";
  const Result resumed = dopa("run --resume " + killed.string() + " --no-progress");
  ASSERT_EQ(resumed.status, 0) << resumed.out;
  EXPECT_EQ(metrics_without_clock(killed / "metrics.csv"), expected);

  // SIGTERM: a checkpoint where it stopped, within seconds, then the same.
  const fs::path stopped = dir / "stopped";
  const double seconds = interrupt_run("run " + experiment + " --no-progress --out " + stopped.string(), stopped, SIGTERM);
  EXPECT_LT(seconds, 5.0);
  ASSERT_TRUE(fs::exists(stopped / "summary.json")) << read(fs::path(stopped.string() + ".log"));
  EXPECT_EQ(summary_of(stopped).value("interrupted", false), true);
  const Result continued = dopa("run --resume " + stopped.string() + " --no-progress");
  ASSERT_EQ(continued.status, 0) << continued.out;
  EXPECT_EQ(metrics_without_clock(stopped / "metrics.csv"), expected);
  fs::remove_all(dir);
}

TEST(Cli, OldSettingNamesAreRefusedWithTheNewName) {
  // The actor-critics share CleanRL's names: ent_coef, vf_coef, norm_adv, anneal_lr.
  const fs::path dir = temp_dir("old-names");
  for (const char* old : {"value_coef=0.1", "entropy_coef=0.1", "lr_anneal=true", "entropy_anneal=0.5"}) {
    const Result r = dopa("run " + std::string(DOPA_SOURCE_DIR) + "/experiments/maze/modplast.toml --quick --set agent." + old + " --out " +
                          (dir / "run").string());
    EXPECT_EQ(r.status, 2) << old << "\n" << r.out;
    EXPECT_NE(r.out.find("is now called"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(dir / "run")) << old;
  }
  fs::remove_all(dir);
}

TEST(Cli, TheReferenceMatchesTheProgram) {
  // docs/reference.md is what `dopa list reference` prints: every command, env kwarg and agent setting.
  const Result r = dopa("list reference");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("### dopa run"), std::string::npos);
  EXPECT_NE(r.out.find("| `lr` |"), std::string::npos);
  EXPECT_TRUE(r.out == read(fs::path(DOPA_SOURCE_DIR) / "docs" / "reference.md"))
      << "docs/reference.md is out of date: build/dopa list reference > docs/reference.md";
}

TEST(Cli, WarmupRunsTheFirstStepsWithItsOwnSettingsThenTheRunsOwn) {
  const fs::path dir = temp_dir("warmup");
  const fs::path experiment = dir / "warmup.toml";
  // 10 pulls per episode: an iteration is 10 steps per env, 20 in the warm-up (2 envs), 80 after (8).
  std::ofstream(experiment) << R"(total_steps = 400
[env]
id = "Bandit-v0"
num_envs = 8
kwargs = { trials = 10 }
[agent]
algo = "meta_a2c"
core = "lstm"
hidden = 8
burn_in = 0
log_interval = 1
checkpoint_every = 50
[warmup]
steps = 100
env.num_envs = 2
)";
  const fs::path run = dir / "run";
  const Result r = dopa("run " + experiment.string() + " --no-progress --out " + run.string());
  ASSERT_EQ(r.status, 0) << r.out;
  std::istringstream metrics(read(run / "metrics.csv"));
  std::string line;
  std::getline(metrics, line);  // header
  std::vector<long> steps;
  std::vector<double> wall_times;
  while (std::getline(metrics, line)) {
    steps.push_back(std::stol(line.substr(0, line.find(','))));
    wall_times.push_back(std::stod(line.substr(line.find(',') + 1)));
  }
  const std::vector<long> expected = {20, 40, 60, 80, 100, 180, 260, 340, 420};
  EXPECT_EQ(steps, expected);
  EXPECT_LT(wall_times[4], wall_times[5]);  // the clock runs on after the warm-up
  EXPECT_NE(r.out.find("warm-up of"), std::string::npos) << r.out;
  EXPECT_NE(read(run / "config.toml").find("[warmup]\nsteps = 100\nenv.num_envs = 2"), std::string::npos);
  // Without the warm-up (--set warmup.steps=0), every iteration has 8 envs.
  const Result plain = dopa("run " + experiment.string() + " --no-progress --set warmup.steps=0 --out " +
                            (dir / "plain").string());
  ASSERT_EQ(plain.status, 0) << plain.out;
  EXPECT_EQ(read(dir / "plain" / "metrics.csv").find("\n20,"), std::string::npos);
  fs::remove_all(dir);
}

TEST(Cli, TdRunWritesEveryStepsTdErrorAndTheProbeDips) {
  const fs::path dir = temp_dir("td");
  const Result r = dopa("run " + std::string(DOPA_SOURCE_DIR) + "/experiments/dopamine/montague1996.toml --quick " +
                        "--no-progress --out " + (dir / "run").string());
  ASSERT_EQ(r.status, 0) << r.out;
  std::istringstream csv(read(dir / "run" / "td_errors.csv"));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "trial,t,cue,reward,value,delta");
  int rows = 0, first_peak_t = 0, probe_dip_t = 0;
  double first_peak = -1, probe_dip = 1;
  while (std::getline(csv, line)) {
    ++rows;
    int trial, t, cue;
    double reward, value, delta;
    ASSERT_EQ(std::sscanf(line.c_str(), "%d,%d,%d,%lf,%lf,%lf", &trial, &t, &cue, &reward, &value, &delta), 6) << line;
    EXPECT_EQ(cue, t >= 41 ? 0 : -1) << line;  // the single CS comes on at step 41
    if (trial == 1 && delta > first_peak) first_peak = delta, first_peak_t = t;
    if (trial == 15 && delta < probe_dip) probe_dip = delta, probe_dip_t = t;
  }
  EXPECT_EQ(rows, 20 * 60);  // 20 trials of 60 steps, all recorded
  EXPECT_EQ(first_peak_t, 54);  // before learning: the burst at the reward
  EXPECT_EQ(probe_dip_t, 54);   // trial 15 withholds it: the dip where it was due
  EXPECT_LT(probe_dip, -0.5);
  fs::remove_all(dir);
}

TEST(Cli, DistributionalTdRunWritesReversalPointsOrderedByAsymmetry) {
  const fs::path dir = temp_dir("dabney");
  const Result r = dopa("run " + std::string(DOPA_SOURCE_DIR) + "/experiments/dopamine/dabney2020.toml --quick " +
                        "--no-progress --out " + (dir / "run").string());
  ASSERT_EQ(r.status, 0) << r.out;
  std::istringstream csv(read(dir / "run" / "reversal_points.csv"));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "predictor,tau,reversal_point");
  std::vector<double> points;
  while (std::getline(csv, line)) {
    int predictor;
    double tau, point;
    ASSERT_EQ(std::sscanf(line.c_str(), "%d,%lf,%lf", &predictor, &tau, &point), 3) << line;
    points.push_back(point);
  }
  ASSERT_EQ(points.size(), 9u);
  for (size_t i = 1; i < points.size(); ++i) EXPECT_GT(points[i], points[i - 1]);  // optimists reverse later
  EXPECT_NEAR(points[4], 5.209, 0.1 * 5.209);  // tau = 0.5: the mean reward of Dabney's distribution
  EXPECT_TRUE(fs::exists(dir / "run" / "responses.csv"));
  fs::remove_all(dir);
}

}  // namespace

// The NaN guard: a loss that is NaN (here from an infinite value-loss weight; a learning rate large
// enough to blow the network up is refused as out of range) ends the run with a message naming the
// loss and the step; the metrics so far (the diverged row last, NaN written as empty) stay in the run
// folder.
TEST(Cli, DivergedTrainingStopsWithAClearMessage) {
  const fs::path dir = temp_dir("nan");
  const auto r = dopa("run " + std::string(DOPA_SOURCE_DIR) + "/experiments/control/cartpole_ppo.toml --quick " +
                      "--set agent.vf_coef=inf --no-progress --out " + (dir / "run").string());
  EXPECT_NE(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("training diverged: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("loss is NaN at step"), std::string::npos) << r.out;
  const std::string metrics = read(dir / "run" / "metrics.csv");
  EXPECT_GE(std::count(metrics.begin(), metrics.end(), '\n'), 2) << metrics;  // header and the diverged row
  EXPECT_FALSE(fs::exists(dir / "run" / "model.pt")) << "no model is written from diverged weights";
}

// dopa sweep and dopa report from the command line: one failing grid point (an infinite value-loss
// weight: the loss diverges) fails its trials while the other point's finish; exit status 3; the
// report names both.
TEST(Cli, SweepReportsFailuresAndReportSummarisesThePoints) {
  const fs::path dir = temp_dir("sweep");
  const auto r = dopa("sweep " + std::string(DOPA_SOURCE_DIR) + "/experiments/control/cartpole_ppo.toml --quick " +
                      "--seeds 0-1 --grid agent.vf_coef=0.5,inf --jobs 2 --out " + dir.string());
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find("2 of 4 trials finished, 2 failed"), std::string::npos) << r.out;
  EXPECT_NE(read(dir / "agent.vf_coef=inf-s0.log").find("training diverged"), std::string::npos);
  const auto report = dopa("report --no-plot " + dir.string());
  EXPECT_EQ(report.status, 0) << report.out;
  EXPECT_NE(report.out.find("| agent.vf_coef=0.5 | 2 (0, 1) |"), std::string::npos) << report.out;
  EXPECT_NE(report.out.find("agent.vf_coef=inf-s0, agent.vf_coef=inf-s1"), std::string::npos) << report.out;
}

// `mpirun -n 2 dopa sweep --mpi`: each rank runs its share, every trial exactly once. Without an
// MPI launcher, --mpi is an error that says how to start it.
TEST(Cli, SweepUnderMpirunRunsEveryTrialOnce) {
  const fs::path dir = temp_dir("mpi");
  const auto alone = dopa("sweep " + std::string(DOPA_SOURCE_DIR) + "/experiments/control/cartpole_ppo.toml --quick --mpi --out " +
                          dir.string());
  EXPECT_EQ(alone.status, 2) << alone.out;
  EXPECT_NE(alone.out.find("mpirun"), std::string::npos) << alone.out;
  if (std::system("command -v mpirun >/dev/null 2>&1") != 0) GTEST_SKIP() << "mpirun not installed (openmpi-bin)";

  const std::string command = "mpirun --allow-run-as-root --oversubscribe -n 2 " + std::string(DOPA_BINARY) +
                              " --log-level warn sweep " + DOPA_SOURCE_DIR + "/experiments/control/cartpole_ppo.toml " +
                              "--quick --seeds 0-4 --mpi --jobs 1 --out " + dir.string() + " > " + (dir / "mpirun.log").string() + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << read(dir / "mpirun.log");
  const std::string records = read(dir / "sweep-0-of-2.json") + read(dir / "sweep-1-of-2.json");
  for (int seed = 0; seed < 5; ++seed) {
    const std::string name = "\"cartpole-ppo-s" + std::to_string(seed) + "\"";
    const size_t first = records.find(name);
    ASSERT_NE(first, std::string::npos) << name << " ran on no rank:\n" << records;
    EXPECT_EQ(records.find(name, first + 1), std::string::npos) << name << " ran twice:\n" << records;
  }
  EXPECT_EQ(records.find("failed"), std::string::npos) << records;
}
