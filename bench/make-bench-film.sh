#!/usr/bin/env bash
# Builds a feature-length benchmark input: a 2-hour 1920x1080 24 fps H.264 + AAC film (~2.4 GB).
# One minute of the Big Buck Bunny clip is upscaled and encoded once, then looped by stream copy.
# Usage: bench/make-bench-film.sh [OUT_DIR]   (default /tmp/bench-film); needs an ffmpeg binary:
# the system's, or the one that the imageio-ffmpeg wheel ships.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$here/../demo/bbb_30s_720p_vp8.webm
out=${1:-/tmp/bench-film}
ff=$(command -v ffmpeg || python3 -c 'import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())')
mkdir -p "$out"
piece=$out/bbb_60s_1080p24_h264.mp4
film=$out/film_2h_1080p24_h264.mp4
if [[ ! -s $piece ]]; then
  "$ff" -hide_banner -loglevel error -stream_loop 1 -i "$src" -t 60 \
    -vf scale=1920:1080:flags=bicubic -r 24 -c:v libx264 -preset veryfast -crf 20 \
    -pix_fmt yuv420p -c:a aac -b:a 128k -y "$piece"
fi
if [[ ! -s $film ]]; then
  "$ff" -hide_banner -loglevel error -stream_loop 119 -i "$piece" -map 0 -c copy -y "$film"
fi
echo "$piece"
echo "$film"
