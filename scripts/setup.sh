#!/usr/bin/env bash
# One command from a fresh clone: install dependencies, build, fetch the
# default model and estimate depth for the sample photos.
#   bash scripts/setup.sh [PHOTO_OR_DIR...]
# Outputs go to out/depth/. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
depthforge_prepare
./build/depthforge models pull

inputs=("$@")
if [ ${#inputs[@]} -eq 0 ]; then
  if [ -n "${DEPTHFORGE_MIRROR:-}" ] && [ -d "$DEPTHFORGE_MIRROR/data/photos" ]; then
    inputs=("$DEPTHFORGE_MIRROR/data/photos")
  else
    echo "depthforge: built. Run: build/depthforge depth YOUR_PHOTOS -o out/depth"
    exit 0
  fi
fi
./build/depthforge depth "${inputs[@]}" -o out/depth --format npy,png16,color
echo "depthforge: depth maps in out/depth/ (*.color.png to look at, *.npy metres, *.png millimetres)"
