"""Model and Session: the library's gy_model and gy_session as Python objects.

A Model is loaded once and may be shared by threads; each thread that detects makes its own
Session (model.session()). model(source) / model.predict(source) run on a session the model
keeps for itself (one call at a time). A Session keeps its Model alive; closing a Model while
sessions are open defers freeing it until the last of them is closed. Both are context managers,
and both free their C object when garbage-collected if nobody closed them."""
import json
import os
import threading
import warnings

import numpy as np

from . import _lib, predict as _predict
from .detections import Detections
from .errors import GhostyoloError, argument_error, check
from .images import check_array, gy_image, load_image, path_arg, swap_channels
from .params import class_list, detect_params, int_arg as _int_arg

ffi = _lib.ffi
BOX_FIELDS = np.dtype([("xyxy", np.float32, 4), ("score", np.float32), ("class_id", np.int32)])


def _cstr(s):
    return ffi.string(s).decode("utf-8", "replace") if s != ffi.NULL else None


def _path_arg(p, what):
    return ffi.NULL if p is None else path_arg(p, what)


def _display_name(stem):
    """ultralytics' display name, as `ghostyolo stats` prints it: "yolo" written "YOLO"."""
    return stem.replace("yolo", "YOLO")


class Model:
    """A detection model: Model(weights, config=None, nc=None, scale=None); also YOLO(...).

    weights: an ultralytics .pt checkpoint or a safetensors file (either holds the YAML when
    config is None), a model YAML (as YOLO("yolov8n.yaml"): a model without weights), or None
    for a model without weights (statistics only). config: an ultralytics model YAML. nc: class
    count override. scale: scale key ("n", "s", ...).

    names: {class id: name} as ultralytics' model.names."""

    def __init__(self, weights, config=None, nc=None, scale=None):
        self._lib = _lib.load()
        self._handle = None
        self._closed = False
        self._sessions = 0
        self._guard = threading.Lock()
        self._own_session = None
        self._own_lock = threading.Lock()
        if config is None and isinstance(weights, (str, bytes, os.PathLike)) and \
                os.fsdecode(weights).lower().endswith((".yaml", ".yml")):
            weights, config = None, weights
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
        self.names = {i: _cstr(self._lib.gy_model_class_name(self._handle, i))
                      for i in range(self.nc)}
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

    def predict(self, source=None, stream=False, **kwargs):
        """Detects objects as ultralytics' model.predict does: a list of Results, one per image
        or frame (a generator of them with stream=True: use it for videos and streams). source:
        an image path, a video file, a stream URL or .streams file, a folder, glob pattern or
        .txt list, a numpy array (H, W, 3) uint8 BGR as cv2.imread returns it (rgb=True: RGB),
        a PIL image, or a list of these. kwargs: conf=0.25, iou=0.7, imgsz=640 (or (h, w)),
        classes=None, max_det=300, agnostic_nms=False, vid_stride=1, verbose=False, rgb=False,
        square=False (see ghostyolo.predict). Runs on the model's own session, one call at a time; threads
        that predict in parallel each use their own: model.session().predict(...)."""
        return self._own().predict(source, stream=stream, _stacklevel=3, **kwargs)

    def __call__(self, source=None, stream=False, **kwargs):
        """model(source, ...) is model.predict(source, ...)."""
        return self._own().predict(source, stream=stream, _stacklevel=3, **kwargs)

    def _own(self):
        """The session predict runs on, made at first use (all cores)."""
        with self._own_lock:
            if self._own_session is None or self._own_session.closed:
                self._own_session = Session(self, 0)
            return self._own_session

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
        own = getattr(self, "_own_session", None)
        if own is not None:
            own.close()
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
        own = getattr(self, "_own_session", None)
        if own is not None:  # a cycle (it refers to the model): free it first, whoever goes first
            own.close()
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
               square=False, rgb=True):
        """Detects objects in image: a path, or an (H, W, 3) uint8 numpy array, RGB (this older
        call's order; rgb=False for cv2's BGR). Letterbox, forward, NMS and boxes scaled back,
        as ultralytics 8.0.126 predicts. classes: an iterable of class ids to keep (None = all);
        imgsz: a multiple of 32. Returns a Detections (the CLI's JSON line: to_json())."""
        hw = (_int_arg(imgsz, "imgsz", 32, 8192),) * 2
        p, keep = detect_params(self._lib, conf, iou, max_det, class_list(classes), False, square,
                                hw)
        if isinstance(image, np.ndarray):
            check_array(image)
            im = np.ascontiguousarray(image) if rgb else swap_channels(image)
            name = None
            data, (in_w, in_h), _ = self._run(im, p)
            w, h = im.shape[1], im.shape[0]
        else:
            path = _path_arg(image, "image")
            name = os.fsdecode(path)
            data, (in_w, in_h), _, (w, h) = self._run_file(path, p)
        del keep
        class_ids = data[:, 5].astype(np.int32)
        names = [self.model.names.get(c, f"class{c}") for c in class_ids.tolist()]
        return Detections(name, w, h, in_w, in_h, np.ascontiguousarray(data[:, :4]),
                          np.ascontiguousarray(data[:, 4]), class_ids, names)

    def predict(self, source=None, stream=False, _stacklevel=2, **kwargs):
        """model.predict on this session: see Model.predict."""
        gen = _predict.prepare(self, self.model.names, source, kwargs, _stacklevel + 1, stream)
        return gen if stream else list(gen)

    def _run(self, rgb, params):
        """gy_detect on a C-contiguous (H, W, 3) uint8 RGB array: ((N, 6) float32 rows x1 y1 x2
        y2 conf cls, (input width, input height), speed in ms)."""
        with self._lock:
            return self._detect(gy_image(rgb), params)

    def _run_file(self, path, params):
        """gy_detect on an image file decoded by the library: _run's triple and (width,
        height)."""
        lib = self._lib
        out = ffi.new("gy_image **")
        err = ffi.new("gy_error *")
        with self._lock:
            self._ptr()
            check(lib, ffi, lib.gy_image_load(path, out, err), err)
            try:
                return self._detect(out[0], params) + ((out[0].width, out[0].height),)
            finally:
                lib.gy_image_free(out[0])

    def _detect(self, img, params):
        lib = self._lib
        out = ffi.new("gy_detections **")
        err = ffi.new("gy_error *")
        check(lib, ffi, lib.gy_detect(self._ptr(), img, params, out, err), err)
        d = out[0]
        try:
            n = d.count
            raw = np.frombuffer(ffi.buffer(d.boxes, n * ffi.sizeof("gy_box")), dtype=BOX_FIELDS)
            data = np.empty((n, 6), np.float32)
            data[:, :4] = raw["xyxy"]
            data[:, 4] = raw["score"]
            data[:, 5] = raw["class_id"]
            t = d.timing
            speed = {"preprocess": t.preprocess_ms, "inference": t.inference_ms,
                     "postprocess": t.postprocess_ms}
            return data, (d.input_width, d.input_height), speed
        finally:
            lib.gy_detections_free(d)

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

