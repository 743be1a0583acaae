// HalfCheetah-v5 (gymnasium/envs/mujoco/half_cheetah_v5.py): make a planar two-legged cheetah run
// forward.
//
// Model half_cheetah.xml: qpos = (rootx, rootz, rooty, bthigh, bshin, bfoot, fthigh, fshin, ffoot),
// six actuators, ctrl in [-1, 1]; timestep 0.01 (Euler), frame_skip 5 -> dt 0.05.
// Observation (17): qpos without rootx (unless exclude_current_positions_from_observation = false),
// qvel. Reward forward_reward_weight x_velocity - ctrl_cost_weight |a|^2, x_velocity = change of
// rootx over dt. Never terminates. Reset: qpos += U(-scale, scale), qvel = scale N(0, 1).
// Time limit 1000, threshold 4800.
#include "envs/mujoco/mujoco_env.h"

namespace dopa::envs {

namespace {

enum InfoKeyIndex { kXPosition, kXVelocity, kRewardForward, kRewardCtrl };

class HalfCheetah : public MujocoEnv {
 public:
  explicit HalfCheetah(const Config& config)
      : MujocoEnv(config,
                  [](const mjModel* m, const Config& c) -> int64_t {
                    return m->nq + m->nv - (c.get_bool("exclude_current_positions_from_observation") ? 1 : 0);
                  },
                  {{"x_position", 1, "rootx after the step"},
                   {"x_velocity", 1, "(rootx after - rootx before) / dt"},
                   {"reward_forward", 1, "forward_reward_weight x_velocity"},
                   {"reward_ctrl", 1, "-ctrl_cost_weight |action|^2"}}),
        forward_reward_weight_(config.get_float("forward_reward_weight")),
        ctrl_cost_weight_(config.get_float("ctrl_cost_weight")),
        reset_noise_scale_(config.get_float("reset_noise_scale")),
        skipped_positions_(config.get_bool("exclude_current_positions_from_observation") ? 1 : 0) {}

 protected:
  void write_obs(ObsOut obs) const override {
    write_qpos_qvel(obs.as<double>(), skipped_positions_);
  }

  void reset_model() override { reset_with_noise(reset_noise_scale_, VelocityNoise::Normal); }

  void write_reset_info(InfoOut info) const override { info.set(kXPosition, data()->qpos[0]); }

  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override {
    const double x_before = data()->qpos[0];
    do_simulation(action);
    const double x_after = data()->qpos[0];
    const double x_velocity = (x_after - x_before) / dt();
    write_obs(obs);

    const double forward_reward = forward_reward_weight_ * x_velocity;
    const double ctrl_cost = ctrl_cost_weight_ * squared_norm(action);
    info.set(kXPosition, x_after);
    info.set(kXVelocity, x_velocity);
    info.set(kRewardForward, forward_reward);
    info.set(kRewardCtrl, -ctrl_cost);
    StepResult result;
    result.reward = forward_reward - ctrl_cost;
    return result;
  }

 private:
  double forward_reward_weight_;
  double ctrl_cost_weight_;
  double reset_noise_scale_;
  int skipped_positions_;
};

EnvRegistration half_cheetah_registration() {
  EnvRegistration r = mujoco_registration(
      "HalfCheetah-v5", "MuJoCo planar cheetah running forward (Gymnasium v5)", "half_cheetah.xml", 5,
      {{"forward_reward_weight", 1.0, "weight of the forward velocity"},
       {"ctrl_cost_weight", 0.1, "weight of the control cost |action|^2"},
       {"reset_noise_scale", 0.1, "qpos += U(-scale, scale), qvel = scale N(0, 1) at reset"},
       {"exclude_current_positions_from_observation", true, "leave rootx out of the observation"}});
  r.max_episode_steps = 1000;
  r.reward_threshold = 4800.0;
  r.factory = [](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<HalfCheetah>(c); };
  return r;
}

DOPA_REGISTER_ENV(half_cheetah_registration());

}  // namespace

}  // namespace dopa::envs
