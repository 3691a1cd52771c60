#!/usr/bin/env bash
# Installs, builds and runs every test: the optimised build, then the whole suite
# again under AddressSanitizer + UndefinedBehaviorSanitizer, with a short run of
# every libFuzzer target (ctest's fuzz_*_smoke tests).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
(cd build && ctest -j2 --output-on-failure)
scripts/build.sh --sanitize
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest -j2 --output-on-failure)
