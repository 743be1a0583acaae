#include "agents/bandit_baselines/policies.h"

#include <cmath>
#include <map>
#include <mutex>
#include <sstream>
#include <utility>

#include "agents/bandit_baselines/gittins.h"
#include "dopa/core/error.h"

namespace dopa::agents {

void BanditPolicy::reset(int arms, int64_t horizon) {
  arms_ = arms;
  horizon_ = horizon;
  t_ = 0;
  pulls_.assign(arms, 0);
  successes_.assign(arms, 0.0);
  scores_.assign(arms, 0.0);
}

void BanditPolicy::observe(int arm, double reward) {
  ++pulls_[arm];
  successes_[arm] += reward;
  ++t_;
}

double BanditPolicy::mean(int arm) const {
  if (options_.laplace) return (successes_[arm] + 1.0) / (pulls_[arm] + 2.0);
  return pulls_[arm] > 0 ? successes_[arm] / pulls_[arm] : 0.0;
}

int BanditPolicy::argmax(const std::vector<double>& scores) {
  int best = 0;
  for (int a = 1; a < static_cast<int>(scores.size()); ++a)
    if (scores[a] > scores[best]) best = a;
  return best;
}

std::string BanditPolicy::label() const {
  std::ostringstream out;
  out << options_.name;
  if (options_.name == "epsilon_greedy") out << "(eps=" << options_.epsilon << ")";
  if (options_.name == "ucb1") out << "(c=" << options_.c << (options_.laplace ? "" : ", textbook") << ")";
  if (options_.name == "gittins") out << "(gamma=" << options_.gamma << ")";
  if (options_.name == "greedy" && !options_.laplace) out << "(textbook)";
  return out.str();
}

namespace {

// The first unpulled arm, or -1: without Laplace smoothing, each arm is pulled once first.
int first_unpulled(const std::vector<int64_t>& pulls) {
  for (int a = 0; a < static_cast<int>(pulls.size()); ++a)
    if (pulls[a] == 0) return a;
  return -1;
}

class RandomPolicy : public BanditPolicy {
 public:
  using BanditPolicy::BanditPolicy;
  int choose(Rng& rng) override { return static_cast<int>(rng.integer(arms_)); }
};

class GreedyPolicy : public BanditPolicy {
 public:
  using BanditPolicy::BanditPolicy;
  int choose(Rng& rng) override {
    if (options_.name == "epsilon_greedy" && rng.uniform() < options_.epsilon)
      return static_cast<int>(rng.integer(arms_));
    if (!options_.laplace) {
      const int unpulled = first_unpulled(pulls_);
      if (unpulled >= 0) return unpulled;
    }
    for (int a = 0; a < arms_; ++a) scores_[a] = mean(a);
    return argmax(scores_);
  }
};

class Ucb1Policy : public BanditPolicy {
 public:
  using BanditPolicy::BanditPolicy;
  int choose(Rng&) override {
    if (!options_.laplace) {
      const int unpulled = first_unpulled(pulls_);
      if (unpulled >= 0) return unpulled;
    }
    // With Laplace smoothing an unpulled arm counts as one pull: its bonus stays finite.
    const double log_t = std::log(static_cast<double>(std::max<int64_t>(t_, 1)));
    for (int a = 0; a < arms_; ++a) {
      const double n = options_.laplace ? pulls_[a] + 1.0 : static_cast<double>(pulls_[a]);
      scores_[a] = mean(a) + options_.c * std::sqrt(2.0 * log_t / n);
    }
    return argmax(scores_);
  }
};

class ThompsonPolicy : public BanditPolicy {
 public:
  using BanditPolicy::BanditPolicy;
  int choose(Rng& rng) override {
    for (int a = 0; a < arms_; ++a) scores_[a] = rng.beta(1.0 + successes_[a], 1.0 + pulls_[a] - successes_[a]);
    return argmax(scores_);
  }
};

// The table of indices for a discount and a horizon, made once per process and shared.
std::shared_ptr<const GittinsTable> gittins_table(double gamma, int64_t pulls) {
  static std::mutex mutex;
  static std::map<std::pair<double, int64_t>, std::shared_ptr<const GittinsTable>> tables;
  const std::lock_guard<std::mutex> lock(mutex);
  auto& table = tables[{gamma, pulls}];
  if (!table) table = std::make_shared<GittinsTable>(gamma, static_cast<int>(pulls));
  return table;
}

class GittinsPolicy : public BanditPolicy {
 public:
  using BanditPolicy::BanditPolicy;
  void reset(int arms, int64_t horizon) override {
    BanditPolicy::reset(arms, horizon);
    if (!table_ || table_->max_pulls() < horizon) table_ = gittins_table(options_.gamma, horizon);
  }
  int choose(Rng&) override {
    for (int a = 0; a < arms_; ++a) {
      const auto successes = static_cast<int>(successes_[a]);
      scores_[a] = table_->index(successes, static_cast<int>(pulls_[a]) - successes);
    }
    return argmax(scores_);
  }

 private:
  std::shared_ptr<const GittinsTable> table_;
};

}  // namespace

std::unique_ptr<BanditPolicy> make_bandit_policy(const BanditPolicyOptions& options) {
  const std::string& name = options.name;
  if (name == "random") return std::make_unique<RandomPolicy>(options);
  if (name == "greedy") return std::make_unique<GreedyPolicy>(options);
  if (name == "epsilon_greedy") {
    if (!(options.epsilon >= 0 && options.epsilon <= 1)) throw Error("epsilon_greedy: epsilon must be in [0, 1]");
    return std::make_unique<GreedyPolicy>(options);
  }
  if (name == "ucb1") {
    if (!(options.c >= 0)) throw Error("ucb1: c must be >= 0");
    return std::make_unique<Ucb1Policy>(options);
  }
  if (name == "thompson") return std::make_unique<ThompsonPolicy>(options);
  if (name == "gittins") {
    if (!(options.gamma > 0 && options.gamma < 1)) throw Error("gittins: gamma must be in (0, 1)");
    return std::make_unique<GittinsPolicy>(options);
  }
  throw Error("unknown bandit policy '" + name +
              "' (known: random, greedy, epsilon_greedy, ucb1, thompson, gittins)");
}

}  // namespace dopa::agents
