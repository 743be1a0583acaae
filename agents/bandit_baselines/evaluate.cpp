#include "agents/bandit_baselines/evaluate.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <memory>

#include "dopa/core/env.h"
#include "dopa/core/error.h"
#include "dopa/core/vector_env.h"
#include "dopa/train/evaluation.h"

namespace dopa::agents {

namespace {

// Per-episode totals and cumulative-regret curves -> means and standard errors.
class ScoreSums {
 public:
  explicit ScoreSums(int64_t trials) : regret_sum_(trials, 0.0), regret_sq_(trials, 0.0) {}
  void add_episode(double total, const std::vector<double>& cumulative_regret) {
    ++episodes_;
    reward_sum_ += total;
    reward_sq_ += total * total;
    for (size_t t = 0; t < regret_sum_.size(); ++t) {
      regret_sum_[t] += cumulative_regret[t];
      regret_sq_[t] += cumulative_regret[t] * cumulative_regret[t];
    }
  }
  BanditScore score() const {
    BanditScore score;
    score.episodes = episodes_;
    mean_and_se(reward_sum_, reward_sq_, score.total_reward, score.total_reward_se);
    const size_t trials = regret_sum_.size();
    score.cumulative_regret.resize(trials);
    score.cumulative_regret_se.resize(trials);
    for (size_t t = 0; t < trials; ++t)
      mean_and_se(regret_sum_[t], regret_sq_[t], score.cumulative_regret[t], score.cumulative_regret_se[t]);
    return score;
  }

 private:
  void mean_and_se(double sum, double sum_sq, double& mean, double& se) const {
    const double n = static_cast<double>(episodes_);
    mean = sum / n;
    const double variance = std::max(0.0, (sum_sq - n * mean * mean) / (n - 1));
    se = std::sqrt(variance / n);
  }
  int64_t episodes_ = 0;
  double reward_sum_ = 0, reward_sq_ = 0;
  std::vector<double> regret_sum_, regret_sq_;
};

}  // namespace

BanditScore score_bandit_policy(BanditPolicy& policy, const Kwargs& kwargs, int64_t episodes, uint64_t seed,
                                uint64_t policy_seed) {
  if (episodes < 2) throw Error("score_bandit_policy: at least 2 episodes (for a standard error)");
  const std::unique_ptr<Env> env = make("Bandit-v0", kwargs);
  const EnvSpec& spec = env->spec();
  const int arms = static_cast<int>(spec.config.get_int("arms"));
  const int64_t trials = spec.config.get_int("trials");
  const std::string& task = spec.config.get_string("task");
  const int regret_key = spec.info_index("expected_regret");
  if (regret_key < 0) throw Error("score_bandit_policy: Bandit-v0 declares no expected_regret");
  std::vector<float> obs(spec.observation_space.size());
  std::vector<double> info(spec.info_size);
  std::unique_ptr<bool[]> present(new bool[spec.info_keys.size()]());
  const InfoOut info_out(info.data(), present.get(), &spec.info_offsets);
  const ObsOut obs_out(obs.data(), spec.observation_space.dtype(), static_cast<int64_t>(obs.size()));
  Rng rng(policy_seed);

  ScoreSums sums(trials);
  std::vector<double> curve(trials);
  for (int64_t e = 0; e < episodes; ++e) {
    env->reset(seed + static_cast<uint64_t>(e), obs_out, info_out);
    policy.reset(arms, trials, task);
    double total = 0, regret = 0;
    for (int64_t t = 0; t < trials; ++t) {
      const int arm = policy.choose(rng);
      const StepResult result = env->step(Action(arm), obs_out, info_out);
      policy.observe(arm, result.reward);
      total += result.reward;
      regret += info[spec.info_offsets[regret_key]];
      curve[t] = regret;
      if (result.done() && t + 1 < trials) throw Error("score_bandit_policy: the episode ended early");
    }
    sums.add_episode(total, curve);
  }
  return sums.score();
}

BanditScore score_trained_agent(Agent& agent, const std::string& env_id, const Kwargs& kwargs, int64_t episodes,
                                uint64_t seed, int64_t batch) {
  if (episodes < 2 || batch < 1 || episodes % batch != 0)
    throw Error("score_trained_agent: episodes (>= 2) must be a multiple of the batch");
  VectorEnvOptions options;
  options.autoreset = AutoresetMode::Disabled;
  options.seeding = Seeding::Consecutive;  // episode e: seed + e, as score_bandit_policy's
  VectorEnv envs(env_id, batch, kwargs, options);
  const int64_t trials = envs.spec().config.get_int("trials");
  ScoreSums sums(trials);
  std::vector<std::vector<double>> curves(batch, std::vector<double>(trials));
  std::vector<double> totals(batch);
  int64_t t = 0;
  agent.play(envs, episodes, seed, [&](const std::vector<at::Tensor>&) {
    const at::Tensor regret = envs.info("expected_regret").contiguous();
    const double* r = regret.data_ptr<double>();
    const double* reward = envs.rewards().data_ptr<double>();
    for (int64_t b = 0; b < batch; ++b) {
      totals[b] = (t == 0 ? 0.0 : totals[b]) + reward[b];
      curves[b][t] = (t == 0 ? 0.0 : curves[b][t - 1]) + r[b];
    }
    if (++t == trials) {
      for (int64_t b = 0; b < batch; ++b) sums.add_episode(totals[b], curves[b]);
      t = 0;
    }
  });
  if (t != 0) throw Error("score_trained_agent: an episode was cut short");
  return sums.score();
}

std::vector<BaselineResult> evaluate_baselines(const Kwargs& kwargs, const std::vector<std::string>& specs,
                                               int64_t episodes, uint64_t seed,
                                               const std::function<void(int64_t, int64_t)>& progress) {
  std::vector<std::vector<BanditPolicyOptions>> sweeps;
  int64_t total = 0, done = 0;
  for (const auto& spec : specs) {
    sweeps.push_back(parse_bandit_policies(spec));
    total += static_cast<int64_t>(sweeps.back().size());
  }
  std::vector<BaselineResult> results;
  for (size_t i = 0; i < specs.size(); ++i) {
    BaselineResult best;
    best.spec = specs[i];
    best.swept = static_cast<int64_t>(sweeps[i].size());
    bool first = true;
    for (const auto& options : sweeps[i]) {
      auto policy = make_bandit_policy(options);
      BanditScore score = score_bandit_policy(*policy, kwargs, episodes, seed);
      if (first || score.total_reward > best.score.total_reward) {
        best.score = std::move(score);
        best.label = policy->label();
        first = false;
      }
      if (progress) progress(++done, total);
    }
    results.push_back(std::move(best));
  }
  return results;
}

namespace {

// A CSV field in quotes (labels hold commas: "ucb1(c=1, textbook)").
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

void write_baseline_report(const std::vector<BaselineResult>& results, const std::string& dir) {
  std::filesystem::create_directories(dir);
  const std::string summary_path = (std::filesystem::path(dir) / "summary.csv").string();
  std::ofstream summary(summary_path);
  if (!summary) throw Error("cannot write " + summary_path);
  summary << std::setprecision(10);
  summary << "baseline,spec,swept,episodes,total_reward,total_reward_se";
  const std::vector<int64_t> marks = {10, 20, 50, 100};
  for (int64_t t : marks) summary << ",regret_" << t << ",regret_" << t << "_se";
  summary << ",regret_last,regret_last_se\n";
  for (const auto& r : results) {
    const auto& s = r.score;
    summary << quoted(r.label) << "," << quoted(r.spec) << "," << r.swept << "," << s.episodes << "," << s.total_reward << ","
            << s.total_reward_se;
    const auto pulls = static_cast<int64_t>(s.cumulative_regret.size());
    for (int64_t t : marks) {
      if (t <= pulls) {
        summary << "," << s.cumulative_regret[t - 1] << "," << s.cumulative_regret_se[t - 1];
      } else {
        summary << ",,";
      }
    }
    summary << "," << s.cumulative_regret.back() << "," << s.cumulative_regret_se.back() << "\n";
  }
  const std::string regret_path = (std::filesystem::path(dir) / "regret.csv").string();
  std::ofstream regret(regret_path);
  if (!regret) throw Error("cannot write " + regret_path);
  regret << std::setprecision(10) << "t";
  for (const auto& r : results) regret << "," << quoted(r.label) << "," << quoted(r.label + "_se");
  regret << "\n";
  const size_t pulls = results.empty() ? 0 : results.front().score.cumulative_regret.size();
  for (size_t t = 0; t < pulls; ++t) {
    regret << t + 1;
    for (const auto& r : results) regret << "," << r.score.cumulative_regret[t] << "," << r.score.cumulative_regret_se[t];
    regret << "\n";
  }
}

namespace {

// `dopa eval`: the trained agent (when given) and the baselines on the same Bandit-v0 task.
std::vector<EvaluationRow> evaluate_bandit(const EvaluationRequest& request) {
  Kwargs kwargs = request.env_kwargs;
  const auto resolved = make(request.env_id, kwargs)->spec().config;
  if (resolved.has("task")) kwargs["task"] = resolved.values().at("task");
  std::vector<BaselineResult> results;
  if (request.trained != nullptr) {
    BaselineResult trained;
    trained.spec = request.trained_run;
    trained.label = "trained(" + std::filesystem::path(request.trained_run).filename().string() + ")";
    trained.score = score_trained_agent(*request.trained, request.env_id, kwargs, request.episodes, request.seed,
                                        test_batch_size(request.episodes));
    results.push_back(trained);
  }
  // The baselines play Bandit-v0 with the same task, arms and trials.
  Kwargs bandit_kwargs;
  for (const std::string key : {"task", "arms", "trials"})
    if (resolved.has(key)) bandit_kwargs[key] = resolved.values().at(key);
  const auto baselines = evaluate_baselines(bandit_kwargs, request.baselines, request.episodes, request.seed,
                                            [](int64_t done, int64_t total) {
                                              spdlog::debug("eval: {}/{} policies scored", done, total);
                                            });
  results.insert(results.end(), baselines.begin(), baselines.end());
  write_baseline_report(results, request.out_dir);
  std::vector<EvaluationRow> rows;
  for (const BaselineResult& r : results)
    rows.push_back({r.label, r.score.episodes, r.score.total_reward, r.score.total_reward_se,
                    r.score.cumulative_regret.back(), r.score.cumulative_regret_se.back()});
  return rows;
}

}  // namespace

DOPA_REGISTER_EVALUATION(EvaluationRegistration{
    "bandit", "bandit algorithms on Bandit-v0 episodes: total reward and cumulative regret", "Bandit-v0",
    evaluate_bandit});

}  // namespace dopa::agents
