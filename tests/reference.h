// Where the shared reference data lives (shared/reference next to the repository), for tests that
// compare against it. They skip when it is absent, unless the run is strict (DOPA_GOLDEN_STRICT=1:
// CI sets it when the data is there), where a test that would skip fails.
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

// DOPA_GOLDEN_STRICT=1: the golden comparisons are exact, and the reference data must be found.
inline bool strict_reference() {
  const char* value = std::getenv("DOPA_GOLDEN_STRICT");
  return value != nullptr && std::string(value) == "1";
}

}  // namespace dopa::test

// In a test or its SetUp: skips when the data is absent, fails instead in a strict run.
#define DOPA_REQUIRE_REFERENCE(dir)                                                               \
  do {                                                                                            \
    if ((dir).empty()) {                                                                          \
      if (dopa::test::strict_reference()) FAIL() << "DOPA_GOLDEN_STRICT=1 but shared/reference not found"; \
      GTEST_SKIP() << "shared/reference not found (set DOPA_REFERENCE_DIR)";                      \
    }                                                                                             \
  } while (false)
