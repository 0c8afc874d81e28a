"""ghostyolo: YOLOv8-style detection on the CPU through the C library libghostyolo.

As ultralytics is used:

    from ghostyolo import YOLO             # YOLO is ghostyolo.Model
    model = YOLO("yolov8n.pt")             # or a .safetensors file
    for r in model("bus.jpg"):             # or model.predict(source, conf=0.25, imgsz=640, ...)
        print(r.boxes.xyxy, r.boxes.conf, r.boxes.cls, r.names)
        annotated = r.plot()               # BGR, as cv2 shows and writes it
        r.save("bus_annotated.jpg")

Arrays are BGR as cv2.imread returns them (rgb=True for RGB); PIL images, paths, folders, glob
patterns and lists of these are sources too. The lower-level calls (sessions per thread, the
CLI's JSON lines, the raw network output):

    with model.session() as s:
        d = s.detect("bus.jpg")            # or an (H, W, 3) uint8 RGB array
        print(d.to_json())                 # the line `ghostyolo detect --json` prints

Errors raise GhostyoloError (.status, .status_name, .message). The library is found through
GHOSTYOLO_LIB, then the path recorded at install, then next to this package, then the system
search path (see _lib.py). Batch detection on a Dask cluster: python3 -m ghostyolo.dask_detect.
"""
from ._deps import check as _check_deps

_check_deps()

from ._lib import library_path  # noqa: E402
from .detections import Detections  # noqa: E402
from .errors import GhostyoloError  # noqa: E402
from .images import load_image  # noqa: E402
from .model import Model, Session  # noqa: E402
from .results import Boxes, Results  # noqa: E402
from .sources import expand_sources  # noqa: E402
from .video import Video, VideoWriter, load_stream_list  # noqa: E402  (adds Session.detect_video)

YOLO = Model

__version__ = "0.1.0"
__all__ = ["YOLO", "Model", "Session", "Results", "Boxes", "Detections", "GhostyoloError",
           "load_image", "expand_sources", "library_path", "__version__", "Video", "VideoWriter",
           "load_stream_list"]
