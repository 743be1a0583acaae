#include "envs/bandits/bandit.h"

#include <algorithm>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"

namespace dopa::envs {

namespace {

int64_t checked_arms(const Config& config) {
  const int64_t arms = config.get_int("arms");
  if (arms < 2 || arms > 10000) throw Error("Bandit kwarg 'arms' must be from 2 to 10000, got " + std::to_string(arms));
  return arms;
}

// The informative task pays up to 5; the others at most 1.
Space bandit_observation_space(const Config& config) {
  const int64_t arms = checked_arms(config);
  std::vector<double> low(arms + 2, 0.0), high(arms + 2, 1.0);
  if (config.get_string("task") == "informative") high[arms] = 5.0;
  return Space::box(low, high);
}

}  // namespace

Bandit::Bandit(const Config& config)
    : Env(bandit_observation_space(config), Space::discrete(checked_arms(config)),
          {{"expected_regret", 1, "max_i m_i - m_a for this pull (m: the expected payoffs)"},
           {"best_arm", 1, "index of the arm with the highest expected payoff (lowest index on ties)"},
           {"arm_means", checked_arms(config), "the arms' expected payoffs (Bernoulli tasks: probabilities)"}}),
      arms_(static_cast<int>(config.get_int("arms"))),
      trials_(static_cast<int>(config.get_int("trials"))),
      hazard_(config.get_float("hazard")) {
  const std::string& task = config.get_string("task");
  if (task == "independent") task_ = Task::Independent;
  else if (task == "dependent_uniform") task_ = Task::DependentUniform;
  else if (task == "easy") task_ = Task::Easy;
  else if (task == "medium") task_ = Task::Medium;
  else if (task == "hard") task_ = Task::Hard;
  else if (task == "restless") task_ = Task::Restless;
  else task_ = Task::Informative;
  if (task_ == Task::Informative && arms_ != kInformativeArms)
    throw Error("Bandit task 'informative' has 11 arms (10 payoff arms and the informative one); got arms = " +
                std::to_string(arms_));
  if (task_ != Task::Independent && task_ != Task::Informative && arms_ != 2)
    throw Error("Bandit task '" + task + "' has two arms (p2 = 1 - p1); got arms = " + std::to_string(arms_) +
                ". Use task = \"independent\" for k arms.");
  if (trials_ < 1) throw Error("Bandit kwarg 'trials' must be >= 1, got " + std::to_string(trials_));
  if (!(hazard_ >= 0 && hazard_ <= 1)) throw Error("Bandit kwarg 'hazard' must be in [0, 1]");
  if (task_ != Task::Restless && hazard_ != 0)
    throw Error("Bandit kwarg 'hazard' swaps the arms of task 'restless' only; task is '" + task + "'");
  means_.assign(arms_, 0.5);
}

int Bandit::best_arm() const {
  return static_cast<int>(std::max_element(means_.begin(), means_.end()) - means_.begin());
}

void Bandit::write_obs(ObsOut obs) const {
  float* out = obs.as<float>();
  for (int a = 0; a < arms_; ++a) out[a] = (a == previous_action_) ? 1.0f : 0.0f;
  out[arms_] = static_cast<float>(previous_reward_);
  out[arms_ + 1] = static_cast<float>(static_cast<double>(elapsed_steps()) / trials_);
}

void Bandit::reset_impl(ObsOut obs, InfoOut info) {
  auto pick = [&](double a, double b) { return rng().integer(2) == 0 ? a : b; };
  switch (task_) {
    case Task::Independent:
      for (double& p : means_) p = rng().uniform();
      break;
    case Task::DependentUniform: means_[0] = rng().uniform(); break;
    case Task::Restless:
      draw_restless_walk();
      reversed_ = false;
      means_[0] = walk_[0];
      break;
    case Task::Easy: means_[0] = pick(0.1, 0.9); break;
    case Task::Medium: means_[0] = pick(0.25, 0.75); break;
    case Task::Hard: means_[0] = pick(0.4, 0.6); break;
    case Task::Informative: {
      const int target = static_cast<int>(rng().integer(kInformativeArms - 1));
      for (int a = 0; a < kInformativeArms - 1; ++a) means_[a] = a == target ? kInformativeTarget : kInformativeOther;
      means_[kInformativeArms - 1] = kInformativeHintStep * (target + 1);
      break;
    }
  }
  if (arms_ == 2 && task_ != Task::Independent) means_[1] = 1.0 - means_[0];
  previous_action_ = -1;
  previous_reward_ = 0.0;
  write_obs(obs);
  info.set(kInfoBestArm, best_arm());
  info.set(kInfoArmMeans, means_.data(), arms_);
}

void Bandit::draw_restless_walk() {
  const int length = trials_ + trials_ / 2;  // awjuliani: a walk of 150 for 100 pulls
  const double v = 0.5 * rng().uniform();
  walk_.resize(length);
  double position = 0.0;
  for (double& p : walk_) p = position += v * (2 * rng().uniform() - 1);
  const auto [low, high] = std::minmax_element(walk_.begin(), walk_.end());
  const double lo = *low, span = *high - *low;
  for (double& p : walk_) p = span > 0 ? (p - lo) / span : 0.5;
}

// After pull t (elapsed_steps() = t + 1): the walk's next value, swapped while reversed.
void Bandit::move_restless_arms() {
  if (hazard_ > 0 && rng().bernoulli(hazard_)) reversed_ = !reversed_;
  const double p = walk_[std::min<size_t>(elapsed_steps(), walk_.size() - 1)];
  means_[0] = reversed_ ? 1 - p : p;
  means_[1] = 1 - means_[0];
}

StepResult Bandit::step_impl(const Action& action, ObsOut obs, InfoOut info) {
  const int a = static_cast<int>(action.index());
  StepResult result;
  result.reward = bernoulli() ? (rng().bernoulli(means_[a]) ? 1.0 : 0.0) : means_[a];
  result.terminated = elapsed_steps() >= trials_;
  previous_action_ = a;
  previous_reward_ = result.reward;
  write_obs(obs);
  // Regret of this pull, against the arms as they were when it was made.
  const int best = best_arm();
  info.set(kInfoExpectedRegret, means_[best] - means_[a]);
  info.set(kInfoBestArm, best);
  info.set(kInfoArmMeans, means_.data(), arms_);
  if (task_ == Task::Restless) move_restless_arms();
  return result;
}

std::vector<double> Bandit::state() const {
  std::vector<double> state = means_;
  state.push_back(previous_action_);
  state.push_back(previous_reward_);
  return state;
}

void Bandit::set_state(const std::vector<double>& state, ObsOut obs) {
  if (static_cast<int>(state.size()) != arms_ + 2)
    throw Error("Bandit state has arms + 2 numbers: the arm means, previous action, previous reward");
  for (int a = 0; a < arms_; ++a) {
    if (bernoulli() && !(state[a] >= 0.0 && state[a] <= 1.0))
      throw Error("Bandit state: arm probabilities must be in [0, 1]");
    means_[a] = state[a];
  }
  previous_action_ = static_cast<int>(state[arms_]);
  previous_reward_ = state[arms_ + 1];
  write_obs(obs);
}

namespace {

EnvRegistration bandit_registration(const std::string& id, const std::string& description, Kwargs preset) {
  EnvRegistration r;
  r.id = id;
  r.description = description;
  r.config = {
      {"task", "independent", "how the arms are drawn each episode",
       {"independent", "dependent_uniform", "easy", "medium", "hard", "restless", "informative"}},
      {"arms", 2, "number of arms (dependent and restless tasks have 2, informative 11)"},
      {"trials", 100, "pulls per episode (the episode then terminates)"},
      {"hazard", 0.0, "restless: probability per pull that the two arms swap"},
  };
  r.preset = std::move(preset);
  r.factory = [](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<Bandit>(c); };
  return r;
}

}  // namespace

DOPA_REGISTER_ENV(bandit_registration("Bandit-v0", "Bernoulli bandit, new arm probabilities each episode (kwarg task)", {}));
DOPA_REGISTER_ENV(bandit_registration("BanditDependentUniform-v0", "two arms, p1 ~ U[0,1], p2 = 1 - p1 (Wang 2016)",
                                      {{"task", "dependent_uniform"}}));
DOPA_REGISTER_ENV(bandit_registration("BanditEasy-v0", "two arms, p1 in {0.1, 0.9}, p2 = 1 - p1 (Wang 2016)",
                                      {{"task", "easy"}}));
DOPA_REGISTER_ENV(bandit_registration("BanditMedium-v0", "two arms, p1 in {0.25, 0.75}, p2 = 1 - p1 (Wang 2016)",
                                      {{"task", "medium"}}));
DOPA_REGISTER_ENV(bandit_registration("BanditHard-v0", "two arms, p1 in {0.4, 0.6}, p2 = 1 - p1 (Wang 2016)",
                                      {{"task", "hard"}}));
DOPA_REGISTER_ENV(bandit_registration("BanditRestless-v0",
                                      "two arms p, 1 - p; p drifts within the episode (awjuliani's Wang 2018 variant)",
                                      {{"task", "restless"}}));
DOPA_REGISTER_ENV(bandit_registration("BanditInformative-v0",
                                      "11 arms: one of 10 pays 5, the rest 1; arm 11 tells which (Wang 2016)",
                                      {{"task", "informative"}, {"arms", 11}, {"trials", 5}}));
DOPA_REGISTER_ENV(bandit_registration("BanditKArmed-v0", "k independent U[0,1] arms (RL² bandits; kwarg arms)",
                                      {{"arms", 5}}));

}  // namespace dopa::envs
