#include "envs/maze/maze.h"

#include <algorithm>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"

namespace dopa::envs {

namespace {

constexpr int kRowStep[4] = {-1, 1, 0, 0};  // up, down, left, right
constexpr int kColStep[4] = {0, 0, -1, 1};

int checked_size(const Config& config) {
  const int64_t size = config.get_int("size");
  if (size < 5 || size % 2 == 0 || size > 1001)
    throw Error("Maze-v0 kwarg 'size' must be an odd number from 5 to 1001, got " + std::to_string(size));
  return static_cast<int>(size);
}

Space maze_observation_space(double reward, double wall_penalty) {
  std::vector<double> low(Maze::kObsSize, 0.0), high(Maze::kObsSize, 1.0);
  high[9] = 0.0;                                  // unused slot
  low[10] = 1.0;                                  // bias
  low[12] = std::min({0.0, -wall_penalty, reward});  // previous reward: 0, -wp or rew
  high[12] = std::max({0.0, -wall_penalty, reward});
  return Space::box(low, high);
}

}  // namespace

Maze::Maze(const Config& config)
    : Env(maze_observation_space(config.get_float("rew"), config.get_float("wp")), Space::discrete(4),
          {{"goal_reached", 1, "1 on a step that entered the reward cell"},
           {"reward_row", 1, "row of this episode's reward cell"},
           {"reward_col", 1, "column of this episode's reward cell"}}),
      size_(checked_size(config)),
      episode_length_(static_cast<int>(config.get_int("episode_length"))),
      reward_value_(config.get_float("rew")),
      wall_penalty_(config.get_float("wp")) {
  if (episode_length_ < 1)
    throw Error("Maze-v0 kwarg 'episode_length' must be >= 1, got " + std::to_string(episode_length_));
  walls_.assign(size_ * size_, 0);
  for (int r = 0; r < size_; ++r) {
    for (int c = 0; c < size_; ++c) {
      const bool border = r == 0 || c == 0 || r == size_ - 1 || c == size_ - 1;
      const bool pillar = r % 2 == 0 && c % 2 == 0;
      walls_[r * size_ + c] = (border || pillar) ? 1 : 0;
    }
  }
  centre_ = (size_ / 2) * size_ + size_ / 2;
  walls_[centre_] = 0;
  for (int cell = 0; cell < size_ * size_; ++cell) {
    if (walls_[cell]) continue;
    open_cells_.push_back(cell);
    if (cell != centre_) reward_candidates_.push_back(cell);
  }
}

void Maze::write_obs(ObsOut obs) const {
  float* out = obs.as<float>();
  const int row = agent_ / size_, col = agent_ % size_;
  int i = 0;
  for (int dr = -1; dr <= 1; ++dr)
    for (int dc = -1; dc <= 1; ++dc) out[i++] = walls_[(row + dr) * size_ + (col + dc)] ? 1.0f : 0.0f;
  out[9] = 0.0f;
  out[10] = 1.0f;
  out[11] = static_cast<float>(static_cast<double>(elapsed_steps()) / episode_length_);
  out[12] = static_cast<float>(previous_reward_);
  for (int a = 0; a < 4; ++a) out[13 + a] = (a == previous_action_) ? 1.0f : 0.0f;
}

void Maze::reset_impl(ObsOut obs, InfoOut info) {
  reward_cell_ = reward_candidates_[rng().integer(static_cast<int64_t>(reward_candidates_.size()))];
  agent_ = centre_;
  previous_action_ = 0;
  previous_reward_ = 0.0;
  write_obs(obs);
  info.set(kInfoRewardRow, reward_row());
  info.set(kInfoRewardCol, reward_col());
}

StepResult Maze::step_impl(const Action& action, ObsOut obs, InfoOut info) {
  const int a = static_cast<int>(action.index());
  const int target = agent_ + kRowStep[a] * size_ + kColStep[a];
  StepResult result;
  if (walls_[target]) {
    result.reward = wall_penalty_ != 0.0 ? -wall_penalty_ : 0.0;  // never -0.0
  } else {
    agent_ = target;
  }
  const bool goal_reached = agent_ == reward_cell_;
  if (goal_reached) {
    result.reward += reward_value_;
    do {
      agent_ = open_cells_[rng().integer(static_cast<int64_t>(open_cells_.size()))];
    } while (agent_ == reward_cell_);
  }
  previous_action_ = a;
  previous_reward_ = result.reward;
  result.terminated = elapsed_steps() >= episode_length_;
  write_obs(obs);
  info.set(kInfoGoalReached, goal_reached ? 1.0 : 0.0);
  info.set(kInfoRewardRow, reward_row());
  info.set(kInfoRewardCol, reward_col());
  return result;
}

std::vector<double> Maze::state() const {
  return {static_cast<double>(agent_row()), static_cast<double>(agent_col()),
          static_cast<double>(reward_row()), static_cast<double>(reward_col()),
          static_cast<double>(previous_action_), previous_reward_};
}

void Maze::set_state(const std::vector<double>& state, ObsOut obs) {
  if (state.size() != 6)
    throw Error("Maze state has 6 numbers: agent_row, agent_col, reward_row, reward_col, previous_action, previous_reward");
  auto cell = [&](double row, double col) {
    const int r = static_cast<int>(row), c = static_cast<int>(col);
    if (r < 0 || c < 0 || r >= size_ || c >= size_ || walls_[r * size_ + c])
      throw Error("Maze state: cell (" + std::to_string(r) + ", " + std::to_string(c) + ") is not an open cell");
    return r * size_ + c;
  };
  agent_ = cell(state[0], state[1]);
  reward_cell_ = cell(state[2], state[3]);
  previous_action_ = static_cast<int>(state[4]);
  previous_reward_ = state[5];
  write_obs(obs);
}

EnvRegistration maze_registration() {
  EnvRegistration r;
  r.id = "Maze-v0";
  r.description = "Backpropamine grid maze: find the invisible reward cell, teleport, repeat";
  r.config = {
      {"size", 11, "grid side L (odd); 11 in the paper text, 13 in the paper's runs"},
      {"rew", 10.0, "reward for entering the reward cell"},
      {"wp", 0.0, "penalty for bumping into a wall"},
      {"episode_length", 200, "steps per episode (the episode then terminates)"},
  };
  r.factory = [](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<Maze>(c); };
  return r;
}

DOPA_REGISTER_ENV(maze_registration());

}  // namespace dopa::envs
