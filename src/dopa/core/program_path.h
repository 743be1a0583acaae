// Where the running program lives (dopa, the tests, a benchmark or a user's program): for finding
// files installed or built beside it (MuJoCo models, scripts) and for starting itself again (sweeps).
#pragma once

#include <string>

namespace dopa {

// The running program's absolute path (/proc/self/exe); empty when it cannot be read.
std::string program_path();

}  // namespace dopa
