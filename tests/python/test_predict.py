"""The binding used as ultralytics is used: YOLO(weights)(source) and model.predict(...) against
ultralytics' own boxes for bus.jpg (../shared/reference), against the CLI on the same image and
options, and against themselves across input forms (a path, cv2's BGR array, RGB with rgb=True,
a PIL image, lists, folders, stream=True). Results.plot()/save()/save_txt() are compared with
what `ghostyolo detect` writes for the same image."""
import contextlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import types
import unittest
import warnings

import numpy as np

import gytest
import ghostyolo
from ghostyolo import GhostyoloError, YOLO, errors

try:
    from PIL import Image
except ImportError as e:
    raise AssertionError("python3-pil is needed by this test (see .ci/install-deps)") from e


def cli(*args):
    """Runs `ghostyolo detect ARGS`; fails the test on a non-zero exit."""
    p = subprocess.run([gytest.env("GY_CLI"), "detect", *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError(f"ghostyolo detect {' '.join(args)} failed: {p.stderr}")
    return p


def cli_data(weights, image, *opts):
    """The CLI's boxes for image as (N, 6) rows x1 y1 x2 y2 conf cls (its JSON, rounded to
    1e-3 px and 1e-6), and its input size (w, h)."""
    o = gytest.cli_json("-w", weights, *opts, image)[image]
    rows = [d["box"] + [d["score"], d["class_id"]] for d in o["detections"]]
    return np.array(rows, np.float64).reshape(-1, 6), (o["input_width"], o["input_height"])


class Predict(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pt = gytest.shared("weights/yolov8n.pt")
        cls.st = gytest.shared(gytest.WEIGHTS)
        cls.bus = gytest.shared(gytest.BUS)
        cls.model = YOLO(cls.pt)
        raw = np.fromfile(gytest.shared("reference/resize/bus_decoded_cv2_bgr.u8"), np.uint8)
        cls.bgr = raw.reshape(1080, 810, 3)  # cv2.imread(bus.jpg), as ultralytics reads it
        cls.r = cls.model(cls.bus)[0]
        cls.tmp = tempfile.mkdtemp()

    @classmethod
    def tearDownClass(cls):
        cls.model.close()
        shutil.rmtree(cls.tmp)

    def same(self, a, b, what):
        """Two Results with the same boxes, bit for bit."""
        self.assertEqual(a.orig_shape, b.orig_shape, what)
        np.testing.assert_array_equal(a.boxes.data, b.boxes.data, what)

    def close_to_cli(self, r, weights, image, *opts):
        want, _ = cli_data(weights, image, *opts)
        self.assertEqual(r.boxes.data.shape, want.shape, opts)
        np.testing.assert_allclose(r.boxes.data[:, :4], want[:, :4], atol=5e-4, rtol=0)
        np.testing.assert_allclose(r.boxes.data[:, 4], want[:, 4], atol=5e-7, rtol=0)
        np.testing.assert_array_equal(r.boxes.data[:, 5], want[:, 5])

    # -- what predict returns ------------------------------------------------------------------

    def test_bus_as_ultralytics(self):
        ref = json.load(open(gytest.shared("reference/detections_yolov8n.json")))
        ref = ref["predictor"]["bus"]["detections"]
        rs = self.model(self.bus)
        self.assertIsInstance(rs, list)
        self.assertEqual(len(rs), 1)
        r = rs[0]
        self.assertIsInstance(r, ghostyolo.Results)
        b = r.boxes
        self.assertEqual(len(r), 6)
        self.assertEqual(b.cls.tolist(), [float(d["class_id"]) for d in ref])
        # the reference is rounded to 1e-3 px and 1e-6: measured 4.7e-4 and 7.8e-7 from it
        np.testing.assert_allclose(b.xyxy, [d["xyxy"] for d in ref], atol=2e-3, rtol=0)
        np.testing.assert_allclose(b.conf, [d["confidence"] for d in ref], atol=3e-6, rtol=0)
        for name, shape in (("xyxy", (6, 4)), ("xywh", (6, 4)), ("xyxyn", (6, 4)),
                            ("xywhn", (6, 4)), ("conf", (6,)), ("cls", (6,)), ("data", (6, 6))):
            a = getattr(b, name)
            self.assertIsInstance(a, np.ndarray, name)
            self.assertEqual((a.shape, a.dtype), (shape, np.float32), name)
        np.testing.assert_array_equal(b.data, np.column_stack([b.xyxy, b.conf, b.cls]))
        self.assertEqual(b.shape, (6, 6))
        self.assertEqual(b.orig_shape, (1080, 810))
        self.assertIsNone(b.id)
        self.assertIs(b.cpu().numpy(), b)  # ultralytics' r.boxes.cpu().numpy() works
        self.assertEqual(r.names, {i: n for i, n in enumerate(self.model.names.values())})
        self.assertEqual((r.names[0], r.names[5], r.names[11], len(r.names)),
                         ("person", "bus", "stop sign", 80))
        self.assertEqual(r.orig_shape, (1080, 810))
        self.assertEqual(r.path, self.bus)
        np.testing.assert_array_equal(r.orig_img, self.bgr)  # BGR, as cv2 decodes it
        self.assertTrue(r.orig_img.flags["C_CONTIGUOUS"])
        self.assertEqual(set(r.speed), {"preprocess", "inference", "postprocess"})
        self.assertTrue(all(v > 0 for v in r.speed.values()), r.speed)
        self.assertIsNone(r.masks)
        self.assertIsNone(r.probs)
        self.assertIsNone(r.keypoints)
        # the .pt and the safetensors conversion of the same weights agree; the CLI too
        self.same(r, YOLO(self.st)(self.bus)[0], "safetensors")
        self.close_to_cli(r, self.pt, self.bus)

    def test_box_formats(self):
        b = self.r.boxes
        x1, y1, x2, y2 = (b.xyxy[:, i].astype(np.float64) for i in range(4))
        want = np.column_stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1])
        np.testing.assert_allclose(b.xywh, want, rtol=0, atol=1e-4)
        wh = np.array([810, 1080, 810, 1080], np.float64)
        np.testing.assert_allclose(b.xyxyn, b.xyxy / wh, rtol=1e-6, atol=0)
        np.testing.assert_allclose(b.xywhn, want / wh, rtol=1e-6, atol=1e-7)
        # indexing: one box, a mask, a slice
        self.assertEqual(len(b[0]), 1)
        np.testing.assert_array_equal(b[0].data, b.data[:1])
        persons = self.r[self.r.boxes.cls == 0]
        self.assertIsInstance(persons, ghostyolo.Results)
        self.assertEqual(len(persons), 4)
        np.testing.assert_array_equal(persons.boxes.data, b.data[b.data[:, 5] == 0])
        self.assertIs(persons.orig_img, self.r.orig_img)
        self.assertEqual(len(self.r[1:3]), 2)

    def test_verbose_tojson_repr(self):
        self.assertEqual(self.r.verbose(), "4 persons, 1 bus, 1 stop sign, ")
        self.assertEqual(self.r[:1].verbose(), "1 bus, ")
        none = self.model(self.bus, classes=[])[0]
        self.assertEqual(len(none), 0)
        self.assertEqual(none.boxes.data.shape, (0, 6))
        self.assertEqual(none.verbose(), "(no detections), ")
        self.assertEqual(json.loads(none.tojson()), [])
        j = json.loads(self.r.tojson())
        self.assertEqual(len(j), 6)
        d = self.r.boxes.data.tolist()
        self.assertEqual(j[0], {"name": "bus", "class": 5, "confidence": d[0][4],
                                "box": {"x1": d[0][0], "y1": d[0][1], "x2": d[0][2],
                                        "y2": d[0][3]}})
        n = json.loads(self.r.tojson(normalize=True))[1]["box"]
        self.assertAlmostEqual(n["x2"], d[1][2] / 810, places=12)
        self.assertAlmostEqual(n["y2"], d[1][3] / 1080, places=12)
        self.assertIn("4 persons, 1 bus, 1 stop sign", repr(self.r))

    # -- input forms ---------------------------------------------------------------------------

    def test_bgr_rgb_pil_equal_the_path(self):
        bgr = self.bgr.copy()
        r = self.model(bgr)[0]
        self.same(r, self.r, "BGR array")
        self.assertEqual(r.path, "image0.jpg")
        self.assertIs(r.orig_img, bgr)  # kept as given, as ultralytics keeps it
        rgb = np.ascontiguousarray(self.bgr[..., ::-1])
        r = self.model.predict(rgb, rgb=True)[0]
        self.same(r, self.r, "RGB array with rgb=True")
        np.testing.assert_array_equal(r.orig_img, self.bgr)  # orig_img is BGR all the same
        self.same(self.model(self.bgr[..., ::-1], rgb=True)[0], self.r, "a reversed view")
        # the channel order matters: RGB read as BGR gives other boxes
        wrong = self.model(rgb)[0]
        self.assertFalse(wrong.boxes.data.shape == self.r.boxes.data.shape and
                         np.array_equal(wrong.boxes.data, self.r.boxes.data))
        # PIL: from the file (its name is the path), from an array, and in another mode
        with Image.open(self.bus) as im:
            r = self.model(im)[0]
        self.same(r, self.r, "PIL image")
        self.assertEqual(r.path, self.bus)
        np.testing.assert_array_equal(r.orig_img, self.bgr)
        r = self.model(Image.fromarray(rgb))[0]
        self.same(r, self.r, "PIL image from an array")
        self.assertEqual(r.path, "image0.jpg")
        rgba = Image.fromarray(rgb).convert("RGBA")
        self.same(self.model(rgba)[0], self.r, "RGBA PIL image (converted to RGB)")
        # os.PathLike and bytes paths
        import pathlib
        self.same(self.model(pathlib.Path(self.bus))[0], self.r, "pathlib.Path")
        self.same(self.model(os.fsencode(self.bus))[0], self.r, "bytes path")

    def test_lists_folders_globs_stream(self):
        d = os.path.join(self.tmp, "folder")
        os.mkdir(d)
        os.mkdir(os.path.join(d, "runs"))  # a subfolder: passed over, as ultralytics' glob does
        shutil.copy(self.bus, os.path.join(d, "b.jpg"))
        ghostyolo.images.save_rgb(ghostyolo.load_image(self.bus), os.path.join(d, "a.png"))
        open(os.path.join(d, "notes.txt"), "w").close()
        rs = self.model(d)
        self.assertEqual([r.path for r in rs], [d + "/a.png", d + "/b.jpg"])
        for r in rs:
            self.same(r, self.r, r.path)
        self.assertEqual([r.path for r in self.model(d + "/*.jpg")], [d + "/b.jpg"])
        lst = os.path.join(self.tmp, "list.txt")
        with open(lst, "w") as f:
            f.write("folder/b.jpg\nfolder/a.png\n")
        self.assertEqual([r.path for r in self.model(lst)], [d + "/b.jpg", d + "/a.png"])
        # a list of mixed sources keeps its order; arrays are named by their position
        with Image.open(self.bus) as im:
            rs = self.model([self.bgr, self.bus, d, im])
        self.assertEqual([r.path for r in rs],
                         ["image0.jpg", self.bus, d + "/a.png", d + "/b.jpg", self.bus])
        for r in rs:
            self.same(r, self.r, r.path)
        self.assertEqual([r.path for r in self.model((self.bgr, self.bgr))],
                         ["image0.jpg", "image1.jpg"])
        # stream=True: a generator, one result at a time, the same results
        g = self.model([self.bus, self.bgr], stream=True)
        self.assertIsInstance(g, types.GeneratorType)
        first = next(g)
        self.same(first, self.r, "stream 1")
        self.same(next(g), self.r, "stream 2")
        self.assertIsNone(next(g, None))
        self.assertIsInstance(self.model.predict(self.bus, stream=True), types.GeneratorType)
        self.assertEqual(self.model([]), [])

    # -- arguments -----------------------------------------------------------------------------

    def test_arguments_as_the_cli(self):
        for kw, opts in (({"conf": 0.5}, ["--conf", "0.5"]),
                         ({"iou": 0.3, "conf": 0.1}, ["--iou", "0.3", "--conf", "0.1"]),
                         ({"max_det": 2}, ["--max-det", "2"]),
                         ({"classes": 0}, ["--classes", "0"]),
                         ({"classes": [5, 11]}, ["--classes", "5,11"]),
                         ({"agnostic_nms": True, "conf": 0.01},
                          ["--agnostic", "--conf", "0.01"]),
                         ({"imgsz": 320}, ["--imgsz", "320"]),
                         ({"imgsz": (480, 640)}, ["--imgsz", "480,640"]),
                         ({"imgsz": [640, 320]}, ["--imgsz", "640,320"]),
                         ({"imgsz": 320, "square": True}, ["--imgsz", "320", "--square"])):
            r = self.model.predict(self.bus, **kw)[0]
            self.close_to_cli(r, self.pt, self.bus, *opts)
        # each option changes the boxes (so the comparisons above are not of defaults)
        base = self.r.boxes.data
        for kw in ({"conf": 0.5}, {"iou": 0.3, "conf": 0.1}, {"max_det": 2}, {"classes": 0},
                   {"agnostic_nms": True, "conf": 0.01}, {"imgsz": (480, 640)}, {"imgsz": 320}):
            other = self.model(self.bus, **kw)[0].boxes.data
            self.assertFalse(other.shape == base.shape and np.array_equal(other, base), kw)
        # agnostic NMS keeps fewer boxes (30 of 32 at conf 0.01)
        a = self.model(self.bus, agnostic_nms=True, conf=0.01)[0].boxes.data
        b = self.model(self.bus, conf=0.01)[0].boxes.data
        self.assertLess(len(a), len(b))

    def test_imgsz(self):
        # (h, w) = (480, 640) on an 810x1080 image: scale 4/9 -> 360x480, width padded to 384
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.model(self.bus, imgsz=(480, 640), verbose=True)
        lines = err.getvalue().splitlines()
        self.assertRegex(lines[0], r"^image 1/1 .*bus\.jpg: 480x384 \d+ persons?, .*ms$")
        self.assertRegex(lines[1], r"^Speed: .* per image at shape \(1, 3, 480, 384\)$")
        _, hw = cli_data(self.pt, self.bus, "--imgsz", "480,640")
        self.assertEqual(hw, (384, 480))
        # not a multiple of 32: rounded up with ultralytics' warning
        for given, rounded in ((300, 320), ((300, 500), (320, 512)), ([300], 320), (1, 32),
                               (33, 64)):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                got = self.model(self.bgr, imgsz=given)[0]
            self.assertEqual(len(w), 1, given)
            self.assertIn("must be multiple of max stride 32, updating to", str(w[0].message))
            self.assertEqual(w[0].filename, __file__)  # blamed on the caller
            self.same(got, self.model(self.bgr, imgsz=rounded)[0], f"imgsz {given}")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            self.model(self.bgr, imgsz=[320])  # a one-item list of a multiple: no warning
            self.model(self.bgr, imgsz=32)
        A = errors.ERR_ARGUMENT
        for bad in (0, -32, 8193, (8193, 32), (32, 0), (1, 2, 3), (), "640", 640.0, True, None,
                    (320, "x")):
            with self.assertRaises(GhostyoloError, msg=repr(bad)) as cm:
                self.model(self.bgr, imgsz=bad)
            self.assertEqual(cm.exception.status, A)
            self.assertIn("imgsz", cm.exception.message)
        # the largest side allowed is accepted (checked without running it)
        from ghostyolo.params import imgsz_hw
        self.assertEqual(imgsz_hw(8192, 32), (8192, 8192))
        self.assertEqual(imgsz_hw((8192, 8161), 32), (8192, 8192))

    def test_argument_errors(self):
        A = errors.ERR_ARGUMENT

        def fails(needle, *args, status=A, **kw):
            with self.assertRaises(GhostyoloError) as cm:
                self.model.predict(*args, **kw)
            self.assertEqual(cm.exception.status, status, str(cm.exception))
            self.assertIn(needle, cm.exception.message)
            return cm.exception

        e = fails("'cnf' is not a valid predict argument", self.bus, cnf=0.5)
        self.assertIn("Similar arguments are ['conf']", e.message)
        fails("'agnostic' is not a valid", self.bus, agnostic=True)
        fails("half=True is not supported", self.bus, half=True)
        fails("device='cuda:0' is not supported", self.bus, device="cuda:0")
        fails("save=True is not supported", self.bus, save=True)
        fails("line_width=3 is not supported", self.bus, line_width=3)
        fails("vid_stride must be an integer from 1 to 1000000, got 0", self.bus, vid_stride=0)
        fails("stream_buffer=True is not supported", self.bus, stream_buffer=True)
        # accepted at the value that means "not used here"
        for kw in ({"device": "cpu"}, {"device": None}, {"half": False}, {"save": False},
                   {"project": "x", "name": "y", "exist_ok": True}, {"show_labels": True},
                   {"verbose": False}, {"vid_stride": 2}):  # (an image has no frames to skip)
            self.same(self.model(self.bgr, **kw)[0], self.r, kw)
        fails("conf", self.bus, conf=1.5)
        for k in ("conf", "iou"):  # [0, 1]: both ends accepted, just past them refused
            fails(k, self.bgr, **{k: 1.0001})
            fails(k, self.bgr, **{k: -0.0001})
            fails(k, self.bgr, **{k: float("nan")})
            fails(k, self.bgr, **{k: True})
            self.model(self.bgr, **{k: 0})
            self.model(self.bgr, **{k: 1.0})
        self.assertEqual(len(self.model(self.bgr, max_det=1)[0]), 1)
        fails("conf", self.bus, conf="0.5")
        fails("iou", self.bus, iou=None)
        fails("max_det", self.bus, max_det=0)
        fails("classes", self.bus, classes=[-1])
        fails("classes", self.bus, classes="person")
        # sources
        fails("needs a source", None)
        fails("needs a source", )
        fails("got float", 42.5)
        fails("got dict (item 1 of the list)", [self.bus, {}])
        fails("(H, W, 3) uint8", np.zeros((4, 4), np.uint8))
        fails("(H, W, 3) uint8", np.zeros((2, 4, 4, 3), np.uint8))
        fails("(H, W, 3) uint8", np.zeros((4, 4, 3), np.float32))
        fails("(H, W, 3) uint8", np.zeros((0, 4, 3), np.uint8))
        fails("(H, W, 3) uint8", np.zeros((4, 4, 4), np.uint8))
        missing = os.path.join(self.tmp, "missing.jpg")
        e = fails(missing, missing, status=errors.ERR_IO)
        self.assertIn("No such file", e.message)
        fails("*.nothing: no file matches this pattern", self.tmp + "/*.nothing",
              status=errors.ERR_IO)
        empty = os.path.join(self.tmp, "empty")
        os.makedirs(empty, exist_ok=True)
        fails("no images or videos found in " + empty, empty, status=errors.ERR_IO)
        U = errors.ERR_UNSUPPORTED
        fails("an image URL: not supported", "https://ultralytics.com/images/bus.jpg", status=U)
        fails("clip.MP4: No such file", "clip.MP4", status=errors.ERR_IO)  # a video to read
        fails("a webcam index: not supported", 0, status=U)
        fails("screen capture is not supported", "screen", status=U)
        fails("No such file", "-", status=errors.ERR_IO)  # a file named "-", not stdin
        notimg = os.path.join(self.tmp, "x.jpg")
        with open(notimg, "wb") as f:
            f.write(b"not a jpeg")
        fails(notimg, notimg, status=errors.ERR_FORMAT)
        # a stream checks its arguments and sources when called, not when iterated
        with self.assertRaises(GhostyoloError):
            self.model(missing, stream=True)
        with self.assertRaises(GhostyoloError):
            self.model(self.bus, stream=True, conf=2)
        # after errors the model still predicts
        self.same(self.model(self.bus)[0], self.r, "after errors")

    # -- plot, save, save_txt ------------------------------------------------------------------

    def test_plot_as_the_cli_draws(self):
        # the CLI on a lossless copy of bus.jpg writes its annotated PNG; plot() is that, in BGR
        png = os.path.join(self.tmp, "bus_copy.png")
        ghostyolo.images.save_rgb(ghostyolo.load_image(self.bus), png)
        out = os.path.join(self.tmp, "cli_plot")
        cli("-w", self.pt, "-q", "-o", out, png)
        want = ghostyolo.load_image(os.path.join(out, "bus_copy.png"))
        before = self.r.orig_img.copy()
        got = self.r.plot()
        np.testing.assert_array_equal(self.r.orig_img, before)  # the original is untouched
        self.assertEqual((got.shape, got.dtype), ((1080, 810, 3), np.uint8))
        self.assertTrue(got.flags["C_CONTIGUOUS"])
        np.testing.assert_array_equal(got[..., ::-1], want)
        # BGR: the bus's top edge (y1 = 230.6, line width 3) is palette colour 5, #48F90A
        self.assertEqual(got[230, 400].tolist(), [0x0A, 0xF9, 0x48])
        self.assertEqual(got[229, 400].tolist(), [0x0A, 0xF9, 0x48])
        self.assertEqual(got[232, 400].tolist(), self.bgr[232, 400].tolist())
        # a person's left edge (x1 = 48.7) in #FF3838
        self.assertEqual(got[600, 48].tolist(), [0x38, 0x38, 0xFF])
        # the options, each against the CLI's
        for kw, opts in (({"line_width": 6}, ["--line-width", "6"]),
                         ({"labels": False}, ["--hide-labels"]),
                         ({"conf": False}, ["--hide-conf"])):
            out = os.path.join(self.tmp, "cli_" + next(iter(kw)))
            cli("-w", self.pt, "-q", "-o", out, *opts, png)
            want_k = ghostyolo.load_image(os.path.join(out, "bus_copy.png"))
            got_k = self.r.plot(**kw)
            np.testing.assert_array_equal(got_k[..., ::-1], want_k, kw)
            self.assertFalse(np.array_equal(got_k, got), kw)
        np.testing.assert_array_equal(self.r.plot(line_width=None), got)
        np.testing.assert_array_equal(self.r.plot(line_width=0), got)
        np.testing.assert_array_equal(self.r.plot(boxes=False), self.bgr)
        np.testing.assert_array_equal(self.r.plot(line_width=1000).shape, got.shape)
        # img: drawn on another BGR image of the caller's (a copy of it)
        grey = np.full((1080, 810, 3), 128, np.uint8)
        on_grey = self.r.plot(img=grey)
        self.assertTrue(np.all(grey == 128))
        self.assertEqual(on_grey[230, 400].tolist(), [0x0A, 0xF9, 0x48])
        self.assertEqual(on_grey[1000, 10].tolist(), [128, 128, 128])
        # names come from r.names: a renamed class is drawn with its new name
        renamed = ghostyolo.Results(self.r.orig_img, self.r.path, {**self.r.names, 5: "coach"},
                                    self.r.boxes, self.r.speed)
        self.assertFalse(np.array_equal(renamed.plot(), got))
        np.testing.assert_array_equal(renamed.plot(labels=False), self.r.plot(labels=False))
        for bad in (-1, 1001, True, 2.5, "3"):
            with self.assertRaises(GhostyoloError, msg=repr(bad)) as cm:
                self.r.plot(line_width=bad)
            self.assertIn("line_width", cm.exception.message)
        with self.assertRaises(GhostyoloError):
            self.r.plot(img=np.zeros((4, 4), np.uint8))

    def test_save_and_save_txt_as_the_cli(self):
        out = os.path.join(self.tmp, "cli_save")
        cli("-w", self.pt, "-q", "-o", out, "--save-txt", "--save-conf", self.bus)
        cwd = os.getcwd()
        work = os.path.join(self.tmp, "save")
        os.mkdir(work)
        os.chdir(work)
        try:
            # the same drawing and the same JPEG encoder: the same bytes as the CLI's
            self.assertEqual(self.r.save(), "results_bus.jpg")
            with open("results_bus.jpg", "rb") as a, open(os.path.join(out, "bus.jpg"), "rb") as b:
                self.assertEqual(a.read(), b.read())
            self.assertEqual(self.r.save("x.png", conf=False), "x.png")
            np.testing.assert_array_equal(ghostyolo.load_image("x.png"),
                                          self.r.plot(conf=False)[..., ::-1])
            self.assertEqual(self.r.save("x.BMP"), "x.BMP")
            np.testing.assert_array_equal(ghostyolo.load_image("x.BMP"), self.r.plot()[..., ::-1])
            # an array's default name; a source whose format is not written gets .png
            self.assertEqual(self.model(self.bgr)[0].save(), "results_image0.jpg")
            r = ghostyolo.Results(self.bgr, "/x/bus.webp", self.r.names, self.r.boxes)
            self.assertEqual(r.save(), "results_bus.png")
            self.assertEqual(sorted(os.listdir(".")), ["results_bus.jpg", "results_bus.png",
                                                       "results_image0.jpg", "x.BMP", "x.png"])
            with self.assertRaises(GhostyoloError) as cm:
                self.r.save("x.gif")
            self.assertEqual(cm.exception.status, errors.ERR_UNSUPPORTED)
            self.assertIn("x.gif", cm.exception.message)
            with self.assertRaises(GhostyoloError) as cm:
                self.r.save(os.path.join("nowhere", "x.jpg"))
            self.assertEqual(cm.exception.status, errors.ERR_IO)
            # labels: the CLI's file, line for line; appended as ultralytics appends
            with open(os.path.join(out, "labels", "bus.txt")) as f:
                want = f.read()
            self.r.save_txt("bus.txt", save_conf=True)
            with open("bus.txt") as f:
                self.assertEqual(f.read(), want)
            self.r.save_txt("plain.txt")
            self.r[:2].save_txt("plain.txt")
            with open("plain.txt") as f:
                lines = f.read().splitlines()
            short = [" ".join(line.split()[:5]) for line in want.splitlines()]
            self.assertEqual(lines, short + short[:2])
            self.model(self.bus, classes=[])[0].save_txt("none.txt")
            self.assertFalse(os.path.exists("none.txt"))  # no boxes, no file
        finally:
            os.chdir(cwd)

    # -- models and sessions -------------------------------------------------------------------

    def test_models_and_sessions(self):
        # a YAML as the model: built without weights, as YOLO("yolov8n.yaml"); it cannot predict
        src = gytest.env("GY_SOURCE_DIR")
        m = YOLO(os.path.join(src, "configs", "yolov8n.yaml"))
        self.assertEqual(m.info["scale"], "n")
        self.assertFalse(m.info["has_weights"])
        self.assertEqual(len(m.names), 80)
        with self.assertRaises(GhostyoloError) as cm:
            m(self.bgr)
        self.assertEqual(cm.exception.status, errors.ERR_STATE)
        m.close()
        # sessions predict too, one per thread, with the same results
        import threading
        got = [None, None]

        def work(i):
            with self.model.session(threads=1) as s:
                got[i] = s.predict([self.bus, self.bgr])

        ts = [threading.Thread(target=work, args=(i,)) for i in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        for rs in got:
            self.assertEqual(len(rs), 2)
            for r in rs:
                self.same(r, self.r, "session in a thread")
        # the older Session.detect: RGB by default, BGR with rgb=False, names per box
        with self.model.session() as s:
            d = s.detect(self.bgr, rgb=False)
            np.testing.assert_array_equal(d.boxes, self.r.boxes.xyxy)
            np.testing.assert_array_equal(d.class_ids, self.r.boxes.cls.astype(np.int32))
            self.assertEqual(d.names[0], "bus")
        # closing the model closes the session predict uses; afterwards it is an error
        m = YOLO(self.st)
        self.same(m(self.bus)[0], self.r, "second model")
        own = m._own_session
        m.close()
        self.assertTrue(own.closed and m.closed)
        self.assertIsNone(m._handle)
        with self.assertRaises(GhostyoloError) as cm:
            m(self.bus)
        self.assertEqual(cm.exception.status, errors.ERR_STATE)
        # results outlive their model: plot() needs only the names they carry
        m2 = YOLO(self.st)
        r = m2(self.bus)[0]
        del m2
        import gc
        gc.collect()
        np.testing.assert_array_equal(r.plot(), self.r.plot())
        # nobody closes a model that predicted: garbage collection frees it and its session
        YOLO(self.st)(self.bus)
        gc.collect()


if __name__ == "__main__":
    unittest.main()
