#!/usr/bin/env bash
# Builds the libFuzzer model fuzzer with clang (ASan + UBSan) in a build
# directory of its own and runs it for a bounded time on a copy of the
# conformance models. Exits non-zero if it finds a crash, leak, timeout or
# undefined behaviour; the reproducer is left in the printed directory.
#
#   scripts/fuzz.sh [SECONDS]        default 60
#   PICOML_FUZZ_BUILD_DIR=...        build directory (default build-fuzz)
#   PICOML_FUZZ_JOBS=...             build parallelism (default 2)
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${PICOML_FUZZ_BUILD_DIR:-$root/build-fuzz}"
shared="${PICOML_SHARED_DIR:-$root/../shared}"
jobs="${PICOML_FUZZ_JOBS:-2}"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DPICOML_BUILD_FUZZ=ON -DPICOML_BUILD_TRAINING=OFF -DPICOML_BUILD_BENCH=OFF \
  -DPICOML_SHARED_DIR="$shared" >/dev/null
cmake --build "$build" --target model_fuzzer -j "$jobs"

work="$(mktemp -d "${TMPDIR:-/tmp}/picoml-fuzz.XXXXXX")"
mkdir -p "$work/corpus" "$work/artifacts"
if [ -d "$shared/conformance/models" ]; then
  cp "$shared"/conformance/models/*.tflite "$work/corpus/"
else
  echo "fuzz.sh: no seed corpus at $shared/conformance/models; starting from nothing" >&2
fi

echo "fuzz.sh: running model_fuzzer for ${seconds}s in $work"
status=0
"$build/tests/fuzz/model_fuzzer" "$work/corpus" \
  -max_total_time="$seconds" -max_len=400000 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 >"$work/fuzz.log" 2>&1 || status=$?
grep -E "^#[0-9]+[[:space:]]+(INITED|DONE)|^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|ERROR|SUMMARY|Test unit written" \
  "$work/fuzz.log" || true
if [ "$status" -ne 0 ] || ls "$work/artifacts"/* >/dev/null 2>&1; then
  echo "fuzz.sh: the fuzzer found a problem (exit $status); log and reproducer in $work" >&2
  exit 1
fi
echo "fuzz.sh: no crash in ${seconds}s"
rm -rf "$work"
