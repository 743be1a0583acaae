// Which LibTorch device a run trains on: the experiment key `device` (or `dopa run --device`).
//
//   auto   a CUDA GPU when LibTorch has one and the agent trains on any device, else the CPU
//   cpu    the CPU
//   cuda   (or cuda:N) a CUDA GPU; an error when this LibTorch has none (Debian's libtorch-dev is
//          CPU-only: build against a CUDA LibTorch, README) or the agent runs on the CPU only
//
// Agents that train on any device say so in their registration (AgentRegistration::any_device).
#pragma once

#include <c10/core/Device.h>

#include <string>

namespace dopa {

struct AgentRegistration;

c10::Device resolve_device(const std::string& name, const AgentRegistration& agent);

// Whether this LibTorch can reach a CUDA GPU.
bool cuda_available();

}  // namespace dopa
