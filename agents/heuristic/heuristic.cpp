#include "agents/heuristic/heuristic.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "dopa/core/error.h"
#include "dopa/core/settings.h"

namespace dopa::agents {

namespace {

// The terms of lunar_lander.py's heuristic(): where to point (towards the pad, against the
// horizontal speed, at most 0.4 rad) and how high to hover (proportional to the horizontal offset),
// as PD errors; after touchdown only the fall is damped.
struct LanderCorrection {
  double angle = 0.0;
  double hover = 0.0;
};

LanderCorrection lander_correction(const float* s) {
  const double angle_target = std::clamp(s[0] * 0.5 + s[2] * 1.0, -0.4, 0.4);
  const double hover_target = 0.55 * std::abs(s[0]);
  LanderCorrection correction;
  correction.angle = (angle_target - s[4]) * 0.5 - s[5] * 1.0;
  correction.hover = (hover_target - s[1]) * 0.5 - s[3] * 0.5;
  if (s[6] != 0.0f || s[7] != 0.0f) {  // legs touch the ground
    correction.angle = 0;
    correction.hover = -s[3] * 0.5;
  }
  return correction;
}

}  // namespace

int64_t lunar_lander_heuristic_discrete(const float* obs) {
  const LanderCorrection correction = lander_correction(obs);
  if (correction.hover > std::abs(correction.angle) && correction.hover > 0.05) return 2;
  if (correction.angle < -0.05) return 3;
  if (correction.angle > +0.05) return 1;
  return 0;
}

std::array<float, 2> lunar_lander_heuristic_continuous(const float* obs) {
  const LanderCorrection correction = lander_correction(obs);
  return {static_cast<float>(std::clamp(correction.hover * 20 - 1, -1.0, 1.0)),
          static_cast<float>(std::clamp(-correction.angle * 20, -1.0, 1.0))};
}

std::array<float, 4> BipedalWalkerHeuristic::act(const float* s) {
  constexpr double kSpeed = 0.29;  // falls forward at higher speed
  constexpr double kSupportKneeAngle = 0.1;
  const int moving_base = 4 + 5 * moving_leg_;
  const int supporting_base = 4 + 5 * supporting_leg_;

  // Joint targets per leg; 0 means "no target", as Python's truthiness of None (and of 0.0).
  double hip_target[2] = {0, 0};   // -0.8 .. +1.1
  double knee_target[2] = {0, 0};  // -0.6 .. +0.9
  double hip_correction[2] = {0, 0};
  double knee_correction[2] = {0, 0};

  // The phases run in sequence within one call (Gymnasium's if, if, if), so a transition acts at once.
  if (phase_ == kStayOnOneLeg) {
    hip_target[moving_leg_] = 1.1;
    knee_target[moving_leg_] = -0.6;
    supporting_knee_angle_ += 0.03;
    if (s[2] > kSpeed) supporting_knee_angle_ += 0.03;
    supporting_knee_angle_ = std::min(supporting_knee_angle_, kSupportKneeAngle);
    knee_target[supporting_leg_] = supporting_knee_angle_;
    if (s[supporting_base + 0] < 0.10) phase_ = kPutOtherDown;  // the supporting leg is behind
  }
  if (phase_ == kPutOtherDown) {
    hip_target[moving_leg_] = +0.1;
    knee_target[moving_leg_] = kSupportKneeAngle;
    knee_target[supporting_leg_] = supporting_knee_angle_;
    if (s[moving_base + 4] != 0.0f) {  // the moving leg touches the ground
      phase_ = kPushOff;
      supporting_knee_angle_ = std::min(static_cast<double>(s[moving_base + 2]), kSupportKneeAngle);
    }
  }
  if (phase_ == kPushOff) {
    knee_target[moving_leg_] = supporting_knee_angle_;
    knee_target[supporting_leg_] = +1.0;
    if (s[supporting_base + 2] > 0.88 || s[2] > 1.2 * kSpeed) {
      phase_ = kStayOnOneLeg;
      moving_leg_ = 1 - moving_leg_;
      supporting_leg_ = 1 - moving_leg_;
    }
  }

  for (int leg = 0; leg < 2; ++leg) {
    const int base = 4 + 5 * leg;
    if (hip_target[leg] != 0) hip_correction[leg] = 0.9 * (hip_target[leg] - s[base + 0]) - 0.25 * s[base + 1];
    if (knee_target[leg] != 0) knee_correction[leg] = 4.0 * (knee_target[leg] - s[base + 2]) - 0.25 * s[base + 3];
    hip_correction[leg] -= 0.9 * (0 - s[0]) - 1.5 * s[1];  // PD to keep the head straight
    knee_correction[leg] -= 15.0 * s[3];                   // vertical speed, to damp oscillations
  }
  const double raw[4] = {hip_correction[0], knee_correction[0], hip_correction[1], knee_correction[1]};
  std::array<float, 4> action;
  for (int j = 0; j < 4; ++j) action[j] = static_cast<float>(std::clamp(0.5 * raw[j], -1.0, 1.0));
  return action;
}

namespace {

enum class Controller { LanderDiscrete, LanderContinuous, Walker };

constexpr const char* kSaveHeader = "dopa heuristic controller";

struct HeuristicConfig {
  int64_t log_interval;

  static const SettingsTable<HeuristicConfig>& table() {
    static const SettingsTable<HeuristicConfig> table = {
        setting(&HeuristicConfig::log_interval, "log_interval", 10, "finished episodes per metrics row", at_least(1)),
    };
    return table;
  }
};

class Heuristic : public Agent {
 public:
  Heuristic(const Config& config, Controller controller, std::string env_id)
      : controller_(controller),
        env_id_(std::move(env_id)),
        log_interval_(HeuristicConfig::table().read(config, "heuristic").log_interval) {}

  TrainResult train(VectorEnv& envs, const TrainOptions& options, TrainMonitor& monitor) override {
    if (options.resume) throw Error("heuristic learns nothing and writes no checkpoints: there is nothing to resume");
    const int64_t n = envs.num_envs();
    const auto start = std::chrono::steady_clock::now();
    TrainResult result;
    EpisodeLog log;
    int64_t interval_episodes = 0;
    auto log_row = [&] {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const EpisodeLog::Interval interval = log.take_interval();
      monitor.log(result.global_step, {{"episodes", static_cast<double>(log.episodes())},
                                       {"episodic_return", interval.mean_return},
                                       {"episodic_length", interval.mean_length},
                                       {"SPS", static_cast<double>(result.global_step) / std::max(seconds, 1e-9)}});
      interval_episodes = 0;
    };

    envs.reset(options.seed);
    start_episodes(n);
    at::Tensor actions = action_buffer(envs);
    while (result.global_step < options.total_steps && !monitor.should_stop()) {
      act(envs.observations(), actions);
      envs.step(actions);
      result.global_step += n;
      const bool* terminated = envs.terminations().data_ptr<bool>();
      const bool* truncated = envs.truncations().data_ptr<bool>();
      for (int64_t i = 0; i < n; ++i) {
        if (!(terminated[i] || truncated[i])) continue;
        // Same-step autoreset: the observation is already the next episode's first.
        log.add(envs.episode_returns().data_ptr<double>()[i], envs.episode_lengths().data_ptr<int64_t>()[i]);
        ++interval_episodes;
        start_episode(i);
      }
      monitor.progress(result.global_step, log.recent_mean());
      if (interval_episodes >= log_interval_) log_row();
    }
    if (interval_episodes > 0) log_row();
    result.stopped_early = result.global_step < options.total_steps;
    result.episodes = log.episodes();
    result.final_return = log.recent_mean();
    result.best_return = log.best_return();
    return result;
  }

  // Episodes end at different steps; autoreset is disabled, so an env that ended is reset (its
  // stream continues) and played on, unrecorded by the batch, until every env of the batch has
  // ended once: on_step sees those extra steps too.
  void play(VectorEnv& envs, int64_t episodes, uint64_t seed, const PlayStepFn& on_step) override {
    const int64_t n = envs.num_envs();
    if (envs.autoreset_mode() != AutoresetMode::Disabled)
      throw Error("heuristic play needs a VectorEnv with autoreset Disabled");
    if (episodes < 1 || episodes % n != 0)
      throw Error("heuristic play: episodes (" + std::to_string(episodes) + ") must be a multiple of num_envs (" +
                  std::to_string(n) + ")");
    at::Tensor actions = action_buffer(envs);
    at::Tensor reset_mask = at::zeros({n}, at::kBool);
    for (int64_t batch = 0; batch < episodes / n; ++batch) {
      envs.reset(seed + static_cast<uint64_t>(batch * n));
      start_episodes(n);
      std::vector<char> ended(n, 0);
      int64_t remaining = n;
      while (remaining > 0) {
        act(envs.observations(), actions);
        envs.step(actions);
        on_step({});
        const bool* terminated = envs.terminations().data_ptr<bool>();
        const bool* truncated = envs.truncations().data_ptr<bool>();
        bool* mask = reset_mask.data_ptr<bool>();
        bool any = false;
        for (int64_t i = 0; i < n; ++i) {
          mask[i] = terminated[i] || truncated[i];
          if (!mask[i]) continue;
          any = true;
          if (!ended[i]) --remaining;
          ended[i] = 1;
          start_episode(i);
        }
        if (any && remaining > 0) envs.reset(std::nullopt, reset_mask);
      }
    }
  }

  // No parameters: the file says which controller played, so that `dopa play` finds a model.
  void save(const std::string& path) const override {
    std::ofstream out(path);
    out << kSaveHeader << "\nenv " << env_id_ << "\n";
    if (!out) throw Error("cannot write '" + path + "'");
  }

  void load(const std::string& path) override {
    std::ifstream in(path);
    if (!in) throw Error("no model file '" + path + "'");
    std::string header;
    std::getline(in, header);
    if (header != kSaveHeader) throw Error("'" + path + "' was not written by the heuristic agent");
  }

  int64_t num_parameters() const override { return 0; }

 private:
  at::Tensor action_buffer(const VectorEnv& envs) const {
    const int64_t n = envs.num_envs();
    if (controller_ == Controller::LanderDiscrete) return at::zeros({n}, at::kLong);
    return at::zeros({n, envs.single_action_space().size()}, at::kFloat);
  }

  void start_episodes(int64_t n) {
    walkers_.assign(static_cast<size_t>(n), BipedalWalkerHeuristic());
    episode_start_.assign(static_cast<size_t>(n), 1);
  }
  void start_episode(int64_t i) {
    walkers_[i].reset();
    episode_start_[i] = 1;
  }

  // The controller's action for every env's observation.
  void act(const at::Tensor& observations, at::Tensor& actions) {
    const int64_t n = observations.size(0);
    const int64_t obs_size = observations.numel() / n;
    const float* obs = observations.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i) {
      const float* s = obs + i * obs_size;
      switch (controller_) {
        case Controller::LanderDiscrete: actions.data_ptr<int64_t>()[i] = lunar_lander_heuristic_discrete(s); break;
        case Controller::LanderContinuous: {
          const auto a = lunar_lander_heuristic_continuous(s);
          std::copy(a.begin(), a.end(), actions.data_ptr<float>() + 2 * i);
          break;
        }
        case Controller::Walker: {
          // As Gymnasium's demo loop: the first action of an episode is zero, the controller reads
          // the observations after it.
          std::array<float, 4> a{};
          if (!episode_start_[i]) a = walkers_[i].act(s);
          episode_start_[i] = 0;
          std::copy(a.begin(), a.end(), actions.data_ptr<float>() + 4 * i);
          break;
        }
      }
    }
  }

  Controller controller_;
  std::string env_id_;
  int64_t log_interval_;
  std::vector<BipedalWalkerHeuristic> walkers_;  // one per env
  std::vector<char> episode_start_;              // per env: the next step is its episode's first
};

}  // namespace

AgentRegistration heuristic_registration() {
  AgentRegistration r;
  r.name = "heuristic";
  r.description = "Gymnasium's hand-written controllers for LunarLander and BipedalWalker (no learning)";
  r.config = HeuristicConfig::table().schema();
  r.autoreset = AutoresetMode::SameStep;
  r.factory = [](const Config& config, const EnvSpec& env, uint64_t) -> std::unique_ptr<Agent> {
    Controller controller;
    if (env.id == "LunarLander-v3" || env.id == "LunarLanderContinuous-v3") {
      controller = env.action_space.is_discrete() ? Controller::LanderDiscrete : Controller::LanderContinuous;
    } else if (env.id == "BipedalWalker-v3" || env.id == "BipedalWalkerHardcore-v3") {
      controller = Controller::Walker;
    } else {
      throw Error("heuristic has controllers for LunarLander-v3, LunarLanderContinuous-v3, BipedalWalker-v3 and "
                  "BipedalWalkerHardcore-v3 only, not for " +
                  (env.id.empty() ? std::string("an unregistered env") : env.id));
    }
    return std::make_unique<Heuristic>(config, controller, env.id);
  };
  return r;
}

DOPA_REGISTER_AGENT(heuristic_registration());

}  // namespace dopa::agents
