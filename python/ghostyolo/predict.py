"""model(source, ...) / model.predict(source, ...) as ultralytics 8.0.126 takes them.

Sources: an image path (str or os.PathLike), a video file (asf avi gif m4v mkv mov mp4 mpeg mpg
ts wmv webm, or an http(s):// URL of one: every frame in order, as LoadImages reads it), a stream
URL (rtsp:// rtmp:// http(s):// udp:// tcp://) or a .streams file of them (the newest frame of
each, as LoadStreams reads them, until one ends), a folder (its images, then its videos, sorted by
name; subfolders passed over as ultralytics' glob does), a glob pattern, a .txt list of paths; a
numpy array (H, W, 3) uint8 in cv2's BGR order (rgb=True: RGB); a PIL image; or a list of any of
these. A video or stream gives one Results per frame, with .frame (a video's from 1, a stream's
from 0; None for an image); with stream=False they are all kept in the list, so for long videos
and streams use stream=True (ultralytics warns the same). Arguments: conf, iou, imgsz (an int or
(h, w), rounded up to a multiple of the stride with a warning), classes, max_det, agnostic_nms,
vid_stride, verbose, and rgb and square (ghostyolo's own). The arguments of ultralytics' predict
that only matter for what this binding does not do (saving to runs/, showing, devices, FP16) are
accepted at their default value and refused otherwise; any other name is an error listing the
close matches."""
import difflib
import math
import os
import sys
import warnings

import numpy as np

from .errors import ERR_IO, ERR_UNSUPPORTED, GhostyoloError, argument_error
from .images import check_array, is_pil_image, load_image, pil_to_rgb, swap_channels
from .params import class_list, detect_params, imgsz_hw
from .results import Results
from .sources import IMAGE_EXTS, expand_sources, is_video_name

DEFAULTS = {"conf": 0.25, "iou": 0.7, "imgsz": 640, "classes": None, "max_det": 300,
            "agnostic_nms": False, "verbose": False, "rgb": False, "square": False,
            "vid_stride": 1}
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
    "stream_buffer": (False, "a stream's reader keeps only its newest frame (stream_buffer=False)"),
    "line_width": (None, "pass it to r.plot(line_width=...)"),
    "show_labels": (True, "pass labels=False to r.plot()"),
    "show_conf": (True, "pass conf=False to r.plot()"),
    "boxes": (True, "pass boxes=False to r.plot()"),
}
# used by ultralytics only together with save=True: accepted and unused
UNUSED = ("project", "name", "exist_ok", "mode", "task")

URL_PREFIXES = ("http://", "https://", "rtsp://", "rtmp://", "udp://", "tcp://")
STREAM_WARNING = ("a video or stream source with stream=False keeps every frame's Results in the "
                  "list: for long videos and streams pass stream=True (a generator)")


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


def _web_file(url):
    """The file name an http(s):// URL ends with (without query and fragment), else None."""
    if not url.lower().startswith(("http://", "https://")):
        return None
    path = url.split("?", 1)[0].split("#", 1)[0].split("://", 1)[1]
    return path.rsplit("/", 1)[1] if "/" in path else None


def _expand_path(s):
    """The items one path-like source stands for: ("path", image), ("video", file or URL) or
    ("stream", [URLs]), checked now, decoded later."""
    s = os.fsdecode(s)
    low = s.lower()
    if low.startswith(URL_PREFIXES):
        name = _web_file(s)
        if name and is_video_name(name):
            return [("video", s)]  # a video file on a web server (ultralytics downloads it)
        if name and os.path.splitext(name)[1].lower()[1:] in IMAGE_EXTS:
            raise _unsupported(s, "an image URL: not supported (download the image and give its "
                               "path)")
        return [("stream", [s])]
    if low == "screen":
        raise _unsupported(s, "screen capture is not supported")
    if s.isdigit() and not os.path.exists(s):
        raise _unsupported(s, "a webcam index: not supported (ghostyolo has no camera capture; "
                           "give a video file or a stream URL)")
    if low.endswith(".streams") and os.path.isfile(s):
        from .video import load_stream_list
        return [("stream", load_stream_list(s))]
    if s == "-":  # not stdin here: a file of that name
        s = "./-"
    out = []
    for p, why in expand_sources([s], skip_subfolders=True, videos=True):
        if why is not None:
            raise GhostyoloError(f"{p}: {why}", ERR_IO, "i/o error")
        out.append(("video" if is_video_name(p) else "path", p))
    if not out:
        raise GhostyoloError(f"no images or videos found in {s}", ERR_IO, "i/o error")
    return out


def items(source):
    """The pictures of source as (kind, index, what) in order, checked but not decoded: kind is
    "path", "array", "pil", "video" (what: a file or URL) or "stream" (what: the URLs read
    together); index is the position in a list source (for "image<i>.jpg")."""
    if source is None:
        raise argument_error("predict needs a source: an image path, a video, a stream URL, a "
                             "folder, a glob pattern, a numpy array, a PIL image or a list of them")
    top = list(source) if isinstance(source, (list, tuple)) else [source]
    out = []
    for i, s in enumerate(top):
        if isinstance(s, (str, bytes, os.PathLike)):
            out.extend((kind, i, what) for kind, what in _expand_path(s))
        elif isinstance(s, np.ndarray):
            out.append(("array", i, check_array(s)))
        elif is_pil_image(s):
            out.append(("pil", i, s))
        elif isinstance(s, int) and not isinstance(s, bool):
            raise _unsupported(str(s), "a webcam index: not supported (ghostyolo has no camera "
                               "capture; give a video file or a stream URL)")
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


def _vid_stride(v):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 1 <= v <= 1000000:
        raise argument_error(f"vid_stride must be an integer from 1 to 1000000, got {v!r}")
    return int(v)


def prepare(session, names, source, kwargs, stacklevel, stream=True):
    """Checks everything predict was given and returns the generator of its Results."""
    o = options(kwargs)
    lib = session._lib
    stride = max(session.model.info["strides"] or [32])
    hw = imgsz_hw(o["imgsz"], stride, stacklevel=stacklevel + 1)
    vid_stride = _vid_stride(o["vid_stride"])
    args = (o["conf"], o["iou"], o["max_det"], class_list(o["classes"]), o["agnostic_nms"])
    params, keep = detect_params(lib, *args, o["square"], hw)
    todo = items(source)
    if not stream and any(kind in ("video", "stream") for kind, _, _ in todo):
        warnings.warn(STREAM_WARNING, stacklevel=stacklevel + 1)

    def square_params():  # for streams of different shapes (ultralytics' auto=False)
        return detect_params(lib, *args, True, hw)

    return _run(session, names, todo, (params, keep, square_params), vid_stride, bool(o["rgb"]),
                bool(o["verbose"]))


class _Tally:
    """The speed summary: milliseconds per step, pictures, the last input shape."""

    def __init__(self):
        self.total = {"preprocess": 0.0, "inference": 0.0, "postprocess": 0.0}
        self.n = 0
        self.shape = None

    def add(self, speed, in_w, in_h):
        for key in self.total:
            self.total[key] += speed[key]
        self.n += 1
        self.shape = (1, 3, in_h, in_w)

    def say(self):
        n, t = self.n, self.total
        print(f"Speed: {t['preprocess'] / n:.1f}ms preprocess, {t['inference'] / n:.1f}ms "
              f"inference, {t['postprocess'] / n:.1f}ms postprocess per image at shape "
              f"{self.shape}", file=sys.stderr)


def _detect(session, names, rgb_view, path, params, tally):
    """One picture (an RGB array) to a Results whose orig_img is its own BGR copy."""
    data, (in_w, in_h), speed = session._run(rgb_view, params)
    tally.add(speed, in_w, in_h)
    return Results(swap_channels(rgb_view), path, names, data, speed), (in_w, in_h)


def _video(session, names, path, k, n, params, vid_stride, verbose, tally):
    """A video file: one Results per kept frame, .frame from 1 (LoadImages' frame counter)."""
    from .video import Video
    with Video(path, vid_stride=vid_stride, mode="file") as v:
        frames = v.info["frame_count"] // vid_stride
        count = 0
        while True:
            got = v._next_view()
            if got is None:
                return
            count += 1
            r, (in_w, in_h) = _detect(session, names, got[1], path, params, tally)
            r.frame = count
            if verbose:
                print(f"video {k}/{n} ({count}/{frames}) {path}: {in_h}x{in_w} {r.verbose()}"
                      f"{r.speed['inference']:.1f}ms", file=sys.stderr)
            yield r


def _streams(session, names, urls, params, vid_stride, verbose, tally):
    """Streams read together: per round the newest frame of each, .frame the round from 0
    (LoadStreams' count); the end of one stream ends them (warned)."""
    from .video import Video
    videos = []
    try:
        for i, url in enumerate(urls):
            videos.append(Video(url, vid_stride=vid_stride, mode="stream"))
            info = videos[-1].info
            if verbose:
                fps = info["fps"] % 100 if math.isfinite(info["fps"]) else 0
                frames = info["frame_count"] or "inf"
                print(f"{i + 1}/{len(urls)}: {url}... Success ({frames} frames of shape "
                      f"{info['width']}x{info['height']} at {fps or 30:.2f} FPS)", file=sys.stderr)
        if verbose:
            print("", file=sys.stderr)
        count = 0
        while True:
            views = []
            for url, v in zip(urls, videos):
                try:
                    got = v._next_view()
                except GhostyoloError as e:
                    if e.status != ERR_IO:
                        raise
                    warnings.warn(e.message, stacklevel=3)  # a stream lost for good: the end
                    return
                if got is None:
                    return
                views.append(got[1])
            p = params[0]
            if any(x.shape != views[0].shape for x in views):
                p, keep = params[2]()
            line, ms = "", 0.0
            out = []
            for i, (url, view) in enumerate(zip(urls, views)):
                r, (in_w, in_h) = _detect(session, names, view, url, p, tally)
                r.frame = count
                line += f"{i}: {in_h}x{in_w} {r.verbose()}"
                ms += r.speed["inference"]
                out.append(r)
            if verbose:
                print(f"{line}{ms:.1f}ms", file=sys.stderr)
            yield from out
            count += 1
    finally:
        for v in videos:
            v.close()


def _run(session, names, todo, params, vid_stride, rgb, verbose):
    n = sum(kind != "stream" for kind, _, _ in todo)
    tally = _Tally()
    k = 0
    for kind, index, what in todo:
        if kind == "stream":
            yield from _streams(session, names, what, params, vid_stride, verbose, tally)
            continue
        k += 1
        if kind == "video":
            yield from _video(session, names, what, k, n, params[0], vid_stride, verbose, tally)
            continue
        path, im, orig = decode(kind, index, what, rgb)
        data, (in_w, in_h), speed = session._run(im, params[0])
        r = Results(orig, path, names, data, speed)
        tally.add(speed, in_w, in_h)
        if verbose:
            print(f"image {k}/{n} {path}: {in_h}x{in_w} {r.verbose()}"
                  f"{speed['inference']:.1f}ms", file=sys.stderr)
        yield r
    del params
    if verbose and tally.n:
        tally.say()
