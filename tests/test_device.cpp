// train/device.h: which device a run trains on, and clear errors for a device that cannot be used.
#include <gtest/gtest.h>

#include "dopa/core/error.h"
#include "dopa/train/agent.h"
#include "dopa/train/device.h"

namespace {

std::string error_of(const std::string& name, const dopa::AgentRegistration& agent) {
  try {
    dopa::resolve_device(name, agent);
  } catch (const dopa::Error& e) {
    return e.what();
  }
  return "";
}

TEST(Device, AutoPicksAGpuOnlyForAgentsThatTrainOnOne) {
  const auto& meta_a2c = dopa::AgentRegistry::global().find("meta_a2c");
  const auto& a2c = dopa::AgentRegistry::global().find("a2c");
  ASSERT_TRUE(meta_a2c.any_device);
  ASSERT_FALSE(a2c.any_device);
  EXPECT_EQ(dopa::resolve_device("auto", meta_a2c).is_cuda(), dopa::cuda_available());
  EXPECT_TRUE(dopa::resolve_device("auto", a2c).is_cpu());
  EXPECT_TRUE(dopa::resolve_device("cpu", meta_a2c).is_cpu());
}

TEST(Device, UnusableDevicesAreNamed) {
  const auto& meta_a2c = dopa::AgentRegistry::global().find("meta_a2c");
  const auto& a2c = dopa::AgentRegistry::global().find("a2c");
  EXPECT_NE(error_of("gpu", meta_a2c).find("unknown device 'gpu'"), std::string::npos);
  EXPECT_NE(error_of("cuda", a2c).find("device 'cuda'"), std::string::npos);  // no CUDA, or CPU-only agent
  if (!dopa::cuda_available()) {
    EXPECT_NE(error_of("cuda", meta_a2c).find("no CUDA GPU"), std::string::npos) << error_of("cuda", meta_a2c);
    EXPECT_NE(error_of("cuda:1", meta_a2c).find("no CUDA GPU"), std::string::npos);
  } else {
    EXPECT_TRUE(dopa::resolve_device("cuda", meta_a2c).is_cuda());
    EXPECT_NE(error_of("cuda", a2c).find("CPU only"), std::string::npos);
  }
}

}  // namespace
