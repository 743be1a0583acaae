// dopa sweep and dopa report (src/dopa/runner/sweep.h, report.h): trial expansion and sharding,
// fault isolation (a crashing and a hanging trial, retries, the status record), skipping finished
// trials on a re-run, and the report's statistics. The orchestration tests run a stand-in for
// `dopa run` (a shell script) so that they take seconds; one test runs real quick trials.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "dopa/core/error.h"
#include "dopa/runner/report.h"
#include "dopa/runner/sweep.h"

namespace {

namespace fs = std::filesystem;
using dopa::SweepOptions;
using dopa::TrialStatus;

const std::string kExperiment = std::string(DOPA_SOURCE_DIR) + "/experiments/control/cartpole_ppo.toml";

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("dopa_test_sweep_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A stand-in for `dopa run ... --set seed=S --out DIR`: seed 2 crashes (SIGSEGV), seed 3 hangs, the
// others write a finished summary.json with final_return = 10 x seed. Each start is counted in
// DIR.starts.
fs::path fake_dopa(const fs::path& dir) {
  const fs::path script = dir / "fake_dopa.sh";
  std::ofstream(script) << R"(#!/bin/sh
out=""; seed=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift ;;
    seed=*) seed="${1#seed=}" ;;
  esac
  shift
done
echo start >> "$out.starts"
echo "fake run seed $seed"
[ "$seed" = 2 ] && kill -SEGV $$
[ "$seed" = 3 ] && sleep 60
mkdir -p "$out"
printf '{\n    "best_return" : %s,\n    "final_return" : %s,\n    "interrupted" : false\n}\n' $((seed * 20)) $((seed * 10)) > "$out/summary.json"
)";
  fs::permissions(script, fs::perms::owner_all);
  return script;
}

TEST(Sweep, ParsesSeedsGridAndShard) {
  EXPECT_EQ(dopa::parse_seeds("0-3"), (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(dopa::parse_seeds("0,5,7-8"), (std::vector<int64_t>{0, 5, 7, 8}));
  EXPECT_THROW(dopa::parse_seeds("3-1"), dopa::Error);
  EXPECT_THROW(dopa::parse_seeds("a"), dopa::Error);
  const auto axis = dopa::parse_grid_axis("agent.lr=1e-3,3e-4");
  EXPECT_EQ(axis.first, "agent.lr");
  EXPECT_EQ(axis.second, (std::vector<std::string>{"1e-3", "3e-4"}));
  EXPECT_THROW(dopa::parse_grid_axis("agent.lr"), dopa::Error);
  EXPECT_EQ(dopa::parse_shard("1/4"), std::make_pair(1, 4));
  EXPECT_THROW(dopa::parse_shard("4/4"), dopa::Error);
  EXPECT_THROW(dopa::parse_shard("1"), dopa::Error);
}

TEST(Sweep, TrialsAreGridTimesSeedsAndShardsSplitThemExactlyOnce) {
  SweepOptions options;
  options.experiment_path = kExperiment;
  options.seeds = {0, 1, 2};
  options.grid = {dopa::parse_grid_axis("agent.lr=1e-3,3e-4"), dopa::parse_grid_axis("agent.ent_coef=0,0.01")};
  const auto trials = dopa::sweep_trials(options);
  ASSERT_EQ(trials.size(), 12u);
  EXPECT_EQ(trials[0].name, "agent.lr=1e-3,agent.ent_coef=0-s0");
  EXPECT_EQ(trials[3].point, "agent.lr=1e-3,agent.ent_coef=0.01");
  EXPECT_EQ(trials[11].name, "agent.lr=3e-4,agent.ent_coef=0.01-s2");

  // A bad key fails the whole sweep before anything runs, naming the trial and the key.
  options.grid.push_back(dopa::parse_grid_axis("agent.lrr=1"));
  try {
    dopa::sweep_trials(options);
    FAIL() << "no error";
  } catch (const dopa::Error& e) {
    EXPECT_NE(std::string(e.what()).find("lrr"), std::string::npos) << e.what();
  }
}

TEST(Sweep, ShardsRunEveryTrialExactlyOnce) {
  const fs::path dir = fresh_dir("shards");
  SweepOptions options;
  options.experiment_path = kExperiment;
  options.seeds = {0, 1, 4, 5, 6};
  options.dopa_binary = fake_dopa(dir).string();
  options.out_dir = (dir / "out").string();
  options.jobs = 2;
  std::multiset<std::string> ran;
  for (int shard = 0; shard < 2; ++shard) {
    options.shard_index = shard;
    options.shard_count = 2;
    const auto result = dopa::run_sweep(options);
    for (const auto& trial : result.trials) ran.insert(trial.name);
    EXPECT_EQ(result.failed(), 0);
  }
  EXPECT_EQ(ran.size(), 5u);
  for (const auto& name : ran) {
    EXPECT_EQ(ran.count(name), 1u) << name;
    EXPECT_EQ(read(dir / "out" / (name + ".starts")), "start\n") << name;
  }
  EXPECT_TRUE(fs::exists(dir / "out" / "sweep-0-of-2.json"));
  EXPECT_TRUE(fs::exists(dir / "out" / "sweep-1-of-2.json"));
}

TEST(Sweep, ACrashingAndAHangingTrialFailWhileTheOthersFinish) {
  const fs::path dir = fresh_dir("faults");
  SweepOptions options;
  options.experiment_path = kExperiment;
  options.seeds = {0, 1, 2, 3};
  options.dopa_binary = fake_dopa(dir).string();
  options.out_dir = (dir / "out").string();
  options.jobs = 4;
  options.timeout_s = 1.0;
  options.retries = 1;
  const auto result = dopa::run_sweep(options);
  ASSERT_EQ(result.trials.size(), 4u);
  EXPECT_EQ(result.status[0], TrialStatus::Finished);
  EXPECT_EQ(result.status[1], TrialStatus::Finished);
  EXPECT_EQ(result.status[2], TrialStatus::Failed);
  EXPECT_EQ(result.status[3], TrialStatus::Failed);
  EXPECT_EQ(result.failed(), 2);
  EXPECT_NE(result.reasons[2].find("signal"), std::string::npos) << result.reasons[2];
  EXPECT_NE(result.reasons[3].find("timeout"), std::string::npos) << result.reasons[3];
  // One retry each: two starts of each failing trial, one of the others; the log is kept.
  const std::string crashed = result.trials[2].name;
  EXPECT_EQ(read(dir / "out" / (crashed + ".starts")), "start\nstart\n");
  EXPECT_EQ(read(dir / "out" / (result.trials[0].name + ".starts")), "start\n");
  EXPECT_NE(read(dir / "out" / (crashed + ".log")).find("fake run seed 2"), std::string::npos);
  const std::string record = read(dir / "out" / "sweep-0-of-1.json");
  EXPECT_NE(record.find("\"status\": \"failed\""), std::string::npos) << record;

  // A re-run skips the finished trials and tries the failed ones again.
  options.retries = 0;
  options.seeds = {0, 1, 2};
  const auto again = dopa::run_sweep(options);
  EXPECT_EQ(again.status[0], TrialStatus::AlreadyFinished);
  EXPECT_EQ(again.status[1], TrialStatus::AlreadyFinished);
  EXPECT_EQ(again.status[2], TrialStatus::Failed);
  EXPECT_EQ(read(dir / "out" / (result.trials[0].name + ".starts")), "start\n");
}

TEST(SweepReport, MeanAndConfidenceIntervalAcrossSeeds) {
  EXPECT_EQ(dopa::confidence_half_width_95({5.0}), 0.0);
  // Values 1, 2, 3: sd 1, n 3, t(0.975, 2) = 4.303 -> 4.303 / sqrt(3).
  EXPECT_NEAR(dopa::confidence_half_width_95({1, 2, 3}), 4.303 / std::sqrt(3.0), 1e-9);

  const fs::path dir = fresh_dir("report");
  SweepOptions options;
  options.experiment_path = kExperiment;
  options.seeds = {0, 1, 4};
  options.grid = {dopa::parse_grid_axis("agent.lr=1e-3")};
  options.dopa_binary = fake_dopa(dir).string();
  options.out_dir = (dir / "out").string();
  dopa::run_sweep(options);
  fs::create_directories(dir / "out" / "agent.lr=1e-3-s9");  // a trial that never finished
  const auto rows = dopa::sweep_report((dir / "out").string());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].seeds, (std::vector<long>{0, 1, 4}));
  EXPECT_NEAR(rows[0].final_mean, (0 + 10 + 40) / 3.0, 1e-9);
  EXPECT_NEAR(rows[0].final_ci, dopa::confidence_half_width_95({0, 10, 40}), 1e-9);
  EXPECT_NEAR(rows[0].best_mean, (0 + 20 + 80) / 3.0, 1e-9);
  EXPECT_EQ(rows[0].unfinished, (std::vector<std::string>{"agent.lr=1e-3-s9"}));
  const std::string md = dopa::write_sweep_report((dir / "out").string(), rows);
  EXPECT_NE(md.find("16.67 ± "), std::string::npos) << md;
  EXPECT_TRUE(fs::exists(dir / "out" / "report.csv"));
}

// Real trials: two quick CartPole PPO runs through the dopa executable, then the report.
TEST(Sweep, RealQuickTrialsFinishAndReport) {
  const fs::path dir = fresh_dir("real");
  SweepOptions options;
  options.experiment_path = kExperiment;
  options.quick = true;
  options.seeds = {0, 1};
  options.dopa_binary = DOPA_BINARY;
  options.out_dir = dir.string();
  options.jobs = 2;
  const auto result = dopa::run_sweep(options);
  ASSERT_EQ(result.failed(), 0) << read(dir / (result.trials[0].name + ".log"));
  const auto rows = dopa::sweep_report(dir.string());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].seeds.size(), 2u);
  EXPECT_TRUE(std::isfinite(rows[0].final_mean));
}

// metrics.csv as rows of (column, value), without the columns that measure time.
std::vector<std::map<std::string, double>> metrics_rows(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> header;
  std::vector<std::map<std::string, double>> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    if (header.empty()) {
      header = cells;
      continue;
    }
    std::map<std::string, double> row;
    for (size_t i = 0; i < cells.size(); ++i)
      if (header[i] != "wall_time" && header[i] != "SPS") row[header[i]] = std::stod(cells[i]);
    rows.push_back(row);
  }
  return rows;
}

// With --population on, each grid point's seeds train as one population process; its trials' folders
// hold what separate trials write (the same metrics, to 1e-5).
TEST(Sweep, PopulationsWriteWhatSeparateTrialsWrite) {
  const fs::path dir = fresh_dir("population");
  const std::string experiment = (dir / "maze.toml").string();
  std::ofstream(experiment) << "name = \"maze\"\ntotal_steps = 900\n"
                               "[env]\nid = \"Maze-v0\"\nnum_envs = 6\nkwargs = { size = 7, episode_length = 25 }\n"
                               "[agent]\nalgo = \"meta_a2c\"\ncore = \"rnn\"\nhidden = 16\nburn_in = 1\nlog_interval = 1\n";
  auto sweep = [&](dopa::PopulationMode population, const fs::path& out) {
    SweepOptions options;
    options.experiment_path = experiment;
    options.seeds = {0, 1, 2};
    options.grid = {dopa::parse_grid_axis("agent.lr=1e-2,3e-3")};
    options.dopa_binary = DOPA_BINARY;
    options.out_dir = out.string();
    options.jobs = 2;
    options.population = population;
    return dopa::run_sweep(options);
  };
  const auto together = sweep(dopa::PopulationMode::On, dir / "on");
  const auto apart = sweep(dopa::PopulationMode::Off, dir / "off");
  ASSERT_EQ(together.failed(), 0) << read(dir / "on" / "agent.lr=1e-2-population.log");
  ASSERT_EQ(apart.failed(), 0);
  EXPECT_TRUE(fs::exists(dir / "on" / "agent.lr=1e-2-population.log"));
  EXPECT_FALSE(fs::exists(dir / "on" / (together.trials[0].name + ".log")));  // no process of its own
  ASSERT_EQ(together.trials.size(), 6u);
  for (const auto& trial : together.trials) {
    SCOPED_TRACE(trial.name);
    EXPECT_TRUE(fs::exists(dir / "on" / trial.name / "model.pt"));
    const auto mine = metrics_rows(dir / "on" / trial.name / "metrics.csv");
    const auto theirs = metrics_rows(dir / "off" / trial.name / "metrics.csv");
    ASSERT_EQ(mine.size(), 6u);
    ASSERT_EQ(mine.size(), theirs.size());
    for (size_t i = 0; i < mine.size(); ++i)
      for (const auto& [column, value] : theirs[i])
        EXPECT_NEAR(mine[i].at(column), value, 1e-5 * std::max(1.0, std::abs(value))) << column << ", row " << i;
  }
  EXPECT_NE(read(dir / "on" / "sweep-0-of-1.json").find("\"finished\""), std::string::npos);
  // A re-run finds every trial finished.
  const auto again = sweep(dopa::PopulationMode::On, dir / "on");
  for (const auto status : again.status) EXPECT_EQ(status, TrialStatus::AlreadyFinished);
}

}  // namespace
