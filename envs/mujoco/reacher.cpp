// Reacher-v5 (gymnasium/envs/mujoco/reacher_v5.py): move a two-link planar arm's fingertip to a
// random target.
//
// Model reacher.xml: qpos = (joint0, joint1 of the arm, target_x, target_y of the target), two
// actuators on the arm joints, ctrl in [-1, 1]; timestep 0.01 (RK4), frame_skip 2 -> dt 0.02.
// Observation (10): cos and sin of the arm angles, the target's qpos, the arm's qvel, fingertip -
// target (x, y). Reward -reward_dist_weight |fingertip - target| - reward_control_weight |a|^2,
// distances after the step (v5). Never terminates. Reset: qpos = qpos0 + U(-0.1, 0.1), then the
// target ~ U(-0.2, 0.2)^2 redrawn until inside the disc of radius 0.2; qvel = U(-0.005, 0.005), the
// target's 0. Time limit 50, threshold -3.75.
#include <cmath>

#include "envs/mujoco/mujoco_env.h"

namespace dopa::envs {

namespace {

enum InfoKeyIndex { kRewardDist, kRewardCtrl };

class Reacher : public MujocoEnv {
 public:
  explicit Reacher(const Config& config)
      : MujocoEnv(config, [](const mjModel*, const Config&) -> int64_t { return 10; },
                  {{"reward_dist", 1, "-reward_dist_weight |fingertip - target|"},
                   {"reward_ctrl", 1, "-reward_control_weight |action|^2"}}),
        reward_dist_weight_(config.get_float("reward_dist_weight")),
        reward_control_weight_(config.get_float("reward_control_weight")),
        fingertip_(body_id("fingertip")),
        target_(body_id("target")) {}

 protected:
  void write_obs(ObsOut obs) const override {
    const double* qpos = data()->qpos;
    const double* xpos = data()->xpos;
    double* out = obs.as<double>();
    out[0] = std::cos(qpos[0]);
    out[1] = std::cos(qpos[1]);
    out[2] = std::sin(qpos[0]);
    out[3] = std::sin(qpos[1]);
    out[4] = qpos[2];
    out[5] = qpos[3];
    out[6] = data()->qvel[0];
    out[7] = data()->qvel[1];
    out[8] = xpos[3 * fingertip_] - xpos[3 * target_];
    out[9] = xpos[3 * fingertip_ + 1] - xpos[3 * target_ + 1];
  }

  void reset_model() override {
    const int nq = model()->nq, nv = model()->nv;
    std::vector<double> qpos(nq), qvel(nv);
    for (int i = 0; i < nq; ++i) qpos[i] = rng().uniform(-0.1, 0.1) + init_qpos()[i];
    double goal_x = 0.0, goal_y = 0.0;
    do {
      goal_x = rng().uniform(-0.2, 0.2);
      goal_y = rng().uniform(-0.2, 0.2);
    } while (std::sqrt(goal_x * goal_x + goal_y * goal_y) >= 0.2);
    qpos[nq - 2] = goal_x;
    qpos[nq - 1] = goal_y;
    for (int i = 0; i < nv; ++i) qvel[i] = rng().uniform(-0.005, 0.005);
    qvel[nv - 2] = qvel[nv - 1] = 0.0;
    set_qpos_qvel(qpos.data(), qvel.data());
  }

  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override {
    do_simulation(action);
    write_obs(obs);
    const double* o = obs.as<double>();
    const double reward_dist = -std::sqrt(o[8] * o[8] + o[9] * o[9] + z_gap() * z_gap()) * reward_dist_weight_;
    const double reward_ctrl = -squared_norm(action) * reward_control_weight_;
    info.set(kRewardDist, reward_dist);
    info.set(kRewardCtrl, reward_ctrl);
    StepResult result;
    result.reward = reward_dist + reward_ctrl;
    return result;
  }

 private:
  // The distance is over all three coordinates (the observation keeps x and y).
  double z_gap() const { return data()->xpos[3 * fingertip_ + 2] - data()->xpos[3 * target_ + 2]; }

  double reward_dist_weight_;
  double reward_control_weight_;
  int fingertip_;
  int target_;
};

EnvRegistration reacher_registration() {
  EnvRegistration r = mujoco_registration(
      "Reacher-v5", "MuJoCo two-link arm reaching a random target (Gymnasium v5)", "reacher.xml", 2,
      {{"reward_dist_weight", 1.0, "weight of the fingertip-target distance"},
       {"reward_control_weight", 1.0, "weight of the control cost |action|^2"}});
  r.max_episode_steps = 50;
  r.reward_threshold = -3.75;
  r.factory = [](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<Reacher>(c); };
  return r;
}

DOPA_REGISTER_ENV(reacher_registration());

}  // namespace

}  // namespace dopa::envs
