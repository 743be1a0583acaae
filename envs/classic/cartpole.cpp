#include "envs/classic/cartpole.h"

#include <cmath>
#include <limits>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"

namespace dopa::envs {

namespace {

// Gymnasium's constants, combined in the same order as its Python code (results are bit-identical).
constexpr double kGravity = 9.8;
constexpr double kMassCart = 1.0;
constexpr double kMassPole = 0.1;
constexpr double kTotalMass = kMassPole + kMassCart;
constexpr double kLength = 0.5;  // half the pole's length
constexpr double kPoleMassLength = kMassPole * kLength;
constexpr double kForceMag = 10.0;
constexpr double kTau = 0.02;
const double kThetaThreshold = 12 * 2 * M_PI / 360;
constexpr double kXThreshold = 2.4;

Space cartpole_observation_space() {
  const double inf = std::numeric_limits<double>::infinity();
  const double theta_bound = kThetaThreshold * 2;
  return Space::box({-kXThreshold * 2, -inf, -theta_bound, -inf}, {kXThreshold * 2, inf, theta_bound, inf});
}

}  // namespace

CartPole::CartPole(const Config& config)
    : Env(cartpole_observation_space(), Space::discrete(2)), sutton_barto_reward_(config.get_bool("sutton_barto_reward")) {}

void CartPole::write_obs(ObsOut obs) const {
  float* out = obs.as<float>();
  for (int i = 0; i < 4; ++i) out[i] = static_cast<float>(state_[i]);
}

void CartPole::reset_impl(ObsOut obs, InfoOut) {
  for (double& s : state_) s = rng().uniform(-0.05, 0.05);
  write_obs(obs);
}

StepResult CartPole::step_impl(const Action& action, ObsOut obs, InfoOut) {
  const auto [x, x_dot, theta, theta_dot] = state_;
  const double force = action.index() == 1 ? kForceMag : -kForceMag;
  const double costheta = std::cos(theta);
  const double sintheta = std::sin(theta);

  const double temp = (force + kPoleMassLength * (theta_dot * theta_dot) * sintheta) / kTotalMass;
  const double thetaacc =
      (kGravity * sintheta - costheta * temp) / (kLength * (4.0 / 3.0 - kMassPole * (costheta * costheta) / kTotalMass));
  const double xacc = temp - kPoleMassLength * thetaacc * costheta / kTotalMass;

  state_ = {x + kTau * x_dot, x_dot + kTau * xacc, theta + kTau * theta_dot, theta_dot + kTau * thetaacc};
  write_obs(obs);

  StepResult result;
  result.terminated = state_[0] < -kXThreshold || state_[0] > kXThreshold || state_[2] < -kThetaThreshold ||
                      state_[2] > kThetaThreshold;
  if (sutton_barto_reward_) {
    result.reward = result.terminated ? -1.0 : 0.0;
  } else {
    result.reward = 1.0;
  }
  return result;
}

void CartPole::set_state(const std::vector<double>& state, ObsOut obs) {
  if (state.size() != 4) throw Error("CartPole state has 4 numbers (x, x_dot, theta, theta_dot)");
  for (int i = 0; i < 4; ++i) state_[i] = state[i];
  write_obs(obs);
}

EnvRegistration cartpole_registration() {
  EnvRegistration r;
  r.id = "CartPole-v1";
  r.description = "cart-pole balancing, Gymnasium-exact";
  r.config = {{"sutton_barto_reward", false, "reward 0 per step and -1 on termination instead of +1 per step"}};
  r.max_episode_steps = 500;
  r.reward_threshold = 475.0;
  r.factory = [](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<CartPole>(c); };
  return r;
}

DOPA_REGISTER_ENV(cartpole_registration());

}  // namespace dopa::envs
