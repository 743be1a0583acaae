#include "dopa/core/folder_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dopa/core/error.h"

namespace dopa {

FolderLock::FolderLock(const std::filesystem::path& path, const std::string& what) {
  const bool folder = std::filesystem::is_directory(path);
  fd_ = folder ? ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
               : ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error("cannot lock " + what + " '" + path.string() + "': " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK)
      throw Error(what + " '" + path.string() + "' is in use by another dopa process; wait for it to end, or " +
                  "choose another folder");
    throw Error("cannot lock " + what + " '" + path.string() + "': " + std::strerror(error));
  }
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the lock
}

}  // namespace dopa
