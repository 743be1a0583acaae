// InvertedDoublePendulum-v5 (gymnasium/envs/mujoco/inverted_double_pendulum_v5.py): balance two
// stacked poles on a cart.
//
// Model inverted_double_pendulum.xml: qpos = (cart slider, hinge, hinge2), one actuator on the slider,
// ctrl in [-1, 1]; timestep 0.01 (RK4), frame_skip 5 -> dt 0.05. Site "tip" is the top of pole 2.
// Observation (9): slider position, sin and cos of both hinges, clip(qvel, +-10),
// clip(qfrc_constraint[0], +-10). Reward healthy_reward (while up) - 0.01 x^2 - (y - 2)^2
// - 1e-3 v1^2 - 5e-3 v2^2, with (x, y) the tip's position and v the hinge velocities, all after the
// step. Terminates when the tip's height y <= 1. Reset: qpos += U(-scale, scale), qvel = scale N(0, 1).
// Time limit 1000, threshold 9100.
#include <algorithm>
#include <cmath>

#include "envs/mujoco/mujoco_env.h"

namespace dopa::envs {

namespace {

enum InfoKeyIndex { kRewardSurvive, kDistancePenalty, kVelocityPenalty };

class InvertedDoublePendulum : public MujocoEnv {
 public:
  explicit InvertedDoublePendulum(const Config& config)
      : MujocoEnv(config, [](const mjModel*, const Config&) -> int64_t { return 9; },
                  {{"reward_survive", 1, "healthy_reward while the tip is above 1"},
                   {"distance_penalty", 1, "-(0.01 x^2 + (y - 2)^2) of the tip"},
                   {"velocity_penalty", 1, "-(1e-3 v1^2 + 5e-3 v2^2) of the hinges"}}),
        healthy_reward_(config.get_float("healthy_reward")),
        reset_noise_scale_(config.get_float("reset_noise_scale")),
        tip_(site_id("tip")) {}

 protected:
  void write_obs(ObsOut obs) const override {
    const double* qpos = data()->qpos;
    double* out = obs.as<double>();
    out[0] = qpos[0];
    out[1] = std::sin(qpos[1]);
    out[2] = std::sin(qpos[2]);
    out[3] = std::cos(qpos[1]);
    out[4] = std::cos(qpos[2]);
    for (int i = 0; i < 3; ++i) out[5 + i] = std::clamp(data()->qvel[i], -10.0, 10.0);
    out[8] = std::clamp(data()->qfrc_constraint[0], -10.0, 10.0);
  }

  void reset_model() override { reset_with_noise(reset_noise_scale_, VelocityNoise::Normal); }

  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override {
    do_simulation(action);
    const double x = data()->site_xpos[3 * tip_];
    const double y = data()->site_xpos[3 * tip_ + 2];
    write_obs(obs);

    StepResult result;
    result.terminated = y <= 1.0;
    const double v1 = data()->qvel[1], v2 = data()->qvel[2];
    const double distance_penalty = 0.01 * x * x + (y - 2) * (y - 2);
    const double velocity_penalty = 1e-3 * v1 * v1 + 5e-3 * v2 * v2;
    const double alive_bonus = result.terminated ? 0.0 : healthy_reward_;
    result.reward = alive_bonus - distance_penalty - velocity_penalty;
    info.set(kRewardSurvive, alive_bonus);
    info.set(kDistancePenalty, -distance_penalty);
    info.set(kVelocityPenalty, -velocity_penalty);
    return result;
  }

 private:
  double healthy_reward_;
  double reset_noise_scale_;
  int tip_;
};

EnvRegistration inverted_double_pendulum_registration() {
  EnvRegistration r = mujoco_registration(
      "InvertedDoublePendulum-v5", "MuJoCo cart with two stacked poles: keep them up (Gymnasium v5)",
      "inverted_double_pendulum.xml", 5,
      {{"healthy_reward", 10.0, "reward per step while the tip is above 1"},
       {"reset_noise_scale", 0.1, "qpos += U(-scale, scale), qvel = scale N(0, 1) at reset"}});
  r.max_episode_steps = 1000;
  r.reward_threshold = 9100.0;
  r.factory = [](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<InvertedDoublePendulum>(c); };
  return r;
}

DOPA_REGISTER_ENV(inverted_double_pendulum_registration());

}  // namespace

}  // namespace dopa::envs
