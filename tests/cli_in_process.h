// dopa's command line run in-process (cli::run_dopa) in a forked child of the test: a fork costs a
// millisecond where starting the program costs a LibTorch load, and the child is bounded in time and
// memory. Its working folder is `work`; stdout and stderr go to `log`; sweeps started in it run the
// dopa binary for their trials ($DOPA_PROGRAM), never the test program.
#pragma once

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "dopa/cli/commands.h"

namespace cli_test {

struct Outcome {
  int status = -1;  // exit status, or -signal (SIGALRM: past the time limit)
  std::string output;
  std::vector<std::string> created;  // what the child left in `work`
};

inline int64_t virtual_memory_bytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t pages = 0;
  statm >> pages;
  return pages * sysconf(_SC_PAGESIZE);
}

// Runs `dopa ARGS`; the child may use `memory_bound` bytes more than this process has at the fork,
// and write no file larger than `file_size_limit` bytes when that is >= 0 (a full disk, simulated).
inline Outcome run_in_child(const std::vector<std::string>& args, const std::filesystem::path& work,
                            const std::filesystem::path& log, int time_limit_seconds,
                            int64_t memory_bound = int64_t{3} << 30, int64_t file_size_limit = -1) {
  std::fflush(nullptr);
  const int64_t memory_limit = virtual_memory_bytes() + memory_bound;
  const pid_t pid = fork();
  if (pid == 0) {
    if (chdir(work.c_str()) != 0) _exit(100);
    FILE* out = std::freopen(log.c_str(), "w", stdout);
    if (out == nullptr || dup2(fileno(stdout), STDERR_FILENO) < 0) _exit(101);
    const rlimit limit{static_cast<rlim_t>(memory_limit), static_cast<rlim_t>(memory_limit)};
    setrlimit(RLIMIT_AS, &limit);
    if (file_size_limit >= 0) {
      signal(SIGXFSZ, SIG_IGN);  // a write past the limit then fails with EFBIG, as on a full disk
      const rlimit size{static_cast<rlim_t>(file_size_limit), static_cast<rlim_t>(file_size_limit)};
      setrlimit(RLIMIT_FSIZE, &size);
    }
    alarm(static_cast<unsigned>(time_limit_seconds));
    setenv("DOPA_PROGRAM", DOPA_BINARY, 1);
    std::vector<std::string> words = args;
    words.insert(words.begin(), "dopa");
    std::vector<char*> argv;
    for (std::string& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    const int status = dopa::cli::run_dopa(static_cast<int>(words.size()), argv.data());
    std::fflush(nullptr);
    _exit(status);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  Outcome outcome;
  outcome.status = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  std::ifstream in(log);
  std::ostringstream text;
  text << in.rdbuf();
  outcome.output = text.str();
  for (const auto& entry : std::filesystem::recursive_directory_iterator(work))
    outcome.created.push_back(entry.path().string());
  return outcome;
}

}  // namespace cli_test
