#!/usr/bin/env bash
# The README's main command: the reference workflow end to end on the standard
# MNIST, in C++ — install, fetch the digits, train, quantize to full int8,
# embed the .tflite into the example, classify test digits written as PNG,
# print float and int8 test accuracy, model size and arena size. The model is
# left at out/mnist/model.tflite. Then the smoke-alarm detector's quick run
# (scripts/alarm.sh --fast) and the alarm example (the shipped detector in
# models/alarm) on the quick run's generated clips.
#
# Training uses a fast schedule, not the reference recipe (`picoml train` with
# no options): batch 64, one-cycle learning rate peaking at 3e-3, random
# shifts of up to 2 pixels, bfloat16 autocast where the CPU has it, all 60,000
# training digits (no validation hold-out), PICOML_DEMO_EPOCHS epochs
# (default 8). Batch 64 in bfloat16 ran an epoch of 48,000 digits in ~41 s on
# 2 idle cores, against ~60 s at batch 128 and ~52 s at batch 32 in float32.
# Quantization calibrates on the first 1,000 training digits, not all 60,000
# as the reference workflow does: on this model 100, 1,000 and 60,000 digits
# gave int8 accuracies within 0.02 points (README), and all 60,000 cost ~2.5
# minutes (PICOML_DEMO_CALIBRATION=0 calibrates on all of them).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
jobs=$(nproc)
epochs="${PICOML_DEMO_EPOCHS:-8}"
calibration="${PICOML_DEMO_CALIBRATION:-1000}"
calibration_label=$([[ $calibration == 0 ]] && echo "all 60,000" || echo "$calibration")
out=out/mnist

step() { printf '\n== %s (%ds) ==\n' "$1" $(( $(date +%s) - start )); }

step "install"
bash scripts/setup.sh
step "fetch the MNIST digits"
data=$(bash scripts/fetch-mnist.sh | tail -n 1)

step "build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs" --target picoml picoml-train
picoml=build/tools/picoml
mkdir -p "$out"

step "train ($epochs epochs, fast schedule)"
"$picoml" train --data "$data" --out "$out" --epochs "$epochs" --batch-size 64 \
  --schedule onecycle --max-lr 3e-3 --augment-shift 2 --precision auto --validation-split 0 | tee "$out/train.log"

step "quantize (full int8, calibrated on $calibration_label training digits)"
"$picoml" quantize --data "$data" --checkpoint "$out/model.pt" --out "$out/model.tflite" \
  --calibration-count "$calibration" | tee "$out/quantize.log"

step "embed and build the example"
"$picoml" embed "$out/model.tflite" -o "$out/model_data.cc" --header "$out/model_data.h"
cmake -S . -B build >/dev/null  # the example is configured once the model exists
cmake --build build -j"$jobs" --target mnist_example

step "classify test digits"
"$picoml" digits --data "$data" --count 10 --out "$out/digits" >/dev/null
for image in "$out"/digits/*.png; do
  label=$(basename "$image" .png); label=${label##*_}
  printf '%s (label %s): ' "$(basename "$image")" "$label"
  build/examples/mnist/mnist_example "$image" | grep '^Digit:'
done
echo
echo "picoml predict $out/digits/digit_00000_7.png:"
"$picoml" predict "$out/model.tflite" "$out/digits/digit_00000_7.png"

step "alarm detector (scripts/alarm.sh --fast; the README's figures come from scripts/alarm.sh)"
bash scripts/alarm.sh --fast --build build | tee out/alarm-fast.log
# The example embeds the shipped detector (models/alarm; configure with
# -DPICOML_ALARM_DIR=out/alarm for the one the quick run just trained) and
# listens to the quick run's generated test clips.
cmake --build build -j"$jobs" --target alarm_example
for clip in out/alarm/clips/*.wav; do
  echo "$clip:"
  build/examples/alarm/alarm_example "$clip"
done

step "summary"
grep -h -E "^(Float|Int8) test accuracy|^Model size" "$out/quantize.log"
"$picoml" inspect "$out/model.tflite" | grep -E "^(parameter_bytes|macs|arena_bytes)"
build/examples/mnist/mnist_example "$out/digits/digit_00000_7.png" | grep -i arena || true
echo "model: $out/model.tflite ($(stat -c %s "$out/model.tflite") bytes)"
echo "alarm detector (fast run, held-out test data):"
cat out/alarm/results.md
echo "total time: $(( $(date +%s) - start )) s"
