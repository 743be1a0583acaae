// dopa eval [--run RUN_DIR] [--kw key=value]... [--policy SPEC]... [--episodes N] [--seed S] [--out DIR]
//
// Scores bandit algorithms on Bandit-v0 episodes, and with --run the agent trained in RUN_DIR
// (frozen parameters, its env's task unless --kw changes it): total reward and cumulative regret
// with standard errors, written to DIR/summary.csv and DIR/regret.csv and printed as a table.
// Swept parameters (ucb1:c=0..1/0.1) keep the best point, as RL²'s table did.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "agents/bandit_baselines/evaluate.h"
#include "dopa/cli/commands.h"
#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "dopa/runner/experiment.h"
#include "dopa/runner/trained_agent.h"
#include "dopa/train/agent.h"

namespace dopa::cli {

namespace fs = std::filesystem;

void add_eval_command(CLI::App& app) {
  struct Options {
    std::vector<std::string> kwargs, policies;
    std::string run;
    int64_t episodes = 10000;
    uint64_t seed = 0;
    std::string out = "eval";
  };
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("eval", "score bandit algorithms on Bandit-v0 (regret, total reward)");
  cmd->add_option("--kw", options->kwargs, "Bandit-v0 kwarg key=value: task, arms, trials (repeatable)");
  cmd->add_option("--policy", options->policies,
                  "baseline: random, greedy, epsilon_greedy:epsilon=0.1, ucb1:c=0..1/0.1, ucb1:textbook, thompson, "
                  "gittins:gamma=0.98 (repeatable)")
      ;
  cmd->add_option("--run", options->run, "a run folder of meta_a2c: its model.pt is scored beside the baselines");
  cmd->add_option("--episodes", options->episodes, "episodes per baseline (and per sweep point)")->check(CLI::Range(2, 100000000));
  cmd->add_option("--seed", options->seed, "episode e is the env reset with seed + e (the same for every baseline)");
  cmd->add_option("--out", options->out, "folder for summary.csv and regret.csv");
  cmd->callback([options] {
    if (options->policies.empty() && options->run.empty()) throw Error("dopa eval needs --policy or --run");
    std::string env_id = "Bandit-v0";
    Kwargs kwargs;
    std::unique_ptr<Agent> agent;
    if (!options->run.empty()) {
      TrainedAgent trained = load_trained_agent(options->run);
      env_id = trained.experiment.env.get_string("id");
      kwargs = trained.experiment.env_kwargs.values();
      agent = std::move(trained.agent);
    }
    for (const auto& [key, value] : parse_env_kwargs(env_id, options->kwargs)) kwargs[key] = value;
    const auto resolved = make(env_id, kwargs)->spec().config;
    if (resolved.has("task")) kwargs["task"] = resolved.values().at("task");
    std::vector<agents::BaselineResult> results;
    if (agent) {
      const int64_t batch = test_batch_size(options->episodes);
      agents::BaselineResult trained;
      trained.spec = options->run;
      trained.label = "trained(" + fs::path(options->run).filename().string() + ")";
      trained.score = agents::score_trained_agent(*agent, env_id, kwargs, options->episodes, options->seed, batch);
      results.push_back(trained);
    }
    // The baselines play Bandit-v0 with the same task, arms and trials.
    Kwargs bandit_kwargs;
    for (const std::string key : {"task", "arms", "trials"})
      if (resolved.has(key)) bandit_kwargs[key] = resolved.values().at(key);
    const auto baselines = agents::evaluate_baselines(bandit_kwargs, options->policies, options->episodes,
                                                      options->seed, [](int64_t done, int64_t total) {
                                                        spdlog::debug("eval: {}/{} policies scored", done, total);
                                                      });
    results.insert(results.end(), baselines.begin(), baselines.end());
    agents::write_baseline_report(results, options->out);
    std::printf("%-28s %8s %16s %16s\n", "baseline", "episodes", "total reward", "regret (last)");
    for (const auto& r : results)
      std::printf("%-28s %8lld %9.3f ± %-5.3f %9.3f ± %-5.3f\n", r.label.c_str(),
                  static_cast<long long>(r.score.episodes), r.score.total_reward, r.score.total_reward_se,
                  r.score.cumulative_regret.back(), r.score.cumulative_regret_se.back());
    std::printf("%s\n", options->out.c_str());
  });
}

}  // namespace dopa::cli
