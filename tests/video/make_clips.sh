#!/bin/sh
# Makes the test clips from a still image (bus.jpg) panned and zoomed so the objects move, with
# Debian's ffmpeg: one recipe per clip, single-threaded encoders and bitexact muxers so the bytes
# are the same on every run (tests/video/reference.json records each clip's SHA-256, and the
# tests say so when a clip differs from the one the reference was made from).
# usage: make_clips.sh OUT_DIR IMAGE [CLIP...]     (default: every clip)
# With GY_CLIP_CACHE set (ctest sets it to a folder of the build), each clip is made once into
# a subfolder named for the checksum of this script, the image and ffmpeg's versions, then
# copied to OUT_DIR: the video tests need the same clips, and encoding them is most of what they
# would spend.
set -eu
out=$1
img=$2
shift 2
[ -f "$img" ] || { echo "make_clips.sh: missing $img" >&2; exit 66; }
command -v ffmpeg >/dev/null || { echo "make_clips.sh: ffmpeg not found (Debian package ffmpeg)" >&2; exit 69; }
mkdir -p "$out"
# zoom in 2% a frame while drifting right: objects move and grow from frame to frame
zp="zoompan=z='1+0.02*on':x='iw/2-(iw/zoom/2)+on*4':y='ih/2-(ih/zoom/2)':d=1"
be="-fflags +bitexact -flags:v +bitexact -map_metadata -1"
ff() { ffmpeg -nostdin -v error -y -loop 1 -i "$img" "$@"; }
rot() { # rotN.mp4: rot_src.mp4 with a display matrix ("rotate" tag: set on a stream copy)
  ffmpeg -nostdin -v error -y -i "$out/rot_src.mp4" -c copy -metadata:s:v:0 rotate="$1" -fflags +bitexact "$out/rot$1.mp4"
}
make() {
  case $1 in
    # H.264 in MP4, 640x360: coded height 368 (the decoder crops 8 rows)
    h264.mp4) ff -vf "$zp:fps=25:s=640x360" -frames:v 30 -c:v libx264 -threads 1 -pix_fmt yuv420p $be "$out/$1" ;;
    # MPEG-4 part 2 in AVI with B-frames (decode order differs from display order), 29.97 fps
    mpeg4.avi) ff -vf "$zp:fps=30000/1001:s=320x240" -frames:v 30 -c:v mpeg4 -bf 2 -threads 1 $be "$out/$1" ;;
    # VP9 in WebM, 400x224
    vp9.webm) ff -vf "$zp:fps=25:s=400x224" -frames:v 30 -c:v libvpx-vp9 -threads 1 -deadline good -cpu-used 4 -pix_fmt yuv420p $be "$out/$1" ;;
    # odd width and height (VP9 in Matroska, 321x241): swscale's general path, not the fast one
    odd.mkv) ff -vf "$zp:fps=25:s=321x241" -frames:v 20 -c:v libvpx-vp9 -threads 1 -deadline good -cpu-used 4 -pix_fmt yuv420p $be "$out/$1" ;;
    # every frame of an animated GIF (a video in ultralytics 8.0.126), 10 fps
    clip.gif) ff -vf "$zp:fps=10:s=160x120" -frames:v 12 $be "$out/$1" ;;
    # MJPEG in AVI (full-range yuvj420p), what cv2.VideoWriter('MJPG') writes
    mjpeg.avi) ff -vf "$zp:fps=15:s=320x240" -frames:v 15 -c:v mjpeg -pix_fmt yuvj420p -q:v 3 $be "$out/$1" ;;
    # a stream turned by a display matrix: 90, 180 and 270 degrees
    rot90.mp4 | rot180.mp4 | rot270.mp4)
      [ -f "$out/rot_src.mp4" ] || ff -vf "$zp:fps=25:s=320x240" -frames:v 20 -c:v libx264 -threads 1 -pix_fmt yuv420p $be "$out/rot_src.mp4"
      n=${1#rot}; rot "${n%.mp4}" ;;
    # not in the default set (test_video_bad makes them): PCM audio alone in Matroska, and an
    # audio stream before the video one (stream 1 is the video)
    audio_only.mkv) ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=440:sample_rate=8000:duration=0.4" -c:a pcm_s16le $be "$out/$1" ;;
    audio_first.mkv) ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=440:sample_rate=8000:duration=0.4" -loop 1 -i "$img" -map 0:a -map 1:v -vf "$zp:fps=25:s=160x96" -t 0.24 -c:v mpeg4 -threads 1 -c:a pcm_s16le $be "$out/$1" ;;
    *) echo "make_clips.sh: no recipe for $1" >&2; exit 64 ;;
  esac
}
[ $# -gt 0 ] || set -- h264.mp4 mpeg4.avi vp9.webm odd.mkv clip.gif mjpeg.avi rot90.mp4 rot180.mp4 rot270.mp4
if [ -z "${GY_CLIP_CACHE:-}" ]; then
  for c in "$@"; do make "$c"; done
  rm -f "$out/rot_src.mp4"
  exit 0
fi
dest=$out
cache="$GY_CLIP_CACHE/$( (cat "$0" "$img"; ffmpeg -version) | cksum | tr ' ' '-')"
mkdir -p "$cache"
# one maker at a time (flock, util-linux): a test starting alongside waits for the clips instead
# of encoding them too
exec 9>"$cache/.lock"
flock 9
for c in "$@"; do
  if [ ! -f "$cache/$c" ]; then
    # made in a folder of its own, then renamed: never a partial clip under its name
    out=$(mktemp -d "$cache/.making.XXXXXX")
    make "$c"
    mv "$out/$c" "$cache/$c"
    rm -rf "$out"
  fi
done
flock -u 9
for c in "$@"; do cp "$cache/$c" "$dest/$c"; done
