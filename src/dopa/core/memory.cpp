#include "dopa/core/memory.h"

#include <malloc.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "dopa/core/error.h"

namespace dopa {

std::optional<int64_t> available_memory() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key, unit;
  int64_t kilobytes = 0;
  while (meminfo >> key >> kilobytes >> unit)
    if (key == "MemAvailable:") return kilobytes * 1024;
  return std::nullopt;
}

int64_t heap_bytes_of(const std::function<void()>& make) {
  const size_t before = mallinfo2().uordblks;
  make();
  const size_t after = mallinfo2().uordblks;
  return after > before ? static_cast<int64_t>(after - before) : 0;
}

void check_fits_in_memory(double bytes, const std::string& what, const std::string& how) {
  const std::optional<int64_t> available = available_memory();
  if (!available || bytes <= static_cast<double>(*available)) return;
  throw Error(what + " would need about " + memory_text(bytes) + " of memory (" + how + "); this machine has " +
              memory_text(static_cast<double>(*available)) + " available");
}

std::string memory_text(double bytes) {
  const char* units[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
  int unit = 0;
  while (bytes >= 1000 && unit < 5) {
    bytes /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, units[unit]);
  return text;
}

}  // namespace dopa
