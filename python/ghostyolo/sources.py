"""Sources as `ghostyolo detect` takes them, expanded to image paths (and errors):
  - an image file;
  - a folder: its images (by extension), sorted by name in byte order, hidden entries passed
    over, subfolders not searched (each one is an error item, or passed over quietly with
    skip_subfolders=True, as ultralytics' folder glob does); with videos=True its videos too,
    after its images (ultralytics' LoadImages order);
  - a glob pattern ('images/*.jpg', quoted so the shell leaves it alone): the matching images
    (and videos), sorted;
  - a .txt file: one path per line (blank lines skipped), relative paths taken from the list's
    folder; each line is itself a file, folder or pattern;
  - "-": paths read from standard input, one per line.
Anything that is not a regular file becomes an error item naming it."""
import glob
import os
import stat
import sys

# ultralytics 8.0.126's IMG_FORMATS and VID_FORMATS (a GIF is a video: every frame)
IMAGE_EXTS = {"bmp", "dng", "jpeg", "jpg", "mpo", "pfm", "png", "tif", "tiff", "webp"}
VIDEO_EXTS = {"asf", "avi", "gif", "m4v", "mkv", "mov", "mp4", "mpeg", "mpg", "ts", "wmv", "webm"}


def _ext(path):
    base = os.path.basename(path)
    dot = base.rfind(".")
    return base[dot + 1:].lower() if dot >= 0 else None


def is_image_name(path):
    return _ext(path) in IMAGE_EXTS


def is_video_name(path):
    return _ext(path) in VIDEO_EXTS


def _wanted(path, videos):
    return is_image_name(path) or (videos and is_video_name(path))


def _stat(path):
    try:
        return os.stat(path), None
    except OSError as e:
        return None, e.strerror or str(e)


def _regular(st):
    return None if stat.S_ISREG(st.st_mode) else "not a regular file"


def _expand_dir(d, skip_subfolders, videos):
    try:
        names = sorted((n for n in os.listdir(d) if not n.startswith(".")),
                       key=lambda n: os.fsencode(n))
    except OSError as e:
        yield d, e.strerror or str(e)
        return
    for n in names:
        p = d + n if d.endswith("/") else d + "/" + n
        st, why = _stat(p)
        if st is None:
            if _wanted(p, videos):
                yield p, why
        elif stat.S_ISDIR(st.st_mode):
            if not skip_subfolders:
                yield p, "a folder inside a source folder (subfolders are not searched)"
        elif _wanted(p, videos):
            yield p, _regular(st)


def _expand_path(p, skip_subfolders=False, videos=False):
    st, why = _stat(p)
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            yield from _expand_dir(p, skip_subfolders, videos)
        else:
            yield p, _regular(st)
        return
    if not any(c in p for c in "*?["):
        yield p, why
        return
    matches = sorted(glob.glob(p), key=os.fsencode)
    if not matches:
        yield p, "no file matches this pattern"
        return
    found = 0
    for m in matches:
        mst, mwhy = _stat(m)
        if mst is None:
            found += 1
            yield m, mwhy
        elif stat.S_ISDIR(mst.st_mode):
            if not skip_subfolders:
                found += 1
                yield m, "a folder matched by a pattern (folders are not searched)"
        elif _wanted(m, videos):
            found += 1
            yield m, _regular(mst)
    if not found:
        yield p, "the pattern matches no image or video file" if videos else \
            "the pattern matches no image file"


def _expand_list(lst, skip_subfolders, videos):
    try:
        with open(lst, "r", encoding="utf-8", errors="surrogateescape") as f:
            lines = f.read().splitlines()
    except OSError as e:
        yield lst, e.strerror or str(e)
        return
    folder = lst[:lst.rfind("/") + 1]  # with its slash, "" for a bare name
    for line in lines:
        p = line.strip(" \t\r\n")
        if not p:
            continue
        yield from _expand_path(p if p.startswith("/") or not folder else folder + p,
                                skip_subfolders, videos)


def _videos_last(items, videos):
    """The items of one source, its videos after the rest (ultralytics' LoadImages order)."""
    if not videos:
        yield from items
        return
    items = list(items)
    yield from (i for i in items if not is_video_name(i[0]))
    yield from (i for i in items if is_video_name(i[0]))


def expand_sources(sources, stdin=None, skip_subfolders=False, videos=False):
    """Yields (path, error) pairs in order: error is None for an image (or with videos=True a
    video) to read, else why path is not one. "-" reads paths from stdin (default sys.stdin) one
    line at a time."""
    for a in sources:
        a = os.fsdecode(a)
        if a == "-":
            for line in (stdin or sys.stdin):
                p = line.strip(" \t\r\n")
                if p:
                    yield from _videos_last(_expand_path(p, skip_subfolders, videos), videos)
            continue
        st, _ = _stat(a)
        is_file = st is not None and stat.S_ISREG(st.st_mode)
        if a.lower().endswith(".txt") and len(a) > 4 and is_file:
            yield from _videos_last(_expand_list(a, skip_subfolders, videos), videos)
        else:
            yield from _videos_last(_expand_path(a, skip_subfolders, videos), videos)
