// An advisory lock on a run or sweep folder, so that a second dopa process that would write into the
// same folder (a second `--resume` of a run still training, a sweep started twice) is refused with a
// message instead of interleaving its files with the first's.
#pragma once

#include <filesystem>
#include <string>

namespace dopa {

class FolderLock {
 public:
  // Locks `path`: a folder (flock on the folder itself: nothing is written into it) or a lock file
  // (made when missing). dopa::Error naming `what` and the path when another process holds it. The
  // lock goes when this object does, or when the process ends however it ends; child processes do
  // not inherit it.
  FolderLock(const std::filesystem::path& path, const std::string& what);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace dopa
