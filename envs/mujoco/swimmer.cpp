// Swimmer-v5 (gymnasium/envs/mujoco/swimmer_v5.py): make a three-segment swimmer move forward (+x)
// through a viscous fluid.
//
// Model swimmer.xml: qpos = (slider x, slider y, rotation of the front segment, two hinges), two
// actuators, ctrl in [-1, 1]; timestep 0.01 (RK4), frame_skip 4 -> dt 0.04.
// Observation (8): qpos without x, y (unless exclude_current_positions_from_observation = false),
// qvel. Reward forward_reward_weight x_velocity - ctrl_cost_weight |a|^2. Never terminates.
// Reset: qpos, qvel += U(-scale, scale). Time limit 1000, threshold 360.
#include <cmath>

#include "envs/mujoco/mujoco_env.h"

namespace dopa::envs {

namespace {

enum InfoKeyIndex { kXPosition, kYPosition, kDistanceFromOrigin, kXVelocity, kYVelocity, kRewardForward, kRewardCtrl };

class Swimmer : public MujocoEnv {
 public:
  explicit Swimmer(const Config& config)
      : MujocoEnv(config,
                  [](const mjModel* m, const Config& c) -> int64_t {
                    return m->nq + m->nv - (c.get_bool("exclude_current_positions_from_observation") ? 2 : 0);
                  },
                  {{"x_position", 1, "x after the step"},
                   {"y_position", 1, "y after the step"},
                   {"distance_from_origin", 1, "|(x, y) - initial (x, y)|"},
                   {"x_velocity", 1, "(x after - x before) / dt"},
                   {"y_velocity", 1, "(y after - y before) / dt"},
                   {"reward_forward", 1, "forward_reward_weight x_velocity"},
                   {"reward_ctrl", 1, "-ctrl_cost_weight |action|^2"}}),
        forward_reward_weight_(config.get_float("forward_reward_weight")),
        ctrl_cost_weight_(config.get_float("ctrl_cost_weight")),
        reset_noise_scale_(config.get_float("reset_noise_scale")),
        skipped_positions_(config.get_bool("exclude_current_positions_from_observation") ? 2 : 0) {}

 protected:
  void write_obs(ObsOut obs) const override {
    write_qpos_qvel(obs.as<double>(), skipped_positions_);
  }

  void reset_model() override { reset_with_noise(reset_noise_scale_, VelocityNoise::Uniform); }

  void write_reset_info(InfoOut info) const override { write_position_info(info); }

  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override {
    const double x_before = data()->qpos[0], y_before = data()->qpos[1];
    do_simulation(action);
    const double x_velocity = (data()->qpos[0] - x_before) / dt();
    const double y_velocity = (data()->qpos[1] - y_before) / dt();
    write_obs(obs);

    const double forward_reward = forward_reward_weight_ * x_velocity;
    const double ctrl_cost = ctrl_cost_weight_ * squared_norm(action);
    write_position_info(info);
    info.set(kXVelocity, x_velocity);
    info.set(kYVelocity, y_velocity);
    info.set(kRewardForward, forward_reward);
    info.set(kRewardCtrl, -ctrl_cost);
    StepResult result;
    result.reward = forward_reward - ctrl_cost;
    return result;
  }

 private:
  void write_position_info(InfoOut info) const {
    const double dx = data()->qpos[0] - init_qpos()[0], dy = data()->qpos[1] - init_qpos()[1];
    info.set(kXPosition, data()->qpos[0]);
    info.set(kYPosition, data()->qpos[1]);
    info.set(kDistanceFromOrigin, std::sqrt(dx * dx + dy * dy));
  }

  double forward_reward_weight_;
  double ctrl_cost_weight_;
  double reset_noise_scale_;
  int skipped_positions_;
};

EnvRegistration swimmer_registration() {
  EnvRegistration r = mujoco_registration(
      "Swimmer-v5", "MuJoCo three-segment swimmer moving forward (Gymnasium v5)", "swimmer.xml", 4,
      {{"forward_reward_weight", 1.0, "weight of the forward velocity"},
       {"ctrl_cost_weight", 1e-4, "weight of the control cost |action|^2"},
       {"reset_noise_scale", 0.1, "qpos, qvel += U(-scale, scale) at reset"},
       {"exclude_current_positions_from_observation", true, "leave x, y out of the observation"}});
  r.max_episode_steps = 1000;
  r.reward_threshold = 360.0;
  r.factory = [](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<Swimmer>(c); };
  return r;
}

DOPA_REGISTER_ENV(swimmer_registration());

}  // namespace

}  // namespace dopa::envs
