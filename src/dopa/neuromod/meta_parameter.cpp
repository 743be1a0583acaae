#include "dopa/neuromod/meta_parameter.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "dopa/core/error.h"
#include "dopa/core/strings.h"

namespace dopa::neuromod {

namespace {

// Schweighofer & Doya 2003 (the ReScience replication's constants): perturbations redrawn every
// 100 steps, reward averages with time constants of 100 steps, meta learning rate 0.2.
constexpr long long kPerturbationSteps = 100;
constexpr double kShortTime = 100.0, kLongTime = 100.0, kMetaRate = 0.2;
constexpr double kSurpriseTime = 100.0;

}  // namespace

MetaParameter::MetaParameter(const std::string& spec, Squash squash, const std::string& name)
    : spec_(spec), name_(name), squash_(squash) {
  const size_t colon = spec.find(':');
  const std::string kind = colon == std::string::npos ? "fixed" : spec.substr(0, colon);
  const std::vector<double> v =
      number_list(colon == std::string::npos ? spec : spec.substr(colon + 1), ':', name + " = \"" + spec + "\"");
  auto expect = [&](size_t n, const char* form) {
    if (v.size() != n) throw Error(name + " = \"" + spec + "\": expected " + form);
  };
  auto in_range = [&](double x) {
    const bool ok = squash_ == Squash::Logistic ? x > 0 && x < 1 : x > 0;
    if (!ok)
      throw Error(name + " = \"" + spec + "\": " + std::to_string(x) + " is outside " +
                  (squash_ == Squash::Logistic ? "(0, 1)" : "(0, inf)"));
  };
  if (kind == "fixed") {
    expect(1, "fixed:VALUE");
    kind_ = Kind::Fixed;
    value_ = v[0];
    if (!(squash_ == Squash::Logistic ? v[0] >= 0 && v[0] <= 1 : v[0] >= 0))
      throw Error(name + " = \"" + spec + "\": out of range");
  } else if (kind == "linear") {
    expect(2, "linear:START:END");
    kind_ = Kind::Linear;
    start_ = v[0], end_ = v[1];
    in_range(start_), in_range(end_);
    value_ = start_;
  } else if (kind == "meta") {
    expect(1, "meta:INITIAL");
    kind_ = Kind::Meta;
    in_range(v[0]);
    base_ = unsquash(v[0]);
    value_ = v[0];
  } else if (kind == "surprise") {
    expect(3, "surprise:LOW:HIGH:SCALE");
    kind_ = Kind::Surprise;
    start_ = v[0], end_ = v[1], scale_ = v[2];
    in_range(start_), in_range(end_);
    if (!(scale_ > 0)) throw Error(name + " = \"" + spec + "\": SCALE must be > 0");
    value_ = start_;
  } else {
    throw Error(name + " = \"" + spec + "\": unknown source '" + kind + "' (fixed, linear, meta or surprise)");
  }
}

double MetaParameter::squash(double b) const {
  return squash_ == Squash::Logistic ? 1.0 / (1.0 + std::exp(-b)) : std::exp(b);
}

double MetaParameter::unsquash(double v) const {
  return squash_ == Squash::Logistic ? std::log(v / (1.0 - v)) : std::log(v);
}

void MetaParameter::step(double reward, double delta, double progress, Rng& rng) {
  switch (kind_) {
    case Kind::Fixed:
      return;
    case Kind::Linear:
      value_ = start_ + (end_ - start_) * std::min(1.0, std::max(0.0, progress));
      return;
    case Kind::Surprise:
      surprise_ += (std::abs(delta) - surprise_) / kSurpriseTime;
      value_ = start_ + (end_ - start_) * std::tanh(surprise_ / scale_);
      return;
    case Kind::Meta:
      reward_avg_ += (reward - reward_avg_) / kShortTime;
      reward_avg_avg_ += (reward_avg_ - reward_avg_avg_) / kLongTime;
      base_ += kMetaRate * (reward_avg_ - reward_avg_avg_) * sigma_;
      if (steps_ % kPerturbationSteps == 0) sigma_ = rng.normal();
      ++steps_;
      value_ = squash(base_ + sigma_);
      return;
  }
}

std::string MetaParameter::state() const {
  std::ostringstream out;
  out.precision(17);
  out << value_ << " " << base_ << " " << sigma_ << " " << reward_avg_ << " " << reward_avg_avg_ << " " << surprise_
      << " " << steps_;
  return out.str();
}

void MetaParameter::set_state(const std::string& state) {
  std::istringstream in(state);
  if (!(in >> value_ >> base_ >> sigma_ >> reward_avg_ >> reward_avg_avg_ >> surprise_ >> steps_))
    throw Error(name_ + ": malformed saved state '" + state + "'");
}

}  // namespace dopa::neuromod
