#!/usr/bin/env bash
# test.sh — install dependencies, build, and run every test under ctest.
# Fixture tests use ../shared/fixtures when it exists and SKIP visibly when not.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)"
