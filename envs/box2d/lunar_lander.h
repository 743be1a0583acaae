// LunarLander-v3 and LunarLanderContinuous-v3, as Gymnasium's box2d/lunar_lander.py (Oleg Klimov).
//
// A lander (a six-sided hull on two spring-loaded legs) starts at the top centre of a 20 x 13.3
// world with a random push and must come to rest on the flat pad between the two flags at (0, 0) of
// its observation. Actions fire the main engine or one of the two side engines: Discrete(4)
// (nothing, left, main, right) or, with continuous=true, Box(-1, 1, (2,)) throttles (main: off
// below 0, 50%..100% above; lateral: off inside (-0.5, 0.5)). Reward: the change of a shaping
// potential (distance, speed, tilt, leg contacts) minus fuel; -100 when the hull touches the ground
// or |x| >= 1, +100 when Box2D puts the lander to sleep (landed and at rest). Time limit 1000, reward
// threshold 200. kwargs: gravity (in (-12, 0)), enable_wind, wind_power, turbulence_power.
//
// Facts from shared/specs/envs.md §4.4 and Gymnasium's source. Gymnasium runs pybox2d 2.3.10;
// this port runs Debian's Box2D 2.4.1, whose solver differs slightly (the revolute joint's limit most
// of all), so trajectories drift from Gymnasium's and the port is validated statistically: the
// heuristic controller's mean return (tests/test_lunar_lander.cpp). The random streams are dopa's own
// (Env::rng()), drawn in Gymnasium's order.
#pragma once

#include <array>
#include <memory>

#include "dopa/core/env.h"

class b2Body;
class b2World;

namespace dopa::envs {

class LunarLander : public Env {
 public:
  LunarLander(const Config& config, const std::string& id);
  ~LunarLander() override;

  // The Box2D world of the current episode, after reset() (benchmarks compare the env's step with its
  // bare Step).
  b2World& world() { return *world_; }

 protected:
  void reset_impl(ObsOut obs, InfoOut info) override;
  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override;

 private:
  class ContactListener;

  // What an action asks of the engines: throttles in [0.5, 1] (0: off) and the side engine's
  // direction (-1 left, +1 right).
  struct EngineCommand {
    double main_power = 0.0;
    double side_power = 0.0;
    double side_direction = 0.0;
  };

  EngineCommand engine_command(const Action& action) const;
  void build_world();
  // One frame: wind, engines, world step, observation, reward and termination.
  StepResult simulate(const EngineCommand& command, ObsOut obs);

  bool continuous_;
  double gravity_;
  bool enable_wind_;
  double wind_power_;
  double turbulence_power_;

  std::unique_ptr<ContactListener> contact_listener_;
  std::unique_ptr<b2World> world_;
  b2Body* lander_ = nullptr;
  std::array<b2Body*, 2> legs_{};
  std::array<bool, 2> leg_contact_{};
  bool game_over_ = false;  // the hull touched the ground
  double helipad_y_ = 0.0;
  double previous_shaping_ = 0.0;
  bool has_previous_shaping_ = false;
  int64_t wind_index_ = 0;
  int64_t torque_index_ = 0;
};

}  // namespace dopa::envs
