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
)
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}"

# wasm2c: wabt 1.0.39 from the npm registry, pinned by its lockfile (Debian's
# wabt 1.0.32 cannot translate SIMD128 modules).
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
npm ci --no-audit --no-fund --prefix "$repo/tools/wasm2c-npm" >/dev/null
