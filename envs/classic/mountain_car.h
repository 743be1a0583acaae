// MountainCar-v0 and MountainCarContinuous-v0, exactly as Gymnasium's classic-control versions
// (Moore 1990): an under-powered car in a valley must rock back and forth to reach the flag.
//
// State position in [-1.2, 0.6], velocity in [-0.07, 0.07]; observation = the state as float32.
// velocity += push - 0.0025 cos(3 position), clipped; position += velocity, clipped; at the left
// wall a leftward velocity becomes 0.
//   MountainCar-v0:           Discrete(3) (left, none, right), push (a - 1) * 0.001; reward -1 per
//                             step; goal position >= 0.5 with velocity >= 0; limit 200.
//   MountainCarContinuous-v0: Box(-1, 1, (1,)), push clip(a) * 0.0015; reward 100 at the goal minus
//                             0.1 a^2 every step; goal position >= 0.45; state rounded to float32
//                             after each step (as Gymnasium stores it); limit 999.
// Reset: position ~ U(-0.6, -0.4), velocity 0.
#pragma once

#include <array>

#include "dopa/core/env.h"

namespace dopa::envs {

class MountainCar : public Env {
 public:
  MountainCar(const Config& config, bool continuous);

  std::vector<double> state() const override { return {state_.begin(), state_.end()}; }
  void set_state(const std::vector<double>& state, ObsOut obs) override;

 protected:
  void reset_impl(ObsOut obs, InfoOut info) override;
  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override;

 private:
  void write_obs(ObsOut obs) const;

  bool continuous_;
  double goal_velocity_;
  std::array<double, 2> state_{};  // position, velocity
};

}  // namespace dopa::envs
