#include "dopa/train/agent.h"

#include <ATen/Context.h>

#include <cmath>
#include <numeric>
#include <sstream>

#include "dopa/core/error.h"
#include "dopa/core/registry.h"
#include "dopa/core/seeding.h"
#include "dopa/core/strings.h"

namespace dopa {

AgentRegistry& AgentRegistry::global() {
  static AgentRegistry registry;
  return registry;
}

void AgentRegistry::add(AgentRegistration registration) {
  if (!registration.factory) throw Error("agent registration '" + registration.name + "' has no factory");
  NamedRegistry::add(std::move(registration));
}

void seed_action_sampling(uint64_t run_seed) { at::manual_seed(agent_stream_seed(run_seed, AgentStream::Sampling)); }

void Agent::load(const std::string&) { throw Error("this agent cannot load saved parameters"); }

void Agent::play(VectorEnv&, int64_t, uint64_t, const PlayStepFn&) {
  throw Error("this agent cannot play with frozen parameters");
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

std::string RecentReturns::save() const {
  std::ostringstream out;
  out.precision(17);
  out << capacity_ << " " << next_ << " " << values_.size();
  for (double v : values_) out << " " << v;
  return out.str();
}

void RecentReturns::load(const std::string& state) {
  std::istringstream in(state);
  size_t capacity = 0, next = 0, count = 0;
  in >> capacity >> next >> count;
  std::vector<double> values(count);
  for (double& v : values) in >> v;
  if (!in || capacity != capacity_ || count > capacity || next >= std::max<size_t>(capacity, 1))
    throw Error("malformed recent-returns state in the checkpoint");
  next_ = next;
  values_ = std::move(values);
}

std::string EpisodeLog::save() const {
  std::ostringstream out;
  out.precision(17);
  out << episodes_ << " " << interval_return_ << " " << interval_length_ << " " << interval_episodes_ << " "
      << best_return_ << " " << has_best_ << "\n"
      << recent_.save();
  return out.str();
}

void EpisodeLog::load(const std::string& state) {
  std::istringstream in(state);
  in >> episodes_ >> interval_return_ >> interval_length_ >> interval_episodes_ >> best_return_ >> has_best_;
  std::string rest;
  in.ignore(1);
  std::getline(in, rest);
  if (!in) throw Error("malformed episode-log state in the checkpoint");
  recent_.load(rest);
}

void EpisodeLog::add(double episode_return, int64_t length) {
  recent_.add(episode_return);
  interval_return_ += episode_return;
  interval_length_ += static_cast<double>(length);
  ++interval_episodes_;
  ++episodes_;
}

void EpisodeLog::add_ended(const VectorEnv& envs, const at::Tensor& done) {
  const at::Tensor rows = done.nonzero().squeeze(1).contiguous();
  const int64_t* row = rows.data_ptr<int64_t>();
  const double* returns = envs.episode_returns().data_ptr<double>();
  const int64_t* lengths = envs.episode_lengths().data_ptr<int64_t>();
  for (int64_t k = 0; k < rows.size(0); ++k) add(returns[row[k]], lengths[row[k]]);
}

EpisodeLog::Interval EpisodeLog::take_interval() {
  Interval interval{NAN, NAN, interval_episodes_};
  if (interval_episodes_ > 0) {
    interval.mean_return = interval_return_ / static_cast<double>(interval_episodes_);
    interval.mean_length = interval_length_ / static_cast<double>(interval_episodes_);
    if (!has_best_ || interval.mean_return > best_return_) best_return_ = interval.mean_return;
    has_best_ = true;
  }
  interval_return_ = interval_length_ = 0.0;
  interval_episodes_ = 0;
  return interval;
}

}  // namespace dopa
