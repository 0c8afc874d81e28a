#!/bin/sh
# Throughput of `ghostyolo detect` on a 640x480 video (issue 23's done-means: decode + detect +
# encode at 2 threads within 15 % of detect alone on the same frames). Makes a 640x480 H.264 clip
# of FRAMES frames from bus.jpg (panned and zoomed), its frames as BMP files (what detect reads
# with the least work: no decompression), then times whole runs (model loading included alike) in
# interleaved rounds, so a machine shared with other jobs weighs on every configuration alike:
#   images   detect alone on the BMP frames         detect -t 2 --no-save frames/
#   decode   decode + detect                         detect -t 2 --no-save clip.mp4
#   mjpg     decode + detect + draw + MJPG/AVI       detect -t 2 clip.mp4
#   h264     decode + detect + draw + H.264/MP4      detect -t 2 --video-codec h264 clip.mp4
# It prints per round the wall and CPU (user + system) seconds of each and the load average, then
# the medians, their spread and the ratios to `images`, and the wall ratio per round (runs next
# to each other share the machine's load). Extra detect options (GY_EXTRA="--imgsz 320") apply
# to all; GY_CONFIGS="images mjpg" picks configurations. detect at 2 threads runs with
# OMP_WAIT_POLICY=passive (detector/cli/wait_policy.c); OMP_WAIT_POLICY=active in the environment
# gives the OpenMP runtime's spinning default back, for a comparison.
# usage: throughput.sh BUILD_DIR SHARED_DIR [ROUNDS] [FRAMES]     (needs ffmpeg)
set -eu
build=$1
shared=$2
rounds=${3:-5}
frames=${4:-150}
gy=$build/ghostyolo
w=$shared/weights/yolov8n.safetensors
[ -x "$gy" ] || { echo "throughput.sh: no $gy" >&2; exit 66; }
[ -f "$w" ] || { echo "throughput.sh: missing $w" >&2; exit 66; }
dir=$(mktemp -d /tmp/gy_throughput_XXXXXX)
trap 'rm -rf "$dir"' EXIT INT TERM
ffmpeg -nostdin -v error -loop 1 -i "$shared/images/bus.jpg" \
  -vf "zoompan=z='1+0.002*on':x='iw/2-(iw/zoom/2)+on':y='ih/2-(ih/zoom/2)':d=1:fps=25:s=640x480" \
  -frames:v "$frames" -c:v libx264 -threads 1 -pix_fmt yuv420p "$dir/clip.mp4"
mkdir "$dir/frames"
ffmpeg -nostdin -v error -i "$dir/clip.mp4" "$dir/frames/%05d.bmp"
python3 - "$gy" "$w" "$dir" "$rounds" "$frames" "${GY_EXTRA:-}" "${GY_CONFIGS:-images decode mjpg h264}" <<'PY'
import os, resource, statistics, subprocess, sys, time
gy, w, d = sys.argv[1:4]
rounds, frames, extra = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6].split()
every = {
    "images": ["--no-save", f"{d}/frames"],
    "decode": ["--no-save", f"{d}/clip.mp4"],
    "mjpg": ["-o", f"{d}/out", f"{d}/clip.mp4"],
    "h264": ["-o", f"{d}/out", "--video-codec", "h264", f"{d}/clip.mp4"],
}
configs = {c: every[c] for c in sys.argv[7].split()}
wall = {c: [] for c in configs}
cpu = {c: [] for c in configs}


def one(args):
    subprocess.run(["rm", "-rf", f"{d}/out"], check=True)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run([gy, "detect", "-q", "-t", "2", *extra, "-w", w, *args], check=True)
    t = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return t, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


print(f"frames {frames}, rounds {rounds}, {os.cpu_count()} cores; seconds per run: wall (cpu), "
      "model loading included")
print("round\t" + "\t".join(configs) + "\tload avg")
for r in range(1, rounds + 1):
    row = []
    for c, args in configs.items():
        t, u = one(args)
        wall[c].append(t)
        cpu[c].append(u)
        row.append(f"{t:.2f} ({u:.2f})")
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    print(f"{r}\t" + "\t".join(row) + f"\t{load}", flush=True)
first = next(iter(configs))
base_w, base_c = statistics.median(wall[first]), statistics.median(cpu[first])
print(f"config   wall median (min-max) s   ms/frame  / {first}   cpu median s  / {first}")
for c in configs:
    m, u = statistics.median(wall[c]), statistics.median(cpu[c])
    print(f"{c:8} {m:6.2f} ({min(wall[c]):5.2f}-{max(wall[c]):5.2f})      {1000 * m / frames:6.1f}"
          f"    {m / base_w:6.3f}    {u:6.2f}       {u / base_c:6.3f}")
for c in configs:
    if c != first:
        rs = [a / b for a, b in zip(wall[c], wall[first])]
        print(f"{c} / {first}, wall, per round: " + ", ".join(f"{x:.3f}" for x in rs) +
              f" (median {statistics.median(rs):.3f})")
PY
