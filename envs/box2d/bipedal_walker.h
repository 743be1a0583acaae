// BipedalWalker-v3 and BipedalWalkerHardcore-v3, as Gymnasium's box2d/bipedal_walker.py (Oleg Klimov).
//
// A hull on two legs (hip and knee joints with motors) walks right over 200 steps of terrain. Action
// Box(-1, 1, (4,)): for hip 1, knee 1, hip 2, knee 2 the motor runs at full speed in the action's
// sign with torque 80 |a|. Observation (24): hull angle, angular velocity, horizontal and vertical
// speed, per leg hip angle and speed, knee angle + 1 and speed, lower-leg ground contact, then 10
// lidar fractions (ray casts below and ahead of the hull, the closest ground hit). Reward: progress
// (130 x / SCALE) minus 5 |hull angle| as a change per step, minus 0.00035 * 80 * sum |a|; -100 and
// terminated when the hull touches the ground or x < 0; terminated at the terrain's end. Time limit
// 1600 (hardcore: 2000), reward threshold 300. kwarg hardcore adds stumps, pits and stairs.
//
// Facts from shared/specs/envs.md §4.4 and Gymnasium's source; Box2D 2.4.1 instead of
// pybox2d's 2.3.10 (see envs/box2d/lunar_lander.h), and dopa's own random stream (Env::rng()). The
// decorative clouds (random draws with no effect on the physics) are not generated.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "dopa/core/env.h"

class b2Body;
class b2RevoluteJoint;
class b2World;

namespace dopa::envs {

class BipedalWalker : public Env {
 public:
  explicit BipedalWalker(const Config& config);
  ~BipedalWalker() override;

  // The hull's x position (world units), for tests and analyses of progress.
  double hull_x() const;

 protected:
  void reset_impl(ObsOut obs, InfoOut info) override;
  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override;

 private:
  class ContactListener;

  void generate_terrain();
  void build_walker();
  // Motors from the action (4 values), one world step, observation, reward and termination.
  StepResult simulate(const float* action, ObsOut obs);

  bool hardcore_;
  std::unique_ptr<ContactListener> contact_listener_;
  std::unique_ptr<b2World> world_;
  b2Body* hull_ = nullptr;
  std::array<b2Body*, 4> legs_{};  // upper 1, lower 1, upper 2, lower 2
  std::array<b2RevoluteJoint*, 4> joints_{};  // hip 1, knee 1, hip 2, knee 2
  std::array<bool, 2> lower_leg_contact_{};
  bool game_over_ = false;  // the hull touched the ground
  double previous_shaping_ = 0.0;
  bool has_previous_shaping_ = false;
  std::vector<double> terrain_x_, terrain_y_;
};

}  // namespace dopa::envs
