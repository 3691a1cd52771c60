#!/usr/bin/env bash
# Builds build/fairlead (and the tests) with ccache on 2 cores.
# With --sanitize: a clang AddressSanitizer + UndefinedBehaviorSanitizer build in
# build-asan/, with the libFuzzer targets.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${JOBS:-2}"
if [ "${1:-}" = "--sanitize" ]; then
  CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DFAIRLEAD_SANITIZE=ON -DFAIRLEAD_FUZZ=ON >/dev/null
  cmake --build build-asan -j "$JOBS"
else
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j "$JOBS"
fi
