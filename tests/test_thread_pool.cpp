#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "dopa/core/thread_pool.h"

namespace {

TEST(ThreadPool, EveryIndexRunsExactlyOnce) {
  for (int threads : {1, 2, 3, 4}) {
    dopa::ThreadPool pool(threads);
    for (int64_t n : {0, 1, 2, 5, 64, 1000}) {
      std::vector<std::atomic<int>> hits(n);
      for (int repeat = 0; repeat < 20; ++repeat)
        pool.parallel_for(n, [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i) hits[i].fetch_add(1);
        });
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 20) << threads << " threads, n " << n;
    }
  }
}

// Far more threads than cores (32 on this project's 2-core machines): workers that spin, sleep and
// wake out of turn still run every index once, job after job.
TEST(ThreadPool, AnOversubscribedPoolRunsEveryIndexOnce) {
  dopa::ThreadPool pool(32);
  for (int64_t n : {1, 2, 31, 32, 33, 1000}) {
    std::vector<std::atomic<int>> hits(n);
    for (int repeat = 0; repeat < 20; ++repeat) {
      pool.parallel_for(n, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) hits[i].fetch_add(1);
      });
      if (repeat == 10) std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let the workers sleep
    }
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 20) << "n " << n << " index " << i;
  }
}

// Several threads calling one pool at once take turns: every caller's indices run once per call,
// and no job of one caller runs while another caller's does.
TEST(ThreadPool, ConcurrentCallersTakeTurns) {
  dopa::ThreadPool pool(8);
  constexpr int kCallers = 4, kCalls = 200;
  constexpr int64_t kSize = 97;
  std::vector<std::vector<std::atomic<int>>> hits;
  for (int c = 0; c < kCallers; ++c) hits.emplace_back(kSize);
  std::vector<std::atomic<int>> inside(kCallers);
  std::atomic<int> overlaps{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c)
    callers.emplace_back([&, c] {
      for (int call = 0; call < kCalls; ++call)
        pool.parallel_for(kSize, [&](int64_t begin, int64_t end) {
          inside[c].fetch_add(1);
          for (int other = 0; other < kCallers; ++other)
            if (other != c && inside[other].load() != 0) overlaps.fetch_add(1);
          for (int64_t i = begin; i < end; ++i) hits[c][i].fetch_add(1);
          inside[c].fetch_sub(1);
        });
    });
  for (auto& caller : callers) caller.join();
  EXPECT_EQ(overlaps.load(), 0);
  for (int c = 0; c < kCallers; ++c)
    for (int64_t i = 0; i < kSize; ++i) ASSERT_EQ(hits[c][i].load(), kCalls) << "caller " << c << " index " << i;
}

TEST(ThreadPool, UsesSeveralThreads) {
  dopa::ThreadPool pool(2);
  std::vector<std::thread::id> ids(2);
  pool.parallel_for(2, [&](int64_t begin, int64_t) { ids[begin] = std::this_thread::get_id(); });
  EXPECT_NE(ids[0], ids[1]);
  EXPECT_EQ(ids[0], std::this_thread::get_id());  // the caller takes the first range
}

TEST(ThreadPool, ExceptionsReachTheCaller) {
  dopa::ThreadPool pool(3);
  EXPECT_THROW(pool.parallel_for(30,
                                 [](int64_t begin, int64_t) {
                                   if (begin > 0) throw std::runtime_error("worker failed");
                                 }),
               std::runtime_error);
  // The pool still works afterwards, also after its workers fell asleep.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::atomic<int> sum{0};
  pool.parallel_for(30, [&](int64_t begin, int64_t end) { sum += static_cast<int>(end - begin); });
  EXPECT_EQ(sum.load(), 30);
}

}  // namespace
