#!/usr/bin/env bash
# Wall time of the whole program for one 640x480 photo -> depth + 3-second
# orbit MP4, as a user runs it (process start and model loading included).
#   bash bench/convert_wall_time.sh [RUNS]      (after scripts/test.sh or setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
mirror="${DEPTHFORGE_MIRROR:-$(cd ../shared && pwd)}"
export DEPTHFORGE_MIRROR="$mirror"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A 640x480 photo from the shared samples.
cp "$mirror/data/photos/stuff.jpg" "$work/photo.jpg"
./build/depthforge models pull >/dev/null
for i in $(seq "$runs"); do
  start=$(date +%s.%N)
  ./build/depthforge convert "$work/photo.jpg" -o "$work/out" --as orbit -q >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc
done | sort -n | awk '{ t[NR] = $1 } END { printf "convert --as orbit, 640x480, %d runs: median %.2f s (min %.2f, max %.2f)\n", NR, t[int((NR + 1) / 2)], t[1], t[NR] }'
