#!/usr/bin/env bash
# Video conversion speed, memory and resume, against the codec floor.
#
#   bash bench/video_speed.sh [../shared] [rounds]
#
# Makes 1280x720 and 1920x1080 30 fps clips with AAC audio from the shared
# vtest.avi (upscaled; 10 s), then, alternating in the same run so that the
# shared machine's load hits both alike:
#  - the peer: plain ffmpeg re-encoding the same clip with the same codec
#    settings (libx264, veryfast, crf 20, audio copied): the codec floor;
#  - depthforge video --as hsbs (half side-by-side, every stage).
# Prints wall seconds, frames per second and the ratio per round. Then peak
# RSS for 8 s and 24 s of 720p, and a conversion killed halfway (kill -9)
# and resumed, against a fresh one. Needs the ffmpeg program (apt-get
# install ffmpeg) for the clips and the peer only.
set -euo pipefail
shared=$(realpath "${1:-../shared}")
rounds=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
cli="$root/build/depthforge"
export DEPTHFORGE_MIRROR="$shared"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src="$shared/data/video/vtest.avi"

clip() {  # seconds width height name
  ffmpeg -hide_banner -loglevel error -y -i "$src" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
    -t "$1" -vf "scale=$2:$3,fps=30" -c:v libx264 -preset veryfast -crf 20 -c:a aac -b:a 128k -shortest "$work/$4.mp4"
}
wall() {  # command... -> seconds on stdout
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}

for size in "1280 720 720p" "1920 1080 1080p"; do
  set -- $size
  clip 10 "$1" "$2" "$3"
  echo "== $3, 10 s, 300 frames"
  printf "| round | ffmpeg re-encode s | depthforge hsbs s | depthforge fps | ratio |\n|---|---|---|---|---|\n"
  for round in $(seq "$rounds"); do
    peer=$(wall ffmpeg -hide_banner -loglevel error -y -i "$work/$3.mp4" -c:v libx264 -preset veryfast -crf 20 \
      -c:a copy "$work/peer.mp4")
    rm -rf "$work/out"
    ours=$(wall "$cli" video "$work/$3.mp4" -o "$work/out" --as hsbs -q)
    printf "| %d | %.2f | %.2f | %.1f | %.2f |\n" "$round" "$peer" "$ours" "$(echo "300 / $ours" | bc -l)" \
      "$(echo "$ours / $peer" | bc -l)"
  done
done

echo "== peak memory, 720p half SBS"
for seconds in 8 24; do
  clip "$seconds" 1280 720 "m$seconds"
  rm -rf "$work/out"
  /usr/bin/time -f "$seconds s of 720p: %M KB peak RSS, %e s" "$cli" video "$work/m$seconds.mp4" -o "$work/out" --as hsbs -q \
    2>&1 >/dev/null | tail -1
done

echo "== resume: 24 s of 720p, killed (kill -9) once the first of three 10 s segments is done"
rm -rf "$work/out"
fresh=$(wall "$cli" video "$work/m24.mp4" -o "$work/out" --as hsbs -q)
rm -rf "$work/out"
"$cli" video "$work/m24.mp4" -o "$work/out" --as hsbs -q >/dev/null 2>&1 &
pid=$!
until [ -e "$work/out/.m24.depthforge-work/000000.state" ]; do sleep 0.1; done
kill -9 $pid; wait $pid 2>/dev/null || true
resumed=$(wall "$cli" video "$work/m24.mp4" -o "$work/out" --as hsbs -q --resume)
left=$(ls -A "$work/out")
printf "fresh %.2f s, resumed: %.2f s (%.0f %%); left in the folder: %s\n" \
  "$fresh" "$resumed" "$(echo "100 * $resumed / $fresh" | bc -l)" "$left"
ffprobe -v error -count_packets -show_entries stream=codec_name,nb_read_packets -of csv=p=0 "$work/out/m24_LR.mp4"
