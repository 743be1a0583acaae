// Output files written whole or not at all. The text goes to PATH.partial, which replaces PATH only
// when the writing is complete (commit); an error or an exception before that removes it, so a
// rejected or interrupted command leaves the previous file (or none), never half of one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace dopa {

class OutputFile {
 public:
  // Makes the folder when it is missing; dopa::Error naming `path` when it cannot be written.
  explicit OutputFile(std::filesystem::path path);
  ~OutputFile();  // uncommitted: the partial file is removed
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  std::ostream& stream() { return out_; }
  // PATH.partial becomes PATH; dopa::Error naming PATH when a write failed.
  void commit();

 private:
  std::filesystem::path path_, partial_;
  std::ofstream out_;
  bool committed_ = false;
};

// Writes `text` to `path` as a whole (through OutputFile).
void write_file(const std::filesystem::path& path, const std::string& text);

// A CSV record of a run whose rows start with a step or update number: keeps the header and the rows
// numbered up to `last`, dropping those after it (a resumed run continues from its checkpoint at
// `last` and writes them again). Returns the last row kept ("" when none); nothing when `path` is
// missing.
std::string keep_rows_up_to(const std::filesystem::path& path, int64_t last);

}  // namespace dopa
