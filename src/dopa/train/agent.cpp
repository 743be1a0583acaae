#include "dopa/train/agent.h"

#include <numeric>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "dopa/core/strings.h"

namespace dopa {

AgentRegistry& AgentRegistry::global() {
  static AgentRegistry registry;
  return registry;
}

void AgentRegistry::add(AgentRegistration registration) {
  if (registration.name.empty() || !registration.factory) throw Error("incomplete agent registration");
  if (entries_.count(registration.name)) throw Error("agent '" + registration.name + "' is already registered");
  const std::string name = registration.name;
  entries_.emplace(name, std::move(registration));
}

const AgentRegistration& AgentRegistry::find(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end())
    throw Error("unknown agent '" + name + "'." + did_you_mean(name, names()) + " Valid: " + join(names()) + ".");
  return it->second;
}

std::vector<std::string> AgentRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& entry : entries_) out.push_back(entry.first);
  return out;
}

void Agent::load(const std::string&) { throw Error("this agent cannot load saved parameters"); }

void Agent::play(VectorEnv&, int64_t, uint64_t, const std::function<void()>&) {
  throw Error("this agent cannot play with frozen parameters (dopa eval needs meta_a2c)");
}

void RecentReturns::add(double episode_return) {
  if (values_.size() < capacity_) {
    values_.push_back(episode_return);
  } else {
    values_[next_] = episode_return;
    next_ = (next_ + 1) % capacity_;
  }
}

double RecentReturns::mean() const {
  if (values_.empty()) return 0.0;
  return std::accumulate(values_.begin(), values_.end(), 0.0) / static_cast<double>(values_.size());
}

}  // namespace dopa
