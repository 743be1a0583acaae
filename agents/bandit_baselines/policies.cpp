#include "agents/bandit_baselines/policies.h"

#include <cmath>
#include <map>
#include <mutex>
#include <sstream>
#include <utility>

#include "agents/bandit_baselines/bayes_optimal.h"
#include "agents/bandit_baselines/gittins.h"
#include "dopa/core/error.h"

namespace dopa::agents {

void BanditPolicy::reset(int arms, int64_t horizon, const std::string&) {
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
    // RL²'s form (its evaluation script; specs/metarl-dopamine.md §2.2): every arm starts with one
    // success in two pulls (a Beta(1, 1) prior as pseudo-counts), those two pulls count in the bonus,
    // and t is the 0-based index of this pull (ln 0 at the first pull: greedy, i.e. arm 0, as
    // there; ln 1 = 0 at the second: greedy too). Textbook: t is the pulls so far, each arm once first.
    const double log_t = t_ > 0 ? std::log(static_cast<double>(t_)) : 0.0;
    for (int a = 0; a < arms_; ++a) {
      const double n = options_.laplace ? pulls_[a] + 2.0 : static_cast<double>(pulls_[a]);
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

// Tables (Gittins indices, Bayes-optimal actions) are made once per process for each key and
// shared by every policy that needs them.
template <class Table, class Key, class... Args>
std::shared_ptr<const Table> shared_table(const Key& key, Args... args) {
  static std::mutex mutex;
  static std::map<Key, std::shared_ptr<const Table>> tables;
  const std::lock_guard<std::mutex> lock(mutex);
  auto& table = tables[key];
  if (!table) table = std::make_shared<Table>(args...);
  return table;
}

class GittinsPolicy : public BanditPolicy {
 public:
  using BanditPolicy::BanditPolicy;
  void reset(int arms, int64_t horizon, const std::string& task) override {
    BanditPolicy::reset(arms, horizon, task);
    if (!table_ || table_->max_pulls() < horizon) table_ = shared_table<GittinsTable>(std::make_pair(options_.gamma, horizon), options_.gamma,
                                                     static_cast<int>(horizon));
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

class BayesOptimalPolicy : public BanditPolicy {
 public:
  using BanditPolicy::BanditPolicy;
  void reset(int arms, int64_t horizon, const std::string& task) override {
    if (arms != 2) throw Error("bayes_optimal plays two-armed bandits; got " + std::to_string(arms) + " arms");
    BanditPolicy::reset(arms, horizon, task);
    table_ = shared_table<BayesOptimalTable>(std::make_pair(task, horizon), task, static_cast<int>(horizon));
  }
  int choose(Rng&) override {
    const auto s1 = static_cast<int>(successes_[0]), s2 = static_cast<int>(successes_[1]);
    return table_->action(s1, static_cast<int>(pulls_[0]) - s1, s2, static_cast<int>(pulls_[1]) - s2);
  }

 private:
  std::shared_ptr<const BayesOptimalTable> table_;
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
  if (name == "bayes_optimal") return std::make_unique<BayesOptimalPolicy>(options);
  throw Error("unknown bandit policy '" + name +
              "' (known: random, greedy, epsilon_greedy, ucb1, thompson, gittins, bayes_optimal)");
}

std::vector<BanditPolicyOptions> parse_bandit_policies(const std::string& text) {
  const auto colon = text.find(':');
  BanditPolicyOptions base;
  base.name = text.substr(0, colon);
  make_bandit_policy(base);  // an unknown name fails here, before its parameters are read
  std::vector<BanditPolicyOptions> out{base};
  if (colon == std::string::npos) return out;
  std::stringstream parameters(text.substr(colon + 1));
  std::string item;
  while (std::getline(parameters, item, ',')) {
    if (item == "textbook") {
      for (auto& o : out) o.laplace = false;
      continue;
    }
    const auto eq = item.find('=');
    const std::string key = item.substr(0, eq);
    double BanditPolicyOptions::*field = key == "epsilon" ? &BanditPolicyOptions::epsilon
                                         : key == "c"     ? &BanditPolicyOptions::c
                                         : key == "gamma" ? &BanditPolicyOptions::gamma
                                                          : nullptr;
    if (field == nullptr || eq == std::string::npos)
      throw Error("bad parameter '" + item + "' in '" + text + "' (known: epsilon=, c=, gamma=, textbook)");
    const std::string value = item.substr(eq + 1);
    std::vector<double> values;
    try {
      const auto dots = value.find("..");
      if (dots == std::string::npos) {
        values.push_back(std::stod(value));
      } else {
        const auto slash = value.find('/');
        if (slash == std::string::npos) throw Error("a sweep needs a step: FROM..TO/STEP");
        const double from = std::stod(value.substr(0, dots)), to = std::stod(value.substr(dots + 2, slash - dots - 2));
        const double step = std::stod(value.substr(slash + 1));
        if (!(step > 0) || to < from) throw Error("a sweep needs FROM <= TO and STEP > 0");
        // Points are computed as from + i * step (no accumulated rounding) and rounded to 1e-9.
        for (int64_t i = 0; from + i * step <= to + 1e-9 * step; ++i)
          values.push_back(std::round((from + i * step) * 1e9) / 1e9);
      }
    } catch (const std::logic_error&) {
      throw Error("bad value in '" + item + "' of '" + text + "'");
    }
    std::vector<BanditPolicyOptions> expanded;
    for (const auto& o : out) {
      for (double v : values) {
        BanditPolicyOptions point = o;
        point.*field = v;
        expanded.push_back(point);
      }
    }
    out = expanded;
  }
  for (const auto& o : out) make_bandit_policy(o);  // parameters out of range fail here
  return out;
}

}  // namespace dopa::agents
