# LibTorch from a PyTorch wheel (pip's torch), for find_package(Torch): used by dopa's own build
# (CMakeLists.txt, when DOPA_PYTHON is set) and by projects that find the installed dopa package
# (dopaConfig.cmake), so that both link the LibTorch dopa was built with.
#
#   dopa_use_wheel_libtorch(TORCH_ROOT)   TORCH_ROOT: the torch package folder (torch/__init__.py's)
#
# The wheel's folders go first on the search path, so that a system LibTorch (Debian's
# libtorch-dev) is not picked up instead. Its CUDA libraries are nvidia-* wheels beside it, which
# libtorch_cuda finds through its RPATH; the CUDA runtime linked is theirs too, not the CUDA
# toolkit's (an older minor version): one libcudart in the process, and the linker, not sent to the
# toolkit's folder, checks libtorch_cuda against the wheels' libraries (NCCL among them).
macro(dopa_use_wheel_libtorch torch_root)
  list(PREPEND CMAKE_PREFIX_PATH "${torch_root}" "${torch_root}/share/cmake")
  file(GLOB _dopa_wheel_cudart "${torch_root}/../nvidia/*/lib/libcudart.so.*")
  if(_dopa_wheel_cudart)
    list(GET _dopa_wheel_cudart 0 CUDA_cudart_LIBRARY)
  endif()
endmacro()
