#!/usr/bin/env bash
# The README's test command: installs what is needed, builds everything and
# runs every test — the normal build, the same suite under AddressSanitizer
# and UndefinedBehaviorSanitizer, and a bounded fuzzing run.
# Usage: scripts/test.sh            (from the repository root)
#        PICOML_FUZZ_SECONDS=300 scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

bash scripts/setup.sh
if [ -f scripts/fetch-mnist.sh ]; then bash scripts/fetch-mnist.sh; fi
# Desktop LiteRT (WebAssembly, from npm) for the tests that compare with it;
# they say so and skip if it cannot be installed.
oracle=../shared/tools/litert-oracle/setup.sh
if [ -f "$oracle" ]; then
  bash "$oracle" || echo "test: the LiteRT oracle could not be installed; its tests will skip"
fi

echo "== build (Release) =="
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
echo "== tests =="
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== tests under AddressSanitizer + UndefinedBehaviorSanitizer =="
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DPICOML_SANITIZE=ON \
  -DPICOML_BUILD_TRAINING=OFF -DPICOML_BUILD_BENCH=OFF -DPICOML_BUILD_FIRMWARE=OFF >/dev/null
cmake --build build-sanitize -j"$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-sanitize --output-on-failure -j"$jobs"

if [ -f scripts/fuzz.sh ]; then
  echo "== fuzzing =="
  bash scripts/fuzz.sh "${PICOML_FUZZ_SECONDS:-60}"
fi
echo "== all tests passed =="
