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

}  // namespace

Bandit::Bandit(const Config& config)
    : Env(Space::box(0.0, 1.0, {checked_arms(config) + 2}), Space::discrete(checked_arms(config)),
          {{"expected_regret", 1, "max_i p_i - p_a for this pull"},
           {"best_arm", 1, "index of the arm with the highest probability (lowest index on ties)"},
           {"arm_probs", checked_arms(config), "this episode's arm probabilities"}}),
      arms_(static_cast<int>(config.get_int("arms"))),
      trials_(static_cast<int>(config.get_int("trials"))) {
  const std::string& task = config.get_string("task");
  if (task == "independent") task_ = Task::Independent;
  else if (task == "dependent_uniform") task_ = Task::DependentUniform;
  else if (task == "easy") task_ = Task::Easy;
  else if (task == "medium") task_ = Task::Medium;
  else task_ = Task::Hard;
  if (task_ != Task::Independent && arms_ != 2)
    throw Error("Bandit task '" + task + "' has two arms (p2 = 1 - p1); got arms = " + std::to_string(arms_) +
                ". Use task = \"independent\" for k arms.");
  if (trials_ < 1) throw Error("Bandit kwarg 'trials' must be >= 1, got " + std::to_string(trials_));
  probs_.assign(arms_, 0.5);
}

int Bandit::best_arm() const {
  return static_cast<int>(std::max_element(probs_.begin(), probs_.end()) - probs_.begin());
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
      for (double& p : probs_) p = rng().uniform();
      break;
    case Task::DependentUniform: probs_[0] = rng().uniform(); break;
    case Task::Easy: probs_[0] = pick(0.1, 0.9); break;
    case Task::Medium: probs_[0] = pick(0.25, 0.75); break;
    case Task::Hard: probs_[0] = pick(0.4, 0.6); break;
  }
  if (task_ != Task::Independent) probs_[1] = 1.0 - probs_[0];
  previous_action_ = -1;
  previous_reward_ = 0.0;
  write_obs(obs);
  info.set(kInfoBestArm, best_arm());
  info.set(kInfoArmProbs, probs_.data(), arms_);
}

StepResult Bandit::step_impl(const Action& action, ObsOut obs, InfoOut info) {
  const int a = static_cast<int>(action.index());
  StepResult result;
  result.reward = rng().bernoulli(probs_[a]) ? 1.0 : 0.0;
  result.terminated = elapsed_steps() >= trials_;
  previous_action_ = a;
  previous_reward_ = result.reward;
  write_obs(obs);
  const int best = best_arm();
  info.set(kInfoExpectedRegret, probs_[best] - probs_[a]);
  info.set(kInfoBestArm, best);
  info.set(kInfoArmProbs, probs_.data(), arms_);
  return result;
}

std::vector<double> Bandit::state() const {
  std::vector<double> state = probs_;
  state.push_back(previous_action_);
  state.push_back(previous_reward_);
  return state;
}

void Bandit::set_state(const std::vector<double>& state, ObsOut obs) {
  if (static_cast<int>(state.size()) != arms_ + 2)
    throw Error("Bandit state has arms + 2 numbers: the arm probabilities, previous action, previous reward");
  for (int a = 0; a < arms_; ++a) {
    if (!(state[a] >= 0.0 && state[a] <= 1.0)) throw Error("Bandit state: arm probabilities must be in [0, 1]");
    probs_[a] = state[a];
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
      {"task", "independent", "how arm probabilities are drawn each episode",
       {"independent", "dependent_uniform", "easy", "medium", "hard"}},
      {"arms", 2, "number of arms (dependent tasks have 2)"},
      {"trials", 100, "pulls per episode (the episode then terminates)"},
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
DOPA_REGISTER_ENV(bandit_registration("BanditKArmed-v0", "k independent U[0,1] arms (RL² bandits; kwarg arms)",
                                      {{"arms", 5}}));

}  // namespace dopa::envs
