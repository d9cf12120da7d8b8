#!/usr/bin/env bash
# Checks a GLB written by `depthforge convert --as glb` with the Khronos
# glTF validator (npm package gltf-validator, installed into a temporary
# folder; needs the npm registry):   bash bench/validate_glb.sh [PHOTO]
set -euo pipefail
cd "$(dirname "$0")/.."
mirror="${DEPTHFORGE_MIRROR:-$(cd ../shared && pwd)}"
export DEPTHFORGE_MIRROR="$mirror"
photo="${1:-$mirror/data/photos/leuvenA.jpg}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
./build/depthforge convert "$photo" -o "$work/out" --as glb -q >/dev/null
(cd "$work" && npm install --silent --no-audit --no-fund gltf-validator >/dev/null 2>&1)
cat > "$work/validate.js" <<'JS'
const validator = require('gltf-validator');
const bytes = new Uint8Array(require('fs').readFileSync(process.argv[2]));
validator.validateBytes(bytes).then((report) => {
  const issues = report.issues;
  console.log(`${process.argv[2]}: ${issues.numErrors} errors, ${issues.numWarnings} warnings, ${issues.numInfos} infos`);
  for (const m of issues.messages) console.log(`  ${m.code}: ${m.message}`);
  process.exit(issues.numErrors > 0 ? 1 : 0);
});
JS
(cd "$work" && node validate.js out/*.glb)
