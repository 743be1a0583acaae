// The advisory lock on run and sweep folders (core/folder_lock.h): while another process holds a
// folder (here this test), a `dopa run --resume` of it or a sweep into it is refused and changes
// nothing; the same shard of a sharded sweep twice is refused, other shards are not; once the lock
// goes, the commands run.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli_in_process.h"
#include "dopa/core/error.h"
#include "dopa/core/folder_lock.h"

namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Folders {
  fs::path root, work, log;
  Folders() : root(fs::temp_directory_path() / ("dopa-lock-test-" + std::to_string(getpid()))) {
    fs::remove_all(root);
    work = root / "work";
    log = root / "log.txt";
    fs::create_directories(work);
  }
  ~Folders() { fs::remove_all(root); }
  cli_test::Outcome dopa(const std::vector<std::string>& args) const { return cli_test::run_in_child(args, work, log, 120); }
};

const std::string kExperiment = std::string(DOPA_SOURCE_DIR) + "/experiments/bandits/independent_lstm.toml";

TEST(FolderLock, ASecondLockOnTheSameFolderIsRefusedUntilTheFirstGoes) {
  const Folders f;
  {
    const dopa::FolderLock first(f.work, "run folder");
    EXPECT_THROW(dopa::FolderLock(f.work, "run folder"), dopa::Error);  // flock: per open file, so in-process too
  }
  EXPECT_NO_THROW(dopa::FolderLock(f.work, "run folder"));
}

TEST(FolderLock, AResumeOfARunFolderInUseIsRefusedAndChangesNothing) {
  const Folders f;
  const std::string run = (f.root / "run").string();
  ASSERT_EQ(f.dopa({"run", kExperiment, "--quick", "--no-progress", "--out", run}).status, 0);
  const std::string metrics = read(f.root / "run" / "metrics.csv");
  {
    const dopa::FolderLock held(run, "run folder");
    const auto r = f.dopa({"run", "--resume", run, "--set", "total_steps=8000", "--no-progress"});
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("run folder '" + run + "' is in use by another dopa process"), std::string::npos)
        << r.output;
    EXPECT_EQ(read(f.root / "run" / "metrics.csv"), metrics);
  }
  const auto r = f.dopa({"run", "--resume", run, "--set", "total_steps=8000", "--no-progress"});
  EXPECT_EQ(r.status, 0) << r.output;
}

TEST(FolderLock, ASweepIntoAFolderInUseIsRefusedAndTheSameShardTwiceToo) {
  const Folders f;
  const fs::path sweep = f.root / "sweep";
  fs::create_directories(sweep);
  const std::vector<std::string> command = {"sweep", kExperiment, "--quick", "--seeds", "0-1", "--jobs", "1",
                                            "--out", sweep.string()};
  {
    const dopa::FolderLock held(sweep, "sweep folder");
    const auto r = f.dopa(command);
    EXPECT_EQ(r.status, 2) << r.output;
    EXPECT_NE(r.output.find("is in use by another dopa process"), std::string::npos) << r.output;
    EXPECT_TRUE(fs::is_empty(sweep));
  }
  {
    const dopa::FolderLock held(sweep / ".shard-0-of-2.lock", "sweep shard");
    std::vector<std::string> shard0 = command, shard1 = command;
    shard0.insert(shard0.end(), {"--shard", "0/2"});
    shard1.insert(shard1.end(), {"--shard", "1/2"});
    const auto refused = f.dopa(shard0);
    EXPECT_EQ(refused.status, 2) << refused.output;
    EXPECT_NE(refused.output.find("sweep shard"), std::string::npos) << refused.output;
    const auto other = f.dopa(shard1);
    EXPECT_EQ(other.status, 0) << other.output;
  }
  EXPECT_EQ(f.dopa(command).status, 0);
}

}  // namespace
