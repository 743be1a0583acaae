// Errors raised by dopa.
//
// dopa::Error is for problems with what a user asked for: an unknown env ID, a config key that does
// not exist, a value of the wrong type, an action outside the action space, a missing file. The
// message names the offending thing and says what would be valid. The `dopa` command prints it as
// one line and exits with status 2. Bugs in dopa itself raise std::logic_error instead.
#pragma once

#include <stdexcept>
#include <string>

namespace dopa {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace dopa
