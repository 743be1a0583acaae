// Memory bounds: a command whose buffers would not fit in this machine's memory is refused up front,
// with the estimate in the message, instead of growing until the system kills it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace dopa {

// The memory the system can still give (MemAvailable of /proc/meminfo); nullopt where unknown.
std::optional<int64_t> available_memory();

// Bytes that `make` leaves allocated on the heap (the allocator's count before and after): the
// footprint of one object it builds, measured rather than guessed.
int64_t heap_bytes_of(const std::function<void()>& make);

// dopa::Error when `bytes` exceed the available memory: "<what> would need about 7.6 GB of memory
// (<how>); this machine has 20.1 GB available".
void check_fits_in_memory(double bytes, const std::string& what, const std::string& how);

// "7.6 GB", "512 MB", "3 kB".
std::string memory_text(double bytes);

}  // namespace dopa
