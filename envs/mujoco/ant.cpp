// Ant-v5 (gymnasium/envs/mujoco/ant_v5.py): make a four-legged ant walk forward (+x).
//
// Model ant.xml: a free-floating torso (qpos 0-6: x, y, z, quaternion; qvel 0-5) and four legs of
// two hinges each (hip, ankle), eight actuators, ctrl in [-1, 1]; timestep 0.01 (RK4), frame_skip 5
// -> dt 0.05. 14 bodies (the world first).
// Observation (105): qpos without x, y (unless exclude_current_positions_from_observation = false),
// qvel, and (if include_cfrc_ext_in_observation) the external contact forces of every body but the
// world, clipped to the contact force range, 6 each. Reward forward_reward_weight x_velocity +
// healthy_reward (while healthy) - ctrl_cost_weight |a|^2 - contact_cost_weight |clipped cfrc_ext|^2,
// x_velocity from the main body's xpos (which, read after mj_step, lags qpos by one physics step:
// Gymnasium reads the same field). Healthy: (qpos, qvel) finite and healthy_z_min <= z <=
// healthy_z_max. Reset: qpos += U(-scale, scale), qvel = scale N(0, 1). Time limit 1000, threshold 6000.
#include <algorithm>
#include <cmath>

#include "dopa/core/error.h"
#include "envs/mujoco/mujoco_env.h"

namespace dopa::envs {

namespace {

enum InfoKeyIndex {
  kXPosition, kYPosition, kDistanceFromOrigin, kXVelocity, kYVelocity,
  kRewardForward, kRewardCtrl, kRewardContact, kRewardSurvive
};

class Ant : public MujocoEnv {
 public:
  explicit Ant(const Config& config)
      : MujocoEnv(config,
                  [](const mjModel* m, const Config& c) -> int64_t {
                    return m->nq - (c.get_bool("exclude_current_positions_from_observation") ? 2 : 0) + m->nv +
                           (c.get_bool("include_cfrc_ext_in_observation") ? 6 * (m->nbody - 1) : 0);
                  },
                  {{"x_position", 1, "qpos x after the step"},
                   {"y_position", 1, "qpos y after the step"},
                   {"distance_from_origin", 1, "|qpos[0:2] - initial qpos[0:2]|"},
                   {"x_velocity", 1, "main body's x velocity (xpos change / dt)"},
                   {"y_velocity", 1, "main body's y velocity"},
                   {"reward_forward", 1, "forward_reward_weight x_velocity"},
                   {"reward_ctrl", 1, "-ctrl_cost_weight |action|^2"},
                   {"reward_contact", 1, "-contact_cost_weight |clipped cfrc_ext|^2"},
                   {"reward_survive", 1, "healthy_reward while healthy"}}),
        forward_reward_weight_(config.get_float("forward_reward_weight")),
        ctrl_cost_weight_(config.get_float("ctrl_cost_weight")),
        contact_cost_weight_(config.get_float("contact_cost_weight")),
        healthy_reward_(config.get_float("healthy_reward")),
        terminate_when_unhealthy_(config.get_bool("terminate_when_unhealthy")),
        healthy_z_min_(config.get_float("healthy_z_min")),
        healthy_z_max_(config.get_float("healthy_z_max")),
        contact_force_min_(config.get_float("contact_force_min")),
        contact_force_max_(config.get_float("contact_force_max")),
        reset_noise_scale_(config.get_float("reset_noise_scale")),
        skipped_positions_(config.get_bool("exclude_current_positions_from_observation") ? 2 : 0),
        include_cfrc_ext_(config.get_bool("include_cfrc_ext_in_observation")),
        main_body_(static_cast<int>(config.get_int("main_body"))) {
    if (main_body_ < 0 || main_body_ >= model()->nbody) {
      throw Error("Ant-v5: main_body " + std::to_string(main_body_) + " is not a body of the model (it has " +
                  std::to_string(model()->nbody) + ")");
    }
  }

 protected:
  void write_obs(ObsOut obs) const override {
    double* out = write_qpos_qvel(obs.as<double>(), skipped_positions_);
    if (include_cfrc_ext_) {
      for (int i = 6; i < 6 * model()->nbody; ++i) *out++ = clipped_contact_force(i);
    }
  }

  void reset_model() override { reset_with_noise(reset_noise_scale_, VelocityNoise::Normal); }

  void write_reset_info(InfoOut info) const override { write_position_info(info); }

  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override {
    const double* xpos = data()->xpos + 3 * main_body_;
    const double x_before = xpos[0], y_before = xpos[1];
    do_simulation(action);
    const double x_velocity = (xpos[0] - x_before) / dt();
    const double y_velocity = (xpos[1] - y_before) / dt();
    write_obs(obs);

    const bool healthy = is_healthy();
    const double forward_reward = forward_reward_weight_ * x_velocity;
    const double survive_reward = healthy ? healthy_reward_ : 0.0;
    const double ctrl_cost = ctrl_cost_weight_ * squared_norm(action);
    double contact_sum = 0.0;
    for (int i = 0; i < 6 * model()->nbody; ++i) contact_sum += clipped_contact_force(i) * clipped_contact_force(i);
    const double contact_cost = contact_cost_weight_ * contact_sum;

    write_position_info(info);
    info.set(kXVelocity, x_velocity);
    info.set(kYVelocity, y_velocity);
    info.set(kRewardForward, forward_reward);
    info.set(kRewardCtrl, -ctrl_cost);
    info.set(kRewardContact, -contact_cost);
    info.set(kRewardSurvive, survive_reward);
    StepResult result;
    result.reward = forward_reward + survive_reward - ctrl_cost - contact_cost;
    result.terminated = !healthy && terminate_when_unhealthy_;
    return result;
  }

 private:
  double clipped_contact_force(int i) const {
    return std::clamp(data()->cfrc_ext[i], contact_force_min_, contact_force_max_);
  }

  bool is_healthy() const {
    bool finite = true;
    for (int i = 0; i < model()->nq; ++i) finite = finite && std::isfinite(data()->qpos[i]);
    for (int i = 0; i < model()->nv; ++i) finite = finite && std::isfinite(data()->qvel[i]);
    const double z = data()->qpos[2];
    return finite && healthy_z_min_ <= z && z <= healthy_z_max_;
  }

  void write_position_info(InfoOut info) const {
    const double dx = data()->qpos[0] - init_qpos()[0], dy = data()->qpos[1] - init_qpos()[1];
    info.set(kXPosition, data()->qpos[0]);
    info.set(kYPosition, data()->qpos[1]);
    info.set(kDistanceFromOrigin, std::sqrt(dx * dx + dy * dy));
  }

  double forward_reward_weight_;
  double ctrl_cost_weight_;
  double contact_cost_weight_;
  double healthy_reward_;
  bool terminate_when_unhealthy_;
  double healthy_z_min_, healthy_z_max_;
  double contact_force_min_, contact_force_max_;
  double reset_noise_scale_;
  int skipped_positions_;
  bool include_cfrc_ext_;
  int main_body_;
};

EnvRegistration ant_registration() {
  EnvRegistration r = mujoco_registration(
      "Ant-v5", "MuJoCo four-legged ant walking forward (Gymnasium v5)", "ant.xml", 5,
      {{"forward_reward_weight", 1.0, "weight of the forward velocity"},
       {"ctrl_cost_weight", 0.5, "weight of the control cost |action|^2"},
       {"contact_cost_weight", 5e-4, "weight of the contact cost |clipped cfrc_ext|^2"},
       {"healthy_reward", 1.0, "reward per step while healthy"},
       {"main_body", 1, "body whose xy velocity is rewarded (1: the torso)"},
       {"terminate_when_unhealthy", true, "end the episode when the ant is unhealthy"},
       {"healthy_z_min", 0.2, "lower end of Gymnasium's healthy_z_range (torso height)"},
       {"healthy_z_max", 1.0, "upper end of healthy_z_range"},
       {"contact_force_min", -1.0, "lower end of contact_force_range (clip of cfrc_ext)"},
       {"contact_force_max", 1.0, "upper end of contact_force_range"},
       {"reset_noise_scale", 0.1, "qpos += U(-scale, scale), qvel = scale N(0, 1) at reset"},
       {"exclude_current_positions_from_observation", true, "leave x, y out of the observation"},
       {"include_cfrc_ext_in_observation", true, "append the clipped contact forces (6 per body)"}});
  r.max_episode_steps = 1000;
  r.reward_threshold = 6000.0;
  r.factory = [](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<Ant>(c); };
  return r;
}

DOPA_REGISTER_ENV(ant_registration());

}  // namespace

}  // namespace dopa::envs
