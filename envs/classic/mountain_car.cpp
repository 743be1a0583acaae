#include "envs/classic/mountain_car.h"

#include <algorithm>
#include <cmath>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"

namespace dopa::envs {

namespace {

constexpr double kMinPosition = -1.2;
constexpr double kMaxPosition = 0.6;
constexpr double kMaxSpeed = 0.07;
constexpr double kGravity = 0.0025;
constexpr double kForce = 0.001;               // discrete push per unit of (action - 1)
constexpr double kPower = 0.0015;              // continuous push per unit of action
constexpr double kGoalPosition = 0.5;          // discrete
constexpr double kContinuousGoalPosition = 0.45;

Space mountain_car_observation_space() {
  return Space::box({kMinPosition, -kMaxSpeed}, {kMaxPosition, kMaxSpeed});
}

Space mountain_car_action_space(bool continuous) {
  return continuous ? Space::box(-1.0, 1.0, {1}) : Space::discrete(3);
}

}  // namespace

MountainCar::MountainCar(const Config& config, bool continuous)
    : Env(mountain_car_observation_space(), mountain_car_action_space(continuous)),
      continuous_(continuous),
      goal_velocity_(config.get_float("goal_velocity")) {}

void MountainCar::write_obs(ObsOut obs) const {
  float* out = obs.as<float>();
  out[0] = static_cast<float>(state_[0]);
  out[1] = static_cast<float>(state_[1]);
}

void MountainCar::reset_impl(ObsOut obs, InfoOut) {
  state_ = {rng().uniform(-0.6, -0.4), 0.0};
  write_obs(obs);
}

StepResult MountainCar::step_impl(const Action& action, ObsOut obs, InfoOut) {
  auto [position, velocity] = state_;
  // The same operation order as each Gymnasium version (they differ), for bit-identical results.
  double raw_action = 0.0;
  if (continuous_) {
    raw_action = action.values()[0];  // float32 promoted to double
    const double force = std::min(std::max(raw_action, -1.0), 1.0);
    velocity += force * kPower - kGravity * std::cos(3 * position);
  } else {
    velocity += static_cast<double>(action.index() - 1) * kForce + std::cos(3 * position) * (-kGravity);
  }
  velocity = std::clamp(velocity, -kMaxSpeed, kMaxSpeed);
  position = std::clamp(position + velocity, kMinPosition, kMaxPosition);
  if (position == kMinPosition && velocity < 0) velocity = 0;

  StepResult result;
  const double goal = continuous_ ? kContinuousGoalPosition : kGoalPosition;
  result.terminated = position >= goal && velocity >= goal_velocity_;
  if (continuous_) {
    result.reward = (result.terminated ? 100.0 : 0.0) - raw_action * raw_action * 0.1;
    // Gymnasium keeps the continuous env's state as a float32 array.
    position = static_cast<float>(position);
    velocity = static_cast<float>(velocity);
  } else {
    result.reward = -1.0;
  }
  state_ = {position, velocity};
  write_obs(obs);
  return result;
}

void MountainCar::set_state(const std::vector<double>& state, ObsOut obs) {
  if (state.size() != 2) throw Error(name() + " state has 2 numbers (position, velocity)");
  state_ = {state[0], state[1]};
  write_obs(obs);
}

EnvRegistration mountain_car_registration(bool continuous) {
  EnvRegistration r;
  r.id = continuous ? "MountainCarContinuous-v0" : "MountainCar-v0";
  r.description = continuous ? "mountain car with a continuous push, Gymnasium-exact"
                             : "mountain car with three discrete pushes, Gymnasium-exact";
  r.config = {{"goal_velocity", 0.0, "the car must reach the goal at least this fast"}};
  r.max_episode_steps = continuous ? 999 : 200;
  r.reward_threshold = continuous ? 90.0 : -110.0;
  r.factory = [continuous](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<MountainCar>(c, continuous); };
  return r;
}

DOPA_REGISTER_ENV(mountain_car_registration(false));
DOPA_REGISTER_ENV(mountain_car_registration(true));

}  // namespace dopa::envs
