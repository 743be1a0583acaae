// Checkpoints: what an agent needs to continue a run exactly where it stopped.
//
// A run folder's checkpoint is its folder `checkpoint/`:
//   progress.txt   "key value" lines anyone can read: global_step, episodes, the agent's counters
//   state.pt       the rest, by name: modules, optimisers, LibTorch's generator, tensors, text, and
//                  the envs' snapshot (VectorEnv::snapshot), in LibTorch's archive format
// A checkpoint is written whole or not at all: into `checkpoint.tmp/`, each file and the folder
// fsynced, then renamed `checkpoint/` -> `checkpoint.old/` and `checkpoint.tmp/` -> `checkpoint/`,
// the run folder fsynced, `checkpoint.old/` removed. Wherever a crash (kill -9, power loss) falls,
// a complete checkpoint remains: `checkpoint/`, or between the two renames `checkpoint.old/`, which
// the readers below then take.
//
// Writing:                                   Reading (resume):
//   CheckpointWriter out(run_dir);             CheckpointReader in(run_dir);
//   out.progress("global_step", step);         step = in.progress_int("global_step");
//   out.module("model", *model);               in.module("model", *model);
//   out.optimizer("optimizer", optimizer);     in.optimizer("optimizer", optimizer);
//   out.random_generator();                    in.random_generator();
//   out.envs(envs);                            if (!in.envs(envs)) envs.reset(...);
//   out.commit();
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace torch {
namespace nn {
class Module;
}
namespace optim {
class Optimizer;
}
namespace serialize {
class OutputArchive;
class InputArchive;
}  // namespace serialize
}  // namespace torch

namespace dopa {

class VectorEnv;

// The folder of the run's last complete checkpoint; empty when there is none.
std::string find_checkpoint(const std::string& run_dir);
// The checkpoint's global_step; -1 when the run has no checkpoint.
int64_t checkpoint_step(const std::string& run_dir);

class CheckpointWriter {
 public:
  explicit CheckpointWriter(std::string run_dir);
  ~CheckpointWriter();
  CheckpointWriter(const CheckpointWriter&) = delete;
  CheckpointWriter& operator=(const CheckpointWriter&) = delete;

  void progress(const std::string& key, int64_t value);
  void progress(const std::string& key, int value) { progress(key, static_cast<int64_t>(value)); }
  void progress(const std::string& key, double value);  // written with 17 digits: read back exactly
  void module(const std::string& key, const torch::nn::Module& module);
  void optimizer(const std::string& key, const torch::optim::Optimizer& optimizer);
  void tensor(const std::string& key, const at::Tensor& tensor);
  void tensors(const std::string& key, const std::vector<at::Tensor>& tensors);  // undefined ones too
  void text(const std::string& key, const std::string& text);
  void values(const std::string& key, const std::vector<double>& values);  // read back exactly
  void random_generator();              // LibTorch's default CPU generator
  void envs(const VectorEnv& envs);     // their snapshot (VectorEnv::record_for_snapshots must be on)
  // Writes the checkpoint; it replaces the previous one only once it is complete on disk.
  void commit();

 private:
  std::string run_dir_;
  std::string progress_;
  std::unique_ptr<torch::serialize::OutputArchive> archive_;
};

class CheckpointReader {
 public:
  // dopa::Error "cannot resume '<run_dir>': ..." when the run has no checkpoint.
  explicit CheckpointReader(const std::string& run_dir);
  ~CheckpointReader();
  CheckpointReader(const CheckpointReader&) = delete;
  CheckpointReader& operator=(const CheckpointReader&) = delete;

  const std::string& folder() const { return folder_; }
  bool has_progress(const std::string& key) const { return progress_.count(key) > 0; }
  int64_t progress_int(const std::string& key) const;  // dopa::Error when absent
  double progress_double(const std::string& key) const;
  // dopa::Error naming the key when absent or when it does not fit (another network, say).
  void module(const std::string& key, torch::nn::Module& module);
  void optimizer(const std::string& key, torch::optim::Optimizer& optimizer);
  at::Tensor tensor(const std::string& key);
  std::vector<at::Tensor> tensors(const std::string& key);
  std::string text(const std::string& key);
  std::vector<double> values(const std::string& key);
  bool has(const std::string& key);
  void random_generator();
  // Restores the envs' snapshot when it was taken from envs like these and returns true; false when
  // the envs differ (the warm-up's envs, or kwargs changed on resume): the caller starts fresh
  // episodes.
  bool envs(VectorEnv& envs);

 private:
  std::string run_dir_, folder_;
  std::map<std::string, std::string> progress_;
  std::unique_ptr<torch::serialize::InputArchive> archive_;
};

}  // namespace dopa
