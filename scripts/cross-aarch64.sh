#!/usr/bin/env bash
# cross-aarch64.sh — builds wasmgraph for 64-bit Arm Linux on this x86-64
# Debian machine: the runtime (libwasmgraph.a, libwasmgraph.so) and the CLI
# (wasmgraph run / compile / inspect), with Debian's cross toolchain and
# arm64 multiarch libraries (scripts/install-deps.sh installs them). Models
# for the board are compiled on the build machine with the x86 CLI:
#
#   bash scripts/cross-aarch64.sh build-aarch64
#   build/tools/wasmgraph compile model/ -o model.so --target aarch64-linux-gnu
#   qemu-aarch64 -L / build-aarch64/tools/wasmgraph run model.so -i data=x.npy   # or on the board
#
# `-L /` (not -L /usr/aarch64-linux-gnu): the arm64 libraries the CLI needs
# (json-c, LLVM) come from Debian's multiarch libc6:arm64 in /lib, and that
# loader must not be mixed with the cross toolchain's own copy of glibc
# (a mismatched ld.so hangs in pthread_create under qemu).
#
# A model runs only on a runtime of the memory mode it was compiled for
# (docs/security.md#memory-modes), and the x86 CLI compiles for its own
# mode: build the Arm side with the same one, e.g.
#   bash scripts/cross-aarch64.sh build-aarch64-bc -DWASMGRAPH_MEMORY_MODE=bounds-check
#
# usage: cross-aarch64.sh [BUILD_DIR [CMAKE_ARGS...]]   (default: build-aarch64)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir=${1:-"$repo/build-aarch64"}
shift || true
for tool in aarch64-linux-gnu-gcc qemu-aarch64; do
  command -v "$tool" >/dev/null || { echo "cross-aarch64.sh: $tool not found: run scripts/install-deps.sh" >&2; exit 1; }
done
for f in /usr/lib/aarch64-linux-gnu/libjson-c.so /usr/lib/aarch64-linux-gnu/libLLVM-14.so.1; do
  [ -e "$f" ] || { echo "cross-aarch64.sh: $f not found: run scripts/install-deps.sh" >&2; exit 1; }
done
# No tests in this tree: tests/aarch64 (in the host build) drives the cross
# CLI under qemu.
cmake -S "$repo" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/toolchain-aarch64-linux-gnu.cmake" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)" --target wasmgraph wasmgraph_runtime wasmgraph_runtime_shared
readelf -h "$dir/tools/wasmgraph" | grep -q 'Machine: *AArch64' || { echo "cross-aarch64.sh: $dir/tools/wasmgraph is not an AArch64 executable" >&2; exit 1; }
echo "cross-aarch64.sh: built $dir/tools/wasmgraph (AArch64)"
