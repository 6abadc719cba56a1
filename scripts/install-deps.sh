#!/usr/bin/env bash
# install-deps.sh — the Debian 12 packages wasmgraph needs to build, test and
# benchmark. Safe to run repeatedly; uses sudo when not root.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
packages=(
  build-essential cmake pkg-config   # build
  clang lld llvm-dev                 # clang/LLVM 14: compile generated C, wasm-ld, LLVM C API
  libclang-rt-14-dev                 # sanitizers and libFuzzer
  wabt                               # wat2wasm, wast2json, wasm-interp, libwabt (tests, peers)
  libsimde-dev                       # SIMDe: the C that wasm2c emits for SIMD128 modules
  libjson-c-dev                      # graph.json parsing, --json output
  binaryen                           # wasm-opt -ttf for the differential fuzzer
  nodejs                             # runs wasm2c 1.0.39 (with its npm); V8 peer in benchmarks/
  python3-numpy python3-pytest python3-venv   # the Python package and its tests (docs/python.md)
  python3-scipy python3-decorator python3-attr python3-psutil   # what ../shared/tvm (TVM 0.14)
  python3-typing-extensions python3-cloudpickle                  # imports, for tests/python
  # TVM built with another LLVM (tests/llvm_versions): every clang and wasm-ld
  # Debian 12 ships besides 14 (`wasmgraph compile` picks the wasm-ld that
  # matches an object's LLVM)
  clang-15 lld-15 clang-16 lld-16 clang-19 lld-19
  # 64-bit Arm (tests/aarch64, scripts/cross-aarch64.sh): the cross toolchain,
  # the arm64 libraries the CLI links (multiarch), and qemu-user to run it
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross libjson-c-dev:arm64 libllvm14:arm64 qemu-user
)
export DEBIAN_FRONTEND=noninteractive
# arm64 packages (libjson-c-dev:arm64, libllvm14:arm64) come from multiarch
$SUDO dpkg --add-architecture arm64
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}"

# wasm2c: wabt 1.0.39 from the npm registry, pinned by its lockfile (Debian's
# wabt 1.0.32 cannot translate SIMD128 modules).
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
npm ci --no-audit --no-fund --prefix "$repo/tools/wasm2c-npm" >/dev/null
