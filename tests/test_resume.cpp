// Checkpoints: written whole or not at all, read back from wherever a crash left them, and every
// trainer that writes them continues a stopped run to exactly the metrics of an uninterrupted one.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "cli_in_process.h"
#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "dopa/core/vector_env.h"
#include "dopa/train/agent.h"
#include "dopa/train/checkpoint.h"

namespace {

namespace fs = std::filesystem;

fs::path temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("dopa-resume-test-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Keeps every metrics row; stops the run (as Ctrl-C would) once `stop_at` steps are done.
class StoppingMonitor : public dopa::TrainMonitor {
 public:
  explicit StoppingMonitor(int64_t stop_at = 0) : stop_at_(stop_at) {}
  void log(int64_t step, const dopa::Metrics& metrics) override {
    dopa::Metrics row = {{"global_step", static_cast<double>(step)}};
    for (const auto& [key, value] : metrics)
      if (key != "SPS") row.emplace_back(key, value);  // the only column that depends on the clock
    rows.push_back(row);
  }
  void progress(int64_t step, double) override { step_ = step; }
  bool should_stop() const override { return stop_at_ > 0 && step_ >= stop_at_; }
  std::vector<dopa::Metrics> rows;

 private:
  int64_t stop_at_, step_ = 0;
};

std::string read(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Case {
  std::string name, algo, env;
  dopa::Kwargs env_kwargs, agent_kwargs;
  int64_t num_envs, total_steps, stop_at;
};

std::ostream& operator<<(std::ostream& out, const Case& c) { return out << c.name; }

struct Trained {
  std::vector<dopa::Metrics> rows;
  dopa::TrainResult result;
};

// One call of Agent::train with a fresh agent and fresh envs, as `dopa run` (or its --resume) does.
Trained train(const Case& c, const fs::path& run_dir, bool resume, int64_t stop_at) {
  const auto& registration = dopa::AgentRegistry::global().find(c.algo);
  dopa::VectorEnvOptions env_options;
  env_options.autoreset = registration.autoreset;
  dopa::VectorEnv envs(c.env, c.num_envs, c.env_kwargs, env_options);
  auto agent = registration.factory(dopa::resolve_config(registration.config, c.agent_kwargs, c.algo), envs.spec(), 3);
  StoppingMonitor monitor(stop_at);
  dopa::TrainOptions options;
  options.seed = 3;
  options.total_steps = c.total_steps;
  options.run_dir = run_dir.string();
  options.resume = resume;
  Trained out;
  out.result = agent->train(envs, options, monitor);
  out.rows = monitor.rows;
  return out;
}

class ResumeIsExact : public ::testing::TestWithParam<Case> {};

TEST_P(ResumeIsExact, StoppedAndResumedRunsMatchAnUninterruptedOne) {
  const Case& c = GetParam();
  at::set_num_threads(1);
  const fs::path dir = temp_dir(c.name);
  const Trained whole = train(c, dir / "whole", false, 0);
  ASSERT_FALSE(whole.result.stopped_early);
  ASSERT_GT(whole.rows.size(), 3u);

  // Stopped twice (the checkpoint written on stopping), resumed each time by a new agent.
  const Trained first = train(c, dir / "parts", false, c.stop_at);
  ASSERT_TRUE(first.result.stopped_early);
  ASSERT_LT(first.result.global_step, c.total_steps);
  EXPECT_EQ(dopa::checkpoint_step((dir / "parts").string()), first.result.global_step);
  const Trained second = train(c, dir / "parts", true, first.result.global_step + c.stop_at);
  ASSERT_TRUE(second.result.stopped_early);
  const Trained third = train(c, dir / "parts", true, 0);
  EXPECT_EQ(third.result.start_step, second.result.global_step);

  std::vector<dopa::Metrics> rows = first.rows;
  rows.insert(rows.end(), second.rows.begin(), second.rows.end());
  rows.insert(rows.end(), third.rows.begin(), third.rows.end());
  ASSERT_EQ(rows.size(), whole.rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), whole.rows[i].size());
    for (size_t k = 0; k < rows[i].size(); ++k) {
      const double a = rows[i][k].second, b = whole.rows[i][k].second;
      ASSERT_TRUE(a == b || (std::isnan(a) && std::isnan(b)))
          << "row " << i << " " << rows[i][k].first << ": resumed " << a << ", uninterrupted " << b;
    }
  }
  // The records the agent writes into the run folder (td_errors.csv, the analysis files) too.
  for (const auto& entry : fs::directory_iterator(dir / "whole")) {
    if (entry.path().extension() != ".csv") continue;
    EXPECT_EQ(read(dir / "parts" / entry.path().filename()), read(entry.path())) << entry.path().filename();
  }
  EXPECT_EQ(third.result.global_step, whole.result.global_step);
  EXPECT_EQ(third.result.final_return, whole.result.final_return);
  EXPECT_EQ(third.result.best_return, whole.result.best_return);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(
    Agents, ResumeIsExact,
    ::testing::Values(
        // Observation and reward normalisation, Gaussian actions, episodes cut mid-rollout.
        Case{"ppo_pendulum", "ppo", "Pendulum-v1", {}, {{"num_steps", 64}, {"num_minibatches", 2}, {"update_epochs", 2},
             {"normalize_obs", true}, {"normalize_reward", true}, {"checkpoint_every", 3}}, 4, 64 * 4 * 10, 64 * 4 * 3},
        // A plastic core modulated by dopamine: traces and the TD error carried across updates.
        Case{"ppo_modplast", "ppo", "CartPole-v1", {}, {{"core", "modplast"}, {"modulator", "dopamine"}, {"hidden", 8},
             {"num_steps", 32}, {"num_minibatches", 2}, {"update_epochs", 2}}, 4, 32 * 4 * 9, 32 * 4 * 4},
        // Doya's neuromodulators: a meta-learned step size (its own generator) and a surprise-driven discount.
        Case{"a2c_lstm", "a2c", "BanditEasy-v0", {{"trials", 10}}, {{"core", "lstm"}, {"hidden", 8}, {"rollout_steps", 7},
             {"log_interval", 2}, {"checkpoint_every", 5}, {"acetylcholine", "meta:0.01"},
             {"serotonin", "surprise:0.8:0.95:1"}}, 4, 7 * 4 * 30, 7 * 4 * 8},
        Case{"reinforce", "reinforce", "CartPole-v1", {}, {{"checkpoint_every", 2}}, 4, 3000, 900},
        Case{"meta_a2c_modul", "meta_a2c", "Bandit-v0", {{"trials", 10}}, {{"core", "modul"}, {"modulator", "dopamine"},
             {"hidden", 8}, {"burn_in", 2}, {"log_interval", 3}, {"checkpoint_every", 4}}, 4, 10 * 4 * 25, 10 * 4 * 7},
        // The TD models of dopamine, one trial an update: td_errors.csv, and the responses gathered
        // over the analysis window (which the stops fall inside) for the reversal points.
        Case{"td", "td", "Conditioning-v0", {{"trial_steps", 20}, {"cs_onset", 5}, {"isi", 6}, {"omit_every", 4}},
             {{"representation", "csc"}, {"csc_length", 8}, {"lambda", 0.5}, {"log_interval", 3}, {"record_every", 2}},
             1, 20 * 30, 20 * 8},
        Case{"distributional_td", "distributional_td", "Conditioning-v0", {{"trial_steps", 10}, {"cs_onset", 2},
             {"isi", 5}, {"reward_sizes", "0.1,1,5"}, {"reward_freqs", "0.3,0.3,0.4"}},
             {{"taus", "0.2,0.5,0.8"}, {"log_interval", 4}, {"analysis_trials", 25}}, 1, 10 * 40, 10 * 12}),
    [](const auto& info) { return info.param.name; });

TEST(Checkpoint, AWholeCheckpointSurvivesACrashAtAnyPointOfTheSwap) {
  const fs::path run = temp_dir("swap");
  EXPECT_EQ(dopa::find_checkpoint(run.string()), "");
  EXPECT_EQ(dopa::checkpoint_step(run.string()), -1);
  EXPECT_THROW(dopa::CheckpointReader{run.string()}, dopa::Error);
  auto write = [&](int64_t step) {
    dopa::CheckpointWriter out(run.string());
    out.progress("global_step", step);
    out.progress("best_return", 0.1 + static_cast<double>(step));
    out.tensor("weights", torch::full({3}, static_cast<double>(step)));
    out.tensors("state", {torch::ones({2}), torch::Tensor()});
    out.text("note", std::string("step\n") + std::to_string(step));
    out.commit();
  };
  write(10);
  write(20);
  EXPECT_EQ(dopa::checkpoint_step(run.string()), 20);
  EXPECT_FALSE(fs::exists(run / "checkpoint.tmp"));
  EXPECT_FALSE(fs::exists(run / "checkpoint.old"));
  {
    dopa::CheckpointReader in(run.string());
    EXPECT_EQ(in.progress_double("best_return"), 20.1);
    EXPECT_TRUE(torch::equal(in.tensor("weights"), torch::full({3}, 20.0)));
    const auto state = in.tensors("state");
    ASSERT_EQ(state.size(), 2u);
    EXPECT_TRUE(torch::equal(state[0], torch::ones({2})));
    EXPECT_FALSE(state[1].defined());
    EXPECT_EQ(in.text("note"), "step\n20");
    EXPECT_THROW(in.tensor("missing"), dopa::Error);
  }
  // A crash while writing the next one: a partial checkpoint.tmp is ignored (and cleared by the next).
  fs::create_directories(run / "checkpoint.tmp");
  std::ofstream(run / "checkpoint.tmp" / "progress.txt") << "global_step 30\n";
  EXPECT_EQ(dopa::checkpoint_step(run.string()), 20);
  // A crash between the two renames: checkpoint/ is gone, checkpoint.old/ is whole.
  fs::rename(run / "checkpoint", run / "checkpoint.old");
  EXPECT_EQ(dopa::checkpoint_step(run.string()), 20);
  EXPECT_EQ(dopa::CheckpointReader(run.string()).progress_int("global_step"), 20);
  write(40);
  EXPECT_EQ(dopa::checkpoint_step(run.string()), 40);
  EXPECT_FALSE(fs::exists(run / "checkpoint.old"));
  fs::remove_all(run);
}

TEST(Checkpoint, ACheckpointOfAnotherNetworkIsRefusedByName) {
  const fs::path run = temp_dir("mismatch");
  {
    dopa::CheckpointWriter out(run.string());
    out.progress("global_step", 1);
    out.module("model", *torch::nn::Linear(3, 2));
    out.commit();
  }
  dopa::CheckpointReader in(run.string());
  torch::nn::Linear other(5, 2);
  try {
    in.module("model", *other);
    FAIL() << "expected an error";
  } catch (const dopa::Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not fit"), std::string::npos) << e.what();
  }
  fs::remove_all(run);
}

// A checkpoint whose writing fails (a full disk: here a file-size limit below the size of the new
// state.pt) ends the run with a message that says so, and leaves the previous checkpoint as it was.
TEST(Checkpoint, AFailingWriteKeepsThePreviousCheckpoint) {
  const fs::path root = fs::temp_directory_path() / ("dopa-checkpoint-write-" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "work");
  const std::string run = (root / "run").string();
  const std::string experiment = std::string(DOPA_SOURCE_DIR) + "/experiments/bandits/independent_lstm.toml";
  ASSERT_EQ(cli_test::run_in_child({"run", experiment, "--quick", "--no-progress", "--out", run}, root / "work",
                                   root / "log.txt", 120)
                .status,
            0);
  auto contents = [&](const std::string& file) {
    std::ifstream in(fs::path(run) / "checkpoint" / file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string progress = contents("progress.txt"), state = contents("state.pt");
  const auto r = cli_test::run_in_child({"run", "--resume", run, "--set", "total_steps=8000", "--no-progress"},
                                        root / "work", root / "log.txt", 120, int64_t{3} << 30,
                                        static_cast<int64_t>(state.size()) - 1);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("cannot write a checkpoint into '" + run + "'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("the previous checkpoint is kept"), std::string::npos) << r.output;
  EXPECT_EQ(contents("progress.txt"), progress);
  EXPECT_EQ(contents("state.pt"), state);
  EXPECT_FALSE(fs::exists(fs::path(run) / "checkpoint.tmp"));
  fs::remove_all(root);
}

}  // namespace
