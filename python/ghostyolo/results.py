"""Results and Boxes: what Model.predict returns, shaped as ultralytics 8.0.126's
engine.results objects look after .cpu().numpy(): numpy float32 arrays, names as a dict, the
original image as cv2's BGR array, plot() / save() drawing as Results.plot() draws."""
import json
import os

import numpy as np

from . import _lib
from .errors import argument_error, check
from .images import check_array, gy_image, save_rgb, swap_channels

ffi = _lib.ffi

# gy_box as numpy sees it: x1 y1 x2 y2, score, class id (24 bytes, the struct's layout)
BOX_DTYPE = np.dtype([("xyxy", np.float32, 4), ("score", np.float32), ("class_id", np.int32)])
LINE_WIDTH_MAX = _lib.DEFINES["GY_ANNOTATE_LINE_MAX"]


class Boxes:
    """Detected boxes of one image. data: (N, 6) float32 rows x1, y1, x2, y2, conf, cls in the
    original image's pixels, best first; orig_shape: (height, width)."""

    def __init__(self, data, orig_shape):
        data = np.asarray(data, dtype=np.float32)
        if data.ndim == 1:
            data = data[None, :]
        if data.ndim != 2 or data.shape[1] != 6:
            raise argument_error(f"Boxes need (N, 6) rows x1 y1 x2 y2 conf cls, got {data.shape}")
        self.data = data
        self.orig_shape = tuple(int(v) for v in orig_shape)
        self.id = None          # no tracking
        self.is_track = False

    @property
    def xyxy(self):
        return self.data[:, :4]

    @property
    def conf(self):
        return self.data[:, 4]

    @property
    def cls(self):
        return self.data[:, 5]

    @property
    def xywh(self):
        """Centre x, centre y, width, height (pixels), as ultralytics' xyxy2xywh (float32)."""
        b = self.xyxy
        out = np.empty_like(b)
        out[:, 0] = (b[:, 0] + b[:, 2]) / np.float32(2)
        out[:, 1] = (b[:, 1] + b[:, 3]) / np.float32(2)
        out[:, 2] = b[:, 2] - b[:, 0]
        out[:, 3] = b[:, 3] - b[:, 1]
        return out

    def _normalised(self, b):
        h, w = self.orig_shape
        return b / np.array([w, h, w, h], dtype=np.float32)

    @property
    def xyxyn(self):
        return self._normalised(self.xyxy)

    @property
    def xywhn(self):
        return self._normalised(self.xywh)

    @property
    def shape(self):
        return self.data.shape

    def __len__(self):
        return len(self.data)

    def __getitem__(self, idx):
        return Boxes(self.data[idx], self.orig_shape)

    # ultralytics code moves tensors with these; here everything already is numpy on the CPU
    def cpu(self):
        return self

    def numpy(self):
        return self

    def __repr__(self):
        return f"ghostyolo.Boxes({len(self)} boxes, orig_shape={self.orig_shape})"


class Results:
    """The detections of one image.

    orig_img: the image as a (H, W, 3) uint8 BGR array (cv2's order, as ultralytics keeps it);
    orig_shape: (height, width); boxes: Boxes; names: {class id: name}; path: the file (a video's
    or stream's for its frames), or "image<i>.jpg" for an array or a PIL image without a file
    name; frame: a video's frame number (from 1) or a stream's round (from 0), None for an image
    (ghostyolo's own: ultralytics keeps it in its dataset); speed: milliseconds of 'preprocess',
    'inference' and 'postprocess'. masks, probs and keypoints are None (detection only)."""

    def __init__(self, orig_img, path, names, boxes, speed=None):
        self.orig_img = orig_img
        self.orig_shape = tuple(int(v) for v in orig_img.shape[:2])
        self.boxes = boxes if isinstance(boxes, Boxes) else Boxes(boxes, self.orig_shape)
        self.masks = None
        self.probs = None
        self.keypoints = None
        self.names = names
        self.path = path
        self.frame = None
        self.speed = dict(speed) if speed else {"preprocess": None, "inference": None,
                                                "postprocess": None}

    def __len__(self):
        return len(self.boxes)

    def __getitem__(self, idx):
        """A Results with only the boxes idx selects (an index, slice, mask or index array)."""
        r = Results(self.orig_img, self.path, self.names, self.boxes[idx], self.speed)
        r.frame = self.frame
        return r

    def cpu(self):
        return self

    def numpy(self):
        return self

    def __repr__(self):
        frame = "" if self.frame is None else f", frame={self.frame}"
        return (f"ghostyolo.Results(path={self.path!r}{frame}, orig_shape={self.orig_shape}, "
                f"{len(self)} boxes: {self.verbose().rstrip(', ') or 'none'})")

    def verbose(self):
        """'4 persons, 1 bus, 1 stop sign, ' as ultralytics logs a prediction ('(no detections),
        ' without boxes)."""
        if len(self) == 0:
            return "(no detections), "
        s = ""
        cls = self.boxes.cls
        for c in np.unique(cls):
            n = int((cls == c).sum())
            s += f"{n} {self._name(int(c))}{'s' * (n > 1)}, "
        return s

    def _name(self, c):
        return self.names.get(c, str(c)) if isinstance(self.names, dict) else str(c)

    def plot(self, conf=True, line_width=None, labels=True, boxes=True, img=None):
        """A new (H, W, 3) uint8 BGR array: the image (orig_img, or img: a BGR array of the same
        use) with the boxes drawn as ultralytics' Results.plot() draws them: palette colours,
        line width max(round((H + W + 3) / 2 * 0.003), 2) unless line_width is given, a
        "name 0.87" label on each box (name only with conf=False, none with labels=False;
        boxes=False draws nothing). The original is left unchanged."""
        src = self.orig_img if img is None else check_array(img, "plot's img")
        rgb = swap_channels(src)
        if boxes and len(self):
            lib = _lib.load()
            p = ffi.new("gy_annotate_params *", lib.gy_annotate_default_params())
            p.line_width = _line_width(line_width)
            p.labels = 1 if labels else 0
            p.conf = 1 if conf else 0
            raw = np.empty(len(self), BOX_DTYPE)
            raw["xyxy"] = self.boxes.xyxy
            raw["score"] = self.boxes.conf
            raw["class_id"] = self.boxes.cls.astype(np.int32)
            dets = ffi.new("gy_detections *")
            dets.count = len(self)
            dets.boxes = ffi.cast("gy_box *", ffi.from_buffer(raw))
            table, n, keep = _name_table(self.names)
            err = ffi.new("gy_error *")
            check(lib, ffi, lib.gy_annotate(gy_image(rgb, writable=True), dets, table, n, p,
                                            err), err)
            del keep, raw
        return swap_channels(rgb)

    def save(self, filename=None, **plot_args):
        """Writes plot(**plot_args) to filename (.jpg/.jpeg/.jpe, .png or .bmp, chosen by its
        extension) and returns the filename. Default: "results_<image name>" in the current
        folder, with the image's extension when it is one of those, else .png."""
        if filename is None:
            filename = "results_" + _writable_name(os.path.basename(os.fsdecode(self.path)))
        save_rgb(swap_channels(self.plot(**plot_args)), filename)
        return filename

    def save_txt(self, txt_file, save_conf=False):
        """Appends one line per box to txt_file, as ultralytics writes labels: "cls x y w h"
        normalised to the image (and the confidence with save_conf), numbers as '%g'."""
        b = self.boxes
        lines = []
        for c, xywhn, cf in zip(b.cls.tolist(), b.xywhn.tolist(), b.conf.tolist()):
            row = (int(c), *xywhn) + ((cf,) if save_conf else ())
            lines.append(("%g " * len(row)).rstrip() % row + "\n")
        if lines:
            with open(txt_file, "a") as f:
                f.writelines(lines)

    def tojson(self, normalize=False):
        """The boxes as ultralytics' Results.tojson(): a JSON list of {name, class, confidence,
        box: {x1, y1, x2, y2}} (box divided by the image size with normalize=True)."""
        h, w = self.orig_shape if normalize else (1, 1)
        out = []
        for row in self.boxes.data.tolist():
            c = int(row[5])
            out.append({"name": self._name(c), "class": c, "confidence": row[4],
                        "box": {"x1": row[0] / w, "y1": row[1] / h, "x2": row[2] / w,
                                "y2": row[3] / h}})
        return json.dumps(out, indent=2)


def _line_width(v):
    if v is None or (not isinstance(v, bool) and isinstance(v, (int, np.integer)) and v == 0):
        return 0
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 1 <= v <= LINE_WIDTH_MAX:
        raise argument_error(f"line_width must be None or an integer in [1, {LINE_WIDTH_MAX}], "
                             f"got {v!r}")
    return int(v)


def _name_table(names):
    """names ({id: name} or a list) as a const char *[] for gy_annotate, its length, and the
    buffers it points to (keep them alive for the call). Ids beyond 65535 are left out (then
    labelled by their id)."""
    items = names.items() if isinstance(names, dict) else enumerate(names or [])
    pairs = [(k, v) for k, v in items
             if isinstance(k, (int, np.integer)) and not isinstance(k, bool) and 0 <= k < 65536]
    n = max((int(k) for k, _ in pairs), default=-1) + 1
    if n == 0:
        return ffi.NULL, 0, None
    table = ffi.new("const char *[]", n)
    keep = [table]
    for k, v in pairs:
        buf = ffi.new("char[]", str(v).encode("utf-8", "replace"))
        keep.append(buf)
        table[int(k)] = buf
    return table, n, keep


def _writable_name(name):
    """name with its extension kept when gy_image_save writes it, else with .png, as `ghostyolo
    detect` names its annotated copies."""
    stem, ext = os.path.splitext(name)
    if ext.lower() in (".jpg", ".jpeg", ".jpe", ".png", ".bmp"):
        return name
    return (stem or name or "image") + ".png"
