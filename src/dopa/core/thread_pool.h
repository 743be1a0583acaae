// A fixed pool of worker threads for stepping envs in parallel.
//
// parallel_for(n, fn) splits [0, n) into one contiguous range per thread, runs fn(begin, end) on
// each (the calling thread takes the first range) and returns when all are done. Env steps are
// microseconds, so waking a sleeping thread (tens of microseconds) would cost more than the work:
// idle workers spin for a short while before they sleep, and the caller spins while it waits.
// An exception thrown by fn is rethrown in the caller (the first one, if several threads throw).
// Callers on several threads take turns: a second call waits until the first has returned (each
// VectorEnv owns its pool, so this is the rare case; a population's members each have their own,
// which may oversubscribe the cores: tests/test_vector_env.cpp). fn must not call parallel_for on
// the same pool.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace dopa {

class ThreadPool {
 public:
  explicit ThreadPool(int num_threads);  // num_threads >= 1; 1 runs everything in the caller
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return static_cast<int>(workers_.size()) + 1; }
  void parallel_for(int64_t n, const std::function<void(int64_t begin, int64_t end)>& fn);

 private:
  void worker_loop(int index);
  void run_share(int index);

  std::vector<std::thread> workers_;
  std::mutex call_mutex_;  // held by the caller whose job runs
  // The current job.
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t job_size_ = 0;
  std::exception_ptr error_;
  std::mutex error_mutex_;
  // Handshake: a new generation starts a job; pending_ counts workers still running it.
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  std::mutex sleep_mutex_;
  std::condition_variable wake_;
};

// The number of hardware threads (at least 1).
int hardware_threads();

}  // namespace dopa
