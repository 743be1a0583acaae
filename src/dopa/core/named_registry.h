// A registry of named things (agents, evaluations) that register themselves when the program starts.
// Each registration is a struct with a `name`; find() answers an unknown name with close matches.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dopa/core/error.h"
#include "dopa/core/strings.h"

namespace dopa {

template <typename Registration>
class NamedRegistry {
 public:
  explicit NamedRegistry(std::string kind) : kind_(std::move(kind)) {}

  // dopa::Error when the name is empty or taken.
  void add(Registration registration) {
    const std::string name = registration.name;
    if (name.empty()) throw Error("a " + kind_ + " registration without a name");
    if (entries_.count(name)) throw Error(kind_ + " '" + name + "' is already registered");
    entries_.emplace(name, std::move(registration));
  }
  const Registration& find(const std::string& name) const {
    const auto it = entries_.find(name);
    if (it == entries_.end())
      throw Error("unknown " + kind_ + " '" + name + "'." + did_you_mean(name, names()) + " Valid: " + join(names()) +
                  ".");
    return it->second;
  }
  std::vector<std::string> names() const {  // sorted
    std::vector<std::string> out;
    for (const auto& entry : entries_) out.push_back(entry.first);
    return out;
  }

 private:
  std::string kind_;
  std::map<std::string, Registration> entries_;
};

}  // namespace dopa
