#!/usr/bin/env bash
# Each architecture with its paper's loss, trained on synthetic scenes and
# scored on held-out ones, against constant-depth predictors.
#   bash bench/train_synthetic.sh [TRAIN_SCENES] [EPOCHS]     (after scripts/test.sh)
# Writes runs and reports under build/train-synthetic/ and prints a table.
set -euo pipefail
cd "$(dirname "$0")/.."
scenes="${1:-400}"
epochs="${2:-15}"
work=build/train-synthetic
mkdir -p "$work"
cli=./build/depthforge
[ -f "$work/train/pairs.csv" ] || $cli synth -o "$work/train" --count "$scenes" --size 128x96 --seed 1 -q
[ -f "$work/val/pairs.csv" ] || $cli synth -o "$work/val" --count 100 --size 128x96 --seed 100000 -q
row() {  # name, report.json
  python3 - "$1" "$2" <<'PY'
import json, sys
m = json.load(open(sys.argv[2]))["metrics"]
print(f"| {sys.argv[1]} | {m['abs_rel']:.3f} | {m['rmse']:.3f} | {m['delta1']:.3f} |")
PY
}
echo "| predictor (held-out synthetic scenes, 100) | AbsRel | RMSE (m) | d1 |"
echo "|---|---|---|---|"
declare -A paper_loss=([unet]=berhu [attention-unet]=l1-grad-ssim [eigen]=scale-invariant)
for arch in unet attention-unet eigen; do
  rm -rf "$work/$arch"
  start=$(date +%s)
  $cli train --arch "$arch" --data "$work/train/pairs.csv" --val "$work/val/pairs.csv" -o "$work/$arch" \
    --epochs "$epochs" --batch 8 --size 128x96 -q > "$work/$arch.log"
  seconds=$(( $(date +%s) - start ))
  $cli eval --model "$work/$arch/best.pt" --data "$work/val/pairs.csv" --crop none -o "$work/$arch/eval.json" -q > /dev/null
  row "$arch, ${paper_loss[$arch]} loss, $epochs epochs ($seconds s)" "$work/$arch/eval.json"
done
$cli eval --model constant:3 --data "$work/val/pairs.csv" --crop none -o "$work/constant.json" -q > /dev/null
row "constant 3 m" "$work/constant.json"
$cli eval --model constant:1 --data "$work/val/pairs.csv" --crop none --align median -o "$work/constant_median.json" -q > /dev/null
row "constant at each image's true median depth (oracle)" "$work/constant_median.json"
