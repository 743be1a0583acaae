// CartPole-v1, exactly as Gymnasium's classic-control CartPole (Barto, Sutton & Anderson 1983).
//
// State x, x_dot, theta, theta_dot in double; observation = the state cast to float32. Explicit Euler
// with tau = 0.02 (every update from the old values). Terminates when |x| > 2.4 or |theta| > 12 deg.
// Reward +1 on every step including the terminating one (kwarg sutton_barto_reward: 0 per step and
// -1 on termination). Time limit 500, reward threshold 475. Reset: all four ~ U(-0.05, 0.05).
#pragma once

#include <array>

#include "dopa/core/env.h"

namespace dopa::envs {

class CartPole : public Env {
 public:
  explicit CartPole(const Config& config);

  std::vector<double> state() const override { return {state_.begin(), state_.end()}; }
  void set_state(const std::vector<double>& state, ObsOut obs) override;

 protected:
  void reset_impl(ObsOut obs, InfoOut info) override;
  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override;

 private:
  void write_obs(ObsOut obs) const;

  bool sutton_barto_reward_;
  std::array<double, 4> state_{};
};

}  // namespace dopa::envs
