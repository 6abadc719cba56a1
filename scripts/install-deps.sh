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
  wabt                               # wasm2c, wat2wasm, wast2json, wasm-interp, libwabt
  libjson-c-dev                      # graph.json parsing, --json output
  binaryen                           # wasm-opt -ttf for the differential fuzzer
  nodejs                             # V8 peer in benchmarks/ and checks
)
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}"
