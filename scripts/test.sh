#!/usr/bin/env bash
# test.sh — install dependencies, build, and run every test under ctest, twice:
#   1. the release configuration (what users get), all tests;
#   2. AddressSanitizer + UndefinedBehaviorSanitizer (leak checking on) with
#      the libFuzzer targets, all tests plus a short fuzzing pass.
# Fixture tests use ../shared/fixtures when it exists and print SKIP when not.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=$(nproc)

echo "== release build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== ASan + UBSan build, with fuzz targets"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
      -DWASMGRAPH_SANITIZE=ON -DWASMGRAPH_FUZZ=ON
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"
