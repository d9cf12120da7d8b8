#!/usr/bin/env bash
# Installs dependencies, builds and runs every test.   bash scripts/test.sh
# Tests that need the shared data find it through DEPTHFORGE_MIRROR (default:
# ../shared beside the checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
depthforge_prepare
cd build
ctest --output-on-failure -j"$(nproc)"
