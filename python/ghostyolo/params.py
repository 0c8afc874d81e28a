"""Detection parameters: Python values checked and turned into a gy_detect_params, shared by
Session.detect and predict. The library checks the ranges again; they are checked here too so
that predict(stream=True) refuses them when called rather than at the first image, and so that
a type C would convert (a string, a bool where a number belongs) is refused."""
import math
import warnings

import numpy as np

from . import _lib
from .errors import argument_error

ffi = _lib.ffi
IMGSZ_MAX = _lib.DEFINES["GY_IMGSZ_MAX"]
# a class id no model has: stands for "keep nothing" (the C API's empty filter means every class)
NO_CLASS = (1 << 31) - 1


def int_arg(v, what, lo, hi):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
        raise argument_error(f"{what} must be an integer in [{lo}, {hi}], got {v!r}")
    return int(v)


def number_arg(v, what):
    if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)) or \
            not 0 <= v <= 1:
        raise argument_error(f"{what} must be a number in [0, 1], got {v!r}")
    return float(v)


def class_list(classes):
    """classes as a list of ids: None (all), one id, or an iterable of ids (ultralytics takes
    both `classes=0` and `classes=[0, 5]`)."""
    if classes is None:
        return None
    if isinstance(classes, (int, np.integer)) and not isinstance(classes, bool):
        classes = [classes]
    try:
        return [int_arg(c, "classes[]", 0, NO_CLASS) for c in classes]
    except TypeError:
        raise argument_error(f"classes must be a class id or an iterable of class ids, got "
                             f"{classes!r}") from None


def imgsz_hw(imgsz, stride, stacklevel=2):
    """ultralytics' check_imgsz for predict: an int (both sides) or [h, w] (a one-item list is
    both sides), each side rounded up to a multiple of the model's largest stride with a
    warning (stacklevel: of the caller to blame, as warnings.warn counts). Returns (h, w)."""
    if isinstance(imgsz, (list, tuple)):
        if len(imgsz) not in (1, 2):
            raise argument_error(f"imgsz must be an integer or [height, width], got {imgsz!r}")
        sides = list(imgsz) * (3 - len(imgsz))
    else:
        sides = [imgsz, imgsz]
    sides = [int_arg(v, "imgsz", 1, IMGSZ_MAX) for v in sides]
    rounded = [max(math.ceil(v / stride) * stride, stride) for v in sides]
    if rounded != sides:
        warnings.warn(f"imgsz={imgsz!r} must be multiple of max stride {stride}, updating to "
                      f"{rounded if isinstance(imgsz, (list, tuple)) else rounded[0]}",
                      stacklevel=stacklevel)
    return rounded[0], rounded[1]


def detect_params(lib, conf, iou, max_det, classes, agnostic=False, square=False, hw=(640, 640)):
    """A gy_detect_params for these values, and what it points to (keep it alive for the
    call). classes: the list class_list returns, or None."""
    p = ffi.new("gy_detect_params *", lib.gy_detect_default_params())
    h, w = hw
    p.imgsz = max(h, w)
    if h != w:
        p.imgsz_h, p.imgsz_w = h, w
    p.conf = number_arg(conf, "conf")
    p.iou = number_arg(iou, "iou")
    p.max_det = int_arg(max_det, "max_det", 1, 1 << 30)
    p.agnostic = 1 if agnostic else 0
    p.square = 1 if square else 0
    keep = None
    if classes is not None:
        # an empty list keeps nothing, as ultralytics' filter does
        keep = ffi.new("int[]", classes or [NO_CLASS])
        p.classes = keep
        p.num_classes = len(classes) or 1
    return p, keep
