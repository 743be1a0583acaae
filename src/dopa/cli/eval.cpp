// dopa eval [--kw key=value]... --policy SPEC... [--episodes N] [--seed S] [--out DIR]
//
// Scores bandit algorithms on Bandit-v0 episodes: total reward and cumulative regret with standard
// errors, written to DIR/summary.csv and DIR/regret.csv and printed as a table. Swept parameters
// (ucb1:c=0..1/0.1) keep the best point, as RL²'s table did.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

#include "agents/bandit_baselines/evaluate.h"
#include "dopa/cli/commands.h"
#include "dopa/core/error.h"
#include "dopa/core/registry.h"

namespace dopa::cli {

void add_eval_command(CLI::App& app) {
  struct Options {
    std::vector<std::string> kwargs, policies;
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
      ->required();
  cmd->add_option("--episodes", options->episodes, "episodes per baseline (and per sweep point)")->check(CLI::Range(2, 100000000));
  cmd->add_option("--seed", options->seed, "episode e is the env reset with seed + e (the same for every baseline)");
  cmd->add_option("--out", options->out, "folder for summary.csv and regret.csv");
  cmd->callback([options] {
    const Kwargs kwargs = parse_env_kwargs("Bandit-v0", options->kwargs);
    const auto results = agents::evaluate_baselines(kwargs, options->policies, options->episodes, options->seed,
                                                    [](int64_t done, int64_t total) {
                                                      spdlog::debug("eval: {}/{} policies scored", done, total);
                                                    });
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
