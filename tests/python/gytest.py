"""Shared set-up of the Python tests (run by ctest with /usr/bin/python3; see CMakeLists.txt).

Environment: PYTHONPATH=<source>/python, GHOSTYOLO_LIB=<build>/libghostyolo.so, GY_CLI=<the
ghostyolo executable>, GY_SHARED_DIR=<ground truth>, GY_SOURCE_DIR, GY_CC=<the C compiler>.
A missing file or module fails the test with its name; nothing is skipped."""
import json
import os
import subprocess
import sys

try:
    import numpy  # noqa: F401
    import cffi  # noqa: F401
except ImportError as e:
    sys.exit(f"{sys.executable} cannot import {e.name}: run the Python tests with Debian's "
             "/usr/bin/python3 (python3-numpy, python3-cffi; see .ci/install-deps)")


def env(name):
    v = os.environ.get(name)
    if not v:
        raise AssertionError(f"environment variable {name} is not set (run through ctest)")
    return v


def shared(rel):
    p = os.path.join(env("GY_SHARED_DIR"), rel)
    if not os.path.exists(p):
        raise AssertionError(f"missing ground-truth file: {p}")
    return p


WEIGHTS = "weights/yolov8n.safetensors"
BUS = "images/bus.jpg"
COCO = "datasets/coco128/images/train2017"


def cli_json(*args):
    """Runs `ghostyolo detect --json --no-save ARGS` and returns {image: object}."""
    p = subprocess.run([env("GY_CLI"), "detect", "--json", "--no-save", *args],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError(f"ghostyolo detect failed ({p.returncode}): {p.stderr}")
    out = {}
    for line in p.stdout.splitlines():
        o = json.loads(line)
        out[o["image"]] = o
    return out


def same_detections(tc, got, want, what):
    """got and want: CLI-format objects; compares sizes, classes, names, scores and boxes (the
    CLI's rounded values, which the binding reproduces exactly)."""
    for k in ("width", "height", "input_width", "input_height"):
        tc.assertEqual(got[k], want[k], f"{what}: {k}")
    g, w = got["detections"], want["detections"]
    tc.assertEqual(len(g), len(w), f"{what}: number of boxes")
    for i, (a, b) in enumerate(zip(g, w)):
        tc.assertEqual(a["class_id"], b["class_id"], f"{what}: box {i} class")
        tc.assertEqual(a["name"], b["name"], f"{what}: box {i} name")
        tc.assertEqual(a["score"], b["score"], f"{what}: box {i} score")
        tc.assertEqual(a["box"], b["box"], f"{what}: box {i} xyxy")
