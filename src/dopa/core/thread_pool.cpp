#include "dopa/core/thread_pool.h"

#include <stdexcept>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define DOPA_CPU_RELAX() _mm_pause()
#else
#define DOPA_CPU_RELAX() std::this_thread::yield()
#endif

namespace dopa {

namespace {
// About 50-100 microseconds of spinning before an idle worker goes to sleep: long enough to span
// the gap between two env steps of a rollout loop, short enough not to steal a core from the
// learner's computation for long.
constexpr int kSpinIterations = 20000;
}  // namespace

int hardware_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

ThreadPool::ThreadPool(int num_threads) {
  if (num_threads < 1) throw std::invalid_argument("ThreadPool needs at least one thread");
  for (int i = 1; i < num_threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  {
    std::lock_guard<std::mutex> lock(sleep_mutex_);
    generation_.fetch_add(1);
  }
  wake_.notify_all();
  for (auto& worker : workers_) worker.join();
}

void ThreadPool::run_share(int index) {
  const int64_t threads = num_threads();
  const int64_t begin = job_size_ * index / threads;
  const int64_t end = job_size_ * (index + 1) / threads;
  if (begin >= end) return;
  try {
    (*job_)(begin, end);
  } catch (...) {
    std::lock_guard<std::mutex> lock(error_mutex_);
    if (!error_) error_ = std::current_exception();
  }
}

void ThreadPool::worker_loop(int index) {
  uint64_t seen = 0;
  for (;;) {
    uint64_t generation;
    int spins = 0;
    while ((generation = generation_.load(std::memory_order_acquire)) == seen) {
      if (++spins < kSpinIterations) {
        DOPA_CPU_RELAX();
        continue;
      }
      std::unique_lock<std::mutex> lock(sleep_mutex_);
      sleepers_.fetch_add(1);
      wake_.wait(lock, [&] { return generation_.load() != seen; });
      sleepers_.fetch_sub(1);
      spins = 0;
    }
    seen = generation;
    if (stop_.load()) return;
    run_share(index);
    pending_.fetch_sub(1, std::memory_order_release);
  }
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
  if (workers_.empty() || n <= 1) {
    if (n > 0) fn(0, n);
    return;
  }
  std::lock_guard<std::mutex> call(call_mutex_);
  job_ = &fn;
  job_size_ = n;
  error_ = nullptr;
  pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  generation_.fetch_add(1);  // seq_cst: pairs with the sleepers_ check below (see worker_loop)
  if (sleepers_.load() > 0) {
    { std::lock_guard<std::mutex> lock(sleep_mutex_); }
    wake_.notify_all();
  }
  run_share(0);
  while (pending_.load(std::memory_order_acquire) != 0) DOPA_CPU_RELAX();
  job_ = nullptr;
  if (error_) std::rethrow_exception(error_);
}

}  // namespace dopa
