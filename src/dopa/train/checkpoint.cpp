#include "dopa/train/checkpoint.h"

#include <ATen/Functions.h>
#include <ATen/core/Generator.h>
#include <ATen/CPUGeneratorImpl.h>
#include <fcntl.h>
#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <type_traits>

#include "dopa/core/error.h"
#include "dopa/core/vector_env.h"

namespace dopa {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFolder = "checkpoint";
constexpr const char* kTemporary = "checkpoint.tmp";
constexpr const char* kPrevious = "checkpoint.old";

// progress.txt ends with a checksum of its own lines and of state.pt: a damaged or cut checkpoint is
// refused when read, not loaded as other numbers (LibTorch's archive reader checks the structure of
// state.pt, not its contents).
constexpr const char* kChecksumKey = "checksum";

uint64_t checksum(const std::string& progress, const fs::path& state) {  // FNV-1a, 64 bits
  uint64_t hash = 14695981039346656037ULL;
  const auto add = [&hash](const char* bytes, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      hash ^= static_cast<unsigned char>(bytes[i]);
      hash *= 1099511628211ULL;
    }
  };
  add(progress.data(), progress.size());
  std::ifstream in(state, std::ios::binary);
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) add(buffer, static_cast<size_t>(in.gcount()));
  return hash;
}

bool complete(const fs::path& folder) {
  return fs::exists(folder / "progress.txt") && fs::exists(folder / "state.pt");
}

// Flushes a file's or a folder's contents (a folder: its entries) to the disk.
void sync_path(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | (fs::is_directory(path) ? O_DIRECTORY : 0));
  if (fd < 0) throw Error("cannot open '" + path.string() + "' to sync it: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw Error("cannot sync '" + path.string() + "': " + std::strerror(errno));
}

std::map<std::string, std::string> read_progress(const fs::path& file) {
  std::map<std::string, std::string> values;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    const size_t space = line.find(' ');
    if (space != std::string::npos) values[line.substr(0, space)] = line.substr(space + 1);
  }
  return values;
}

// A number of progress.txt: dopa::Error naming the run and the key when the text is not one (the
// file was damaged).
template <class T>
T progress_number(const std::map<std::string, std::string>& progress, const std::string& key,
                  const std::string& run_dir) {
  const auto it = progress.find(key);
  if (it == progress.end()) throw Error("cannot resume '" + run_dir + "': its checkpoint's progress.txt has no " + key);
  try {
    size_t end = 0;
    const T value = std::is_integral_v<T> ? static_cast<T>(std::stoll(it->second, &end)) : static_cast<T>(std::stod(it->second, &end));
    if (end == it->second.size()) return value;
  } catch (const std::logic_error&) {
  }
  throw Error("cannot resume '" + run_dir + "': its checkpoint's progress.txt is damaged (" + key + " '" +
              it->second.substr(0, 40) + "')");
}

// LibTorch's message without its source location lines: one line for dopa's one-line errors.
std::string first_line(const c10::Error& e) {
  const std::string text = e.what_without_backtrace();
  return text.substr(0, text.find('\n'));
}

at::Tensor text_tensor(const std::string& text) {
  at::Tensor bytes = at::empty({static_cast<int64_t>(text.size())}, at::kByte);
  if (!text.empty()) std::memcpy(bytes.data_ptr(), text.data(), text.size());
  return bytes;
}

}  // namespace

std::string find_checkpoint(const std::string& run_dir) {
  const fs::path dir(run_dir);
  if (complete(dir / kFolder)) return (dir / kFolder).string();
  if (complete(dir / kPrevious)) return (dir / kPrevious).string();  // a crash between the two renames
  return "";
}

int64_t checkpoint_step(const std::string& run_dir) {
  const std::string folder = find_checkpoint(run_dir);
  if (folder.empty()) return -1;
  const auto progress = read_progress(fs::path(folder) / "progress.txt");
  return progress.count("global_step") ? progress_number<int64_t>(progress, "global_step", run_dir) : -1;
}

// --- writing ---

CheckpointWriter::CheckpointWriter(std::string run_dir)
    : run_dir_(std::move(run_dir)), archive_(std::make_unique<torch::serialize::OutputArchive>()) {}

CheckpointWriter::~CheckpointWriter() = default;

void CheckpointWriter::progress(const std::string& key, int64_t value) {
  progress_ += key + " " + std::to_string(value) + "\n";
}

void CheckpointWriter::progress(const std::string& key, double value) {
  std::ostringstream out;
  out.precision(17);
  out << key << " " << value << "\n";
  progress_ += out.str();
}

void CheckpointWriter::module(const std::string& key, const torch::nn::Module& module) {
  torch::serialize::OutputArchive nested;
  module.save(nested);
  archive_->write(key, nested);
}

void CheckpointWriter::optimizer(const std::string& key, const torch::optim::Optimizer& optimizer) {
  torch::serialize::OutputArchive nested;
  optimizer.save(nested);
  archive_->write(key, nested);
}

void CheckpointWriter::tensor(const std::string& key, const at::Tensor& tensor) { archive_->write(key, tensor); }

void CheckpointWriter::values(const std::string& key, const std::vector<double>& values) {
  archive_->write(key, torch::tensor(values, torch::kFloat64));
}

void CheckpointWriter::tensors(const std::string& key, const std::vector<at::Tensor>& tensors) {
  torch::serialize::OutputArchive nested;
  for (size_t i = 0; i < tensors.size(); ++i)  // an undefined tensor is stored as an empty "u<i>"
    nested.write((tensors[i].defined() ? "" : "u") + std::to_string(i), tensors[i].defined() ? tensors[i] : at::empty({0}));
  archive_->write(key, nested);
}

void CheckpointWriter::text(const std::string& key, const std::string& text) { archive_->write(key, text_tensor(text)); }

void CheckpointWriter::random_generator() {
  archive_->write("rng", at::detail::getDefaultCPUGenerator().get_state());
}

void CheckpointWriter::envs(const VectorEnv& envs) { text("envs", envs.snapshot()); }

void CheckpointWriter::commit() {
  const fs::path dir(run_dir_), tmp = dir / kTemporary, current = dir / kFolder, previous = dir / kPrevious;
  // The new checkpoint is written whole beside the current one, which stays until it is: a write
  // that fails (a full disk) leaves the current checkpoint as it was.
  try {
    fs::remove_all(tmp);  // a half-written one from a crash
    fs::create_directories(tmp);
    {
      // Through memory: LibTorch's file writer reports a failed write from a destructor, which ends
      // the process; our own write reports it here.
      std::ostringstream bytes;
      archive_->save_to(bytes);
      std::ofstream state(tmp / "state.pt", std::ios::binary);
      const std::string data = bytes.str();
      state.write(data.data(), static_cast<std::streamsize>(data.size()));
      if (!state.flush()) throw Error("state.pt: " + std::string(std::strerror(errno)));
    }
    std::ofstream out(tmp / "progress.txt");
    out << progress_ << kChecksumKey << " " << checksum(progress_, tmp / "state.pt") << "\n";
    if (!out.flush()) throw Error("progress.txt: " + std::string(std::strerror(errno)));
    out.close();
    sync_path(tmp / "progress.txt");
    sync_path(tmp / "state.pt");
    sync_path(tmp);
  } catch (const std::exception& e) {  // LibTorch's c10::Error, filesystem errors, ours
    std::error_code ignored;
    fs::remove_all(tmp, ignored);
    std::string why = e.what();
    why = why.substr(0, why.find('\n'));
    throw Error("cannot write a checkpoint into '" + run_dir_ + "' (" + why + "); " +
                (fs::exists(current) ? "the previous checkpoint is kept" : "the run has no checkpoint yet"));
  }
  if (fs::exists(current)) {
    fs::remove_all(previous);
    fs::rename(current, previous);
  }
  fs::rename(tmp, current);
  sync_path(dir);
  fs::remove_all(previous);
}

// --- reading ---

CheckpointReader::CheckpointReader(const std::string& run_dir)
    : run_dir_(run_dir), folder_(find_checkpoint(run_dir)), archive_(std::make_unique<torch::serialize::InputArchive>()) {
  if (folder_.empty()) throw Error("cannot resume '" + run_dir + "': it has no checkpoint (none was written yet)");
  const fs::path progress = fs::path(folder_) / "progress.txt";
  std::ifstream in(progress, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string lines = text.str();
  const size_t last = lines.rfind(std::string(kChecksumKey) + " ");
  if (last == std::string::npos || (last > 0 && lines[last - 1] != '\n') ||
      lines.substr(last) != std::string(kChecksumKey) + " " +
                                 std::to_string(checksum(lines.substr(0, last), fs::path(folder_) / "state.pt")) + "\n")
    throw Error("cannot resume '" + run_dir + "': its checkpoint (" + folder_ +
                ") is damaged: progress.txt's checksum does not match its contents and state.pt");
  progress_ = read_progress(progress);
  try {
    archive_->load_from((fs::path(folder_) / "state.pt").string());
  } catch (const c10::Error& e) {
    throw Error("cannot resume '" + run_dir + "': cannot read " + folder_ + "/state.pt (" +
                first_line(e) + ")");
  }
}

CheckpointReader::~CheckpointReader() = default;

int64_t CheckpointReader::progress_int(const std::string& key) const {
  return progress_number<int64_t>(progress_, key, run_dir_);
}

double CheckpointReader::progress_double(const std::string& key) const {
  return progress_number<double>(progress_, key, run_dir_);
}

void CheckpointReader::module(const std::string& key, torch::nn::Module& module) {
  // LibTorch loads a tensor of any shape into a parameter: compare the shapes, or a checkpoint of
  // another network (another `hidden`, say) would load without a word.
  auto shapes_of = [&module] {
    std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
    for (const auto& p : module.named_parameters()) shapes.emplace_back(p.key(), p.value().sizes().vec());
    for (const auto& b : module.named_buffers()) shapes.emplace_back(b.key(), b.value().sizes().vec());
    return shapes;
  };
  const auto expected = shapes_of();
  try {
    torch::serialize::InputArchive nested;
    archive_->read(key, nested);
    module.load(nested);
  } catch (const c10::Error& e) {
    throw Error("cannot resume '" + run_dir_ + "': its checkpoint's " + key + " does not fit this configuration (" +
                first_line(e) + ")");
  }
  auto text = [](at::IntArrayRef sizes) { return "[" + c10::Join(", ", sizes) + "]"; };
  const auto loaded = shapes_of();
  for (size_t i = 0; i < expected.size(); ++i)
    if (loaded[i].second != expected[i].second)
      throw Error("cannot resume '" + run_dir_ + "': its checkpoint's " + key + " does not fit this configuration (" +
                  loaded[i].first + " is " + text(loaded[i].second) + " there, " + text(expected[i].second) + " here)");
}

void CheckpointReader::optimizer(const std::string& key, torch::optim::Optimizer& optimizer) {
  try {
    torch::serialize::InputArchive nested;
    archive_->read(key, nested);
    optimizer.load(nested);
  } catch (const c10::Error& e) {
    throw Error("cannot resume '" + run_dir_ + "': its checkpoint's " + key + " does not fit this configuration (" +
                first_line(e) + ")");
  }
}

at::Tensor CheckpointReader::tensor(const std::string& key) {
  at::Tensor t;
  if (!archive_->try_read(key, t)) throw Error("cannot resume '" + run_dir_ + "': its checkpoint has no " + key);
  return t;
}

std::vector<double> CheckpointReader::values(const std::string& key) {
  const at::Tensor t = tensor(key).to(torch::kFloat64).contiguous();
  return {t.data_ptr<double>(), t.data_ptr<double>() + t.numel()};
}

std::vector<at::Tensor> CheckpointReader::tensors(const std::string& key) {
  torch::serialize::InputArchive nested;
  if (!archive_->try_read(key, nested)) throw Error("cannot resume '" + run_dir_ + "': its checkpoint has no " + key);
  std::vector<at::Tensor> out;
  for (size_t i = 0;; ++i) {
    at::Tensor t;
    if (nested.try_read(std::to_string(i), t)) {
      out.push_back(t);
    } else if (nested.try_read("u" + std::to_string(i), t)) {
      out.emplace_back();
    } else {
      return out;
    }
  }
}

bool CheckpointReader::has(const std::string& key) {
  for (const auto& k : archive_->keys())
    if (k == key) return true;
  return false;
}

std::string CheckpointReader::text(const std::string& key) {
  const at::Tensor bytes = tensor(key).contiguous();
  return std::string(static_cast<const char*>(bytes.data_ptr()), static_cast<size_t>(bytes.numel()));
}

void CheckpointReader::random_generator() {
  at::Generator generator = at::detail::getDefaultCPUGenerator();  // a handle to the global one
  generator.set_state(tensor("rng"));
}

bool CheckpointReader::envs(VectorEnv& envs) {
  const std::string snapshot = text("envs");
  if (!envs.snapshot_fits(snapshot)) return false;
  envs.restore_snapshot(snapshot);
  return true;
}

}  // namespace dopa
