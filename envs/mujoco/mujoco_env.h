// The mechanics every Gymnasium v5 MuJoCo task shares (gymnasium/envs/mujoco/mujoco_env.py).
//
//   reset:  mj_resetData, then the task's reset_model(): noise on the model's qpos0 and zero qvel,
//           written with set_qpos_qvel() (which runs mj_forward)
//   step:   ctrl = action (MuJoCo clamps ctrl-limited actuators itself; the task's costs use the
//           action as given), mj_step x frame_skip, then mj_rnePostConstraint (fills cfrc_ext),
//           then the task's observation, reward terms and termination
//
// dt = timestep x frame_skip. Observations are float64, as Gymnasium's. The action space is the
// actuators' ctrlrange (float32). The physical state (state(), set_state()) is qpos then qvel.
//
// Every task takes the kwargs xml_file (one of dopa's models in envs/mujoco/assets/, or a path: see
// mujoco_model.h) and frame_skip; most take reset_noise_scale and their reward weights.
#pragma once

#include <string>
#include <vector>

#include "dopa/core/env.h"
#include "dopa/core/registry.h"
#include "envs/mujoco/mujoco_model.h"

namespace dopa::envs {

class MujocoEnv : public Env {
 public:
  // A task's observation length, from its model and kwargs (custom models may have other sizes).
  using ObsSize = int64_t (*)(const mjModel* model, const Config& config);

  const mjModel* model() const { return model_.get(); }
  const mjData* data() const { return data_.get(); }
  int frame_skip() const { return frame_skip_; }
  double dt() const { return model_->opt.timestep * frame_skip_; }

  std::vector<double> state() const override;                           // qpos (nq), qvel (nv)
  void set_state(const std::vector<double>& state, ObsOut obs) override;  // then mj_forward

 protected:
  // Loads the model the config's xml_file names.
  MujocoEnv(const Config& config, ObsSize obs_size, std::vector<InfoKey> info_keys);

  // The task: its observation from the current data, and its reset distribution.
  virtual void write_obs(ObsOut obs) const = 0;
  virtual void reset_model() = 0;

  void reset_impl(ObsOut obs, InfoOut info) override;

  // ctrl = action, mj_step x frame_skip, mj_rnePostConstraint.
  void do_simulation(const Action& action);
  // Writes qpos and qvel and runs mj_forward (Gymnasium's set_state).
  void set_qpos_qvel(const double* qpos, const double* qvel);
  // Info a task reports at reset (Gymnasium v5's _get_reset_info); none by default.
  virtual void write_reset_info(InfoOut info) const {}

  // Gymnasium's reset noise: qpos = qpos0 + U(-scale, scale) (nq draws), then qvel = U(-scale, scale)
  // or scale N(0, 1) (nv draws), written with set_qpos_qvel().
  enum class VelocityNoise { Uniform, Normal };
  void reset_with_noise(double scale, VelocityNoise velocity_noise);
  // Writes qpos[first_position:] then qvel (clipped to +-velocity_clip when it is > 0); returns the
  // element after the last written.
  double* write_qpos_qvel(double* out, int first_position, double velocity_clip = 0) const;

  const double* init_qpos() const { return model_->qpos0; }
  // Sum of squared action elements (the control cost's core).
  static double squared_norm(const Action& action);
  // A body's id, or dopa::Error naming the body and the model file.
  int body_id(const char* name) const;
  int site_id(const char* name) const;

 private:
  MujocoEnv(const Config& config, const std::string& path, ObsSize obs_size, std::vector<InfoKey> info_keys);
  MujocoEnv(const Config& config, MjModelPtr model, std::string path, ObsSize obs_size,
            std::vector<InfoKey> info_keys);

  MjModelPtr model_;
  MjDataPtr data_;
  std::string path_;
  int frame_skip_;
};

// What every MuJoCo task's registration shares: the xml_file and frame_skip kwargs (defaults
// given), then the task's own kwargs.
EnvRegistration mujoco_registration(const std::string& id, const std::string& description,
                                    const std::string& xml_file, int64_t frame_skip, ConfigSchema task_kwargs);

}  // namespace dopa::envs
