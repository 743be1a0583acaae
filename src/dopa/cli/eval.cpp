// dopa eval [--run RUN_DIR] [--kw key=value]... [--policy SPEC]... [--episodes N] [--seed S] [--out DIR]
//
// Scores bandit algorithms on Bandit-v0 episodes, and with --run the agent trained in RUN_DIR
// (frozen parameters, its env's task unless --kw changes it): total reward and cumulative regret
// with standard errors, written to DIR/summary.csv and DIR/regret.csv and printed as a table.
// Swept parameters (ucb1:c=0..1/0.1) keep the best point, as RL²'s table did.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "dopa/cli/commands.h"
#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "dopa/runner/experiment.h"
#include "dopa/runner/trained_agent.h"
#include "dopa/train/agent.h"
#include "dopa/train/evaluation.h"

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
    const EvaluationRegistration& evaluation = EvaluationRegistry::global().find("bandit");
    EvaluationRequest request;
    request.env_id = evaluation.default_env;
    std::unique_ptr<Agent> agent;
    if (!options->run.empty()) {
      TrainedAgent trained = load_trained_agent(options->run);
      request.env_id = trained.experiment.env.get_string("id");
      request.env_kwargs = trained.experiment.env_kwargs.values();
      agent = std::move(trained.agent);
      request.trained = agent.get();
      request.trained_run = options->run;
    }
    for (const auto& [key, value] : parse_env_kwargs(request.env_id, options->kwargs)) request.env_kwargs[key] = value;
    request.baselines = options->policies;
    request.episodes = options->episodes;
    request.seed = options->seed;
    request.out_dir = options->out;
    const std::vector<EvaluationRow> rows = evaluation.run(request);
    std::printf("%-28s %8s %16s %16s\n", "baseline", "episodes", "total reward", "regret (last)");
    for (const EvaluationRow& r : rows)
      std::printf("%-28s %8lld %9.3f ± %-5.3f %9.3f ± %-5.3f\n", r.label.c_str(), static_cast<long long>(r.episodes),
                  r.total_reward, r.total_reward_se, r.final_regret, r.final_regret_se);
    std::printf("%s\n", options->out.c_str());
  });
}

}  // namespace dopa::cli
