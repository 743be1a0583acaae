#include "dopa/core/program_path.h"

#include <unistd.h>

#include <climits>

namespace dopa {

std::string program_path() {
  char buffer[PATH_MAX + 1] = {0};
  const ssize_t n = readlink("/proc/self/exe", buffer, PATH_MAX);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

}  // namespace dopa
