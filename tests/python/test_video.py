"""The binding's video part: its cffi declarations against the header (as test_layout checks the
rest), frames equal to the reference hashes of tests/video/reference.json (cv2's frames), and
Session.detect_video equal to Session.detect on cv2's own decode of each frame (ultralytics'
input), with vid_stride; VideoWriter read back; .streams lists; errors as exceptions."""
import hashlib
import json
import os
import subprocess
import tempfile
import unittest

import numpy as np

import gytest
import ghostyolo
from ghostyolo import GhostyoloError, _lib, video
import test_layout


def frame_hash(rgb):
    return hashlib.sha256(np.ascontiguousarray(rgb[:, :, ::-1]).tobytes()).hexdigest()[:16]


class VideoBinding(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        src = gytest.env("GY_SOURCE_DIR")
        subprocess.run(["sh", os.path.join(src, "tests/video/make_clips.sh"), cls.tmp.name,
                        gytest.shared(gytest.BUS), "h264.mp4", "rot90.mp4", "clip.gif"],
                       check=True)
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


if __name__ == "__main__":
    unittest.main()
