#!/usr/bin/env bash
# C++ trainer step vs the same network, loss, batch and threads in Debian's
# python3-torch, alternating 3 times in one run:   bash bench/train_speed.sh
# Needs python3-torch (apt-get install python3-torch) and a built tree.
set -euo pipefail
cd "$(dirname "$0")/.."
threads="$(nproc)"
for round in 1 2 3; do
  ./build/bench/train_speed unet 8 30 "$threads"
  /usr/bin/python3 bench/train_speed.py 8 30 "$threads"
done
