#!/usr/bin/env bash
# The smoke/CO-alarm detector end to end: backgrounds -> training data ->
# CNN training (picoml's trainer) -> full-int8 quantization -> threshold
# tuning on validation data (backgrounds training never heard) -> evaluation
# on held-out test data, for the CNN
# (picoml runtime + StreamClassifier) and the Goertzel baseline.
#   scripts/alarm.sh [--fast] [--build DIR] [--out DIR] [--hours H] [--models N]
# --fast: smaller data and evaluation (the README's quick run, a few minutes).
# --models N (default 2): 1 trains the band network only; 2 adds the
# fine network as a second opinion (out/alarm/model.tflite screens,
# model-2.tflite is run only above the gate, and their scores are averaged).
# The example and the firmware embed the shipped detector (models/alarm);
# configure with -DPICOML_ALARM_DIR=<--out folder> to embed this run's.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build"
out="$root/out/alarm"
fast=0
hours=""
models=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --fast) fast=1 ;;
    --build) build="$2"; shift ;;
    --out) out="$2"; shift ;;
    --hours) hours="$2"; shift ;;
    --models) models="$2"; shift ;;
    *) echo "usage: $0 [--fast] [--build DIR] [--out DIR] [--hours H] [--models N]" >&2; exit 2 ;;
  esac
  shift
done
# Two models of different design, averaged (session 6): their mistakes
# differ more than two trainings of one design do.
# One recipe for both (session 10's first model, session 5's recipe):
# training backgrounds played at random speeds (the library is short and the
# network learns it by heart otherwise), decoy beep trains in 20 % of
# background clips, a window every 20 frames, dropout, and a softmax
# temperature of 0.25 so that the int8 scores near 1 stay apart. Since
# session 16, 60 % of the alarm clips are T4 and 40 % are 520 Hz (the
# generator's default: half and a quarter): the alarms the pair found late or
# missed were mostly of these kinds.
recipe=(--speed-spread 0.15 --decoys 0.2 --stride 20 --dropout 0.3 --softmax-beta 0.25 --seed 1
  --t4-fraction 0.6 --low-tone-fraction 0.4)
# Model 1, which screens: since session 15 the band network (a first
# convolution over all 40 bands, then time only; 380k MACs) with that
# recipe. On the extended validation split, at 1 false alarm in 72 h, the
# pair found 790 of 800 clips at >= 0 dB, 773 within 5 s (session 15's, with
# the default shares: 781 and 754); session 12's band network, trained with
# session 3's recipe (a window every 10 frames of 8,000 clips, no decoys, no
# speed spread) on the default library, raised 2,005 false alarms in 72 h
# there with fine.
# Model 2, the second opinion: the fine network (40 ms steps into its
# second convolution).
if [[ $fast -eq 1 ]]; then
  size=(--clips 1200 --validation-clips 150 --epochs 6 --mining-clips 1200 --mining-epochs 2)
  tune_args=(--clips-per-snr 20 --hours 1)
  extra_hours=1
  eval_args=(--clips-per-snr 60 --hours "${hours:-2}")
else
  size=(--clips 16000 --validation-clips 300 --epochs 10 --mining-clips 12000 --mining-score 0.02
    --mining-epochs 4)
  # 72 h of validation background, so that the tuning's budget is 3 false
  # alarms: one day cannot tell a rate of 1 per 24 h from 2 (session 9: the
  # setting tuned on 24 h with 1 false alarm there raised 7 in 72 h of
  # validation background and 6 in 72 h of test background).
  # Tuned to half the goal's rate: a setting tuned to the goal's rate raises
  # about twice it on background it was not tuned on (session 13's cross-day
  # check; session 15: bt + fine, 11 false alarms in 144 h of unseen days).
  # 200 alarm clips per SNR (session 16; 60 until then): the 60-clip runs
  # were optimistic, and the detector is chosen on the 200-clip figures.
  tune_args=(--clips-per-snr 200 --hours 72 --false-alarms-per-day 0.5)
  # And 24 h each of val-extra's (session 21) and val-electro's (session
  # 22) background, below: 120 h in all, a budget of 2 false alarms at that
  # rate.
  extra_hours=24
  eval_args=(--clips-per-snr 200 --hours "${hours:-72}")
fi

# The extended background library (session 14): its validation split holds
# freedesktop sounds and note sequences close to beep trains, the sounds that
# fooled earlier detectors; its test split is the default library's, byte
# for byte.
cache="${XDG_CACHE_HOME:-$HOME/.cache}/picoml"
backgrounds="$cache/alarm-extended"
"$root/scripts/make-alarm-backgrounds.sh" --extended --dir "$backgrounds"
# Since session 21 the networks also train on game music (tracker modules,
# recorded tracks, synth samples: the shipped pair of sessions 18-20 raised
# 30 of its 36 false alarms on test draw 3 over game music), and the
# threshold is tuned on the validation split pooled with val-extra's
# background (music, instrument samples, machinery), each from packages no
# test set uses. Since session 22 also on electronic game music, in
# training and in the tuning's pool (session 21's pair raised 58 of its 61
# false alarms on test draw 2 over one electronic music-on-hold track).
# Each installs its sound packages when missing.
train_extra=(train-music train-electro)
val_extra=(val-extra val-electro)
for library in "${train_extra[@]}" "${val_extra[@]}"; do
  "$root/scripts/make-alarm-backgrounds.sh" "--$library" --dir "$cache/alarm-$library"
done
for library in "${train_extra[@]}"; do recipe+=(--extra-backgrounds "$cache/alarm-$library"); done
cmake --build "$build" --target picoml-alarm -j2
alarm=("$build/tools/alarm/picoml-alarm" --backgrounds "$backgrounds")
if ! [[ $models =~ ^[12]$ ]]; then
  echo "alarm.sh: --models must be 1 or 2 (the example and the firmware embed up to two)" >&2
  exit 2
fi
mkdir -p "$out"
# Second opinions from an earlier run with more models would be embedded by
# the example and firmware builds: only this run's stay.
rm -f "$out"/model-2.tflite
set -x
"${alarm[@]}" train --out "$out" --network band "${recipe[@]}" "${size[@]}"
model_args=(--model "$out/model.tflite")
if [[ $models -eq 2 ]]; then
  "${alarm[@]}" train --out "$out/model-2" --network fine "${recipe[@]}" "${size[@]}"
  cp "$out/model-2/model.tflite" "$out/model-2.tflite"
  model_args+=(--model "$out/model-2.tflite")
fi
# The scores behind the tuning (about 14 MB for the full run), so that a
# criterion can be tried later without the 17 minutes of inference:
# picoml-alarm tune --replay "$out/tune-traces.json" "$out/val-extra-traces.json"
#   "$out/val-electro-traces.json" --base "$out/thresholds-val.json".
# The validation split's alarms and background, then val-extra's and
# val-electro's background alone; the setting is the replay's over all three.
"${alarm[@]}" tune "${model_args[@]}" --out "$out/thresholds-val.json" "${tune_args[@]}" \
  --traces "$out/tune-traces.json"
traces=("$out/tune-traces.json")
for library in "${val_extra[@]}"; do
  "$build/tools/alarm/picoml-alarm" --backgrounds "$cache/alarm-$library" tune "${model_args[@]}" \
    --out "$out/thresholds-$library.json" --clips-per-snr 0 --hours "$extra_hours" \
    --traces "$out/$library-traces.json"
  traces+=("$out/$library-traces.json")
done
"${alarm[@]}" tune --replay "${traces[@]}" --base "$out/thresholds-val.json" \
  --out "$out/thresholds.json"
"${alarm[@]}" eval "${model_args[@]}" --thresholds "$out/thresholds.json" \
  --out "$out/results" "${eval_args[@]}"
"${alarm[@]}" generate --out "$out/clips" --count 4 --snr 5
