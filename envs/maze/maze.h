// Maze-v0: the Backpropamine grid maze (Miconi et al. 2019, §1 of specs/backpropamine.md).
//
// An L x L grid (L = size, odd): the border is wall, interior cells with both coordinates even are
// pillars, the centre is open. Each episode an invisible reward cell is drawn uniformly from the open
// cells other than the centre; the agent starts at the centre. Actions 0 up, 1 down, 2 left, 3 right.
// Bumping into a wall costs `wp` and the agent stays. Entering the reward cell pays `rew` and
// teleports the agent to a uniformly random open cell other than the reward cell. Episodes last
// `episode_length` steps (200) and then terminate: the time input makes the horizon part of the task,
// and the paper's returns do not bootstrap past it.
//
// Observation, 17 float32: 0-8 the 3x3 wall patch around the agent (row-major, 1 = wall), 9 always 0,
// 10 bias 1, 11 steps taken / episode_length, 12 the previous step's reward, 13-16 one-hot of the
// previous action (slot 13 at t = 0, as in the official code).
// Info: goal_reached (1 on a step that entered the reward cell), reward_row, reward_col.
#pragma once

#include <vector>

#include "dopa/core/env.h"

namespace dopa::envs {

class Maze : public Env {
 public:
  explicit Maze(const Config& config);

  int size() const { return size_; }
  bool is_wall(int row, int col) const { return walls_[row * size_ + col] != 0; }
  int open_cell_count() const { return static_cast<int>(open_cells_.size()); }
  int agent_row() const { return agent_ / size_; }
  int agent_col() const { return agent_ % size_; }
  int reward_row() const { return reward_cell_ / size_; }
  int reward_col() const { return reward_cell_ % size_; }

  // state() = {agent_row, agent_col, reward_row, reward_col, previous_action, previous_reward}.
  std::vector<double> state() const override;
  void set_state(const std::vector<double>& state, ObsOut obs) override;

  static constexpr int kObsSize = 17;
  static constexpr int kInfoGoalReached = 0, kInfoRewardRow = 1, kInfoRewardCol = 2;

 protected:
  void reset_impl(ObsOut obs, InfoOut info) override;
  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override;

 private:
  void write_obs(ObsOut obs) const;

  int size_;
  int episode_length_;
  double reward_value_;   // rew
  double wall_penalty_;   // wp
  std::vector<unsigned char> walls_;  // size_ * size_, row-major
  std::vector<int> open_cells_;       // cell = row * size_ + col
  std::vector<int> reward_candidates_;  // open cells except the centre
  int centre_ = 0;
  int agent_ = 0;
  int reward_cell_ = 0;
  int previous_action_ = 0;
  double previous_reward_ = 0.0;
};

}  // namespace dopa::envs
