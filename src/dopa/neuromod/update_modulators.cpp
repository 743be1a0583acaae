#include "dopa/neuromod/update_modulators.h"

#include <ostream>
#include <sstream>

namespace dopa::neuromod {

ConfigSchema UpdateModulators::config_keys() {
  const std::string forms = "fixed:V, linear:A:B, meta:V or surprise:LOW:HIGH:SCALE, per update "
                            "(src/dopa/neuromod/meta_parameter.h)";
  return {
      {"acetylcholine", "", "step size from a neuromodulator source: " + forms + "; empty: lr"},
      {"noradrenaline", "", "entropy weight from a neuromodulator source (same forms); empty: the entropy settings"},
      {"serotonin", "", "discount gamma from a neuromodulator source (same forms); empty: gamma"},
  };
}

UpdateModulators::UpdateModulators(const Config& config, const std::string& agent, uint64_t seed) : rng_(seed) {
  auto source = [&](std::optional<MetaParameter>& m, const char* key, const char* what) {
    const std::string spec = config.get_string(key);
    if (!spec.empty()) m.emplace(spec, Squash::Logistic, agent + " " + key + " (" + what + ")");
  };
  source(acetylcholine_, "acetylcholine", "step size");
  source(noradrenaline_, "noradrenaline", "entropy weight");
  source(serotonin_, "serotonin", "gamma");
}

void UpdateModulators::step(double reward, double surprise, double next_progress) {
  for (auto* m : {&acetylcholine_, &noradrenaline_, &serotonin_})
    if (*m) (*m)->step(reward, surprise, next_progress, rng_);
}

void UpdateModulators::write(std::ostream& out) const {
  if (acetylcholine_) out << "acetylcholine " << acetylcholine_->state() << "\n";
  if (noradrenaline_) out << "noradrenaline " << noradrenaline_->state() << "\n";
  if (serotonin_) out << "serotonin " << serotonin_->state() << "\n";
  if (any()) out << "modulator_rng " << rng_.save() << "\n";
}

void UpdateModulators::read(const std::string& key, const std::string& rest) {
  if (key == "modulator_rng") rng_.load(rest);
  else if (key == "acetylcholine" && acetylcholine_) acetylcholine_->set_state(rest);
  else if (key == "noradrenaline" && noradrenaline_) noradrenaline_->set_state(rest);
  else if (key == "serotonin" && serotonin_) serotonin_->set_state(rest);
}

std::string UpdateModulators::save() const {
  std::ostringstream out;
  out.precision(17);
  write(out);
  return out.str();
}

void UpdateModulators::load(const std::string& saved) {
  std::istringstream in(saved);
  std::string line;
  while (std::getline(in, line)) {
    const size_t space = line.find(' ');
    if (space != std::string::npos) read(line.substr(0, space), line.substr(space + 1));
  }
}

}  // namespace dopa::neuromod
