#!/usr/bin/env bash
# build.sh — the ctest fixture that cross-builds the AArch64 CLI for the
# other tests/aarch64 tests (scripts/cross-aarch64.sh), or says why not.
# usage: build.sh CROSS_SCRIPT BUILD_DIR [CMAKE_ARGS...]   (passed to the cross build)
# Exit 77 (ctest SKIP) when the cross toolchain, arm64 libraries or qemu-user
# are not installed (scripts/install-deps.sh installs them; CI has them).
set -u
script=$1 dir=$2
shift 2
missing=()
command -v aarch64-linux-gnu-gcc >/dev/null || missing+=("gcc-aarch64-linux-gnu")
command -v qemu-aarch64 >/dev/null || missing+=("qemu-user")
[ -e /usr/lib/aarch64-linux-gnu/libjson-c.so ] || missing+=("libjson-c-dev:arm64")
[ -e /usr/lib/aarch64-linux-gnu/libLLVM-14.so.1 ] || missing+=("libllvm14:arm64")
if [ "${#missing[@]}" -gt 0 ]; then
  echo "SKIP: AArch64 tests need ${missing[*]} (scripts/install-deps.sh installs them)"
  exit 77
fi
bash "$script" "$dir" "$@" || { echo "FAIL: cross build"; exit 1; }
# The emulator runs what the cross toolchain built, signals and threads included.
qemu-aarch64 -L / "$dir/tools/wasmgraph" --version || { echo "FAIL: the AArch64 CLI does not run under qemu-aarch64"; exit 1; }
echo "PASS: AArch64 CLI at $dir/tools/wasmgraph"
