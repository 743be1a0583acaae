// Where the shared reference data lives (shared/reference next to the repository), for tests that
// compare against it. They skip when it is absent.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace dopa::test {

// $DOPA_REFERENCE_DIR, else the first shared/reference found walking up from the source tree;
// empty when there is none.
inline std::string reference_dir() {
  if (const char* env = std::getenv("DOPA_REFERENCE_DIR")) return env;
  std::filesystem::path dir = std::filesystem::absolute(DOPA_SOURCE_DIR);
  for (int up = 0; up < 4 && !dir.empty(); ++up, dir = dir.parent_path()) {
    const auto candidate = dir / "shared" / "reference";
    if (std::filesystem::is_directory(candidate)) return candidate.string();
    if (dir == dir.parent_path()) break;
  }
  return "";
}

}  // namespace dopa::test
