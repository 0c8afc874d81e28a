"""model(source, ...) / model.predict(source, ...) as ultralytics 8.0.126 takes them.

Sources: an image path (str or os.PathLike), a folder (its images sorted by name; subfolders
passed over as ultralytics' glob does), a glob pattern, a .txt list of paths; a numpy array
(H, W, 3) uint8 in cv2's BGR order (rgb=True: RGB); a PIL image; or a list of any of these.
Arguments: conf, iou, imgsz (an int or (h, w), rounded up to a multiple of the stride with a
warning), classes, max_det, agnostic_nms, verbose, and rgb and square (ghostyolo's own). The
arguments of ultralytics' predict that only matter for what this binding does not do (saving
to runs/, showing, devices, FP16) are accepted at their default value and refused otherwise;
any other name is an error listing the close matches."""
import difflib
import os
import sys

import numpy as np

from .errors import ERR_IO, ERR_UNSUPPORTED, GhostyoloError, argument_error
from .images import check_array, is_pil_image, load_image, pil_to_rgb, swap_channels
from .params import class_list, detect_params, imgsz_hw
from .results import Results
from .sources import expand_sources

DEFAULTS = {"conf": 0.25, "iou": 0.7, "imgsz": 640, "classes": None, "max_det": 300,
            "agnostic_nms": False, "verbose": False, "rgb": False, "square": False}
# ultralytics predict arguments accepted only at the value that means "not used here", with why
ONLY_DEFAULT = {
    "half": (False, "ghostyolo computes in float32 (no FP16 inference)"),
    "device": (None, "ghostyolo runs on the CPU (device='cpu' or None)"),
    "save": (False, "call r.save(filename) on each result, or use `ghostyolo detect`"),
    "save_txt": (False, "call r.save_txt(txt_file) on each result"),
    "save_conf": (False, "call r.save_txt(txt_file, save_conf=True) on each result"),
    "save_crop": (False, "crop r.orig_img with r.boxes.xyxy, or use `ghostyolo detect --save-crop`"),
    "show": (False, "show r.plot() with the viewer of your choice"),
    "augment": (False, "test-time augmentation is not implemented"),
    "visualize": (False, "feature-map visualisation is not implemented"),
    "retina_masks": (False, "ghostyolo detects boxes (no masks)"),
    "vid_stride": (1, "video sources are not supported yet"),
    "stream_buffer": (False, "video streams are not supported yet"),
    "line_width": (None, "pass it to r.plot(line_width=...)"),
    "show_labels": (True, "pass labels=False to r.plot()"),
    "show_conf": (True, "pass conf=False to r.plot()"),
    "boxes": (True, "pass boxes=False to r.plot()"),
}
# used by ultralytics only together with save=True: accepted and unused
UNUSED = ("project", "name", "exist_ok", "mode", "task")

URL_PREFIXES = ("http://", "https://", "rtsp://", "rtmp://", "tcp://")
# ultralytics' VID_FORMATS
VIDEO_EXTS = {".asf", ".avi", ".m4v", ".mkv", ".mov", ".mp4", ".mpeg", ".mpg", ".ts", ".wmv",
              ".webm"}


def _check_only_default(k, v):
    default, why = ONLY_DEFAULT[k]
    if k == "device":
        ok = v is None or (isinstance(v, str) and v.lower() in ("cpu", ""))
    else:
        ok = type(v) in (bool, int, type(None)) and v == default
    if not ok:
        raise argument_error(f"{k}={v!r} is not supported by ghostyolo's predict: {why}")


def options(kwargs):
    """The predict arguments with defaults filled in; unknown names are errors listing the
    close matches, as ultralytics' argument check does."""
    opts = dict(DEFAULTS)
    for k, v in kwargs.items():
        if k in DEFAULTS:
            opts[k] = v
        elif k in ONLY_DEFAULT:
            _check_only_default(k, v)
        elif k not in UNUSED:
            known = sorted(set(DEFAULTS) | set(ONLY_DEFAULT) | set(UNUSED) | {"source", "stream"})
            close = difflib.get_close_matches(k, known)
            hint = f" Similar arguments are {close}." if close else ""
            raise argument_error(f"'{k}' is not a valid predict argument.{hint} Valid arguments: "
                                 f"{', '.join(known)}")
    return opts


def _unsupported(what, why):
    return GhostyoloError(f"{what}: {why}", ERR_UNSUPPORTED, "unsupported")


def _expand_path(s):
    """The image paths one path-like source stands for (checked now, decoded later)."""
    s = os.fsdecode(s)
    low = s.lower()
    if low.startswith(URL_PREFIXES):
        raise _unsupported(s, "a URL: not supported (download the file first)")
    if s == "screen" or s.isdigit():
        raise _unsupported(s, "webcams, screens and streams are not supported")
    if os.path.splitext(low)[1] in VIDEO_EXTS | {".streams"}:
        raise _unsupported(s, "a video file: not supported yet")
    if s == "-":  # not stdin here: a file of that name
        s = "./-"
    paths = []
    for p, why in expand_sources([s], skip_subfolders=True):
        if why is not None:
            raise GhostyoloError(f"{p}: {why}", ERR_IO, "i/o error")
        paths.append(p)
    if not paths:
        raise GhostyoloError(f"no images found in {s}", ERR_IO, "i/o error")
    return paths


def items(source):
    """The images of source as (kind, index, what) in order, checked but not decoded: kind is
    "path", "array" or "pil"; index is the position in a list source (for "image<i>.jpg")."""
    if source is None:
        raise argument_error("predict needs a source: an image path, a folder, a glob pattern, "
                             "a numpy array, a PIL image or a list of them")
    top = list(source) if isinstance(source, (list, tuple)) else [source]
    out = []
    for i, s in enumerate(top):
        if isinstance(s, (str, bytes, os.PathLike)):
            out.extend(("path", i, p) for p in _expand_path(s))
        elif isinstance(s, np.ndarray):
            out.append(("array", i, check_array(s)))
        elif is_pil_image(s):
            out.append(("pil", i, s))
        elif isinstance(s, int) and not isinstance(s, bool):
            raise _unsupported(str(s), "webcams, screens and streams are not supported")
        else:
            where = f" (item {i} of the list)" if isinstance(source, (list, tuple)) else ""
            raise argument_error(f"a source must be a path, a numpy array or a PIL image, got "
                                 f"{type(s).__name__}{where}")
    return out


def decode(kind, index, what, rgb):
    """(path, RGB array for the library, BGR array for Results.orig_img) of one item."""
    if kind == "path":
        im = load_image(what)
        return what, im, swap_channels(im)
    if kind == "pil":
        im = pil_to_rgb(what)
        return getattr(what, "filename", "") or f"image{index}.jpg", im, swap_channels(im)
    if rgb:
        return f"image{index}.jpg", np.ascontiguousarray(what), swap_channels(what)
    return f"image{index}.jpg", swap_channels(what), what


def prepare(session, names, source, kwargs, stacklevel):
    """Checks everything predict was given and returns the generator of its Results."""
    o = options(kwargs)
    lib = session._lib
    stride = max(session.model.info["strides"] or [32])
    hw = imgsz_hw(o["imgsz"], stride, stacklevel=stacklevel + 1)
    params, keep = detect_params(lib, o["conf"], o["iou"], o["max_det"], class_list(o["classes"]),
                                 o["agnostic_nms"], o["square"], hw)
    todo = items(source)
    return _run(session, names, todo, params, keep, bool(o["rgb"]), bool(o["verbose"]))


def _run(session, names, todo, params, keep, rgb, verbose):
    n = len(todo)
    total = {"preprocess": 0.0, "inference": 0.0, "postprocess": 0.0}
    shape = None
    for k, (kind, index, what) in enumerate(todo):
        path, im, orig = decode(kind, index, what, rgb)
        data, (in_w, in_h), speed = session._run(im, params)
        r = Results(orig, path, names, data, speed)
        for key in total:
            total[key] += speed[key]
        shape = (1, 3, in_h, in_w)
        if verbose:
            print(f"image {k + 1}/{n} {path}: {in_h}x{in_w} {r.verbose()}"
                  f"{speed['inference']:.1f}ms", file=sys.stderr)
        yield r
    del keep
    if verbose and n:
        print(f"Speed: {total['preprocess'] / n:.1f}ms preprocess, {total['inference'] / n:.1f}ms "
              f"inference, {total['postprocess'] / n:.1f}ms postprocess per image at shape "
              f"{shape}", file=sys.stderr)
