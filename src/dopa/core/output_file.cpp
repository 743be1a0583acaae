#include "dopa/core/output_file.h"

#include <stdexcept>
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
  std::error_code error;
  fs::rename(partial_, path_, error);
  if (error) throw Error("cannot write '" + path_.string() + "': " + error.message());
  committed_ = true;
}

void write_file(const fs::path& path, const std::string& text) {
  OutputFile file(path);
  file.stream() << text;
  file.commit();
}

std::string keep_rows_up_to(const fs::path& path, int64_t last) {
  std::ifstream in(path);
  if (!in) return "";
  std::string line, kept, last_kept;
  for (bool header = true; std::getline(in, line); header = false) {
    if (header) {
      kept += line + "\n";
      continue;
    }
    int64_t number = 0;
    try {
      number = std::stoll(line.substr(0, line.find(',')));
    } catch (const std::logic_error&) {
      throw Error("'" + path.string() + "' has a row that does not start with a number: " + line);
    }
    if (number <= last) {
      kept += line + "\n";
      last_kept = line;
    }
  }
  in.close();
  write_file(path, kept);
  return last_kept;
}

}  // namespace dopa
