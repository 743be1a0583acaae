#include "dopa/core/memory.h"

#include <malloc.h>
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
// The sanitizer runtime's count (sanitizer/allocator_interface.h, which GCC does not install).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

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

namespace {

// Bytes in use on the heap: the sanitizers' allocator replaces glibc's, whose counts then stay put.
size_t heap_in_use() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return __sanitizer_get_current_allocated_bytes();
#else
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;  // small chunks in the arenas, and large ones mmapped
#endif
}

}  // namespace

int64_t heap_bytes_of(const std::function<void()>& make) {
  const size_t before = heap_in_use();
  make();
  const size_t after = heap_in_use();
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
