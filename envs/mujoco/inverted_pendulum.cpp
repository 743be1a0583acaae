// InvertedPendulum-v5 (gymnasium/envs/mujoco/inverted_pendulum_v5.py): balance a pole on a cart.
//
// Model inverted_pendulum.xml: qpos = (cart slider, pole hinge), one actuator on the slider, ctrl in
// [-3, 3]; timestep 0.02 (RK4), frame_skip 2 -> dt 0.04.
// Observation (4): qpos, qvel. Reward 1 while the pole is up, 0 on the step it falls.
// Terminates when the observation is not finite or |pole angle| > 0.2. Reset: qpos, qvel +=
// U(-reset_noise_scale, reset_noise_scale). Time limit 1000, threshold 950.
#include <cmath>

#include "envs/mujoco/mujoco_env.h"

namespace dopa::envs {

namespace {

enum InfoKeyIndex { kRewardSurvive };

class InvertedPendulum : public MujocoEnv {
 public:
  explicit InvertedPendulum(const Config& config)
      : MujocoEnv(config, [](const mjModel* m, const Config&) -> int64_t { return m->nq + m->nv; },
                  {{"reward_survive", 1, "1 while the pole is up"}}),
        reset_noise_scale_(config.get_float("reset_noise_scale")) {}

 protected:
  void write_obs(ObsOut obs) const override {
    write_qpos_qvel(obs.as<double>(), 0);
  }

  void reset_model() override { reset_with_noise(reset_noise_scale_, VelocityNoise::Uniform); }

  StepResult step_impl(const Action& action, ObsOut obs, InfoOut info) override {
    do_simulation(action);
    write_obs(obs);
    const double* o = obs.as<double>();
    bool finite = true;
    for (int64_t i = 0; i < obs.size(); ++i) finite = finite && std::isfinite(o[i]);

    StepResult result;
    result.terminated = !finite || std::abs(o[1]) > 0.2;
    result.reward = result.terminated ? 0.0 : 1.0;
    info.set(kRewardSurvive, result.reward);
    return result;
  }

 private:
  double reset_noise_scale_;
};

EnvRegistration inverted_pendulum_registration() {
  EnvRegistration r = mujoco_registration(
      "InvertedPendulum-v5", "MuJoCo cart-pole: keep the pole up (Gymnasium v5)", "inverted_pendulum.xml", 2,
      {{"reset_noise_scale", 0.01, "qpos and qvel start at their initial values + U(-scale, scale)"}});
  r.max_episode_steps = 1000;
  r.reward_threshold = 950.0;
  r.factory = [](const Config& c) -> std::unique_ptr<Env> { return std::make_unique<InvertedPendulum>(c); };
  return r;
}

DOPA_REGISTER_ENV(inverted_pendulum_registration());

}  // namespace

}  // namespace dopa::envs
