"""ghostyolo: YOLOv8-style detection on the CPU through the C library libghostyolo.

    import ghostyolo
    model = ghostyolo.Model("yolov8n.safetensors")
    with model.session() as s:
        r = s.detect("bus.jpg")          # or an (H, W, 3) uint8 RGB numpy array
        print(r.boxes, r.scores, r.class_ids, r.names)
        print(r.to_json())               # the line `ghostyolo detect --json` prints

Errors raise GhostyoloError (.status, .status_name, .message). The library is found through
GHOSTYOLO_LIB, then next to this package, then the system search path (see _lib.py).
Batch detection on a Dask cluster: python3 -m ghostyolo.dask_detect --help.
"""
from ._lib import library_path
from .errors import GhostyoloError
from .model import Model, Session, load_image
from .result import Detections
from .sources import expand_sources
from .video import Video, VideoWriter, load_stream_list  # also adds Session.detect_video

__version__ = "0.1.0"
__all__ = ["Model", "Session", "Detections", "GhostyoloError", "load_image", "expand_sources",
           "library_path", "__version__", "Video", "VideoWriter", "load_stream_list"]
