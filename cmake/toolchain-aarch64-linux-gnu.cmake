# toolchain-aarch64-linux-gnu.cmake — cross-build wasmgraph (runtime, CLI,
# test programs) for 64-bit Arm Linux on a Debian x86-64 machine, with
# Debian's cross toolchain and multiarch libraries (scripts/install-deps.sh
# installs them: gcc-aarch64-linux-gnu, libjson-c-dev:arm64, libllvm14:arm64,
# qemu-user). docs/getting-started.md, "Cross-compiling for Arm".
#
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64-linux-gnu.cmake
#   cmake --build build-aarch64 --target wasmgraph
#
# Programs built here run on the build machine under qemu-user
# (CMAKE_CROSSCOMPILING_EMULATOR), which is how scripts/aarch64-test.sh and
# gen_example (run at build time) use them.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Debian keeps the cross C library in /usr/aarch64-linux-gnu and arm64
# multiarch packages (json-c, LLVM) in /usr/lib/aarch64-linux-gnu: search
# both for libraries and CMake package files, the host for programs, and the
# host's architecture-independent headers (SIMDe, LLVM's C API) as well.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /usr)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)

# `wasmgraph compile` on the board links LLVM 14's shared library for arm64
# (Debian libllvm14:arm64, Multi-Arch: same); the C API headers are the same
# for every architecture, so the host's llvm-14-dev provides them.
set(WASMGRAPH_LLVM_LIBRARY /usr/lib/aarch64-linux-gnu/libLLVM-14.so.1 CACHE FILEPATH
    "LLVM 14 shared library for the target")

find_program(_wg_qemu NAMES qemu-aarch64 qemu-aarch64-static)
if(_wg_qemu)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${_wg_qemu};-L;/")
endif()
