#!/usr/bin/python3
"""Writes tests/video/reference.json: what ultralytics' reader gives for the clips of
make_clips.sh, as small per-frame hashes (the first 16 hex digits of the SHA-256 of each frame's
BGR bytes, rows top to bottom).

- Unrotated clips: cv2.VideoCapture (Debian's python3-opencv, OpenCV 4.6.0 over the same FFmpeg
  libraries), the frames ultralytics 8.0.126's LoadImages reads, with CAP_PROP_FRAME_COUNT,
  CAP_PROP_FPS, CAP_PROP_FRAME_WIDTH and CAP_PROP_FRAME_HEIGHT.
- cv2.VideoWriter's file (fourcc MJPG, .avi, at int(CAP_PROP_FPS), what ultralytics 8.0.126
  writes on Linux) of the frames of h264.mp4 and odd.mkv ("writer"): its size, SHA-256, and how
  close it reads back to the frames written (PSNR over all frames, and the worst per-frame mean
  absolute difference of a channel), the bounds ghostyolo's own Motion JPEG frames must meet.
- Rotated clips (display matrix): OpenCV 4.6.0 turns a 90-degree stream the wrong way
  (opencv/opencv#22088, fixed in 4.7), so the frames are FFmpeg's own autorotated decode
  (`ffmpeg -i CLIP -f rawvideo -pix_fmt bgr24 -`); cv2 4.6's (wrong) frames are kept beside them
  as "cv2_4_6_frames".

usage: /usr/bin/python3 tests/video/make_reference.py [SHARED_DIR]   (from the repository root)
"""
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CLIPS = ["h264.mp4", "mpeg4.avi", "vp9.webm", "odd.mkv", "clip.gif", "mjpeg.avi",
         "rot90.mp4", "rot180.mp4", "rot270.mp4"]


def h(b):
    return hashlib.sha256(b).hexdigest()[:16]


def cv2_read(path):
    cap = cv2.VideoCapture(path, cv2.CAP_FFMPEG)
    assert cap.isOpened(), path
    props = {"frame_count": cap.get(cv2.CAP_PROP_FRAME_COUNT), "fps": cap.get(cv2.CAP_PROP_FPS),
             "width": int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
             "height": int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
             "orientation_meta": int(cap.get(cv2.CAP_PROP_ORIENTATION_META))}
    frames, shape = [], None
    while True:
        ok, f = cap.read()
        if not ok:
            break
        assert f.dtype == np.uint8 and f.ndim == 3 and f.shape[2] == 3
        shape = f.shape
        frames.append(h(np.ascontiguousarray(f).tobytes()))
    return props, frames, shape


def ffmpeg_read(path, w, h_):
    raw = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-f", "rawvideo",
                          "-pix_fmt", "bgr24", "-"], check=True, capture_output=True).stdout
    n = w * h_ * 3
    assert len(raw) % n == 0, (path, len(raw), w, h_)
    return [h(raw[i:i + n]) for i in range(0, len(raw), n)]


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared")
    bus = os.path.join(shared, "images", "bus.jpg")
    out = {"made_by": "tests/video/make_reference.py", "opencv": cv2.__version__,
           "ffmpeg": subprocess.run(["ffmpeg", "-version"], capture_output=True,
                                    text=True).stdout.split("\n")[0],
           "hash": "first 16 hex digits of the SHA-256 of the frame's BGR bytes", "clips": {}}
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["sh", os.path.join(HERE, "make_clips.sh"), d, bus, *CLIPS], check=True)
        for c in CLIPS:
            p = os.path.join(d, c)
            props, frames, shape = cv2_read(p)
            e = {"sha256": hashlib.sha256(open(p, "rb").read()).hexdigest(), **props}
            assert (shape[1], shape[0]) == (e["width"], e["height"]), (c, shape, props)
            if props["orientation_meta"] % 360:
                # the fixed rule (OpenCV >= 4.7 and FFmpeg): frames as FFmpeg turns them
                e["reference"] = "ffmpeg autorotate"
                e["frames"] = ffmpeg_read(p, e["width"], e["height"])
                e["cv2_4_6_frames"] = frames
            else:
                e["reference"] = "cv2.VideoCapture"
                e["frames"] = frames
            out["clips"][c] = e
            print(f"{c}: {len(e['frames'])} frames {e['width']}x{e['height']} "
                  f"count {e['frame_count']} fps {e['fps']} ({e['reference']})")
        out["writer"] = {}
        for c in ["h264.mp4", "odd.mkv"]:
            cap = cv2.VideoCapture(os.path.join(d, c), cv2.CAP_FFMPEG)
            fps = int(cap.get(cv2.CAP_PROP_FPS))
            w, h_ = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
            p = os.path.join(d, "written.avi")
            vw = cv2.VideoWriter(p, cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h_))
            n = 0
            src = []
            while True:
                ok, f = cap.read()
                if not ok:
                    break
                vw.write(f)
                src.append(f[:h_ & ~1, :w & ~1].astype(np.float64))
                n += 1
            vw.release()
            # cv2's file read back by cv2 against the frames written: the bounds ghostyolo's
            # writer must meet (tests/test_video_writer.c)
            back = cv2.VideoCapture(p, cv2.CAP_FFMPEG)
            sq, worst = 0.0, 0.0
            for f in src:
                ok, g = back.read()
                assert ok and g.shape[:2] == f.shape[:2], (c, ok)
                e = f - g
                sq += float((e * e).mean())
                worst = max(worst, float(np.abs(e).mean(axis=(0, 1)).max()))
            psnr = 10 * math.log10(255 * 255 / (sq / n))
            out["writer"][c] = {"fps": fps, "frames": n, "bytes": os.path.getsize(p),
                                "psnr": round(psnr, 3), "worst_mean_abs": round(worst, 3),
                                "sha256": hashlib.sha256(open(p, "rb").read()).hexdigest()}
            print(f"cv2.VideoWriter MJPG of {c}: {n} frames at {fps} fps, "
                  f"{os.path.getsize(p)} bytes, read back at PSNR {psnr:.2f} dB")
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
