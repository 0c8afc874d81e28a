"""Video files and streams through the library's FFmpeg reader and writer (video/ in C).

    import ghostyolo
    with ghostyolo.Video("clip.mp4") as v:          # or "rtsp://host/cam" (newest frame)
        print(v.info)                               # width, height, fps, frame_count, ...
        for index, frame in v:                      # (H, W, 3) uint8 RGB, as cv2 decodes it
            ...
    with model.session() as s:
        for r in s.detect_video("clip.mp4", vid_stride=2, conf=0.3):
            print(r.frame, r.names)                 # one Detections per kept frame

Frames equal cv2.VideoCapture's (ultralytics' reader) byte for byte, in RGB order. Decoding errors
inside a file do not stop the iteration: each is a warning (warnings.warn) and is kept in
Video.errors. VideoWriter writes Motion JPEG in AVI (what ultralytics writes on Linux) or H.264
in MP4. This module declares its own part of the C API, so it works beside model.py unchanged."""
import os
import threading
import warnings

import numpy as np

from . import _lib
from .errors import ERR_FORMAT, GhostyoloError, argument_error, check
from .model import Session
from .detections import Detections

ffi = _lib.ffi

CDEF = """
typedef enum gy_video_mode { GY_VIDEO_AUTO = 0, GY_VIDEO_FILE = 1, GY_VIDEO_STREAM = 2 } gy_video_mode;
typedef struct gy_video gy_video;
typedef struct gy_video_params {
    gy_video_mode mode;
    int vid_stride;
    int queue;
    int decode_threads;
    int reconnects;
    int timeout_ms;
    int (*interrupt)(void *user);
    void *interrupt_user;
    gy_log_fn log;
    void *log_user;
} gy_video_params;
gy_video_params gy_video_default_params(void);
typedef struct gy_video_info {
    int width, height;
    double fps;
    long long frame_count;
    int rotation;
    int is_stream;
    const char *format;
    const char *codec;
} gy_video_info;
gy_status gy_video_open(const char *source, const gy_video_params *params, gy_video **out,
                        gy_error *err);
gy_status gy_video_get_info(const gy_video *video, gy_video_info *info);
typedef struct gy_video_frame {
    gy_image image;
    long long index;
    long long count;
    double time_s;
} gy_video_frame;
gy_status gy_video_next(gy_video *video, gy_video_frame *frame, gy_error *err);
void gy_video_free(gy_video *video);
typedef struct gy_stream_list {
    int count;
    char **sources;
} gy_stream_list;
gy_status gy_stream_list_load(const char *path, gy_stream_list **out, gy_error *err);
void gy_stream_list_free(gy_stream_list *list);
typedef struct gy_video_writer gy_video_writer;
typedef enum gy_video_codec { GY_VIDEO_CODEC_MJPG = 0, GY_VIDEO_CODEC_H264 = 1 } gy_video_codec;
typedef struct gy_video_writer_params {
    gy_video_codec codec;
    double fps;
    int queue;
} gy_video_writer_params;
gy_video_writer_params gy_video_writer_default_params(void);
gy_status gy_video_writer_open(const char *path, int width, int height,
                               const gy_video_writer_params *params, gy_video_writer **out,
                               gy_error *err);
gy_status gy_video_writer_write(gy_video_writer *w, const gy_image *frame, gy_error *err);
gy_status gy_video_writer_close(gy_video_writer *w, gy_error *err);
void gy_video_writer_free(gy_video_writer *w);
"""
STRUCTS = ["gy_video_params", "gy_video_info", "gy_video_frame", "gy_stream_list",
           "gy_video_writer_params"]
ENUMS = ["GY_VIDEO_AUTO", "GY_VIDEO_FILE", "GY_VIDEO_STREAM", "GY_VIDEO_CODEC_MJPG",
         "GY_VIDEO_CODEC_H264"]

_declared = False
_declare_lock = threading.Lock()


def _load():
    """The library with this module's declarations added (once)."""
    global _declared
    lib = _lib.load()
    with _declare_lock:
        if not _declared:
            ffi.cdef(CDEF)
            _declared = True
    return lib


_MODES = {"auto": 0, "file": 1, "stream": 2}


def _int(v, what, lo, hi):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
        raise argument_error(f"{what} must be an integer in [{lo}, {hi}], got {v!r}")
    return int(v)


class Video:
    """A video file or a stream: Video(source, vid_stride=1, mode="auto", queue=2,
    reconnects=3, timeout_ms=30000). mode: "auto" (URLs are streams), "file" (every frame in
    order) or "stream" (the newest frame). Iterating yields (index, frame): the 1-based frame
    number in the source and an (H, W, 3) uint8 RGB array of its own."""

    def __init__(self, source, vid_stride=1, mode="auto", queue=2, reconnects=3,
                 timeout_ms=30000):
        self._lib = _load()
        self._handle = None
        self.errors = []
        if not isinstance(source, (str, bytes, os.PathLike)):
            raise argument_error(f"source must be a path or URL, got {type(source).__name__}")
        if mode not in _MODES:
            raise argument_error(f"mode must be one of {sorted(_MODES)}, got {mode!r}")
        self.source = os.fsdecode(source)
        p = ffi.new("gy_video_params *", self._lib.gy_video_default_params())
        p.mode = _MODES[mode]
        p.vid_stride = _int(vid_stride, "vid_stride", -(1 << 30), 1 << 30)  # the library checks
        p.queue = _int(queue, "queue", -(1 << 30), 1 << 30)
        p.reconnects = _int(reconnects, "reconnects", -(1 << 30), 1 << 30)
        p.timeout_ms = _int(timeout_ms, "timeout_ms", -(1 << 30), 1 << 30)
        out = ffi.new("gy_video **")
        err = ffi.new("gy_error *")
        check(self._lib, ffi, self._lib.gy_video_open(os.fsencode(source), p, out, err), err)
        self._handle = out[0]
        i = ffi.new("gy_video_info *")
        self._lib.gy_video_get_info(self._handle, i)
        self.info = {"width": i.width, "height": i.height, "fps": i.fps,
                     "frame_count": i.frame_count, "rotation": i.rotation,
                     "is_stream": bool(i.is_stream), "format": ffi.string(i.format).decode(),
                     "codec": ffi.string(i.codec).decode()}
        self._frame = ffi.new("gy_video_frame *")
        self._err = ffi.new("gy_error *")

    def _next_view(self):
        """(index, view of the library's frame buffer, valid until the next call) or None."""
        if self._handle is None:
            raise GhostyoloError("the video is closed", 7, "bad state")
        lib, f, err = self._lib, self._frame, self._err
        while True:
            st = lib.gy_video_next(self._handle, f, err)
            if st == ERR_FORMAT:  # a part that could not be decoded: the video goes on
                msg = ffi.string(err.message).decode("utf-8", "replace")
                self.errors.append(msg)
                warnings.warn(msg, stacklevel=3)
                continue
            check(lib, ffi, st, err)
            if f.image.data == ffi.NULL:
                return None
            h, w = f.image.height, f.image.width
            view = np.frombuffer(ffi.buffer(f.image.data, h * w * 3), np.uint8).reshape(h, w, 3)
            return int(f.index), view

    def read(self):
        """The next (index, frame) with a frame of its own, or None at the end."""
        r = self._next_view()
        return None if r is None else (r[0], r[1].copy())

    def __iter__(self):
        while True:
            r = self.read()
            if r is None:
                return
            yield r

    def close(self):
        if self._handle is not None:
            self._lib.gy_video_free(self._handle)
            self._handle = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_handle", None) is not None:
            self.close()


class VideoWriter:
    """VideoWriter(path, width, height, fps=30, codec="mjpg", queue=2): "mjpg" writes Motion JPEG
    in AVI as ultralytics does on Linux, "h264" H.264 in MP4. write(frame) takes (H, W, 3) uint8
    RGB; close() finishes the file (written under a temporary name until then)."""

    def __init__(self, path, width, height, fps=30, codec="mjpg", queue=2):
        self._lib = _load()
        self._handle = None
        if codec not in ("mjpg", "h264"):
            raise argument_error(f"codec must be 'mjpg' or 'h264', got {codec!r}")
        p = ffi.new("gy_video_writer_params *", self._lib.gy_video_writer_default_params())
        p.codec = 1 if codec == "h264" else 0
        p.fps = float(fps)
        p.queue = _int(queue, "queue", -(1 << 30), 1 << 30)
        out = ffi.new("gy_video_writer **")
        err = ffi.new("gy_error *")
        self.path = os.fsdecode(path)
        check(self._lib, ffi, self._lib.gy_video_writer_open(
            os.fsencode(path), _int(width, "width", 0, 1 << 30), _int(height, "height", 0, 1 << 30),
            p, out, err), err)
        self._handle = out[0]

    def write(self, frame):
        if self._handle is None:
            raise GhostyoloError("the writer is closed", 7, "bad state")
        a = np.ascontiguousarray(frame)
        if a.ndim != 3 or a.shape[2] != 3 or a.dtype != np.uint8:
            raise argument_error(f"a frame must be (H, W, 3) uint8 RGB, got {a.shape} {a.dtype}")
        img = ffi.new("gy_image *")
        img.height, img.width = a.shape[0], a.shape[1]
        img.data = ffi.from_buffer("unsigned char[]", a)
        err = ffi.new("gy_error *")
        check(self._lib, ffi, self._lib.gy_video_writer_write(self._handle, img, err), err)

    def close(self):
        if self._handle is not None:
            h, self._handle = self._handle, None
            err = ffi.new("gy_error *")
            check(self._lib, ffi, self._lib.gy_video_writer_close(h, err), err)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is not None and self._handle is not None:
            self._lib.gy_video_writer_free(self._handle)  # an error: no half-written file
            self._handle = None
        else:
            self.close()

    def __del__(self):
        if getattr(self, "_handle", None) is not None:
            self._lib.gy_video_writer_free(self._handle)
            self._handle = None


def load_stream_list(path):
    """The sources of an ultralytics `.streams` file."""
    lib = _load()
    out = ffi.new("gy_stream_list **")
    err = ffi.new("gy_error *")
    check(lib, ffi, lib.gy_stream_list_load(os.fsencode(path), out, err), err)
    try:
        return [ffi.string(out[0].sources[i]).decode("utf-8", "replace")
                for i in range(out[0].count)]
    finally:
        lib.gy_stream_list_free(out[0])


def detect_video(self, source, conf=0.25, iou=0.7, classes=None, max_det=300, imgsz=640,
                 square=False, vid_stride=1, mode="auto"):
    """Session.detect_video: a generator of one Detections per kept frame of a video file or
    stream (ultralytics' predict on a video source), with .image = the source and .frame = the
    frame's 1-based number. The frames are decoded on the library's reader thread while the
    previous one is detected. Decoding errors are warnings (see Video)."""
    with Video(source, vid_stride=vid_stride, mode=mode) as v:
        while True:
            r = v._next_view()
            if r is None:
                return
            index, view = r
            d = self.detect(view, conf=conf, iou=iou, classes=classes, max_det=max_det,
                            imgsz=imgsz, square=square)
            d.image = v.source
            d.frame = index
            yield d


Session.detect_video = detect_video
__all__ = ["Video", "VideoWriter", "load_stream_list", "detect_video", "Detections"]
