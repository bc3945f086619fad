#!/usr/bin/env bash
# The README's benchmark command: builds the benchmarks (Release), times
# every conformance model with Google Benchmark (Invoke per inference with
# both roundings, Model::Create, Interpreter::Create, and the conv-family
# kernels' reference against optimized variants), then counts x86-64
# instructions per inference under valgrind's callgrind, which, unlike the
# timings, do not depend on what else the machine is doing. Prints markdown
# tables; the raw CSV and callgrind files stay in the output folder.
#
# Usage: scripts/bench.sh [build-dir [output-dir]]   (from anywhere)
#   PICOML_BENCH_REPETITIONS  repetitions per benchmark, medians reported (5)
#   PICOML_BENCH_MIN_TIME     seconds per repetition (0.2)
#   PICOML_CALLGRIND_RUNS     inferences counted per model (10)
#   PICOML_BENCH_JOBS         build jobs (nproc)
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."
build=${1:-build-bench}
out=${2:-$build/bench-results}
repetitions=${PICOML_BENCH_REPETITIONS:-5}
min_time=${PICOML_BENCH_MIN_TIME:-0.2}
runs=${PICOML_CALLGRIND_RUNS:-10}
jobs=${PICOML_BENCH_JOBS:-$(nproc)}

echo "== build (Release) =="
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DPICOML_BUILD_BENCH=ON \
  -DPICOML_BUILD_TESTS=OFF -DPICOML_BUILD_TRAINING=OFF -DPICOML_BUILD_FIRMWARE=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target models_bench kernels_bench invoke_once
mkdir -p "$out"

machine="$(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "== machine: $machine; load average $(cut -d' ' -f1-3 /proc/loadavg) =="

# Google Benchmark, one CSV per benchmark family (each family has its own
# counters). CPU time is reported: it is less disturbed than wall time by
# other processes on a busy machine, though caches and frequency still are.
run_benchmark() {  # binary filter csv
  "$build/bench/$1" --benchmark_filter="$2" --benchmark_repetitions="$repetitions" \
    --benchmark_report_aggregates_only=true --benchmark_min_time="$min_time" \
    --benchmark_out="$out/$3" --benchmark_out_format=csv
}
echo "== Google Benchmark =="
run_benchmark models_bench '^Invoke/' invoke.csv
run_benchmark models_bench '^ModelCreate/' model_create.csv
run_benchmark models_bench '^InterpreterCreate/' interpreter_create.csv
run_benchmark kernels_bench '^ConvLayers/' kernels.csv

# Median rows of a Google Benchmark CSV as "name<TAB>cpu_time_in_us<TAB>
# column..." with the named counter columns appended.
medians() {  # csv counter...
  local csv=$1
  shift
  awk -F, -v wanted="$*" '
    function unquote(s) { gsub(/"/, "", s); return s }
    /^name,/ {
      for (i = 1; i <= NF; ++i) column[unquote($i)] = i
      n = split(wanted, names, " ")
      started = 1
      next
    }
    started && /_median"?,/ {
      name = unquote($column["name"]); sub(/_median$/, "", name)
      unit = unquote($column["time_unit"]); t = $column["cpu_time"]
      if (unit == "ns") t /= 1000; else if (unit == "ms") t *= 1000; else if (unit == "s") t *= 1e6
      line = name "\t" t
      for (i = 1; i <= n; ++i) line = line "\t" $column[names[i]]
      print line
    }' "$csv"
}

# Instructions counted by callgrind between CALLGRIND_START/STOP, divided by
# the number of runs.
instructions() {  # label runs invoke_once-arguments...
  local label=$1 n=$2
  shift 2
  local file="$out/callgrind.$label.out"
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$file" \
    "$build/bench/invoke_once" "$@" >/dev/null 2>"$file.log"
  awk -v n="$n" '/^totals:/ { printf "%.0f\n", $2 / n }' "$file"
}

# name<TAB>MACs<TAB>conv-family layers<TAB>their MACs, in manifest order.
declare -a models
declare -A macs layers layer_macs
while IFS=$'\t' read -r m total count counted; do
  models+=("$m")
  macs[$m]=$total layers[$m]=$count layer_macs[$m]=$counted
done < <("$build/bench/invoke_once" --list)

declare -A count
if command -v valgrind >/dev/null; then
  echo "== callgrind: instructions per run ($runs runs per figure) =="
  for m in "${models[@]}"; do
    count[$m,double]=$(instructions "$m.double" "$runs" "$m" "$runs" double)
    count[$m,single]=$(instructions "$m.single" "$runs" "$m" "$runs" single)
    count[$m,reference]=$(instructions "$m.reference" "$runs" --layers reference "$m" "$runs")
    count[$m,optimized]=$(instructions "$m.optimized" "$runs" --layers optimized "$m" "$runs")
    count[$m,model]=$(instructions "$m.model" "$runs" --start-up model "$m" "$runs")
    count[$m,interpreter]=$(instructions "$m.interpreter" "$runs" --start-up interpreter "$m" "$runs")
  done
else
  echo "valgrind not found: instruction counts skipped (apt-get install valgrind)"
fi
ir() { echo "${count[$1]:-n/a}"; }

# Median CPU times (us) by benchmark name, and the arena counters.
declare -A us arena_picoml arena_tflm
while IFS=$'\t' read -r name t picoml tflm; do
  us[$name]=$t arena_picoml[$name]=$picoml arena_tflm[$name]=$tflm
done < <(medians "$out/invoke.csv" arena_picoml arena_tflm)
for csv in model_create interpreter_create kernels; do
  while IFS=$'\t' read -r name t; do us[$name]=$t; done < <(medians "$out/$csv.csv")
done
time_us() { [ -n "${us[$1]:-}" ] && printf '%.1f' "${us[$1]}" || echo n/a; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo
echo "Machine: $machine. Times: medians of $repetitions repetitions, CPU time."
echo
echo "| model | MACs | rounding | time/inference (us) | MACs/s (G) | instructions/inference | instructions/MAC | arena picoml (B) | arena TFLM (B) |"
echo "|---|--:|---|--:|--:|--:|--:|--:|--:|"
for m in "${models[@]}"; do
  for rounding in double single; do
    name=Invoke/$m/$rounding
    n=$(ir "$m,$rounding")
    printf '| %s | %s | %s | %s | %s | %s | %s | %.0f | %.0f |\n' "$m" "${macs[$m]}" "$rounding" \
      "$(time_us "$name")" "$(ratio "${macs[$m]}" "$(awk -v t="${us[$name]:-0}" 'BEGIN { print t * 1000 }')")" \
      "$n" "$(ratio "$n" "${macs[$m]}")" "${arena_picoml[$name]:-0}" "${arena_tflm[$name]:-0}"
  done
done

echo
echo "Start-up, once per boot (Interpreter::Create with double rounding):"
echo
echo "| model | Model::Create (us) | instructions | Interpreter::Create (us) | instructions |"
echo "|---|--:|--:|--:|--:|"
for m in "${models[@]}"; do
  printf '| %s | %s | %s | %s | %s |\n' "$m" "$(time_us "ModelCreate/$m")" "$(ir "$m,model")" \
    "$(time_us "InterpreterCreate/$m")" "$(ir "$m,interpreter")"
done

echo
echo "Conv-family layers (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED), each run once, reference against optimized kernels:"
echo
echo "| model | layers | MACs | reference (us) | optimized (us) | speed-up | reference instructions | optimized instructions | instruction ratio |"
echo "|---|--:|--:|--:|--:|--:|--:|--:|--:|"
for m in "${models[@]}"; do
  [ "${layers[$m]}" -gt 0 ] || continue
  printf '| %s | %s | %s | %s | %s | %sx | %s | %s | %sx |\n' "$m" "${layers[$m]}" \
    "${layer_macs[$m]}" "$(time_us "ConvLayers/$m/reference")" \
    "$(time_us "ConvLayers/$m/optimized")" \
    "$(ratio "${us[ConvLayers/$m/reference]:-0}" "${us[ConvLayers/$m/optimized]:-0}")" \
    "$(ir "$m,reference")" "$(ir "$m,optimized")" \
    "$(ratio "$(ir "$m,reference")" "$(ir "$m,optimized")")"
done
