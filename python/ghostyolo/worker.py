"""What runs on a Dask worker: one model per process (loaded by the first task that needs it and
kept for the process's life), one session per worker thread, and the task itself, which detects a
batch of images and returns one result dict per image."""
import threading

from .errors import GhostyoloError
from .model import Model

_models = {}            # (weights, config, nc, scale) -> Model: loaded once per process
_models_lock = threading.Lock()
_local = threading.local()  # per thread: {model key: Session}
loads = 0               # how many models this process loaded (the tests read it)


def get_model(key):
    global loads
    with _models_lock:
        m = _models.get(key)
        if m is None:
            weights, config, nc, scale = key
            m = Model(weights, config=config, nc=nc, scale=scale)
            _models[key] = m
            loads += 1
        return m


def get_session(key, threads):
    sessions = getattr(_local, "sessions", None)
    if sessions is None:
        sessions = _local.sessions = {}
    s = sessions.get((key, threads))
    if s is None:
        s = sessions[(key, threads)] = get_model(key).session(threads=threads)
    return s


def detect_batch(items, key, detect_kwargs, session_threads):
    """items: [(path as recorded, path to open)]. Returns {"results": [dict per image]}, or
    {"fatal": message} when the model cannot be loaded (then no image can be done here)."""
    try:
        sess = get_session(key, session_threads)
    except GhostyoloError as e:
        return {"fatal": str(e)}
    out = []
    for shown, path in items:
        try:
            r = sess.detect(path, **detect_kwargs).to_dict()
            r["image"] = shown
        except GhostyoloError as e:
            r = {"image": shown, "error": e.message}
        out.append(r)
    return {"results": out}


def process_info():
    """(pid, models loaded) of this process: for the tests' check of one load per process."""
    import os
    return os.getpid(), loads
