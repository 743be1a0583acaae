// Acrobot-v1, exactly as Gymnasium's classic-control Acrobot (Sutton & Barto 1998, "book" dynamics):
// a two-link pendulum actuated at the elbow must swing its tip above a line one link length above
// the shoulder.
//
// State theta1, theta2, theta1_dot, theta2_dot in double (float32-valued after reset). Observation
// cos/sin of both angles and both velocities, float32. Action: Discrete(3), torque -1, 0, +1 on the
// elbow. One RK4 step of dt = 0.2; angles wrapped to [-pi, pi], velocities clipped to +-4pi, +-9pi.
// Reward -1 per step, 0 on the terminal step; terminates when -cos th1 - cos(th1 + th2) > 1;
// limit 500, threshold -100. Reset: all four ~ U(-0.1, 0.1), rounded to float32.
#pragma once

#include <array>

#include "dopa/core/env.h"

namespace dopa::envs {

class Acrobot : public Env {
 public:
  explicit Acrobot(const Config& config);

  std::vector<double> state() const override { return {state_.begin(), state_.end()}; }
  void set_state(const std::vector<double>& state, ObsOut obs) override;

 protected:
  void reset_impl(ObsOut obs, InfoOut info) override;
  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override;

 private:
  void write_obs(ObsOut obs) const;

  std::array<double, 4> state_{};
};

}  // namespace dopa::envs
