"""Images between numpy and the library: decoding a file, checking an array, PIL images (used
when given, never imported here), the channel orders (ultralytics' arrays are BGR as cv2.imread
returns them; the library's gy_image is RGB), and writing a file with gy_image_save."""
import os
import sys

import numpy as np

from . import _lib
from .errors import argument_error, check

ffi = _lib.ffi


def path_arg(p, what):
    if not isinstance(p, (str, bytes, os.PathLike)):
        raise argument_error(f"{what} must be a path, got {type(p).__name__}")
    return os.fsencode(p)


def load_image(path):
    """Decodes an image file as the library (and cv2.imread, which ultralytics uses) does:
    returns a new (H, W, 3) uint8 RGB array (cv2's BGR reversed: load_image(p)[..., ::-1])."""
    lib = _lib.load()
    p = path_arg(path, "image")
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


def check_array(a, what="an image array"):
    """a as an (H, W, 3) uint8 array, or an error saying what it is instead."""
    if not isinstance(a, np.ndarray) or a.ndim != 3 or a.shape[2] != 3 or a.dtype != np.uint8 \
            or a.shape[0] < 1 or a.shape[1] < 1:
        desc = f"{a.shape} {a.dtype}" if isinstance(a, np.ndarray) else type(a).__name__
        raise argument_error(f"{what} must be (H, W, 3) uint8, got {desc}")
    return a


def swap_channels(a):
    """A new C-contiguous array with the channel order reversed (BGR <-> RGB)."""
    return np.ascontiguousarray(a[..., ::-1])


def is_pil_image(x):
    """True for a PIL.Image.Image (PIL is looked up only if the caller already imported it)."""
    pil = sys.modules.get("PIL.Image")
    return pil is not None and isinstance(x, pil.Image)


def pil_to_rgb(im):
    """A PIL image as an (H, W, 3) uint8 RGB array, converted to RGB first as ultralytics does."""
    if im.mode != "RGB":
        im = im.convert("RGB")
    return np.ascontiguousarray(np.asarray(im, dtype=np.uint8))


def gy_image(rgb, writable=False):
    """A gy_image struct over a C-contiguous (H, W, 3) uint8 RGB array (borrowed: keep the array
    alive while the struct is used)."""
    img = ffi.new("gy_image *")
    img.height, img.width = rgb.shape[0], rgb.shape[1]
    img.data = ffi.from_buffer("unsigned char[]", rgb, require_writable=writable)
    return img


def save_rgb(rgb, path):
    """Writes an RGB array to path (.jpg/.jpeg/.jpe quality 95, .png, .bmp) with gy_image_save."""
    lib = _lib.load()
    p = path_arg(path, "filename")
    rgb = np.ascontiguousarray(rgb)
    err = ffi.new("gy_error *")
    check(lib, ffi, lib.gy_image_save(gy_image(rgb), p, err), err)
