"""Model and Session: the library's gy_model and gy_session as Python objects.

A Model is loaded once and may be shared by threads; each thread that detects makes its own
Session (model.session()). A Session keeps its Model alive; closing a Model while sessions are
open defers freeing it until the last of them is closed. Both are context managers, and both free
their C object when garbage-collected if nobody closed them."""
import json
import os
import threading
import warnings

import numpy as np

from . import _lib
from .errors import GhostyoloError, argument_error, check
from .result import Detections

ffi = _lib.ffi


def _cstr(s):
    return ffi.string(s).decode("utf-8", "replace") if s != ffi.NULL else None


def _path_arg(p, what):
    if p is None:
        return ffi.NULL
    if not isinstance(p, (str, bytes, os.PathLike)):
        raise argument_error(f"{what} must be a path, got {type(p).__name__}")
    return os.fsencode(p)


def _int_arg(v, what, lo, hi):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
        raise argument_error(f"{what} must be an integer in [{lo}, {hi}], got {v!r}")
    return int(v)


def _display_name(stem):
    """ultralytics' display name, as `ghostyolo stats` prints it: "yolo" written "YOLO"."""
    return stem.replace("yolo", "YOLO")


class Model:
    """A detection model: Model(weights, config=None, nc=None, scale=None).

    weights: a safetensors file (its metadata holds the YAML when config is None), or None for a
    model without weights (statistics only). config: an ultralytics model YAML. nc: class count
    override. scale: scale key ("n", "s", ...)."""

    def __init__(self, weights, config=None, nc=None, scale=None):
        self._lib = _lib.load()
        self._handle = None
        self._closed = False
        self._sessions = 0
        self._guard = threading.Lock()
        if weights is None and config is None:
            raise argument_error("Model needs weights, a config, or both")
        w = _path_arg(weights, "weights")
        c = _path_arg(config, "config")
        params = ffi.new("gy_model_params *", self._lib.gy_model_default_params())
        keep = None
        if scale is not None:
            if not isinstance(scale, str) or not scale:
                raise argument_error(f"scale must be a non-empty string, got {scale!r}")
            keep = ffi.new("char[]", scale.encode())
            params.scale = keep
        if nc is not None:
            params.nc = _int_arg(nc, "nc", 1, 1 << 20)
        out = ffi.new("gy_model **")
        err = ffi.new("gy_error *")
        check(self._lib, ffi, self._lib.gy_model_load(c, w, params, out, err), err)
        del keep
        self._handle = out[0]
        self.info = self._info()
        self.nc = self.info["nc"]
        self.names = [_cstr(self._lib.gy_model_class_name(self._handle, i)) for i in range(self.nc)]
        if self.info["warning"]:
            warnings.warn(self.info["warning"], stacklevel=2)

    def _info(self):
        i = ffi.new("gy_model_info *")
        self._lib.gy_model_get_info(self._handle, i)
        return {"name": _cstr(i.name), "config": _cstr(i.config_path), "scale": _cstr(i.scale),
                "scale_source": _cstr(i.scale_source), "warning": _cstr(i.warning),
                "depth": i.depth, "width": i.width, "max_channels": i.max_channels, "nc": i.nc,
                "num_rows": i.num_rows, "has_weights": bool(i.has_weights),
                "reg_max": i.reg_max, "strides": [i.strides[k] for k in range(i.num_strides)],
                "dtype": _cstr(i.dtype), "int8_kernel_isa": _cstr(i.int8_kernel_isa)}

    def _ptr(self):
        if self._handle is None or self._closed:
            raise GhostyoloError("the model is closed", 7, "bad state")
        return self._handle

    def session(self, threads=0):
        """A new Session (one thread at a time); threads: OpenMP threads, 0 = all cores."""
        return Session(self, threads)

    def stats(self, imgsz=640, measure=False, runs=5, threads=0):
        """The model-stats report as a dict, with the keys of one model of `ghostyolo stats
        --json` (name, config, scale, scale_source, nc, imgsz, fused, unfused,
        gflops_probe_failed, kb, state_dict_tensors, arena_mib, rows; ms when measured)."""
        p = ffi.new("gy_stats_params *", self._lib.gy_stats_default_params())
        p.imgsz = _int_arg(imgsz, "imgsz", 32, 8192)
        p.measure = 1 if measure else 0
        p.runs = _int_arg(runs, "runs", 1, 10000)
        p.num_threads = _int_arg(threads, "threads", 0, 1 << 16)
        out = ffi.new("gy_stats **")
        err = ffi.new("gy_error *")
        check(self._lib, ffi, self._lib.gy_model_stats(self._ptr(), p, out, err), err)
        try:
            return self._stats_dict(out[0], measure)
        finally:
            self._lib.gy_stats_free(out[0])

    @staticmethod
    def _stats_dict(s, measured):
        def summary(m):
            return {"layers": m.layers, "params": m.params, "gradients": m.gradients,
                    "gflops": m.gflops}
        d = {"name": _display_name(_cstr(s.name)), "config": _cstr(s.config),
             "scale": _cstr(s.scale), "scale_source": _cstr(s.scale_source), "nc": s.nc,
             "imgsz": s.imgsz, "fused": summary(s.fused), "unfused": summary(s.unfused),
             "gflops_probe_failed": bool(s.gflops_probe_failed), "kb": s.kb,
             "state_dict_tensors": s.state_dict_tensors, "arena_mib": s.arena_mib}
        if measured:
            d["ms"] = s.ms
        rows = []
        for k in range(s.num_rows):
            r = s.rows[k]
            frm = _cstr(getattr(r.info, "from"))
            try:
                frm = json.loads(frm)
            except ValueError:
                pass
            row = {"i": r.info.index, "from": frm, "n": r.info.n, "params": r.info.params,
                   "params_fused": r.info.params_fused, "module": _cstr(r.info.module),
                   "args": _cstr(r.info.args), "shape": [1, r.out_c, r.out_h, r.out_w],
                   "layers": r.layers, "layers_fused": r.layers_fused, "gflops": r.gflops_fused,
                   "gflops_unfused": r.gflops, "act_mib": r.act_mib}
            if measured:
                row["ms"] = r.ms
            rows.append(row)
        d["rows"] = rows
        return d

    # lifetime: sessions hold a reference; the C model is freed when closed and unused
    def _acquire(self):
        with self._guard:
            self._ptr()
            self._sessions += 1

    def _release(self):
        with self._guard:
            self._sessions -= 1
            self._free_if_done()

    def _free_if_done(self):
        if self._closed and self._sessions == 0 and self._handle is not None:
            self._lib.gy_model_free(self._handle)
            self._handle = None

    def close(self):
        """Frees the model now, or when its last open session closes."""
        with self._guard:
            self._closed = True
            self._free_if_done()

    @property
    def closed(self):
        return self._closed

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_handle", None) is not None:
            self._closed = True
            self._sessions = 0  # a live session holds a reference, so none is left
            self._lib.gy_model_free(self._handle)
            self._handle = None

    def __repr__(self):
        state = "closed" if self._closed else f"nc={self.nc}"
        return f"Model({self.info['name']!r}, scale={self.info['scale']!r}, {state})"


class Session:
    """Activation memory and scratch for running a model; one thread at a time (a lock makes a
    second thread wait). Make one per thread: model.session(threads=0)."""

    def __init__(self, model, threads=0):
        if not isinstance(model, Model):
            raise argument_error("Session needs a Model")
        self._lib = model._lib
        self._handle = None
        self._lock = threading.Lock()
        p = ffi.new("gy_session_params *", self._lib.gy_session_default_params())
        p.num_threads = _int_arg(threads, "threads", 0, 1 << 16)
        model._acquire()
        self.model = model
        out = ffi.new("gy_session **")
        err = ffi.new("gy_error *")
        try:
            check(self._lib, ffi, self._lib.gy_session_create(model._handle, p, out, err), err)
        except BaseException:
            model._release()
            self.model = None
            raise
        self._handle = out[0]

    def _ptr(self):
        if self._handle is None:
            raise GhostyoloError("the session is closed", 7, "bad state")
        return self._handle

    def detect(self, image, conf=0.25, iou=0.7, classes=None, max_det=300, imgsz=640,
               square=False):
        """Detects objects in image: a path, or an (H, W, 3) uint8 RGB numpy array. Letterbox,
        forward, NMS and boxes scaled back, as ultralytics 8.0.126 predicts. classes: an iterable
        of class ids to keep (None = all). Returns a Detections."""
        p = ffi.new("gy_detect_params *", self._lib.gy_detect_default_params())
        p.imgsz = _int_arg(imgsz, "imgsz", 32, 8192)
        for v, what in ((conf, "conf"), (iou, "iou")):
            if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
                raise argument_error(f"{what} must be a number in [0, 1], got {v!r}")
        p.conf = float(conf)
        p.iou = float(iou)
        p.max_det = _int_arg(max_det, "max_det", -(1 << 30), 1 << 30)  # the library checks >= 1
        p.square = 1 if square else 0
        if classes is not None:
            try:
                classes = [_int_arg(c, "classes[]", 0, (1 << 31) - 1) for c in classes]
            except TypeError:
                raise argument_error(f"classes must be an iterable of class ids, got {classes!r}")
            # an empty list keeps nothing, as ultralytics' filter does (the C API's empty filter
            # means every class): a class id no model has stands for it
            class_buf = ffi.new("int[]", classes or [(1 << 31) - 1])
            p.classes = class_buf
            p.num_classes = len(classes) or 1
        err = ffi.new("gy_error *")
        lib = self._lib
        img_p = ffi.new("gy_image **")
        keep = None
        if isinstance(image, np.ndarray):
            if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
                raise argument_error("an image array must be (H, W, 3) uint8 RGB, got "
                                     f"{image.shape} {image.dtype}")
            keep = np.ascontiguousarray(image)
            img = ffi.new("gy_image *")
            img.height, img.width = keep.shape[0], keep.shape[1]
            img.data = ffi.from_buffer("unsigned char[]", keep)
            name = None
        else:
            path = _path_arg(image, "image")
            img = None
            name = os.fsdecode(path)
        with self._lock:
            handle = self._ptr()
            if img is None:
                check(lib, ffi, lib.gy_image_load(path, img_p, err), err)
                img = img_p[0]
            try:
                out = ffi.new("gy_detections **")
                check(lib, ffi, lib.gy_detect(handle, img, p, out, err), err)
                d = out[0]
                try:
                    n = d.count
                    raw = np.frombuffer(ffi.buffer(d.boxes, n * ffi.sizeof("gy_box")),
                                        dtype=np.dtype([("xyxy", np.float32, 4),
                                                        ("score", np.float32),
                                                        ("class_id", np.int32)]))
                    boxes = raw["xyxy"].copy()
                    scores = raw["score"].copy()
                    class_ids = raw["class_id"].copy()
                    res = Detections(name, int(img.width), int(img.height), d.input_width,
                                     d.input_height, boxes, scores, class_ids,
                                     [self.model.names[c] if 0 <= c < len(self.model.names)
                                      else f"class{c}" for c in class_ids.tolist()])
                finally:
                    lib.gy_detections_free(d)
            finally:
                if img_p[0] != ffi.NULL:
                    lib.gy_image_free(img_p[0])
        del keep
        return res

    def forward(self, tensor):
        """Runs the network on a float32 (1, 3, H, W) or (3, H, W) tensor, RGB in [0, 1], H and W
        multiples of 32. Returns the raw Detect output, a new (1, 4 + nc, anchors) float32 array:
        xywh in input pixels, then the class sigmoids."""
        t = np.asarray(tensor)
        if t.ndim == 3:
            t = t[None]
        if t.ndim != 4 or t.shape[0] != 1 or t.shape[1] != 3 or t.dtype != np.float32:
            raise argument_error(f"forward needs a float32 (1, 3, H, W) tensor, got {t.shape} "
                                 f"{t.dtype}")
        t = np.ascontiguousarray(t)
        lib = self._lib
        out = ffi.new("gy_output *")
        err = ffi.new("gy_error *")
        with self._lock:
            check(lib, ffi, lib.gy_forward(self._ptr(), ffi.from_buffer("float[]", t),
                                           t.shape[2], t.shape[3], out, err), err)
            n = out.channels * out.anchors
            res = np.frombuffer(ffi.buffer(out.data, n * 4), dtype=np.float32).copy()
        return res.reshape(1, out.channels, out.anchors)

    def close(self):
        """Frees the session now (and lets its model go)."""
        with self._lock:
            if self._handle is not None:
                self._lib.gy_session_free(self._handle)
                self._handle = None
                self.model._release()

    @property
    def closed(self):
        return self._handle is None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_handle", None) is not None:
            self._lib.gy_session_free(self._handle)
            self._handle = None
            self.model._release()


def load_image(path):
    """Decodes an image file as the library (and cv2.imread, which ultralytics uses) does:
    returns a new (H, W, 3) uint8 RGB array."""
    lib = _lib.load()
    p = _path_arg(path, "image")
    out = ffi.new("gy_image **")
    err = ffi.new("gy_error *")
    check(lib, ffi, lib.gy_image_load(p, out, err), err)
    img = out[0]
    try:
        n = img.width * img.height * 3
        return np.frombuffer(ffi.buffer(img.data, n), dtype=np.uint8).reshape(
            img.height, img.width, 3).copy()
    finally:
        lib.gy_image_free(img)
