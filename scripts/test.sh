#!/usr/bin/env bash
# Installs dependencies, builds and runs every test.   bash scripts/test.sh
# Tests that need the shared data find it through DEPTHFORGE_MIRROR (default:
# ../shared beside the checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
depthforge_install_deps
depthforge_build build
if [ -z "${DEPTHFORGE_MIRROR:-}" ] && [ -d ../shared ]; then
  export DEPTHFORGE_MIRROR="$(cd ../shared && pwd)"
fi
cd build
ctest --output-on-failure -j"$(nproc)"
