#include "envs/classic/pendulum.h"

#include <algorithm>
#include <cmath>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "envs/classic/python_math.h"

namespace dopa::envs {

namespace {

constexpr double kMaxSpeed = 8.0;
constexpr double kMaxTorque = 2.0;
constexpr double kDt = 0.05;
constexpr double kMass = 1.0;
constexpr double kLength = 1.0;

// ((x + pi) % (2 pi)) - pi with Python's floored modulo.
double angle_normalize(double x) { return python_mod(x + M_PI, 2 * M_PI) - M_PI; }

}  // namespace

Pendulum::Pendulum(const Config& config)
    : Env(Space::box({-1.0, -1.0, -kMaxSpeed}, {1.0, 1.0, kMaxSpeed}), Space::box(-kMaxTorque, kMaxTorque, {1})),
      gravity_(config.get_float("g")) {}

void Pendulum::write_obs(ObsOut obs) const {
  float* out = obs.as<float>();
  out[0] = static_cast<float>(std::cos(state_[0]));
  out[1] = static_cast<float>(std::sin(state_[0]));
  out[2] = static_cast<float>(state_[1]);
}

void Pendulum::reset_impl(ObsOut obs, InfoOut) {
  state_[0] = rng().uniform(-M_PI, M_PI);
  state_[1] = rng().uniform(-1.0, 1.0);
  write_obs(obs);
}

StepResult Pendulum::step_impl(const Action& action, ObsOut obs, InfoOut) {
  const auto [th, thdot] = state_;
  // The action is float32 (clipped in float32); all arithmetic on it is in double, as NumPy 1.x promotes.
  const double u = std::clamp(action.values()[0], static_cast<float>(-kMaxTorque), static_cast<float>(kMaxTorque));
  const double costs = python_square(angle_normalize(th)) + 0.1 * python_square(thdot) + 0.001 * python_square(u);

  double newthdot = thdot + (3 * gravity_ / (2 * kLength) * std::sin(th) + 3.0 / (kMass * (kLength * kLength)) * u) * kDt;
  newthdot = std::clamp(newthdot, -kMaxSpeed, kMaxSpeed);
  state_ = {th + newthdot * kDt, newthdot};
  write_obs(obs);

  StepResult result;
  result.reward = -costs;
  return result;
}

void Pendulum::set_state(const std::vector<double>& state, ObsOut obs) {
  if (state.size() != 2) throw Error("Pendulum state has 2 numbers (theta, theta_dot)");
  state_ = {state[0], state[1]};
  write_obs(obs);
}

EnvRegistration pendulum_registration() {
  EnvRegistration r;
  r.id = "Pendulum-v1";
  r.description = "pendulum swing-up with continuous torque, Gymnasium-exact";
  r.config = {{"g", 10.0, "gravitational acceleration"}};
  r.max_episode_steps = 200;
  r.factory = [](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<Pendulum>(c); };
  return r;
}

DOPA_REGISTER_ENV(pendulum_registration());

}  // namespace dopa::envs
