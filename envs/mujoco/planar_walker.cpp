// Hopper-v5 and Walker2d-v5 (gymnasium/envs/mujoco/hopper_v5.py, walker2d_v5.py): make a planar
// one-legged hopper or two-legged walker move forward without falling. The two tasks differ only in
// their model, defaults and health test, so they share this class.
//
// Models: hopper.xml (qpos = rootx, rootz, rooty, thigh, leg, foot; 3 actuators) and walker2d.xml
// (the same root, then right and left thigh, leg, foot; 6 actuators), ctrl in [-1, 1], timestep
// 0.002 (RK4), frame_skip 4 -> dt 0.008.
// Observation: qpos without rootx (unless exclude_current_positions_from_observation = false),
// clip(qvel, +-10). Reward forward_reward_weight x_velocity + healthy_reward (only while healthy,
// as v5) - ctrl_cost_weight |a|^2. Healthy: healthy_z_min < z < healthy_z_max and
// healthy_angle_min < angle < healthy_angle_max (z = rootz, angle = rooty), and for the Hopper every
// element of (qpos, qvel)[2:] inside (healthy_state_min, healthy_state_max). Terminates when
// unhealthy (if terminate_when_unhealthy). Reset: qpos, qvel += U(-scale, scale). Time limit 1000;
// threshold 3800 (Hopper), none (Walker2d).
#include <algorithm>
#include <cmath>
#include <limits>

#include "envs/mujoco/mujoco_env.h"

namespace dopa::envs {

namespace {

enum InfoKeyIndex { kXPosition, kZDistanceFromOrigin, kXVelocity, kRewardForward, kRewardCtrl, kRewardSurvive };

constexpr double kInf = std::numeric_limits<double>::infinity();

class PlanarWalker : public MujocoEnv {
 public:
  explicit PlanarWalker(const Config& config)
      : MujocoEnv(config,
                  [](const mjModel* m, const Config& c) -> int64_t {
                    return m->nq + m->nv - (c.get_bool("exclude_current_positions_from_observation") ? 1 : 0);
                  },
                  {{"x_position", 1, "rootx after the step"},
                   {"z_distance_from_origin", 1, "rootz - its initial value"},
                   {"x_velocity", 1, "(rootx after - rootx before) / dt"},
                   {"reward_forward", 1, "forward_reward_weight x_velocity"},
                   {"reward_ctrl", 1, "-ctrl_cost_weight |action|^2"},
                   {"reward_survive", 1, "healthy_reward while healthy"}}),
        forward_reward_weight_(config.get_float("forward_reward_weight")),
        ctrl_cost_weight_(config.get_float("ctrl_cost_weight")),
        healthy_reward_(config.get_float("healthy_reward")),
        terminate_when_unhealthy_(config.get_bool("terminate_when_unhealthy")),
        healthy_z_min_(config.get_float("healthy_z_min")),
        healthy_z_max_(config.get_float("healthy_z_max")),
        healthy_angle_min_(config.get_float("healthy_angle_min")),
        healthy_angle_max_(config.get_float("healthy_angle_max")),
        checks_state_range_(config.has("healthy_state_min")),
        healthy_state_min_(checks_state_range_ ? config.get_float("healthy_state_min") : -kInf),
        healthy_state_max_(checks_state_range_ ? config.get_float("healthy_state_max") : kInf),
        reset_noise_scale_(config.get_float("reset_noise_scale")),
        skipped_positions_(config.get_bool("exclude_current_positions_from_observation") ? 1 : 0) {}

 protected:
  void write_obs(ObsOut obs) const override {
    write_qpos_qvel(obs.as<double>(), skipped_positions_, 10.0);
  }

  void reset_model() override { reset_with_noise(reset_noise_scale_, VelocityNoise::Uniform); }

  void write_reset_info(InfoOut info) const override {
    info.set(kXPosition, data()->qpos[0]);
    info.set(kZDistanceFromOrigin, data()->qpos[1] - init_qpos()[1]);
  }

  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override {
    const double x_before = data()->qpos[0];
    do_simulation(action);
    const double x_after = data()->qpos[0];
    const double x_velocity = (x_after - x_before) / dt();
    write_obs(obs);

    const bool healthy = is_healthy();
    const double forward_reward = forward_reward_weight_ * x_velocity;
    const double survive_reward = healthy ? healthy_reward_ : 0.0;
    const double ctrl_cost = ctrl_cost_weight_ * squared_norm(action);
    info.set(kXPosition, x_after);
    info.set(kZDistanceFromOrigin, data()->qpos[1] - init_qpos()[1]);
    info.set(kXVelocity, x_velocity);
    info.set(kRewardForward, forward_reward);
    info.set(kRewardCtrl, -ctrl_cost);
    info.set(kRewardSurvive, survive_reward);
    StepResult result;
    result.reward = forward_reward + survive_reward - ctrl_cost;
    result.terminated = !healthy && terminate_when_unhealthy_;
    return result;
  }

 private:
  bool is_healthy() const {
    const double z = data()->qpos[1], angle = data()->qpos[2];
    bool healthy = healthy_z_min_ < z && z < healthy_z_max_ && healthy_angle_min_ < angle && angle < healthy_angle_max_;
    if (checks_state_range_) {
      for (int i = 2; i < model()->nq; ++i) healthy = healthy && in_state_range(data()->qpos[i]);
      for (int i = 0; i < model()->nv; ++i) healthy = healthy && in_state_range(data()->qvel[i]);
    }
    return healthy;
  }
  bool in_state_range(double x) const { return healthy_state_min_ < x && x < healthy_state_max_; }

  double forward_reward_weight_;
  double ctrl_cost_weight_;
  double healthy_reward_;
  bool terminate_when_unhealthy_;
  double healthy_z_min_, healthy_z_max_;
  double healthy_angle_min_, healthy_angle_max_;
  bool checks_state_range_;
  double healthy_state_min_, healthy_state_max_;
  double reset_noise_scale_;
  int skipped_positions_;
};

ConfigSchema planar_walker_kwargs(double z_min, double z_max, double angle_limit) {
  return {{"forward_reward_weight", 1.0, "weight of the forward velocity"},
          {"ctrl_cost_weight", 1e-3, "weight of the control cost |action|^2"},
          {"healthy_reward", 1.0, "reward per step while healthy"},
          {"terminate_when_unhealthy", true, "end the episode when the robot is unhealthy"},
          {"healthy_z_min", z_min, "lower end of Gymnasium's healthy_z_range (torso height)"},
          {"healthy_z_max", z_max, "upper end of healthy_z_range"},
          {"healthy_angle_min", -angle_limit, "lower end of healthy_angle_range (torso pitch)"},
          {"healthy_angle_max", angle_limit, "upper end of healthy_angle_range"},
          {"reset_noise_scale", 5e-3, "qpos, qvel += U(-scale, scale) at reset"},
          {"exclude_current_positions_from_observation", true, "leave rootx out of the observation"}};
}

EnvRegistration hopper_registration() {
  ConfigSchema kwargs = planar_walker_kwargs(0.7, kInf, 0.2);
  kwargs.insert(kwargs.begin() + 6, {{"healthy_state_min", -100.0, "lower end of healthy_state_range, for (qpos, qvel)[2:]"},
                                     {"healthy_state_max", 100.0, "upper end of healthy_state_range"}});
  EnvRegistration r = mujoco_registration("Hopper-v5", "MuJoCo planar one-legged hopper moving forward (Gymnasium v5)",
                                          "hopper.xml", 4, kwargs);
  r.max_episode_steps = 1000;
  r.reward_threshold = 3800.0;
  r.factory = [](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<PlanarWalker>(c); };
  return r;
}

EnvRegistration walker2d_registration() {
  EnvRegistration r = mujoco_registration("Walker2d-v5", "MuJoCo planar biped walking forward (Gymnasium v5)",
                                          "walker2d.xml", 4, planar_walker_kwargs(0.8, 2.0, 1.0));
  r.max_episode_steps = 1000;
  r.factory = [](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<PlanarWalker>(c); };
  return r;
}

DOPA_REGISTER_ENV(hopper_registration());
DOPA_REGISTER_ENV(walker2d_registration());

}  // namespace

}  // namespace dopa::envs
