// Finding and loading MJCF models for the MuJoCo envs.
//
// A model named without a directory ("hopper.xml") is one of dopa's own models (envs/mujoco/assets/),
// looked up, in this order, in:
//   $DOPA_MUJOCO_ASSETS                     a folder the user points at
//   <dir of the running program>/share/dopa/mujoco     the build tree (CMake copies the assets there)
//   <dir of the running program>/../share/dopa/mujoco  an install (<prefix>/bin/dopa) and build/tests/
//   <install prefix>/share/dopa/mujoco      the configured install folder
//   <source tree>/envs/mujoco/assets        a build that was never installed or copied
// A name with a '/' in it ("./my_hopper.xml", "/data/hopper.xml") is a file path, taken as is.
#pragma once

#include <memory>
#include <string>

#include <mujoco/mujoco.h>

namespace dopa::envs {

struct MjModelDeleter {
  void operator()(mjModel* model) const { mj_deleteModel(model); }
};
struct MjDataDeleter {
  void operator()(mjData* data) const { mj_deleteData(data); }
};
using MjModelPtr = std::unique_ptr<mjModel, MjModelDeleter>;
using MjDataPtr = std::unique_ptr<mjData, MjDataDeleter>;

// The path of a model file, by the rules above. Throws dopa::Error naming the file and every folder
// searched when it is not found.
std::string find_mujoco_model(const std::string& xml_file);

// Compiles an MJCF file. Throws dopa::Error naming the file and quoting MuJoCo's message when the
// file is missing or malformed.
MjModelPtr load_mujoco_model(const std::string& path);

}  // namespace dopa::envs
