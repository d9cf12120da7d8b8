#!/usr/bin/env bash
# The ONNX importer (LibTorch, node by node) against PyTorch's eager run of
# the same networks, alternating 3 times in one run; MiDaS v2.1 small and
# Depth Anything V2 small shapes with random weights:   bash bench/onnx_speed.sh
# Needs python3-torch and python3-onnx (scripts/deps.sh) and a built tree.
set -euo pipefail
cd "$(dirname "$0")/.."
threads="$(nproc)"
dir="build/onnx_bench"
/usr/bin/python3 src/depthforge/testing/onnx_fixtures.py "$dir" --bench 2>/dev/null | grep parameters
for round in 1 2 3; do
  ./build/bench/onnx_speed "$dir" "$threads" 7
  /usr/bin/python3 src/depthforge/testing/onnx_fixtures.py --time "$threads" 7 2>/dev/null
done
