#!/usr/bin/env bash
# Background audio for the smoke-alarm detector (tools/alarm), built once from
# Debian packages into a cache outside the source tree:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/picoml/alarm/{train,val,test}/*.wav
# 16 kHz mono 16-bit WAV. Deterministic: sox runs with -R (repeatable
# dither/noise), every random choice comes from $RANDOM seeded below.
# The three lists are disjoint: espeak-ng voices and sentences, freedesktop
# sound files and synthetic seeds are split, never shared. train is for
# training, val for tuning the decision (picoml-alarm tune), test for the
# figures (picoml-alarm eval); val has no freedesktop files, and its
# sentences use their own subjects.
# --extended (session 14) writes a second library, by default to
# .../picoml/alarm-extended (use it with picoml-alarm --backgrounds DIR):
# val also gets a third of the freedesktop files that were train's, and
# train and val get more note sequences. Its test split is byte-identical
# to the default's (same seeds and files), so test figures stay comparable.
# Since session 15 scripts/alarm.sh trains and tunes the detector on the
# extended library (since session 21 with --train-music's for training and
# --val-extra's for tuning too, since session 22 also --train-electro's and
# --val-electro's); the default one stays as the earlier
# sessions used it.
# --test-draw2 writes a second, independent test set: only test/, by default
# in .../picoml/alarm-draw2. The first test split has already been used to
# veto a detector, so its figures are no longer clean for choosing a new one.
# Draw 2 shares no file, espeak-ng voice, sentence subject or synthetic seed
# with any split of either library, and adds sources none of them has:
# recorded speech (asterisk prompts), music on hold, and ringtones and
# notifications of other desktop sound themes (packages listed below).
# --val-extra writes only val/, by default in .../picoml/alarm-val-extra:
# more varied validation background, music and tonal sounds above all (a
# detector chosen on validation raised hundreds of false alarms on test over
# an electronic music-on-hold track that validation had nothing like):
# instrument samples and loops, game music, machinery, vehicle and bell
# effects, ambient sounds, and synthetic sounds and note sequences of seeds
# of their own (picoml-alarm tune --backgrounds DIR tunes on its val/).
# --test-draw3 writes a third independent test set, only test/, by default
# in .../picoml/alarm-draw3: clean figures once draw 2 has been used in a
# choice too.
# Like draw 2 it shares no source, voice, sentence subject or seed with any
# other set here (val-extra included): more espeak-ng voices, game music and
# sound effects, and synthetic sounds.
# --train-music (session 21) writes only train/, by default in
# .../picoml/alarm-train-music: game music for training (session 18's
# pair, shipped until session 21, raised most of its false alarms on draw 3
# over synthesizer and tracker game music, and the training library's only melodies were
# synthetic note sequences): tracker modules, recorded tracks and synth
# samples of packages no validation or test set uses. picoml-alarm train
# --extra-backgrounds DIR adds its train/ to the main library's.
# --test-draw4 writes a fourth independent test set, only test/, by default
# in .../picoml/alarm-draw4: draws 1-3 have each already decided one
# keep-or-replace choice, so a new choice needs figures that no choice has
# seen. It shares no source package, file, voice, sentence subject or seed
# with any other set here (train-music included): more espeak-ng voices,
# game music (seven tracker modules and eight recorded tracks of up to 60 s:
# draw 3's false alarms came mostly from game music), game sound effects,
# jingles and spoken game prompts, and synthetic sounds.
# --train-electro, --val-electro and --test-draw5 (session 22) write one
# split each (alarm-train-electro, alarm-val-electro, alarm-draw5): the
# pair shipped in session 21 raised 58 of its 61 false alarms on draw 2
# over one electronic music-on-hold track, and the training and validation
# sets held little synth-led electronic music. Synth-led game music (recorded tracks and
# tracker modules) with a few effects of the same packages: three disjoint
# sets of packages, for training, for tuning, and for a fifth test set
# that also has its own voices, sentence subjects and synthetic seed.
#   scripts/make-alarm-backgrounds.sh [--force]
#     [--extended | --test-draw2 | --val-extra | --test-draw3 | --train-music | --test-draw4
#      | --train-electro | --val-electro | --test-draw5]
#     [--dir DIR]
set -euo pipefail

dir=""
force=0
# mode: the library option without its dashes ("" for the default library).
mode=""
usage="usage: $0 [--force]
  [--extended | --test-draw2 | --val-extra | --test-draw3 | --train-music | --test-draw4
   | --train-electro | --val-electro | --test-draw5]
  [--dir DIR]"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --force) force=1 ;;
    --extended | --test-draw2 | --val-extra | --test-draw3 | --train-music | --test-draw4 | \
      --train-electro | --val-electro | --test-draw5)
      [[ -z $mode ]] || { echo "$usage" >&2; exit 2; }
      mode=${1#--} ;;
    --dir) dir="$2"; shift ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
  shift
done
# full: the default or the extended library, with all three splits.
full=0
[[ -z $mode || $mode == extended ]] && full=1
cache="${XDG_CACHE_HOME:-$HOME/.cache}/picoml"
# Draw 2's sources (sound-theme-freedesktop: to leave out files equal to its).
draw2_packages=(lomiri-sounds oxygen-sounds yaru-theme-sound deepin-sound-theme
  asterisk-moh-opsound-wav asterisk-core-sounds-en-wav sound-theme-freedesktop)
valextra_packages=(lmms-common frozen-bubble-data openttd-opensfx minetest-data)
# xmp renders pingus' tracker modules.
draw3_packages=(pingus-data lincity-ng-data tuxpaint-data kbounce kapman mu-cade-data
  tuxtype-data xmp)
trainmusic_packages=(tecnoballz-data circuslinux-data pachi-data extremetuxracer-data
  powermanga-data chromium-bsu-data garden-of-coloured-lights-data xmp)
draw4_packages=(biniax2-data open-invaders-data ceferino-data solarwolf holotz-castle-data
  hannah-data gnujump-data brainparty-data btanks-data wing-data opencity-data abe-data xmp)
# Electronic music (session 22), three sets of packages no other set uses.
trainelectro_packages=(starfighter-data tuxmath-data flobopuyo xmp)
valelectro_packages=(zaz-data amoebax-data criticalmass-data xmp)
draw5_packages=(marsshooter-data enigma-data funnyboat bumprace-data pinball-data njam-data
  meritous-data xmp)
# library NAME STAMP SPLITS...: the mode's folder (unless --dir), its
# completion stamp and the splits it writes.
library() {
  dir="${dir:-$cache/$1}"
  stamp="$dir/.complete-$2"
  shift 2
  splits=("$@")
}
# one: a one-split set's name (for messages) and source packages.
one=()
case $mode in
  "") library alarm v2 train val test ;;
  extended) library alarm-extended extended-v1 train val test ;;
  test-draw2) library alarm-draw2 draw2-v1 test; one=(draw-2 "${draw2_packages[@]}") ;;
  val-extra) library alarm-val-extra val-extra-v1 val; one=(val-extra "${valextra_packages[@]}") ;;
  test-draw3) library alarm-draw3 draw3-v1 test; one=(draw-3 "${draw3_packages[@]}") ;;
  train-music) library alarm-train-music train-music-v1 train; one=(train-music "${trainmusic_packages[@]}") ;;
  test-draw4) library alarm-draw4 draw4-v1 test; one=(draw-4 "${draw4_packages[@]}") ;;
  train-electro)
    library alarm-train-electro train-electro-v1 train
    one=(train-electro "${trainelectro_packages[@]}") ;;
  val-electro) library alarm-val-electro val-electro-v1 val; one=(val-electro "${valelectro_packages[@]}") ;;
  test-draw5) library alarm-draw5 draw5-v1 test; one=(draw-5 "${draw5_packages[@]}") ;;
esac
if [[ -f "$stamp" && $force -eq 0 ]]; then
  echo "alarm backgrounds: up to date in $dir"
  exit 0
fi
for tool in sox espeak-ng; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is missing: apt-get install $tool" >&2; exit 1; }
done
# need OPTION PACKAGES...: installs those of PACKAGES that are missing
# (scripts/setup.sh --alarm-sources PACKAGE...), and fails, naming the
# apt-get command, if that did not bring them all.
need() {
  local option=$1 p missing=()
  shift
  missing_of() {
    missing=()
    for p in "$@"; do
      dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
  }
  missing_of "$@"
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "$0: $option needs ${missing[*]}: installing (scripts/setup.sh --alarm-sources)" >&2
    bash "$(dirname "$0")/setup.sh" --alarm-sources "${missing[@]}" || true
    missing_of "$@"
  fi
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "$0: $option needs ${missing[*]}: apt-get install ${missing[*]}" >&2
    exit 1
  fi
}
# only SPLIT NAME: the one-split sets never clear a library with other splits.
only() {
  local other
  for other in train val test; do
    if [[ $other != "$1" && -e "$dir/$other" ]]; then
      echo "$0: $dir has $other/: not a $2 library" >&2
      exit 1
    fi
  done
}
# A one-split set's checks. The folder check first: it is cheap, and need
# may install packages. Only one split is written: never clear a library
# that has other splits.
if ((!full)); then
  only "${splits[0]}" "${one[0]}"
  need "--$mode" "${one[@]:1}"
fi
for split in "${splits[@]}"; do rm -rf "${dir:?}/$split"; done
rm -rf "$dir"/.complete-*
for split in "${splits[@]}"; do mkdir -p "$dir/$split"; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
SOX=(sox -R -q -V1)
OUTFMT=(-r 16000 -c 1 -b 16 -e signed-integer)

# --- Speech: espeak-ng, disjoint voices and sentences per split -------------
subjects=(the\ kettle my\ neighbour the\ doctor our\ cat the\ radio grandmother the\ postman
  the\ children a\ visitor the\ weather the\ nurse my\ brother the\ television the\ garden)
verbs=(said was\ looking\ at will\ bring found likes forgot is\ calling opened
  painted cleaned remembered carried watched asked\ about)
objects=(the\ blue\ umbrella a\ cup\ of\ tea the\ morning\ paper some\ fresh\ bread the\ keys
  a\ long\ letter the\ old\ photographs the\ medicine the\ shopping\ list a\ warm\ blanket
  the\ window the\ birthday\ cake the\ football\ results dinner)
endings=(this\ morning. before\ lunch. yesterday\ evening. again. after\ the\ news.
  on\ Sunday. quite\ slowly. in\ the\ kitchen. with\ a\ smile. for\ the\ second\ time.)
train_voices=(en-us en-gb de fr es it nl pl en-gb-scotland pt sv cs)
test_voices=(en-029 en-gb-x-rp da "fi" hu ro el tr)
val_voices=(en-us-nyc en-gb-x-gbclan af ca hr sk)
val_subjects=(the\ plumber my\ aunt the\ dog the\ teacher our\ landlord the\ baby\ sitter a\ friend)
# Draw 2 (--test-draw2): voices and subjects no split above uses.
draw2_voices=(id ms sw vi eo en-gb-x-gbcwmd)
draw2_subjects=(the\ librarian my\ cousin the\ mechanic the\ baker my\ grandfather
  the\ old\ parrot our\ tenant the\ bus\ driver)
# Draw 3 (--test-draw3): the same again, voices and subjects of its own.
draw3_voices=(ja ko hi ta et lv)
draw3_subjects=(the\ pharmacist my\ sister the\ gardener the\ firefighter my\ uncle
  the\ waitress our\ lodger the\ school\ caretaker)
# Draw 4 (--test-draw4): and again.
draw4_voices=(is lt sl cy eu mt)
draw4_subjects=(the\ electrician my\ niece the\ dentist the\ butcher my\ nephew
  the\ hamster our\ flatmate the\ tram\ conductor)
# Draw 5 (--test-draw5): and again.
draw5_voices=(ga gd bg mk sq uk)
draw5_subjects=(the\ locksmith my\ godmother the\ vet the\ florist my\ stepfather
  the\ goldfish our\ housemate the\ ferry\ captain)

# speech split seed count SUBJECTS... -- voices... ; writes $count utterance
# files per voice. SUBJECTS: "even" or "odd" (those entries of $subjects), or
# the subjects themselves.
speech() {
  local split=$1 seed=$2 count=$3; shift 3
  local v n text i parity=0 own=()
  while [[ $1 != -- ]]; do own+=("$1"); shift; done
  shift
  if [[ ${own[*]} == even || ${own[*]} == odd ]]; then
    [[ ${own[*]} == odd ]] && parity=1
    own=()
  fi
  RANDOM=$seed
  for v in "$@"; do
    for ((n = 0; n < count; n++)); do
      text=""
      for ((i = 0; i < 4; i++)); do
        # Train sentences use even subjects, test sentences odd ones, val
        # and the draws' sentences their own: no sentence is in two splits.
        # (s is drawn either way, so that val's sentences stay as they were.)
        local s=$(( (RANDOM % 7) * 2 + parity )) subject
        if [[ ${#own[@]} -gt 0 ]]; then subject=${own[RANDOM % ${#own[@]}]}; else subject=${subjects[$s]}; fi
        text+="${subject^} ${verbs[RANDOM % ${#verbs[@]}]} ${objects[RANDOM % ${#objects[@]}]} ${endings[RANDOM % ${#endings[@]}]} "
      done
      local speed=$((110 + RANDOM % 100)) pitch=$((20 + RANDOM % 60)) variant=""
      ((RANDOM % 2)) && variant="+f$((1 + RANDOM % 4))"
      espeak-ng -v "$v$variant" -s "$speed" -p "$pitch" -w "$tmp/s.wav" "$text" 2>/dev/null || continue
      "${SOX[@]}" "$tmp/s.wav" "${OUTFMT[@]}" "$dir/$split/speech-$v-$n.wav"
    done
  done
}
if [[ $full -eq 1 ]]; then
  speech train 101 6 even -- "${train_voices[@]}"
  speech test 202 4 odd -- "${test_voices[@]}"
  speech val 505 4 "${val_subjects[@]}" -- "${val_voices[@]}"
fi

# --- Desktop sounds (sound-theme-freedesktop): alternate files per split ----
# Every third file is test's, the others train's; --extended gives every
# third of train's to val (without them the tuning never hears the kind of
# sound that raised most false alarms on test).
k=0
j=0
for f in /usr/share/sounds/freedesktop/stereo/*.oga; do
  [[ -f "$f" && $full -eq 1 ]] || continue
  split=train
  if ((k % 3 == 2)); then
    split="test"
  else
    [[ $mode == extended ]] && ((j % 3 == 2)) && split="val"
    j=$((j + 1))
  fi
  "${SOX[@]}" "$f" "${OUTFMT[@]}" "$dir/$split/desktop-$(basename "$f" .oga).wav" || true
  k=$((k + 1))
done

# --- Synthetic household sounds (sox synth), seeds per split ----------------
synthetic() {
  local split=$1 seed=$2 count=$3
  RANDOM=$seed
  local n
  for ((n = 0; n < count; n++)); do
    local len=$((20 + RANDOM % 40))
    # Noise: fans, rain, traffic.
    local colour=(brownnoise pinknoise whitenoise)
    "${SOX[@]}" -n "${OUTFMT[@]}" "$dir/$split/noise-$n.wav" synth "$len" "${colour[RANDOM % 3]}" \
      lowpass $((1500 + RANDOM % 6000)) vol 0.$((2 + RANDOM % 6))
    # Mains hum with harmonics (50 or 60 Hz).
    local f0=$((RANDOM % 2 ? 50 : 60))
    "${SOX[@]}" -n "${OUTFMT[@]}" "$dir/$split/hum-$n.wav" synth "$len" sine $f0 sine $((2 * f0)) \
      sine $((3 * f0)) sine $((5 * f0)) remix - vol 0.$((2 + RANDOM % 5))
    # Kitchen clatter: short decaying noise bursts at random times.
    local parts=() t
    for ((t = 0; t < 12; t++)); do
      "${SOX[@]}" -n "${OUTFMT[@]}" "$tmp/c$t.wav" synth 0.$((5 + RANDOM % 4)) whitenoise \
        fade q 0.003 0.$((5 + RANDOM % 4)) 0.$((3 + RANDOM % 5)) highpass $((800 + RANDOM % 3000)) \
        vol 0.$((3 + RANDOM % 6)) pad 0 $((RANDOM % 3)).$((RANDOM % 10))
      parts+=("$tmp/c$t.wav")
    done
    "${SOX[@]}" "${parts[@]}" "${OUTFMT[@]}" "$dir/$split/clatter-$n.wav"
    # Microwave/oven beeps (hard negatives: beeps, but not T3/T4 timing):
    # 1-5 beeps of 0.15-0.3 s or one 1 s beep, 1.8-2.6 kHz, long pauses.
    parts=()
    for ((t = 0; t < 6; t++)); do
      local beeps=$((1 + RANDOM % 5)) dur=0.$((15 + RANDOM % 16)) fr=$((1800 + RANDOM % 800))
      ((RANDOM % 4 == 0)) && { beeps=1; dur=1.0; }
      local b
      for ((b = 0; b < beeps; b++)); do
        "${SOX[@]}" -n "${OUTFMT[@]}" "$tmp/m$t-$b.wav" synth "$dur" sine "$fr" vol 0.4 pad 0 0.$((15 + RANDOM % 20))
        parts+=("$tmp/m$t-$b.wav")
      done
      "${SOX[@]}" -n "${OUTFMT[@]}" "$tmp/m$t-gap.wav" trim 0 $((3 + RANDOM % 6))
      parts+=("$tmp/m$t-gap.wav")
    done
    "${SOX[@]}" "${parts[@]}" "${OUTFMT[@]}" "$dir/$split/microwave-$n.wav"
    # Phone ring: two tones, 2 s on / 4 s off (US) or 0.4/0.2/0.4/2 s (UK).
    local a=$((350 + RANDOM % 100)) c=$((440 + RANDOM % 60))
    if ((RANDOM % 2)); then
      "${SOX[@]}" -n "${OUTFMT[@]}" "$tmp/r.wav" synth 2 sine $a sine $c remix - vol 0.3 pad 0 4
    else
      "${SOX[@]}" -n "${OUTFMT[@]}" "$tmp/r1.wav" synth 0.4 sine $a sine $c remix - vol 0.3 pad 0 0.2
      "${SOX[@]}" -n "${OUTFMT[@]}" "$tmp/r2.wav" synth 0.4 sine $a sine $c remix - vol 0.3 pad 0 2
      "${SOX[@]}" "$tmp/r1.wav" "$tmp/r2.wav" "$tmp/r.wav"
    fi
    "${SOX[@]}" "$tmp/r.wav" "$tmp/r.wav" "$tmp/r.wav" "$tmp/r.wav" "${OUTFMT[@]}" "$dir/$split/ring-$n.wav"
    # Music-like tone sequences: plucked notes of a pentatonic scale.
    parts=()
    local scale=(0 2 4 7 9 12 14 16 19 21)
    local root=$((48 + RANDOM % 12))
    for ((t = 0; t < 40; t++)); do
      local note=$((root + ${scale[RANDOM % 10]} - 69))
      local kind=(pluck sine triangle)
      "${SOX[@]}" -n "${OUTFMT[@]}" "$tmp/n$t.wav" synth 0.$((15 + RANDOM % 40)) "${kind[RANDOM % 3]}" "%$note" \
        fade q 0.01 0 0.1 vol 0.$((2 + RANDOM % 4))
      parts+=("$tmp/n$t.wav")
    done
    "${SOX[@]}" "${parts[@]}" "${OUTFMT[@]}" "$dir/$split/music-$n.wav"
  done
}
if [[ $full -eq 1 ]]; then
  synthetic train 303 6
  synthetic test 404 4
  synthetic val 606 3
fi

# --- --extended: more note sequences for train and val ---------------------
# Melodies were the other source of false alarms on test, and validation's
# three did not fool the networks the way test's did. These vary more than
# synthetic()'s: a wider range (up to about 2 kHz), square waves (as in
# 520 Hz alarms), repeated notes and rests, so that some come close to a
# beep train without its regular timing.
notes() {
  local split=$1 seed=$2 count=$3
  RANDOM=$seed
  local n t
  local scale=(0 2 4 5 7 9 11 12 14 16 17 19 21 23 24)
  local kind=(pluck sine triangle square)
  for ((n = 0; n < count; n++)); do
    local parts=() root=$((48 + RANDOM % 24)) note=0 wave=${kind[RANDOM % 4]}
    for ((t = 0; t < 60; t++)); do
      # Half the time the note repeats; one note in six is a rest.
      ((RANDOM % 2)) || note=$((root + ${scale[RANDOM % 15]} - 69))
      ((RANDOM % 8 == 0)) && wave=${kind[RANDOM % 4]}
      local len=0.$((10 + RANDOM % 50))
      if ((RANDOM % 6 == 0)); then
        "${SOX[@]}" -n "${OUTFMT[@]}" "$tmp/n$t.wav" trim 0 "$len"
      else
        "${SOX[@]}" -n "${OUTFMT[@]}" "$tmp/n$t.wav" synth "$len" "$wave" "%$note" \
          fade q 0.01 0 0.05 vol 0.$((2 + RANDOM % 4))
      fi
      parts+=("$tmp/n$t.wav")
    done
    "${SOX[@]}" "${parts[@]}" "${OUTFMT[@]}" "$dir/$split/melody-$n.wav"
  done
}
if [[ $mode == extended ]]; then
  notes train 707 12
  notes val 808 6
fi

# --- Helpers of the one-split sets (--test-draw2, --val-extra, --test-draw3,
# --train-music, --test-draw4)
# shuffle ENTRIES...: sets $shuffled to them in an order drawn from $RANDOM
# (callers sort them first, so the order does not depend on the
# filesystem's).
shuffle() {
  local i j t
  shuffled=("$@")
  for ((i = ${#shuffled[@]} - 1; i > 0; i--)); do
    j=$((RANDOM % (i + 1)))
    t=${shuffled[i]}; shuffled[i]=${shuffled[j]}; shuffled[j]=$t
  done
}
# A package's sound files, sorted; grep's extended regex picks them.
package_files() {
  dpkg -L "$1" | grep -E "$2" | LC_ALL=C sort
}
# An output name from a file name: lower case, spaces and _ to -, only
# [a-z0-9-] kept ("Sam's Song.ogg" -> sams-song).
safe_name() {
  local s
  s=$(basename "$1")
  s=${s%.*}
  s=${s,,}
  s=${s//é/e}
  s=${s//[ _]/-}
  printf '%s' "${s//[^a-z0-9-]/}"
}
# msec FILE: its length in milliseconds.
msec() {
  echo $(($(soxi -s "$1") * 1000 / $(soxi -r "$1")))
}
# usable MIN_MS FILES...: sets $candidates to those of FILES that sox can
# read, of MIN_MS or more and not equal to one seen before (their md5s are
# kept in $seen).
usable() {
  local min=$1 f sum
  shift
  candidates=()
  for f in "$@"; do
    soxi "$f" >/dev/null 2>&1 || continue
    (($(msec "$f") >= min)) || continue
    sum=$(md5sum <"$f" | cut -d' ' -f1)
    [[ -n ${seen[$sum]:-} ]] && continue
    seen[$sum]=1
    candidates+=("$f")
  done
}
# module FILE OUT: the first 60 s of a tracker module as xmp renders it,
# mixed in mono by xmp: pingus' rough_journey has its two channels in
# opposite phase, so that sox's mix of them would be silence. (xmp exits 0
# whether or not it could play the module.)
module() {
  rm -f "$tmp/xmp.wav"
  xmp --norc --nocmd -q -m -t 60 -o "$tmp/xmp.wav" "$1" >/dev/null 2>"$tmp/xmp.log"
  [[ -s "$tmp/xmp.wav" ]] || { echo "$0: xmp did not render $1:" >&2; cat "$tmp/xmp.log" >&2; exit 1; }
  "${SOX[@]}" "$tmp/xmp.wav" "${OUTFMT[@]}" "$2" trim 0 60
}
# joined NAME MIN_FILES LOOPS FILES...: FILES in the order given, each
# followed by 0.2-0.9 s of quiet (those whose path matches the regex LOOPS
# repeated to about 8 s first), joined into files of 12 s or more,
# $dir/$split/NAME-<n>.wav, until MIN_FILES are used and the last output is
# full; one that FILES run out for is dropped.
joined() {
  local name=$1 min_files=$2 loops=$3 f k n=0 ms=0 loop parts=()
  shift 3
  for ((k = 0; k < $# && (k < min_files || ${#parts[@]} > 0); k++)); do
    f=${*:k+1:1} loop=()
    [[ $f =~ $loops ]] && loop=(repeat $(((8000 + $(msec "$f") / 2) / $(msec "$f") - 1)))
    "${SOX[@]}" "$f" "${OUTFMT[@]}" "$tmp/l$k.wav" "${loop[@]}" pad 0 "0.$((2 + RANDOM % 8))"
    parts+=("$tmp/l$k.wav")
    ms=$((ms + $(msec "$tmp/l$k.wav")))
    if ((ms >= 12000)); then
      "${SOX[@]}" "${parts[@]}" "${OUTFMT[@]}" "$dir/$split/$name-$n.wav"
      n=$((n + 1)) ms=0 parts=()
    fi
  done
}
# take NAME COUNT MIN_MS SECONDS FILES...: converts a choice of COUNT of the
# usable FILES (sorted by the caller; drawn from $RANDOM) to
# $dir/$split/NAME-<file name>.wav, only the first SECONDS of each unless
# SECONDS is 0.
take() {
  local name=$1 count=$2 min=$3 seconds=$4 f out cut=()
  shift 4
  usable "$min" "$@"
  ((seconds > 0)) && cut=(trim 0 "$seconds")
  if ((${#candidates[@]} < count)); then
    echo "$0: $name: $count files wanted, ${#candidates[@]} usable (has the package changed?)" >&2
    exit 1
  fi
  shuffle "${candidates[@]}"
  for f in "${shuffled[@]:0:count}"; do
    out=$(safe_name "$f")
    while [[ $out == *--* ]]; do out=${out//--/-}; done
    out="$dir/$split/$name-$out.wav"
    [[ -e "$out" ]] && { echo "$0: two files would be $out" >&2; exit 1; }
    "${SOX[@]}" "$f" "${OUTFMT[@]}" "$out" "${cut[@]}"
  done
}

# take_from NAME COUNT MIN_MS SECONDS PACKAGE REGEX [EXCLUDE]: take over
# PACKAGE's files that match REGEX (package_files), less those that match
# the extended regex EXCLUDE.
take_from() {
  local found
  mapfile -t found < <(package_files "$5" "$6" | grep -v -E "${7:-^$}")
  take "$1" "$2" "$3" "$4" "${found[@]}"
}
# modules_from NAME COUNT PACKAGE REGEX [EXCLUDE]: a choice of COUNT of
# PACKAGE's tracker modules that match REGEX and not EXCLUDE (drawn from
# $RANDOM), each rendered by module to $dir/$split/NAME-<file name>.wav.
modules_from() {
  local found f
  mapfile -t found < <(package_files "$3" "$4" | grep -v -E "${5:-^$}")
  shuffle "${found[@]}"
  for f in "${shuffled[@]:0:$2}"; do
    module "$f" "$dir/$split/$1-$(safe_name "$f").wav"
  done
}

# --- --test-draw2: a second test set from sources no split uses -------------
if [[ $mode == test-draw2 ]]; then
  # Speech: espeak-ng, own voices and subjects.
  speech test 1010 4 "${draw2_subjects[@]}" -- "${draw2_voices[@]}"

  # Recorded speech: asterisk prompts (8 kHz) joined with pauses of 0.3-1 s
  # into 8 files of 15-30 s each. The tones (beep, beeperr, *-2tone,
  # confbridge-join and -leave) and silence/ are left out; no prompt is used
  # twice.
  RANDOM=1111
  mapfile -t prompts < <(package_files asterisk-core-sounds-en-wav '\.wav$' |
    grep -v -e '/silence/' -e '/beep' -e '2tone' -e '/confbridge-join' -e '/confbridge-leave')
  shuffle "${prompts[@]}"
  k=0
  for ((n = 0; n < 8; n++)); do
    target=$(((15 + RANDOM % 16) * 1000)) ms=0 parts=()
    while ((ms < target)); do
      f=${shuffled[k]} pause=$((300 + RANDOM % 700))
      "${SOX[@]}" "$f" "${OUTFMT[@]}" "$tmp/p$k.wav" pad 0 "0.$(printf '%03d' "$pause")"
      parts+=("$tmp/p$k.wav")
      ms=$((ms + $(soxi -s "$f") * 1000 / $(soxi -r "$f") + pause))
      k=$((k + 1))
    done
    "${SOX[@]}" "${parts[@]}" "${OUTFMT[@]}" "$dir/test/prompts-$n.wav"
  done

  # Music on hold (8 kHz, 1-5 min): the first 60 s of each of the 5 pieces.
  while IFS= read -r f; do
    "${SOX[@]}" "$f" "${OUTFMT[@]}" "$dir/test/moh-$(safe_name "$f").wav" trim 0 60
  done < <(package_files asterisk-moh-opsound-wav '\.wav$')

  # Ringtones and notifications of four sound themes: a seeded choice of 24
  # files, so many from each group. Files equal to a freedesktop one (which
  # the other splits use; Oxygen-Im-Message-In.ogg is one) or to one already
  # taken (Yaru has a few pairs) are left out.
  declare -A seen=()
  for f in /usr/share/sounds/freedesktop/stereo/*.oga; do
    seen[$(md5sum <"$f" | cut -d' ' -f1)]=1
  done
  RANDOM=1212
  for group in lomiri-ringtone:6 lomiri-notification:3 oxygen:6 yaru:4 deepin:5; do
    case ${group%:*} in
      lomiri-ringtone) files=$(package_files lomiri-sounds '/ringtones/.*\.ogg$') ;;
      lomiri-notification) files=$(package_files lomiri-sounds '/(notifications|camera)/.*\.ogg$') ;;
      oxygen) files=$(package_files oxygen-sounds '\.ogg$') ;;
      yaru) files=$(package_files yaru-theme-sound '\.oga$') ;;
      deepin) files=$(package_files deepin-sound-theme '\.wav$') ;;
    esac
    candidates=()
    while IFS= read -r f; do
      sum=$(md5sum <"$f" | cut -d' ' -f1)
      [[ -n ${seen[$sum]:-} ]] && continue
      seen[$sum]=1
      candidates+=("$f")
    done <<<"$files"
    shuffle "${candidates[@]}"
    for f in "${shuffled[@]:0:${group#*:}}"; do
      name=$(safe_name "$f")
      name=${name#oxygen-}
      out="$dir/test/${group%:*}-$name.wav"
      [[ -e "$out" ]] && { echo "$0: two files would be $out" >&2; exit 1; }
      "${SOX[@]}" "$f" "${OUTFMT[@]}" "$out"
    done
  done

  # Synthetic household sounds: a seed of its own (303, 404, 606 are
  # synthetic()'s for train, test and val; 707 and 808 notes()').
  synthetic test 909 4
fi

# --- --val-extra: more varied validation background ------------------------
if [[ $mode == val-extra ]]; then
  split="val"
  declare -A seen=()
  RANDOM=1313
  # LMMS's instrument samples, drum and synth loops and effects (not its
  # single-cycle waveforms or DrumSynth presets): a choice of 20 or a few more
  # of at least 1 s, loops repeated to about 8 s, each followed by 0.2-0.9 s
  # of quiet, joined into files of 12 s or more.
  mapfile -t files < <(package_files lmms-common \
    '/samples/(basses|bassloops|beats|drums|effects|instruments|latin|misc|stringsnpads)/[^/]*\.(ogg|wav|flac)$')
  usable 1000 "${files[@]}"  # (a few are Vorbis in WAV, which sox cannot read)
  shuffle "${candidates[@]}"
  joined lmms-mix 20 '/(bassloops|beats)/' "${shuffled[@]}"

  # Frozen Bubble: its music (three tracks, the first 60 s of each) and five
  # of its sound effects.
  take_from frozen-bubble 3 100 60 frozen-bubble-data '/snd/[^/]*zik[^/]*\.ogg$'
  take_from frozen-bubble 5 100 0 frozen-bubble-data '/snd/[^/]*\.ogg$' 'zik'

  # OpenTTD's OpenSFX: one catalogue, a table of (offset, size) pairs, then
  # at each offset a name (a length byte, then text ending in NUL) and a RIFF
  # WAV file. A choice of 12 of the machinery, vehicle and bell sounds (not
  # the toyland, tropical, farm animal, crowd and jingle ones).
  catalogue=/usr/share/games/openttd/baseset/opensfx/opensfx.cat
  u32() { od -An --endian=little -tu4 -j "$1" -N4 "$catalogue" | tr -d ' '; }
  mkdir "$tmp/opensfx"
  count=$((($(u32 0) & 0x7fffffff) / 8))
  for ((k = 0; k < count; k++)); do
    at=$(($(u32 $((k * 8))) & 0x7fffffff))
    length=$(od -An -tu1 -j "$at" -N1 "$catalogue" | tr -d ' ')
    # '"Level crossing". Original "RRCrossing.wav" by ...': the first quoted.
    title=$(dd if="$catalogue" iflag=skip_bytes,count_bytes skip=$((at + 1)) count=$((length - 1)) \
      status=none | cut -d'"' -f2)
    riff=$((at + 1 + length))
    dd if="$catalogue" of="$tmp/opensfx/${title//\//-}.wav" iflag=skip_bytes,count_bytes \
      skip="$riff" count=$(($(u32 $((riff + 4))) + 8)) bs=64K status=none
  done
  mapfile -t files < <(printf '%s\n' "$tmp"/opensfx/*.wav | LC_ALL=C sort |
    grep -v -E '/(Toyland|Tropical|Sheep|Cow|Horse|Applause|Oooh|Good Year|Bad Year|Unused)')
  take openttd 12 100 0 "${files[@]}"

  # Minetest: six of its ambient sounds (fire, water, lava, furnace, cart on
  # rails) and four household-like ones (doors, glass, chests, tools).
  take_from minetest 6 1000 0 minetest-data \
    '/mods/(env_sounds|fire|carts)/sounds/[^/]*\.ogg$|/default_furnace_active\.ogg$'
  take_from minetest 4 100 0 minetest-data \
    '/mods/(doors|xpanes)/sounds/[^/]*\.ogg$|/default_(break_glass|chest|dug_metal|place_node|tool_breaks)[^/]*\.ogg$'

  # Synthetic household sounds and note sequences, seeds of their own.
  synthetic val 1414 2
  notes val 1515 4
fi

# --- --test-draw3: a third test set from sources no other set uses ---------
if [[ $mode == test-draw3 ]]; then
  split="test"
  declare -A seen=()
  # Speech: espeak-ng, own voices and subjects.
  speech test 1818 4 "${draw3_subjects[@]}" -- "${draw3_voices[@]}"

  RANDOM=1717
  # Pingus: four of its tracker modules, the first 60 s as xmp renders them,
  # and six sound effects. pingus-3, pingus-5 and sorcerer are left out: they
  # use random effects, for which xmp seeds rand() from the clock, so no two
  # renderings agree; so are success_1 and _2, jingles of a few seconds.
  modules_from pingus 4 pingus-data '/music/[^/]*\.(it|s3m)$' \
    '/(pingus-3|pingus-5|sorcerer|success_1|success_2)\.'
  take_from pingus 6 100 0 pingus-data '/sounds/[^/]*\.wav$'

  # LinCity-NG: its music (three tracks, the first 60 s of each) and six of
  # its sounds of city life and industry (4 s loops, most of them).
  take_from lincity 3 100 60 lincity-ng-data '/music/.*\.ogg$'
  take_from lincity 6 100 0 lincity-ng-data '/sounds/[^/]*\.wav$'

  # Sound effects of Tux Paint, KBounce and KAPman; the music of mu-cade
  # (four tracks) and of Tux Typing (its three Ogg tracks, not its MOD
  # ones), the first 60 s of each, and one Tux Typing sound.
  take_from tuxpaint 6 100 0 tuxpaint-data '/sounds/[^/]*\.wav$'
  take_from kbounce 3 100 0 kbounce '/sounds/[^/]*\.wav$'
  take_from kapman 4 100 0 kapman '/kapman/[^/]*\.ogg$'
  take_from mu-cade 4 100 60 mu-cade-data '/musics/[^/]*\.ogg$'
  take_from tuxtype 3 100 60 tuxtype-data '^/usr/share/tuxtype/sounds/[^/]*\.ogg$'
  take_from tuxtype 1 100 0 tuxtype-data '^/usr/share/tuxtype/sounds/[^/]*\.wav$'

  # Synthetic household sounds: a seed of its own.
  synthetic test 1616 4
fi

# --- --train-music: game music for training ---------------------------------
if [[ $mode == train-music ]]; then
  split="train"
  declare -A seen=()
  RANDOM=2121
  # Tracker modules (Amiga MOD and Scream Tracker, the chip and synth leads
  # of game music): all of TecnoballZ', Circus Linux's and Pachi's, the first
  # 60 s of each (all three render the same twice, unlike some of pingus').
  for package in tecnoballz-data circuslinux-data pachi-data; do
    while read -r f; do
      module "$f" "$dir/train/${package%-data}-$(safe_name "$f").wav"
    done < <(package_files "$package" '/musics?/[^/]*\.(mod|s3m)$')
  done
  # Recorded tracks, the first 60 s: Extreme Tux Racer's of 15 s or more,
  # Powermanga's and Chromium B.S.U.'s two short loops.
  take_from etr 8 15000 60 extremetuxracer-data '/music/[^/]*\.ogg$'
  take_from powermanga 3 15000 60 powermanga-data '/handheld_console/music_[^/]*\.ogg$'
  take_from chromium-bsu 2 1000 0 chromium-bsu-data '/music_[^/]*\.wav$'
  # Garden of Coloured Lights' synth, flute and drum samples (notes of 0.1-
  # 2.5 s) in a shuffled order with short pauses, joined into files of 12 s.
  mapfile -t files < <(package_files garden-of-coloured-lights-data '/beat/[^/]*\.wav$')
  usable 50 "${files[@]}"
  shuffle "${candidates[@]}"
  joined garden 30 '^$' "${shuffled[@]}"
fi

# --- --test-draw4: a fourth test set from sources no other set uses --------
if [[ $mode == test-draw4 ]]; then
  split="test"
  declare -A seen=()
  # Speech: espeak-ng, own voices and subjects.
  speech test 2424 4 "${draw4_subjects[@]}" -- "${draw4_voices[@]}"

  RANDOM=2323
  # Tracker modules, the first 60 s as xmp renders them: three of Biniax-2's
  # eight Impulse Tracker songs, two of Open Invaders' four MODs, Ceferino's
  # menu.xm and one of SolarWolf's two XMs. All fifteen modules of the four
  # packages render byte-identically twice (and again minutes later), so
  # none is left out for xmp's clock-seeded random effects (as some of
  # pingus' are).
  modules_from biniax2 3 biniax2-data '/music/[^/]*\.it$'
  modules_from open-invaders 2 open-invaders-data '\.mod$'
  modules_from ceferino 1 ceferino-data '/music/[^/]*\.xm$'
  modules_from solarwolf 1 solarwolf '/music/[^/]*\.xm$'

  # Recorded music, the first 60 s: SolarWolf's Ogg track, Holotz's Castle's
  # title and credits tunes (not their slow and fast versions), Hannah's
  # bgm1, Brain Party's electricity, one of Abe's Amazing Adventure's two and
  # two of Battle Tanks' tunes of 15 s or more; and one of Battle Tanks'
  # ambient loops (city, country, forest, ...).
  take_from solarwolf 1 15000 60 solarwolf '/music/[^/]*\.ogg$'
  take_from holotz-castle 2 15000 60 holotz-castle-data '/(HCMainTitle|HCCredits)\.wav$'
  take_from hannah 1 15000 60 hannah-data '/bgm[^/]*\.ogg$'
  take_from brainparty 1 15000 60 brainparty-data '\.ogg$'
  take_from abe 1 15000 60 abe-data '/sounds/[^/]*\.ogg$'
  take_from btanks 2 15000 60 btanks-data '/tunes/[^/]*\.ogg$'
  take_from btanks 1 15000 60 btanks-data '/ambient/[^/]*\.ogg$'

  # Sound effects, jingles and spoken prompts, a few of each package (those
  # of 0.1 s or more; Wing's 29 s flight loop is one of its three). Left out
  # as too close to an alarm for a background: Ceferino's alarma.wav (a
  # steady 2.7 and 3.5 kHz alarm tone), Battle Tanks' klaxons (klaxon-funny
  # is three horn blasts, a T3-like rhythm) and mine ticks (old-mine-tick
  # beeps at about 3.3 kHz); Holotz's Castle's slow and fast tempo versions
  # of its tunes and GNU Jump's 30 s silence.ogg.
  take_from biniax2 2 100 0 biniax2-data '/sound/[^/]*\.wav$'
  take_from open-invaders 3 100 0 open-invaders-data '\.wav$'
  take_from ceferino 2 100 0 ceferino-data '/sounds/[^/]*\.wav$' '/alarma\.wav$'
  take_from solarwolf 3 100 0 solarwolf '/audio/[^/]*\.wav$'
  take_from holotz-castle 2 100 0 holotz-castle-data '/sound/[^/]*\.wav$' '/HC(MainTitle|Credits)'
  take_from hannah 2 100 0 hannah-data '/sounds/[^/]*\.wav$'
  take_from gnujump 2 100 0 gnujump-data '/sound/[^/]*\.ogg$' '/silence\.ogg$'
  take_from brainparty 3 100 0 brainparty-data '\.wav$'
  take_from btanks 3 100 0 btanks-data '/sounds/[^/]*\.ogg$' '/(klaxon|mine-tick|old-mine-tick)'
  take_from wing 1 15000 0 wing-data '/sound/flight\.wav$'
  take_from wing 2 100 0 wing-data '/sound/[^/]*\.wav$'
  take_from opencity 2 100 0 opencity-data '/sound/[^/]*\.wav$'
  take_from abe 2 100 0 abe-data '/sounds/[^/]*\.wav$'

  # Synthetic household sounds: a seed of its own (2222 drew two identical
  # hum files).
  synthetic test 4242 4
fi

# --- --train-electro: electronic game music for training -------------------
# (session 22: the shipped pair's false alarms on draw 2 came from one
# electronic music-on-hold track; none of the libraries before had much
# synth-led electronic music outside the test sets.)
if [[ $mode == train-electro ]]; then
  split="train"
  declare -A seen=()
  RANDOM=3131
  # Starfighter's eleven electronic tracks and three of Tux Math's (its
  # tuxi.ogg is Tux Typing's, in draw 3), the first 60 s of each; Tux
  # Math's three MODs and all seven of FloboPuyo's XMs, the first 60 s as
  # xmp renders them (all ten render byte-identically twice).
  take_from starfighter 11 15000 60 starfighter-data '/music/[^/]*\.ogg$'
  take_from tuxmath 3 15000 60 tuxmath-data '/sounds/[^/]*\.ogg$' '/tuxi\.ogg$'
  modules_from tuxmath 3 tuxmath-data '/sounds/[^/]*\.mod$'
  modules_from flobopuyo 7 flobopuyo '/sfx/[^/]*\.xm$'
  # A few of their effects (Tux Math's alarm.wav left out: an alarm).
  take_from starfighter 4 100 0 starfighter-data '/sound/[^/]*\.ogg$'
  take_from tuxmath 4 100 0 tuxmath-data '/sounds/[^/]*\.wav$' '/alarm\.wav$'
fi

# --- --val-electro: electronic game music for validation -------------------
if [[ $mode == val-electro ]]; then
  split="val"
  declare -A seen=()
  RANDOM=3232
  # Zaz's four tracks and six of Amoebax's nine, the first 60 s of each;
  # Critical Mass' one XM as xmp renders it; a few of their effects.
  take_from zaz 4 15000 60 zaz-data '/mus[0-9]*\.ogg$'
  take_from amoebax 6 15000 60 amoebax-data '/music/[^/]*\.ogg$'
  modules_from criticalmass 1 criticalmass-data '\.xm$'
  take_from zaz 4 100 0 zaz-data '\.(ogg|wav)$' '/mus[0-9]*\.ogg$'
  take_from amoebax 2 100 0 amoebax-data '/sfx/[^/]*\.wav$'
fi

# --- --test-draw5: a fifth test set, electronic music first ----------------
if [[ $mode == test-draw5 ]]; then
  split="test"
  declare -A seen=()
  # Speech: espeak-ng, own voices and subjects.
  speech test 2525 4 "${draw5_subjects[@]}" -- "${draw5_voices[@]}"

  RANDOM=2626
  # Recorded music, the first 60 s: five of Mars Shooter's tracks, three of
  # Enigma's, three of Pinball's six, Funny Boat's and BumpRace's one each;
  # NJam's three modules as xmp renders them (each renders
  # byte-identically twice).
  take_from marsshooter 5 15000 60 marsshooter-data '\.ogg$'
  take_from enigma 3 15000 60 enigma-data '/music/.*\.ogg$'
  take_from pinball 3 15000 60 pinball-data '\.ogg$'
  take_from funnyboat 1 15000 60 funnyboat '\.ogg$'
  take_from bumprace 1 15000 60 bumprace-data '\.ogg$'
  modules_from njam 3 njam-data '\.(xm|s3m)$'

  # Sound effects and spoken prompts, a few of each package (Meritous'
  # tone.wav left out: a steady beep).
  take_from marsshooter 4 100 0 marsshooter-data '\.wav$'
  take_from enigma 3 100 0 enigma-data '/soundsets/.*\.wav$'
  take_from pinball 3 100 0 pinball-data '\.wav$'
  take_from funnyboat 2 100 0 funnyboat '\.ogg$' 'JDruid'
  take_from bumprace 2 100 0 bumprace-data '\.ogg$' 'Flying_me'
  take_from njam 3 100 0 njam-data '\.wav$'
  take_from meritous 3 100 0 meritous-data '\.wav$' '/tone\.wav$'

  # Synthetic household sounds: a seed of its own.
  synthetic test 5353 4
fi

touch "$stamp"
for split in "${splits[@]}"; do
  echo "alarm backgrounds: $split: $(ls "$dir/$split" | wc -l) files," \
    "$(soxi -D "$dir/$split"/*.wav | awk '{s += $1} END {printf "%.0f", s}') s"
done
