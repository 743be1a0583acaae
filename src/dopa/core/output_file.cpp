#include "dopa/core/output_file.h"

#include <system_error>

#include "dopa/core/error.h"

namespace dopa {

namespace fs = std::filesystem;

OutputFile::OutputFile(fs::path path) : path_(std::move(path)), partial_(path_.string() + ".partial") {
  std::error_code error;
  if (path_.has_parent_path()) fs::create_directories(path_.parent_path(), error);
  out_.open(partial_);
  if (!out_) throw Error("cannot write '" + path_.string() + "'" + (error ? ": " + error.message() : std::string()));
}

OutputFile::~OutputFile() {
  if (committed_) return;
  out_.close();
  std::error_code ignored;
  fs::remove(partial_, ignored);
}

void OutputFile::commit() {
  out_.close();
  if (!out_) throw Error("writing '" + path_.string() + "' failed (disk full?)");
  fs::rename(partial_, path_);
  committed_ = true;
}

void write_file(const fs::path& path, const std::string& text) {
  OutputFile file(path);
  file.stream() << text;
  file.commit();
}

}  // namespace dopa
