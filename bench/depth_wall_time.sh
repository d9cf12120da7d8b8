#!/usr/bin/env bash
# Whole `depthforge depth` commands from the shell (process start included):
# one 640x480 photo, and 40 of them with npy,png16,color. The peer, in the
# same run and alternating: another build given as PEER_BUILD (its folder,
# e.g. the previous commit built elsewhere), or else the same program made
# to load the OpenCV modules it linked until 2026-12-01 (imgcodecs, dnn,
# ximgproc, video, with their library trees) by LD_PRELOAD, i.e. what those
# cost every command.
#   bash bench/depth_wall_time.sh [RUNS]      (after scripts/test.sh)
#   PEER_BUILD=../old/build bash bench/depth_wall_time.sh 5
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
export DEPTHFORGE_MIRROR="${DEPTHFORGE_MIRROR:-$(cd ../shared && pwd)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/40"
# The 640x480 photos of the shared data, over and over.
photos=()
for photo in "$DEPTHFORGE_MIRROR"/data/photos/*.jpg "$DEPTHFORGE_MIRROR"/data/rgbd/color/*.jpg; do
  file "$photo" | grep -q "640x480" && photos+=("$photo")
done
for i in $(seq 0 39); do cp "${photos[$((i % ${#photos[@]}))]}" "$work/40/$(printf %02d "$i").jpg"; done
./build/depthforge models pull >/dev/null
libs=/lib/x86_64-linux-gnu
preload="$libs/libopencv_imgcodecs.so.406:$libs/libopencv_dnn.so.406:$libs/libopencv_ximgproc.so.406:$libs/libopencv_video.so.406"
median() { sort -n | awk '{ t[NR] = $1 } END { printf "%.3f", t[int((NR + 1) / 2)] }'; }
time_command() {  # variant, arguments...
  local variant="$1"; shift
  for r in $(seq "$runs"); do
    rm -rf "$work/out"
    start=$(date +%s.%N)
    case "$variant" in
      linked) LD_PRELOAD="$preload" ./build/depthforge "$@" >/dev/null ;;
      peer) "$PEER_BUILD/depthforge" "$@" >/dev/null ;;
      *) ./build/depthforge "$@" >/dev/null ;;
    esac
    end=$(date +%s.%N)
    echo "$end - $start" | bc
  done | median
}
peer=linked
[ -n "${PEER_BUILD:-}" ] && peer=peer
for round in 1 2 3; do
  for variant in now $peer; do
    one=$(time_command $variant depth "$DEPTHFORGE_MIRROR/data/rgbd/color/00000.jpg" -o "$work/out" -q)
    forty=$(time_command $variant depth "$work/40" -o "$work/out" --format npy,png16,color -q)
    echo "round $round, $variant: one photo $one s; 40 photos $forty s ($(echo "scale=1; 1000 * $forty / 40" | bc) ms/photo)"
  done
done
