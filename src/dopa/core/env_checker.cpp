#include "dopa/core/env_checker.h"

#include <cmath>
#include <functional>
#include <limits>
#include <memory>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"

namespace dopa {

namespace {

// One random action of `space`, as an Action plus its storage.
struct SampledAction {
  int64_t index = 0;
  std::vector<float> values;
  Action action() const { return values.empty() ? Action(index) : Action(values); }
};

SampledAction sample_action(const Space& space, Rng& rng) {
  SampledAction a;
  if (space.is_discrete()) {
    space.sample(rng, &a.index);
  } else {
    a.values.resize(space.size());
    space.sample(rng, a.values.data());
  }
  return a;
}

struct Trace {
  std::vector<std::vector<double>> observations;
  std::vector<double> rewards;
  std::vector<int> flags;
};

Trace rollout(const std::string& id, const Kwargs& kwargs, const EnvCheckOptions& options,
              std::vector<std::string>& problems) {
  Trace trace;
  auto env = make(id, kwargs);
  EnvSession session(*env);
  Rng action_rng(options.seed);
  auto record_obs = [&](const char* when, int step) {
    if (!env->observation_space().contains(session.raw_obs()) && problems.size() < 20) {
      std::string values;
      for (double v : session.obs()) values += std::to_string(v) + " ";
      problems.push_back(id + ": observation after " + when + " (step " + std::to_string(step) +
                         ") is outside " + env->observation_space().to_string() + ": " + values);
    }
    trace.observations.push_back(session.obs());
  };
  session.reset(options.seed);
  record_obs("reset", 0);
  for (int t = 1; t <= options.steps; ++t) {
    const SampledAction a = sample_action(env->action_space(), action_rng);
    const StepResult r = session.step(a.action());
    record_obs("step", t);
    if (!std::isfinite(r.reward) && problems.size() < 20)
      problems.push_back(id + ": reward at step " + std::to_string(t) + " is not finite");
    trace.rewards.push_back(r.reward);
    trace.flags.push_back(r.terminated * 2 + r.truncated);
    if (r.done()) {
      session.reset();
      record_obs("reset", t);
    }
  }
  return trace;
}

template <class F>
bool throws_dopa_error(F&& f) {
  try {
    f();
  } catch (const Error&) {
    return true;
  } catch (...) {
    return false;
  }
  return false;
}

}  // namespace

std::vector<std::string> check_env(const std::string& id, const Kwargs& kwargs, EnvCheckOptions options) {
  std::vector<std::string> problems;
  auto env = make(id, kwargs);
  const EnvSpec& spec = env->spec();
  if (spec.observation_space.size() < 1) problems.push_back(id + ": empty observation space");
  if (spec.max_episode_steps < 0) problems.push_back(id + ": negative time limit");

  // 1 and 2: in-space observations and determinism.
  const Trace first = rollout(id, kwargs, options, problems);
  const Trace second = rollout(id, kwargs, options, problems);
  if (first.observations != second.observations || first.rewards != second.rewards || first.flags != second.flags)
    problems.push_back(id + ": the same seed and actions gave different trajectories");

  // 3: stepping after the end of an episode. Run to the end (a time limit makes sure there is one).
  {
    Kwargs limited = kwargs;
    if (spec.max_episode_steps == 0 || spec.max_episode_steps > 200) limited["max_episode_steps"] = Value(200);
    auto ended = make(id, limited);
    EnvSession session(*ended);
    Rng action_rng(options.seed);
    session.reset(options.seed);
    bool done = false;
    for (int t = 0; t < 100000 && !done; ++t) done = session.step(sample_action(ended->action_space(), action_rng).action()).done();
    if (!done) {
      problems.push_back(id + ": no episode ended within its time limit");
    } else if (!throws_dopa_error([&] { session.step(sample_action(ended->action_space(), action_rng).action()); })) {
      problems.push_back(id + ": step() after the episode ended did not throw dopa::Error");
    }
    if (!throws_dopa_error([&] {
          auto fresh = make(id, kwargs);
          EnvSession s(*fresh);
          s.step(sample_action(fresh->action_space(), action_rng).action());
        }))
      problems.push_back(id + ": step() before reset() did not throw dopa::Error");
  }

  // 4: invalid actions.
  {
    EnvSession session(*env);
    session.reset(options.seed);
    const Space& space = env->action_space();
    // The calls run after this block: what they capture by reference must outlive it.
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::vector<std::pair<std::string, std::function<void()>>> invalid;
    if (space.is_discrete()) {
      invalid.push_back({"an index past the end", [&] { session.step(Action(space.start() + space.n())); }});
      invalid.push_back({"an index below the start", [&] { session.step(Action(space.start() - 1)); }});
      invalid.push_back({"a vector", [&] { session.step(Action(std::vector<float>{0.0f})); }});
    } else {
      invalid.push_back({"a NaN", [&] { session.step(Action(std::vector<float>(space.size(), nan))); }});
      invalid.push_back({"too many values", [&] { session.step(Action(std::vector<float>(space.size() + 1, 0.0f))); }});
      invalid.push_back({"an index", [&] { session.step(Action(0)); }});
      for (int64_t i = 0; i < space.size(); ++i) {
        if (std::isfinite(space.high()[i])) {
          invalid.push_back({"a value above the bound", [&, i] {
                               std::vector<float> v(space.size());
                               for (int64_t j = 0; j < space.size(); ++j) v[j] = static_cast<float>(space.low()[j]);
                               v[i] = static_cast<float>(space.high()[i]) * 2 + 1;
                               session.step(Action(v));
                             }});
          break;
        }
      }
    }
    for (const auto& [what, call] : invalid)
      if (!throws_dopa_error(call)) problems.push_back(id + ": an invalid action (" + what + ") did not throw dopa::Error");
    // The env is still usable after rejected actions.
    Rng action_rng(options.seed);
    if (throws_dopa_error([&] { session.step(sample_action(space, action_rng).action()); }))
      problems.push_back(id + ": a valid action was rejected after an invalid one");
  }
  return problems;
}

}  // namespace dopa
