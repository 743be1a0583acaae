// Pendulum-v1, exactly as Gymnasium's classic-control Pendulum (swing-up of a torque-limited pendulum).
//
// State theta (0 = upright, never wrapped), theta_dot, in double. Observation cos theta, sin theta,
// theta_dot as float32. Action: torque in Box(-2, 2, (1,)). Semi-implicit Euler with dt = 0.05:
// theta_dot += (3g/(2l) sin theta + 3/(ml^2) u) dt, clipped to +-8, then theta += theta_dot dt.
// Reward -(normalize(theta)^2 + 0.1 theta_dot^2 + 0.001 u^2) on the state before the step. Never
// terminates; time limit 200. Reset: theta ~ U(-pi, pi), theta_dot ~ U(-1, 1). Kwarg g (10).
#pragma once

#include <array>

#include "dopa/core/env.h"

namespace dopa::envs {

class Pendulum : public Env {
 public:
  explicit Pendulum(const Config& config);

  std::vector<double> state() const override { return {state_.begin(), state_.end()}; }
  void set_state(const std::vector<double>& state, ObsOut obs) override;

 protected:
  void reset_impl(ObsOut obs, InfoOut info) override;
  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override;

 private:
  void write_obs(ObsOut obs) const;

  double gravity_;
  std::array<double, 2> state_{};  // theta, theta_dot
};

}  // namespace dopa::envs
