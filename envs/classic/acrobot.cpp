#include "envs/classic/acrobot.h"

#include <algorithm>
#include <cmath>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "envs/classic/python_math.h"

namespace dopa::envs {

namespace {

constexpr double kDt = 0.2;
constexpr double kLinkLength1 = 1.0;
constexpr double kLinkMass1 = 1.0;
constexpr double kLinkMass2 = 1.0;
constexpr double kLinkComPosition1 = 0.5;
constexpr double kLinkComPosition2 = 0.5;
constexpr double kLinkMomentOfInertia = 1.0;
constexpr double kMaxVelocity1 = 4 * M_PI;
constexpr double kMaxVelocity2 = 9 * M_PI;
constexpr double kTorques[3] = {-1.0, 0.0, 1.0};

// The state with the torque appended, as Gymnasium integrates it (the torque's derivative is 0).
using Augmented = std::array<double, 5>;

// The equations of motion ("book" form), every expression in the order Gymnasium writes it.
Augmented derivatives(const Augmented& s) {
  const double m1 = kLinkMass1, m2 = kLinkMass2, l1 = kLinkLength1;
  const double lc1 = kLinkComPosition1, lc2 = kLinkComPosition2;
  const double I1 = kLinkMomentOfInertia, I2 = kLinkMomentOfInertia;
  const double g = 9.8;
  const double a = s[4];
  const double theta1 = s[0], theta2 = s[1], dtheta1 = s[2], dtheta2 = s[3];
  const double d1 =
      m1 * python_square(lc1) + m2 * (python_square(l1) + python_square(lc2) + 2 * l1 * lc2 * std::cos(theta2)) + I1 + I2;
  const double d2 = m2 * (python_square(lc2) + l1 * lc2 * std::cos(theta2)) + I2;
  const double phi2 = m2 * lc2 * g * std::cos(theta1 + theta2 - M_PI / 2.0);
  const double phi1 = -m2 * l1 * lc2 * python_square(dtheta2) * std::sin(theta2) -
                      2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * std::sin(theta2) +
                      (m1 * lc1 + m2 * l1) * g * std::cos(theta1 - M_PI / 2) + phi2;
  const double ddtheta2 =
      (a + d2 / d1 * phi1 - m2 * l1 * lc2 * python_square(dtheta1) * std::sin(theta2) - phi2) /
      (m2 * python_square(lc2) + I2 - python_square(d2) / d1);
  const double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
  return {dtheta1, dtheta2, ddtheta1, ddtheta2, 0.0};
}

// y + h * k, elementwise.
Augmented advance(const Augmented& y, double h, const Augmented& k) {
  Augmented out;
  for (size_t i = 0; i < out.size(); ++i) out[i] = y[i] + h * k[i];
  return out;
}

// One classic Runge-Kutta step of length dt.
Augmented rk4(const Augmented& y0, double dt) {
  const double dt2 = dt / 2.0;
  const Augmented k1 = derivatives(y0);
  const Augmented k2 = derivatives(advance(y0, dt2, k1));
  const Augmented k3 = derivatives(advance(y0, dt2, k2));
  const Augmented k4 = derivatives(advance(y0, dt, k3));
  Augmented out;
  for (size_t i = 0; i < out.size(); ++i) out[i] = y0[i] + dt / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  return out;
}

// Wraps x into [low, high] by whole turns, as Gymnasium's wrap().
double wrap(double x, double low, double high) {
  const double turn = high - low;
  while (x > high) x = x - turn;
  while (x < low) x = x + turn;
  return x;
}

}  // namespace

Acrobot::Acrobot(const Config&)
    : Env(Space::box({-1.0, -1.0, -1.0, -1.0, -kMaxVelocity1, -kMaxVelocity2},
                     {1.0, 1.0, 1.0, 1.0, kMaxVelocity1, kMaxVelocity2}),
          Space::discrete(3)) {}

void Acrobot::write_obs(ObsOut obs) const {
  float* out = obs.as<float>();
  out[0] = static_cast<float>(std::cos(state_[0]));
  out[1] = static_cast<float>(std::sin(state_[0]));
  out[2] = static_cast<float>(std::cos(state_[1]));
  out[3] = static_cast<float>(std::sin(state_[1]));
  out[4] = static_cast<float>(state_[2]);
  out[5] = static_cast<float>(state_[3]);
}

void Acrobot::reset_impl(ObsOut obs, InfoOut) {
  for (double& s : state_) s = static_cast<float>(rng().uniform(-0.1, 0.1));
  write_obs(obs);
}

StepResult Acrobot::step_impl(const Action& action, ObsOut obs, InfoOut) {
  const Augmented next = rk4({state_[0], state_[1], state_[2], state_[3], kTorques[action.index()]}, kDt);
  state_ = {wrap(next[0], -M_PI, M_PI), wrap(next[1], -M_PI, M_PI),
            std::min(std::max(next[2], -kMaxVelocity1), kMaxVelocity1),
            std::min(std::max(next[3], -kMaxVelocity2), kMaxVelocity2)};
  write_obs(obs);

  StepResult result;
  result.terminated = -std::cos(state_[0]) - std::cos(state_[1] + state_[0]) > 1.0;
  result.reward = result.terminated ? 0.0 : -1.0;
  return result;
}

void Acrobot::set_state(const std::vector<double>& state, ObsOut obs) {
  if (state.size() != 4) throw Error("Acrobot state has 4 numbers (theta1, theta2, theta1_dot, theta2_dot)");
  for (int i = 0; i < 4; ++i) state_[i] = state[i];
  write_obs(obs);
}

EnvRegistration acrobot_registration() {
  EnvRegistration r;
  r.id = "Acrobot-v1";
  r.description = "two-link acrobot swing-up, Gymnasium-exact";
  r.max_episode_steps = 500;
  r.reward_threshold = -100.0;
  r.factory = [](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<Acrobot>(c); };
  return r;
}

DOPA_REGISTER_ENV(acrobot_registration());

}  // namespace dopa::envs
