"""The Python binding against the CLI and the ground truth: the boxes of bus.jpg exactly as
`ghostyolo detect --json` gives them, array input equal to path input, the raw forward against
ultralytics' output, stats equal to `ghostyolo stats --json`, errors as exceptions, lifetimes."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

import numpy as np

import gytest
import ghostyolo
from ghostyolo import GhostyoloError, errors


class Binding(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.weights = gytest.shared(gytest.WEIGHTS)
        cls.bus = gytest.shared(gytest.BUS)
        cls.model = ghostyolo.Model(cls.weights)
        cls.sess = cls.model.session(threads=2)

    @classmethod
    def tearDownClass(cls):
        cls.sess.close()
        cls.model.close()

    def test_bus_exactly_as_the_cli(self):
        want = gytest.cli_json("-w", self.weights, self.bus)[self.bus]
        r = self.sess.detect(self.bus)
        self.assertEqual(len(r), 6)  # the CLI's six boxes (4 persons, bus, stop sign)
        got = json.loads(r.to_json())
        self.assertEqual(got["image"], self.bus)
        gytest.same_detections(self, got, want, "bus.jpg")
        # the arrays behind the JSON: float32 boxes in image pixels, best score first
        self.assertEqual(r.boxes.shape, (6, 4))
        self.assertEqual(r.boxes.dtype, np.float32)
        self.assertEqual(r.class_ids.tolist(), [d["class_id"] for d in want["detections"]])
        self.assertEqual(r.names, [d["name"] for d in want["detections"]])
        self.assertTrue(np.all(np.diff(r.scores) <= 0))
        np.testing.assert_allclose(r.boxes, [d["box"] for d in want["detections"]], atol=5e-4)
        np.testing.assert_allclose(r.scores, [d["score"] for d in want["detections"]], atol=5e-7)

    def test_int8_model(self):
        """An int8 model file (ghostyolo quantize) loads like any weights file: data type int8,
        the CLI's boxes."""
        with tempfile.TemporaryDirectory() as d:
            q = os.path.join(d, "n_int8.safetensors")
            subprocess.run([gytest.env("GY_CLI"), "quantize", "-w", self.weights, "--data",
                            gytest.shared("datasets/coco128/coco128.yaml"), "--calib-images", "2",
                            "--imgsz", "320", "--auto-float", "0", "-o", q],
                           check=True, capture_output=True)
            with ghostyolo.Model(q) as m, m.session(threads=1) as s:
                self.assertEqual(m.info["dtype"], "int8")
                self.assertIn(m.info["int8_kernel_isa"], ("avx512vnni", "avx2", "generic"))
                got = json.loads(s.detect(self.bus).to_json())
            want = gytest.cli_json("-w", q, self.bus)[self.bus]
            gytest.same_detections(self, got, want, "bus.jpg, int8")

    def test_options_as_the_cli(self):
        want = gytest.cli_json("-w", self.weights, "--conf", "0.5", "--imgsz", "320", "--square",
                               "--max-det", "3", self.bus)[self.bus]
        got = self.sess.detect(self.bus, conf=0.5, imgsz=320, square=True, max_det=3).to_dict()
        self.assertEqual((got["input_width"], got["input_height"]), (320, 320))
        gytest.same_detections(self, got, want, "bus.jpg conf 0.5 imgsz 320 square max_det 3")

    def test_array_input_equals_path_input(self):
        ref = np.fromfile(gytest.shared("reference/resize/bus_decoded_cv2_bgr.u8"), np.uint8)
        rgb = ref.reshape(1080, 810, 3)[:, :, ::-1]  # cv2's BGR, as RGB (a non-contiguous view)
        np.testing.assert_array_equal(ghostyolo.load_image(self.bus), rgb)
        a = self.sess.detect(rgb)
        p = self.sess.detect(self.bus)
        self.assertIsNone(a.image)
        self.assertEqual((a.width, a.height, a.input_width, a.input_height),
                         (p.width, p.height, p.input_width, p.input_height))
        np.testing.assert_array_equal(a.boxes, p.boxes)
        np.testing.assert_array_equal(a.scores, p.scores)
        np.testing.assert_array_equal(a.class_ids, p.class_ids)
        self.assertEqual(a.names, p.names)

    def test_forward_against_ultralytics(self):
        case = gytest.shared("parity/real_v8n_bus640")
        with open(os.path.join(case, "case.json")) as f:
            meta = json.load(f)
        x = np.fromfile(os.path.join(case, "input.f32"), np.float32).reshape(meta["input_shape"])
        want = np.fromfile(os.path.join(case, "output.f32"), np.float32).reshape(
            meta["output_shape"])
        out = self.sess.forward(x)
        self.assertEqual(out.shape, (1, 84, 8400))
        self.assertEqual(out.dtype, np.float32)
        for part, rows in (("box", slice(0, 4)), ("cls", slice(4, 84))):
            tol = meta["tolerance_by_part"][part]
            err = np.abs(out[0, rows] - want[0, rows])
            bound = tol["abs"] + tol["rel"] * np.abs(want[0, rows])
            self.assertTrue(np.all(err <= bound), f"{part}: max error {err.max()}")
        # (3, H, W) works too; a rectangle gives its anchor count: 640x480 -> 80*60+40*30+20*15
        self.assertEqual(self.sess.forward(np.zeros((3, 640, 480), np.float32)).shape,
                         (1, 84, 6300))

    def test_stats_as_the_cli(self):
        src = gytest.env("GY_SOURCE_DIR")
        cfg = os.path.join(src, "configs", "yolov8.yaml")
        p = subprocess.run([gytest.env("GY_CLI"), "stats", "--json", cfg, "--scale", "n", "--nc",
                            "80", "--imgsz", "320"], capture_output=True, text=True, check=True)
        want = json.loads(p.stdout)["models"][0]
        with ghostyolo.Model(None, config=cfg, scale="n", nc=80) as m:
            self.assertEqual(m.stats(imgsz=320), want)
        # the weights' own model: the same numbers (its YAML is the same network)
        got = self.model.stats(imgsz=320)
        for k in ("nc", "imgsz", "fused", "unfused", "kb", "state_dict_tensors", "arena_mib",
                  "gflops_probe_failed", "rows"):
            self.assertEqual(got[k], want[k], k)
        self.assertEqual(got["fused"]["params"], 3151904)

    def test_classes(self):
        full = self.sess.detect(self.bus)
        persons = self.sess.detect(self.bus, classes=[0])
        keep = full.class_ids == 0
        np.testing.assert_array_equal(persons.boxes, full.boxes[keep])
        np.testing.assert_array_equal(persons.scores, full.scores[keep])
        self.assertEqual(persons.names, ["person"] * 4)
        # max_det counts the kept boxes: the two best persons, not the bus and one person
        two = self.sess.detect(self.bus, classes=[0], max_det=2)
        np.testing.assert_array_equal(two.boxes, full.boxes[keep][:2])
        self.assertEqual(len(self.sess.detect(self.bus, classes=[])), 0)
        self.assertEqual(self.sess.detect(self.bus, classes=(5, 11)).class_ids.tolist(), [5, 11])

    def assertFails(self, status, needle, fn, *args, **kw):
        with self.assertRaises(GhostyoloError) as cm:
            fn(*args, **kw)
        e = cm.exception
        self.assertEqual(e.status, status, str(e))
        self.assertIn(needle, e.message)
        self.assertTrue(e.status_name)
        return e

    def test_errors(self):
        d = tempfile.mkdtemp()
        try:
            missing = os.path.join(d, "missing.jpg")
            self.assertFails(errors.ERR_IO, missing, self.sess.detect, missing)
            bad = os.path.join(d, "bad.safetensors")
            with open(bad, "wb") as f:
                f.write(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}      ")
            self.assertFails(errors.ERR_FORMAT, bad, ghostyolo.Model, bad)
            self.assertFails(errors.ERR_IO, "nope.safetensors", ghostyolo.Model,
                             os.path.join(d, "nope.safetensors"))
            notimg = os.path.join(d, "x.jpg")
            with open(notimg, "wb") as f:
                f.write(b"not a jpeg at all")
            self.assertFails(errors.ERR_FORMAT, notimg, self.sess.detect, notimg)
        finally:
            shutil.rmtree(d)
        A = errors.ERR_ARGUMENT
        self.assertFails(A, "conf", self.sess.detect, self.bus, conf=1.5)
        self.assertFails(A, "max_det", self.sess.detect, self.bus, max_det=0)
        self.assertFails(A, "32", self.sess.detect, self.bus, imgsz=100)
        self.assertFails(A, "imgsz", self.sess.detect, self.bus, imgsz="640")
        self.assertFails(A, "classes", self.sess.detect, self.bus, classes=[-1])
        self.assertFails(A, "uint8", self.sess.detect, np.zeros((4, 4, 3), np.float32))
        self.assertFails(A, "(H, W, 3)", self.sess.detect, np.zeros((4, 4), np.uint8))
        self.assertFails(A, "path", self.sess.detect, 42)
        self.assertFails(A, "float32", self.sess.forward, np.zeros((1, 3, 64, 64)))
        self.assertFails(A, "multiple", self.sess.forward, np.zeros((1, 3, 64, 50), np.float32))
        self.assertFails(A, "threads", self.model.session, threads=-1)
        self.assertFails(A, "Model needs", ghostyolo.Model, None)
        with ghostyolo.Model(None, config=os.path.join(gytest.env("GY_SOURCE_DIR"), "configs",
                                                       "yolov8.yaml"), scale="n") as m:
            with m.session() as s:
                self.assertFails(errors.ERR_STATE, "without weights", s.forward,
                                 np.zeros((1, 3, 64, 64), np.float32))
        # after an error the session still works
        self.assertEqual(len(self.sess.detect(self.bus)), 6)

    def test_lifetimes(self):
        m = ghostyolo.Model(self.weights)
        s = m.session(threads=1)
        m.close()  # a session keeps its model: freed when the last session closes
        self.assertIsNotNone(m._handle)
        self.assertEqual(len(s.detect(self.bus)), 6)
        self.assertFails(errors.ERR_STATE, "closed", m.session)
        s.close()
        self.assertIsNone(m._handle)
        self.assertTrue(s.closed)
        self.assertFails(errors.ERR_STATE, "closed", s.detect, self.bus)
        s.close()  # twice is harmless
        with ghostyolo.Model(self.weights) as m2, m2.session() as s2:
            self.assertEqual(len(s2.detect(self.bus)), 6)
        self.assertTrue(m2.closed and s2.closed and m2._handle is None)
        # nobody closes them: garbage collection frees both, session first
        ghostyolo.Model(self.weights).session().detect(self.bus)

    def test_threads_share_a_model(self):
        want = self.sess.detect(self.bus)
        got = [None, None]

        def work(i):
            with self.model.session(threads=1) as s:
                got[i] = [s.detect(self.bus) for _ in range(2)]

        ts = [threading.Thread(target=work, args=(i,)) for i in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        for rs in got:
            for r in rs:
                np.testing.assert_array_equal(r.boxes, want.boxes)
                np.testing.assert_array_equal(r.scores, want.scores)

    def test_library_lookup(self):
        lib = gytest.env("GHOSTYOLO_LIB")
        pkg = os.path.dirname(ghostyolo.__file__)
        code = ("import ghostyolo, sys\n"
                "try:\n    print(ghostyolo.library_path())\n"
                "except ghostyolo.GhostyoloError as e:\n    print('ERR', e.status, e.message)\n")
        with tempfile.TemporaryDirectory() as d:
            # a package folder holding the library, without GHOSTYOLO_LIB
            shutil.copytree(pkg, os.path.join(d, "ghostyolo"),
                            ignore=shutil.ignore_patterns("__pycache__", "_libpath.py"))
            os.symlink(os.path.realpath(lib), os.path.join(d, "ghostyolo", "libghostyolo.so"))
            env = {k: v for k, v in os.environ.items() if k != "GHOSTYOLO_LIB"}
            env["PYTHONPATH"] = d
            out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                 text=True, check=True).stdout.strip()
            self.assertEqual(out, os.path.join(d, "ghostyolo", "libghostyolo.so"))
            # GHOSTYOLO_LIB wins, and a wrong one is an error naming it
            env["GHOSTYOLO_LIB"] = os.path.join(d, "nowhere.so")
            out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                 text=True, check=True).stdout.strip()
            self.assertTrue(out.startswith("ERR -1 cannot load libghostyolo"), out)
            self.assertIn("nowhere.so", out)


if __name__ == "__main__":
    unittest.main()
