// Maze-v0 as tensor operations (core/tensor_env.h): the rules of maze.h, every row at once.
// Per row: the agent's cell, the reward cell, the previous action and reward; the grid is shared.
#include <ATen/ATen.h>

#include "dopa/core/tensor_env.h"
#include "envs/maze/maze.h"

namespace dopa::envs {

namespace {

class TensorMaze : public TensorEnv {
 public:
  TensorMaze(const EnvSpec& spec, int64_t num_envs, const TensorEnvOptions& options)
      : TensorEnv(spec, num_envs, options), maze_(spec.config) {
    const int size = maze_.size();
    std::vector<int64_t> walls, open, candidates;
    const int64_t centre = (size / 2) * size + size / 2;
    for (int64_t cell = 0; cell < size * size; ++cell) {
      const bool wall = maze_.is_wall(static_cast<int>(cell / size), static_cast<int>(cell % size));
      walls.push_back(wall);
      if (wall) continue;
      open.push_back(cell);  // in cell order, as Maze's open_cells_
      if (cell != centre) candidates.push_back(cell);
    }
    const auto on_device = [&](const std::vector<int64_t>& values) {
      return at::tensor(values, at::kLong).to(device());
    };
    walls_ = on_device(walls).to(at::kBool);
    open_cells_ = on_device(open);
    reward_candidates_ = on_device(candidates);
    centre_ = centre;
    std::vector<int64_t> patch;  // the 3x3 neighbourhood, row-major, as offsets from the agent's cell
    for (int dr = -1; dr <= 1; ++dr)
      for (int dc = -1; dc <= 1; ++dc) patch.push_back(dr * size + dc);
    patch_ = on_device(patch);
    moves_ = on_device({-size, size, -1, 1});  // up, down, left, right
    episode_length_ = spec.config.get_int("episode_length");
    reward_value_ = spec.config.get_float("rew");
    wall_penalty_ = spec.config.get_float("wp");
    agent_ = at::full({num_envs}, centre, long_options());
    reward_cell_ = at::zeros({num_envs}, long_options());
    previous_action_ = at::zeros({num_envs}, long_options());
    previous_reward_ = at::zeros({num_envs}, double_options());
  }

 protected:
  void reset_rows(const at::Tensor& rows) override {
    const at::Tensor drawn = reward_candidates_.index({random().integer(reward_candidates_.numel(), rows)});
    reward_cell_ = at::where(rows, drawn, reward_cell_);
    agent_ = agent_.masked_fill(rows, centre_);
    previous_action_ = previous_action_.masked_fill(rows, 0);
    previous_reward_ = previous_reward_.masked_fill(rows, 0.0);
    write_observations();
  }

  void step_rows(const at::Tensor& actions) override {
    const at::Tensor target = agent_ + moves_.index({actions});
    const at::Tensor bumped = walls_.index({target});
    agent_ = at::where(bumped, agent_, target);
    at::Tensor reward = at::zeros_like(previous_reward_);
    if (wall_penalty_ != 0.0) reward.masked_fill_(bumped, -wall_penalty_);
    const at::Tensor goal = agent_ == reward_cell_;
    reward = reward + goal.to(at::kDouble) * reward_value_;
    // Teleport to a random open cell other than the reward cell: draw again where it hit it.
    at::Tensor teleport = goal;
    while (teleport.any().item<bool>()) {
      const at::Tensor drawn = open_cells_.index({random().integer(open_cells_.numel(), teleport)});
      agent_ = at::where(teleport, drawn, agent_);
      teleport = teleport & (agent_ == reward_cell_);
    }
    previous_action_ = actions;
    previous_reward_ = reward;
    rewards_ = reward;
    terminations_ = elapsed_steps() >= episode_length_;
    write_observations();
  }

 private:
  // Maze.h's 17 numbers: the wall patch, 0, bias 1, time, previous reward, previous action one-hot.
  void write_observations() {
    const int64_t B = num_envs();
    const at::Tensor patch = walls_.index({agent_.unsqueeze(1) + patch_}).to(at::kFloat);
    const at::Tensor time = (elapsed_steps().to(at::kDouble) / static_cast<double>(episode_length_)).to(at::kFloat);
    const at::Tensor actions = at::arange(4, long_options()).unsqueeze(0) == previous_action_.unsqueeze(1);
    observations_ = at::cat({patch, at::zeros({B, 1}, float_options()), at::ones({B, 1}, float_options()),
                             time.unsqueeze(1), previous_reward_.to(at::kFloat).unsqueeze(1), actions.to(at::kFloat)},
                            1);
  }

  Maze maze_;  // the grid's layout and the kwargs' checks
  at::Tensor walls_, open_cells_, reward_candidates_, patch_, moves_;
  int64_t centre_ = 0, episode_length_ = 0;
  double reward_value_ = 0.0, wall_penalty_ = 0.0;
  at::Tensor agent_, reward_cell_, previous_action_, previous_reward_;
};

}  // namespace

DOPA_REGISTER_TENSOR_ENV("Maze-v0", [](const EnvSpec& spec, int64_t num_envs, const TensorEnvOptions& options) {
  return std::unique_ptr<TensorEnv>(std::make_unique<TensorMaze>(spec, num_envs, options));
});

}  // namespace dopa::envs
