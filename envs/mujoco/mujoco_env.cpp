#include "envs/mujoco/mujoco_env.h"

#include <algorithm>
#include <limits>

#include "dopa/core/error.h"

namespace dopa::envs {

namespace {

// The action space: each actuator's ctrlrange where it is ctrl-limited, unbounded otherwise.
Space action_space_of(const mjModel* model) {
  std::vector<double> low(model->nu), high(model->nu);
  for (int i = 0; i < model->nu; ++i) {
    const bool limited = model->actuator_ctrllimited[i] != 0;
    low[i] = limited ? model->actuator_ctrlrange[2 * i] : -std::numeric_limits<double>::infinity();
    high[i] = limited ? model->actuator_ctrlrange[2 * i + 1] : std::numeric_limits<double>::infinity();
  }
  return Space::box(low, high, DType::Float32);
}

}  // namespace

MujocoEnv::MujocoEnv(const Config& config, ObsSize obs_size, std::vector<InfoKey> info_keys)
    : MujocoEnv(config, find_mujoco_model(config.get_string("xml_file")), obs_size, std::move(info_keys)) {}

// The model is loaded (into the argument) before the base is built, which needs its action space.
MujocoEnv::MujocoEnv(const Config& config, const std::string& path, ObsSize obs_size, std::vector<InfoKey> info_keys)
    : MujocoEnv(config, load_mujoco_model(path), path, obs_size, std::move(info_keys)) {}

MujocoEnv::MujocoEnv(const Config& config, MjModelPtr model, std::string path, ObsSize obs_size,
                     std::vector<InfoKey> info_keys)
    : Env(Space::box(-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity(), {obs_size(model.get(), config)},
                     DType::Float64),
          action_space_of(model.get()), std::move(info_keys)),
      model_(std::move(model)),
      data_(mj_makeData(model_.get())),
      path_(std::move(path)),
      frame_skip_(static_cast<int>(config.get_int("frame_skip"))) {
  if (!data_) throw Error("MuJoCo could not allocate data for " + path_);
  if (frame_skip_ < 1) throw Error(name() + ": frame_skip must be >= 1, got " + std::to_string(frame_skip_));
}

std::vector<double> MujocoEnv::state() const {
  std::vector<double> state(data_->qpos, data_->qpos + model_->nq);
  state.insert(state.end(), data_->qvel, data_->qvel + model_->nv);
  return state;
}

void MujocoEnv::set_state(const std::vector<double>& state, ObsOut obs) {
  if (static_cast<int64_t>(state.size()) != model_->nq + model_->nv) {
    throw Error(name() + " state has nq + nv = " + std::to_string(model_->nq + model_->nv) + " numbers (qpos, qvel), got " +
                std::to_string(state.size()));
  }
  set_qpos_qvel(state.data(), state.data() + model_->nq);
  write_obs(obs);
}

void MujocoEnv::reset_impl(ObsOut obs, InfoOut info) {
  mj_resetData(model_.get(), data_.get());
  reset_model();
  write_obs(obs);
  write_reset_info(info);
}

void MujocoEnv::do_simulation(const Action& action) {
  const float* values = action.values();
  for (int i = 0; i < model_->nu; ++i) data_->ctrl[i] = values[i];
  for (int i = 0; i < frame_skip_; ++i) mj_step(model_.get(), data_.get());
  // As Gymnasium: mj_step leaves cfrc_ext (used by Ant's contact cost) unfilled.
  mj_rnePostConstraint(model_.get(), data_.get());
}

void MujocoEnv::set_qpos_qvel(const double* qpos, const double* qvel) {
  for (int i = 0; i < model_->nq; ++i) data_->qpos[i] = qpos[i];
  for (int i = 0; i < model_->nv; ++i) data_->qvel[i] = qvel[i];
  mj_forward(model_.get(), data_.get());
}

void MujocoEnv::reset_with_noise(double scale, VelocityNoise velocity_noise) {
  std::vector<double> qpos(model_->nq), qvel(model_->nv);
  for (int i = 0; i < model_->nq; ++i) qpos[i] = init_qpos()[i] + rng().uniform(-scale, scale);
  for (int i = 0; i < model_->nv; ++i) {
    qvel[i] = velocity_noise == VelocityNoise::Uniform ? rng().uniform(-scale, scale) : scale * rng().normal();
  }
  set_qpos_qvel(qpos.data(), qvel.data());
}

double* MujocoEnv::write_qpos_qvel(double* out, int first_position, double velocity_clip) const {
  for (int i = first_position; i < model_->nq; ++i) *out++ = data_->qpos[i];
  for (int i = 0; i < model_->nv; ++i) {
    *out++ = velocity_clip > 0 ? std::clamp(data_->qvel[i], -velocity_clip, velocity_clip) : data_->qvel[i];
  }
  return out;
}

double MujocoEnv::squared_norm(const Action& action) {
  double sum = 0.0;
  for (int64_t i = 0; i < action.size(); ++i) sum += static_cast<double>(action.values()[i]) * action.values()[i];
  return sum;
}

int MujocoEnv::body_id(const char* body) const {
  const int id = mj_name2id(model_.get(), mjOBJ_BODY, body);
  if (id < 0) throw Error(name() + ": the model " + path_ + " has no body named '" + body + "'");
  return id;
}

int MujocoEnv::site_id(const char* site) const {
  const int id = mj_name2id(model_.get(), mjOBJ_SITE, site);
  if (id < 0) throw Error(name() + ": the model " + path_ + " has no site named '" + site + "'");
  return id;
}

EnvRegistration mujoco_registration(const std::string& id, const std::string& description,
                                    const std::string& xml_file, int64_t frame_skip, ConfigSchema task_kwargs) {
  EnvRegistration r;
  r.id = id;
  r.description = description;
  r.config = {{"xml_file", xml_file, "MJCF model: one of dopa's (by file name) or a path containing '/'"},
              {"frame_skip", frame_skip, "physics steps per env step (dt = timestep x frame_skip)"}};
  r.config.insert(r.config.end(), task_kwargs.begin(), task_kwargs.end());
  return r;
}

}  // namespace dopa::envs
