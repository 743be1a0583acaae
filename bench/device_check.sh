#!/usr/bin/env bash
# The GPU check, for the day a session is lent a device machine (../.library/device): builds dopa
# there against that machine's own CUDA PyTorch, runs the whole test suite with the GPU visible
# (device = "auto" trains meta_a2c and ppo on it; the Cuda* tests run instead of skipping) and
# dopa_bench_device on the GPU and on that machine's CPU, and writes a report.
#
#   bench/device_check.sh pack      here (Debian 12): download the Debian packages the build needs
#                                   into .device/debs (ignored; about 4 MiB)
#   bench/device_check.sh run OUT   there: build and measure, the report into OUT
#
# From a session, after `pack`:
#   run(command="bench/device_check.sh run $OUT", carry=[".device"], timeout_s=600)
#
# The device machine has no network and no Debian -dev packages, but a CUDA PyTorch, nvcc, CMake
# and ninja. Its PyTorch is not the version of third_party/requirements.txt (2.11 there on
# 2026-11-17): a LibTorch is only ABI-compatible with itself, so the build uses the LibTorch inside
# that machine's own torch (DOPA_PYTHON=python3: CMakeLists.txt asks torch.utils for its path), and
# only the Debian packages travel, unpacked into a folder rather than installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The -dev packages of third_party/packages.txt that the build needs besides LibTorch, with the
# shared libraries they link (what `ldd build/dopa` lists from them) and what their CMake configs
# look for (MuJoCo's asks for OpenGL).
packages=(libbox2d-dev libbox2d2 libmujoco-dev libmujoco2.2.2 libccd2 liblodepng0 libtinyxml2-9
          libqhull-dev libqhull-r8.0 libqhull8.0 libqhullcpp8.0 libspdlog-dev libspdlog1.10
          libfmt-dev libfmt9 libcli11-dev libgtest-dev libgmock-dev libtomlplusplus-dev
          libtomlplusplus3 nlohmann-json3-dev libbenchmark-dev libbenchmark1debian
          libopengl-dev libopengl0 libgl-dev libglx-dev libglvnd0)

case "${1:-}" in
  pack)
    mkdir -p .device/debs
    (cd .device/debs && apt-get download "${packages[@]}")
    du -sh .device/debs
    ;;
  run)
    out="${2:?usage: bench/device_check.sh run OUT}"
    mkdir -p "$out"
    exec > >(tee "$out/device_check.log") 2>&1
    sysroot=/tmp/dopa-sysroot build=/tmp/dopa-build
    mkdir -p "$sysroot"
    for deb in .device/debs/*.deb; do
      if command -v dpkg-deb >/dev/null; then dpkg-deb -x "$deb" "$sysroot"
      else ar p "$deb" data.tar.xz | tar -xJ -C "$sysroot"; fi  # an image without dpkg
    done
    libdir="$sysroot/usr/lib/x86_64-linux-gnu"
    # The one absolute path in those CMake configs (the others are relative to the config's folder).
    sed -i "s#/usr/include/libqhull_r#$sysroot/usr/include/libqhull_r#" "$libdir/cmake/mujoco/mujocoTargets.cmake"
    export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    {
      echo "# device check, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
      nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
      python3 -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "available", torch.cuda.is_available())'
      nproc
    } | tee "$out/report.md"
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDOPA_PYTHON="$(command -v python3)" \
      -DCMAKE_PREFIX_PATH="$sysroot/usr" -DCMAKE_LIBRARY_PATH="$libdir" -DDOPA_REFERENCE_PYTHON=
    time cmake --build "$build" --target dopa dopa_tests dopa_thread_tests dopa_bench_device
    # The live Gymnasium references need Gymnasium, which that machine lacks: they skip there
    # (DOPA_REFERENCE_PYTHON empty).
    set +e
    ctest --test-dir "$build" -j 8 --output-junit "$out/ctest.xml" 2>&1 | tail -40 | tee -a "$out/report.md"
    ctest --test-dir "$build" -R 'Cuda' --output-on-failure 2>&1 | tail -20 | tee -a "$out/report.md"
    set -e
    for device in cuda cpu; do
      DOPA_BENCH_DEVICE=$device "$build/bench/dopa_bench_device" --benchmark_repetitions=3 \
        --benchmark_report_aggregates_only=true --benchmark_out="$out/bench_device_$device.json" \
        --benchmark_out_format=json | tee -a "$out/report.md"
    done
    ;;
  *)
    echo "usage: bench/device_check.sh pack | run OUT" >&2
    exit 2
    ;;
esac
