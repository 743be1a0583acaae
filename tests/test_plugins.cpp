// Runtime plugins (core/plugin.h): a shared library's envs join the registry, usable everywhere;
// a bad plugin is refused with the reason and registers nothing.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "dopa/core/error.h"
#include "dopa/core/plugin.h"
#include "dopa/core/registry.h"
#include "dopa/core/vector_env.h"

namespace {

namespace fs = std::filesystem;

std::string plugin(const std::string& name) {
  return std::string(DOPA_TEST_PLUGIN_DIR) + "/libtest_plugin_" + name + ".so";
}

// The message of the dopa::Error that loading `path` throws ("" if none).
std::string load_error(const std::string& path) {
  try {
    dopa::load_plugin(path);
  } catch (const dopa::Error& e) {
    return e.what();
  }
  return "";
}

TEST(Plugins, APluginsEnvsJoinTheRegistry) {
  const std::vector<std::string> added = dopa::load_plugin(plugin("good"));
  ASSERT_EQ(added, std::vector<std::string>{"TestCoinFlip-v0"});
  EXPECT_TRUE(dopa::EnvRegistry::global().contains("TestCoinFlip-v0"));
  EXPECT_TRUE(dopa::load_plugin(plugin("good")).empty());  // loaded already: nothing more
  dopa::VectorEnv envs("TestCoinFlip-v0", 4);
  envs.reset(0);
  EXPECT_THROW(envs.step(at::full({4}, 2, at::kLong)), dopa::Error);  // the base checks its actions
  for (int t = 0; t < 10; ++t) envs.step(at::ones({4}, at::kLong));
  EXPECT_TRUE(envs.truncations().all().item<bool>());  // its declared time limit
}

TEST(Plugins, BadPluginsAreRefusedWithTheReasonAndRegisterNothing) {
  EXPECT_NE(load_error("/nonexistent/libmyenvs.so").find("does not exist"), std::string::npos);
  EXPECT_NE(load_error(plugin("other_abi")).find("ABI version 999"), std::string::npos);
  EXPECT_NE(load_error(plugin("duplicate")).find("'CartPole-v1' is already registered"), std::string::npos);
  EXPECT_NE(load_error(plugin("not_a_plugin")).find("not a dopa plugin"), std::string::npos);
  const std::string failing = load_error(plugin("failing_check"));
  EXPECT_NE(failing.find("TestCoinFlipBroken-v0' fails the env checker"), std::string::npos) << failing;
  for (const char* id : {"TestCoinFlipOldAbi-v0", "TestCoinFlipNoAbi-v0", "TestCoinFlipFine-v0", "TestCoinFlipBroken-v0"})
    EXPECT_FALSE(dopa::EnvRegistry::global().contains(id)) << id;
  // A file that is not a shared library at all.
  const fs::path text = fs::temp_directory_path() / ("dopa-not-a-library-" + std::to_string(getpid()) + ".so");
  std::ofstream(text) << "hello";
  EXPECT_NE(load_error(text.string()).find("cannot load plugin"), std::string::npos);
  fs::remove(text);
}

struct Result {
  int status;
  std::string out;
};

Result dopa_command(const std::string& args) {
  FILE* pipe = popen((std::string(DOPA_BINARY) + " " + args + " 2>&1").c_str(), "r");
  std::string out;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(Plugins, TheDopaCommandLoadsThemFromTheCommandLineAndFromExperimentFiles) {
  const Result list = dopa_command("list envs --plugin " + plugin("good"));
  ASSERT_EQ(list.status, 0) << list.out;
  EXPECT_NE(list.out.find("TestCoinFlip-v0"), std::string::npos);
  const Result rollout = dopa_command("rollout TestCoinFlip-v0 --plugin " + plugin("good") + " --steps 5 --seed 1");
  EXPECT_EQ(rollout.status, 0) << rollout.out;
  const Result bad = dopa_command("list envs --plugin " + plugin("duplicate"));
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.out.find("already registered"), std::string::npos) << bad.out;

  // plugins = [...] in an experiment file, relative to the file; the resolved config keeps them.
  const fs::path dir = fs::temp_directory_path() / ("dopa-plugin-test-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(plugin("good"), dir / "libcoin.so");
  std::ofstream(dir / "coin.toml") << "plugins = [\"libcoin.so\"]\ntotal_steps = 800\n[env]\nid = \"TestCoinFlip-v0\"\n"
                                       "num_envs = 4\n[agent]\nalgo = \"ppo\"\nnum_steps = 20\n";
  const Result run = dopa_command("run " + (dir / "coin.toml").string() + " --no-progress --out " + (dir / "run").string());
  ASSERT_EQ(run.status, 0) << run.out;
  std::ifstream config(dir / "run" / "config.toml");
  const std::string resolved((std::istreambuf_iterator<char>(config)), std::istreambuf_iterator<char>());
  EXPECT_NE(resolved.find((dir / "libcoin.so").string()), std::string::npos) << resolved;
  // --resume finds the plugin through the run's config.toml.
  const Result resumed = dopa_command("run --resume " + (dir / "run").string() + " --no-progress --set total_steps=1600");
  EXPECT_EQ(resumed.status, 0) << resumed.out;
  // A sweep hands --plugin on to its trials.
  std::ofstream(dir / "plain.toml") << "total_steps = 400\n[env]\nid = \"TestCoinFlip-v0\"\nnum_envs = 2\n"
                                        "[agent]\nalgo = \"ppo\"\nnum_steps = 20\n";
  const Result sweep = dopa_command("sweep " + (dir / "plain.toml").string() + " --plugin " + plugin("good") +
                                    " --seeds 0-1 --jobs 2 --out " + (dir / "sweep").string());
  EXPECT_EQ(sweep.status, 0) << sweep.out;
  EXPECT_TRUE(fs::exists(dir / "sweep" / "plain-s1" / "summary.json")) << sweep.out;
  fs::remove_all(dir);
}

}  // namespace
