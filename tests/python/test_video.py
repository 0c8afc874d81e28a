"""The binding's video part: its cffi declarations against the header (as test_layout checks the
rest), frames equal to the reference hashes of tests/video/reference.json (cv2's frames), and
Session.detect_video equal to Session.detect on cv2's own decode of each frame (ultralytics'
input), with vid_stride; VideoWriter read back; .streams lists; errors as exceptions. And
ultralytics' forms on videos and streams: model.predict(source='clip.mp4', stream=True) yielding
one Results per frame (with .frame) equal to predict on each frame, model('clip.mp4') a list with
ultralytics' warning, folders giving images before videos, vid_stride, the verbose lines, a stream
served on loopback by an ffmpeg started and stopped here, and the sources refused."""
import contextlib
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import types
import unittest
import warnings

import numpy as np

import gytest
import ghostyolo
from ghostyolo import GhostyoloError, _lib, video
import test_layout


def plain_env():
    """The environment without the sanitizer runtimes the ASan build preloads into the
    interpreter: ffmpeg run with them writes other bytes (rot90.mp4 differs), so the clips
    would not be the ones reference.json describes."""
    return {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS",
                                                             "UBSAN_OPTIONS")}


def frame_hash(rgb):
    return hashlib.sha256(np.ascontiguousarray(rgb[:, :, ::-1]).tobytes()).hexdigest()[:16]


class VideoBinding(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        src = gytest.env("GY_SOURCE_DIR")
        subprocess.run(["sh", os.path.join(src, "tests/video/make_clips.sh"), cls.tmp.name,
                        gytest.shared(gytest.BUS), "h264.mp4", "rot90.mp4", "clip.gif"],
                       check=True, env=plain_env())
        with open(os.path.join(src, "tests/video/reference.json")) as f:
            cls.ref = json.load(f)["clips"]
        cls.model = ghostyolo.Model(gytest.shared(gytest.WEIGHTS))
        cls.sess = cls.model.session(threads=2)

    @classmethod
    def tearDownClass(cls):
        cls.sess.close()
        cls.model.close()
        cls.tmp.cleanup()

    def clip(self, name):
        return os.path.join(self.tmp.name, name)

    def test_declarations_match_the_header(self):
        video._load()
        ffi = _lib.ffi
        lines = ["#include <stddef.h>", "#include <stdio.h>", '#include "ghostyolo.h"',
                 "int main(void) {"]
        expect = []
        for s in video.STRUCTS:
            t = ffi.typeof(s)
            lines.append(f'printf("sizeof {s} %zu\\n", sizeof({s}));')
            expect.append(f"sizeof {s} {ffi.sizeof(t)}")
            for fname, f in t.fields:
                lines.append(f'printf("offsetof {s}.{fname} %zu\\n", offsetof({s}, {fname}));')
                expect.append(f"offsetof {s}.{fname} {f.offset}")
        lib = _lib.load()
        for e in video.ENUMS:
            lines.append(f'printf("enum {e} %d\\n", (int){e});')
            expect.append(f"enum {e} {getattr(lib, e)}")
        sigs = ['#include "ghostyolo.h"']
        for ret, name, params in test_layout.functions(video.CDEF):
            sigs.append(f"{ret} (*chk_{name})({params}) = {name};")
        lines.append("return 0; }")
        with tempfile.TemporaryDirectory() as d:
            src, exe, sig = (os.path.join(d, n) for n in ("l.c", "l", "s.c"))
            open(src, "w").write("\n".join(lines) + "\n")
            open(sig, "w").write("\n".join(sigs) + "\n")
            flags = ["-std=c11", "-Wall", "-Werror", "-Werror=incompatible-pointer-types", "-I",
                     os.path.join(gytest.env("GY_SOURCE_DIR"), "include")]
            for args in ([*flags, "-c", sig, "-o", sig + ".o"], [*flags, src, "-o", exe]):
                cc = subprocess.run([gytest.env("GY_CC"), *args], capture_output=True, text=True)
                self.assertEqual(cc.returncode, 0, cc.stderr)
            got = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
        self.assertEqual(got.splitlines(), expect)

    def test_frames_equal_the_reference(self):
        for name in ("h264.mp4", "rot90.mp4", "clip.gif"):
            ref = self.ref[name]
            with ghostyolo.Video(self.clip(name)) as v:
                self.assertEqual((v.info["width"], v.info["height"]), (ref["width"], ref["height"]))
                self.assertEqual(v.info["fps"], ref["fps"])
                self.assertEqual(v.info["frame_count"], ref["frame_count"])
                got = [(i, frame_hash(f)) for i, f in v]
            self.assertEqual(got, list(enumerate(ref["frames"], 1)), name)

    def test_detect_video_equals_detect_on_cv2_frames(self):
        import cv2
        cap = cv2.VideoCapture(self.clip("h264.mp4"))
        frames = []
        while True:
            ok, f = cap.read()
            if not ok:
                break
            frames.append(f[:, :, ::-1])  # BGR -> RGB
        results = list(self.sess.detect_video(self.clip("h264.mp4"), vid_stride=3, conf=0.3))
        self.assertEqual([r.frame for r in results], list(range(3, 31, 3)))
        boxes = 0
        for r in results:
            want = self.sess.detect(frames[r.frame - 1], conf=0.3)
            self.assertEqual(r.image, self.clip("h264.mp4"))
            self.assertEqual(r.names, want.names, f"frame {r.frame}")
            np.testing.assert_array_equal(r.boxes, want.boxes)
            np.testing.assert_array_equal(r.scores, want.scores)
            boxes += len(r)
        self.assertGreater(boxes, 10)  # the bus and its passengers are found

    def test_writer_round_trip(self):
        out = os.path.join(self.tmp.name, "out.mp4")
        with ghostyolo.Video(self.clip("h264.mp4")) as v:
            frames = [f for _, f in v][:10]
        with ghostyolo.VideoWriter(out, 640, 360, fps=25, codec="h264") as w:
            for f in frames:
                w.write(f)
        with ghostyolo.Video(out) as v:
            back = [f for _, f in v]
        self.assertEqual(len(back), len(frames))
        self.assertLess(np.abs(back[5].astype(int) - frames[5]).mean(), 8)  # measured 3.4
        with self.assertRaises(GhostyoloError):
            ghostyolo.VideoWriter(out, 160, 120, fps=0)

    def test_errors_and_lists(self):
        with self.assertRaises(GhostyoloError) as e:
            ghostyolo.Video("0")
        self.assertIn("webcam", e.exception.message)
        with self.assertRaises(GhostyoloError) as e:
            ghostyolo.Video(self.clip("missing.mp4"))
        self.assertEqual(e.exception.status, 2)
        with self.assertRaises(GhostyoloError):
            ghostyolo.Video(self.clip("h264.mp4"), vid_stride=0)
        p = os.path.join(self.tmp.name, "cams.streams")
        with open(p, "w") as f:
            f.write("rtsp://a/1\n rtsp://b/2\t")
        self.assertEqual(ghostyolo.load_stream_list(p), ["rtsp://a/1", "rtsp://b/2"])


class PredictVideo(unittest.TestCase):
    """model.predict / model(...) on video files and streams, as ultralytics is used."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        src = gytest.env("GY_SOURCE_DIR")
        subprocess.run(["sh", os.path.join(src, "tests/video/make_clips.sh"), cls.tmp.name,
                        gytest.shared(gytest.BUS), "mpeg4.avi", "clip.gif"], check=True,
                       env=plain_env())
        cls.model = ghostyolo.YOLO(gytest.shared(gytest.WEIGHTS))

    @classmethod
    def tearDownClass(cls):
        cls.model.close()
        cls.tmp.cleanup()

    def clip(self, name):
        return os.path.join(self.tmp.name, name)

    def test_stream_true_yields_a_result_per_frame(self):
        g = self.model.predict(source=self.clip("mpeg4.avi"), stream=True, imgsz=320)
        self.assertIsInstance(g, types.GeneratorType)
        rs = list(g)
        self.assertEqual([r.frame for r in rs], list(range(1, 31)))
        with ghostyolo.Video(self.clip("mpeg4.avi")) as v:
            frames = [f for _, f in v]
        boxes = 0
        for r, f in zip(rs, frames):
            self.assertEqual(r.path, self.clip("mpeg4.avi"))
            np.testing.assert_array_equal(r.orig_img, f[:, :, ::-1])  # BGR, as cv2 gives it
            want = self.model.predict(f, rgb=True, imgsz=320)[0]
            np.testing.assert_array_equal(r.boxes.data, want.boxes.data, f"frame {r.frame}")
            boxes += len(r)
        self.assertGreater(boxes, 60)
        self.assertIn("frame=30", repr(rs[-1]))
        self.assertEqual(rs[3][:1].frame, 4)  # a selection keeps its frame

    def test_list_form_warns_and_vid_stride(self):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            rs = self.model(self.clip("mpeg4.avi"), imgsz=160, vid_stride=4)
        self.assertIsInstance(rs, list)
        self.assertEqual([r.frame for r in rs], list(range(1, 8)))  # frames 4, 8, ... 28
        self.assertTrue(any("stream=True" in str(x.message) for x in w), [str(x.message) for x in w])
        every = self.model(self.clip("mpeg4.avi"), imgsz=160, stream=True)
        fourth = [r for r in every if r.frame % 4 == 0]
        for a, b in zip(rs, fourth):
            np.testing.assert_array_equal(a.boxes.data, b.boxes.data)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            self.model(gytest.shared(gytest.BUS), imgsz=160)
        self.assertEqual([str(x.message) for x in w], [])  # no warning for an image
        for bad in (0, 1000001, True, 2.0):
            with self.assertRaises(GhostyoloError) as e:
                self.model(self.clip("mpeg4.avi"), vid_stride=bad)
            self.assertIn("vid_stride must be an integer from 1 to 1000000", e.exception.message)
        # the bound itself: no frame that far in, no Results
        self.assertEqual(list(self.model(self.clip("mpeg4.avi"), stream=True, vid_stride=1000000)),
                         [])

    def test_folders_give_images_then_videos_and_verbose_lines(self):
        d = os.path.join(self.tmp.name, "mixed")
        os.makedirs(d, exist_ok=True)
        shutil.copy(self.clip("clip.gif"), os.path.join(d, "a.gif"))
        shutil.copy(gytest.shared(gytest.BUS), os.path.join(d, "b.jpg"))
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            rs = self.model(d, imgsz=160, verbose=True, stream=True)
            rs = list(rs)
        self.assertEqual([(os.path.basename(r.path), r.frame) for r in rs],
                         [("b.jpg", None)] + [("a.gif", k) for k in range(1, 13)])
        lines = err.getvalue().splitlines()
        self.assertTrue(lines[0].startswith(f"image 1/2 {d}/b.jpg: 160x128 "), lines[0])
        self.assertTrue(lines[1].startswith(f"video 2/2 (1/12) {d}/a.gif: 128x160 "), lines[1])
        self.assertTrue(lines[12].startswith(f"video 2/2 (12/12) {d}/a.gif: "), lines[12])
        self.assertTrue(all(x.endswith("ms") for x in lines[:13]), lines)
        self.assertTrue(lines[13].startswith("Speed: "), lines[13])
        # the same lines as the CLI's, but the times
        p = subprocess.run([gytest.env("GY_CLI"), "detect", "--no-save", "--imgsz", "160", "-w",
                            gytest.shared(gytest.WEIGHTS), d], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        strip = [x.rsplit(", ", 1)[0] if x.endswith("ms") else "" for x in lines[:13]]
        cli = [x.rsplit(", ", 1)[0] for x in p.stderr.splitlines()[:13]]
        self.assertEqual(strip, cli)

    def test_sources_refused(self):
        U = ghostyolo.errors.ERR_UNSUPPORTED
        for src, words, status in (
                ("https://ultralytics.com/images/bus.jpg", "an image URL: not supported", U),
                ("0", "a webcam index: not supported", U), (0, "a webcam index", U),
                ("screen", "screen capture is not supported", U),
                (self.clip("missing.mp4"), "No such file", ghostyolo.errors.ERR_IO)):
            with self.assertRaises(GhostyoloError) as e:
                self.model(src)
            self.assertIn(words, e.exception.message)
            self.assertEqual(e.exception.status, status, src)
        # a stream that cannot be opened: said when iterated, naming the URL
        port = free_port()
        with self.assertRaises(GhostyoloError) as e:
            list(self.model(f"tcp://127.0.0.1:{port}", stream=True))
        self.assertIn(f"tcp://127.0.0.1:{port}: cannot open the stream", e.exception.message)

    def test_a_stream_on_loopback(self):
        port = free_port()
        srv = subprocess.Popen(
            ["ffmpeg", "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i",
             "testsrc=size=320x240:rate=25", "-t", "20", "-c:v", "mpeg2video", "-g", "10", "-bf",
             "0", "-q:v", "4", "-f", "mpegts", f"tcp://127.0.0.1:{port}?listen=1&listen_timeout=20000"],
            stdin=subprocess.DEVNULL, env=plain_env())
        try:
            wait_listen(port)
            url = f"tcp://127.0.0.1:{port}"
            err = io.StringIO()
            t0 = time.monotonic()
            with contextlib.redirect_stderr(err):
                g = self.model.predict(url, stream=True, imgsz=160, verbose=True)
                got = []
                for r in g:
                    got.append(r)
                    if len(got) == 5:
                        break
                g.close()  # closes the reader
            took = time.monotonic() - t0
        finally:
            srv.kill()
            srv.wait()
        self.assertEqual([r.frame for r in got], [0, 1, 2, 3, 4])
        self.assertTrue(all(r.path == url and r.orig_shape == (240, 320) for r in got))
        lines = err.getvalue().splitlines()
        self.assertEqual(lines[0], f"1/1: {url}... Success (inf frames of shape 320x240 at 25.00 "
                                   "FPS)")
        self.assertEqual(lines[1], "")
        self.assertTrue(lines[2].startswith("0: 128x160 ") and lines[2].endswith("ms"), lines[2])
        self.assertLess(took, 20)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listen(port, seconds=10):
    """Waits for a listening TCP socket on port without connecting (ffmpeg takes one client)."""
    want = f":{port:04X} "
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with open("/proc/net/tcp") as f:
            for line in f.read().splitlines()[1:]:
                fields = line.split()
                if fields[1].endswith(want.strip()) and fields[3] == "0A":
                    return
        time.sleep(0.02)
    raise AssertionError(f"nothing listens on port {port}")


if __name__ == "__main__":
    unittest.main()
