#!/usr/bin/env bash
# Peak memory and wall time for hostile photo shapes, next to an ordinary
# photo in the same run:   bash bench/stress_memory.sh [../shared]
# Needs /usr/bin/time (Debian package 'time') and a built build/depthforge.
set -euo pipefail
cd "$(dirname "$0")/.."
mirror="${1:-${DEPTHFORGE_MIRROR:-../shared}}"
export DEPTHFORGE_MIRROR="$(cd "$mirror" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A 1×10000 strip and an 8000×6000 photo (textured gradient), written as
# binary PPM with the standard library only.
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
def ppm(path, w, h, pixel):
    with open(path, 'wb') as f:
        f.write(b'P6\n%d %d\n255\n' % (w, h))
        for y in range(h):
            f.write(b''.join(pixel(y, w)))
def strip_row(y, w): return [bytes([40, 90 + y % 50, 160]) * w]
def big_row(y, w):
    texture = bytes(((x >> 5) * 37 + (y >> 5) * 11) & 255 for x in range(w))
    line = bytearray(w * 3)
    line[0::3] = bytes([y * 255 // 6000]) * w
    line[1::3] = texture
    line[2::3] = bytes([128]) * w
    return [bytes(line)]
ppm(work + '/strip.ppm', 1, 10000, strip_row)
ppm(work + '/big.ppm', 8000, 6000, big_row)
PY

measure() {  # label, command...
  local label="$1"; shift
  /usr/bin/time -f "$label: %e s wall, peak RSS %M KB" "$@" >/dev/null 2>"$work/time.txt" || true
  tail -1 "$work/time.txt"
}
photo="$DEPTHFORGE_MIRROR/data/photos/fruits.jpg"
measure "depth, 512x480 photo (peer)" build/depthforge depth "$photo" -o "$work/o1" -q
measure "depth, 1x10000 strip" build/depthforge depth "$work/strip.ppm" -o "$work/o2" -q
measure "convert --as hsbs,glb,orbit, 512x480 photo (peer)" build/depthforge convert "$photo" -o "$work/o3" --as hsbs,glb,orbit -q
measure "convert --as hsbs,glb,orbit, 8000x6000 photo" build/depthforge convert "$work/big.ppm" -o "$work/o4" --as hsbs,glb,orbit -q
for as in hsbs glb orbit; do
  measure "convert --as $as, 8000x6000 photo" build/depthforge convert "$work/big.ppm" -o "$work/o5-$as" --as "$as" -q
done
ls -l "$work/o4"
