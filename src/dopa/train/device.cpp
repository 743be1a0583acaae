#include "dopa/train/device.h"

#include <torch/cuda.h>

#include "dopa/core/error.h"
#include "dopa/train/agent.h"

namespace dopa {

bool cuda_available() { return torch::cuda::is_available(); }

c10::Device resolve_device(const std::string& name, const AgentRegistration& agent) {
  if (name == "auto") return agent.any_device && cuda_available() ? c10::Device(c10::kCUDA) : c10::Device(c10::kCPU);
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    if (!cuda_available())
      throw Error("device '" + name + "': LibTorch finds no CUDA GPU (no NVIDIA GPU and driver on this machine, " +
                  "or a CPU-only LibTorch such as build/'s: docs/gpu.md) - use device = \"cpu\" or \"auto\"");
    if (!agent.any_device)
      throw Error("device '" + name + "': agent '" + agent.name + "' trains on the CPU only - use device = \"cpu\" or \"auto\"");
    try {
      return c10::Device(name);
    } catch (const c10::Error&) {
      throw Error("device '" + name + "' is not a device name (cuda or cuda:N)");
    }
  }
  throw Error("unknown device '" + name + "': auto, cpu, cuda or cuda:N");
}

}  // namespace dopa
