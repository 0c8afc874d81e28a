"""The C library through cffi in ABI mode: the declarations below are a hand copy of
include/ghostyolo.h (no compiler is needed at import time). tests/python/test_layout.py compiles
the real header and checks every struct's size and field offsets, every enum value and every
function's type against these declarations, so a change to the header that is not copied here
fails the suite instead of corrupting memory.

Where the library is found, first match wins:
  1. the GHOSTYOLO_LIB environment variable (a path to libghostyolo.so), alone: a wrong one is
     an error, not a reason to look elsewhere;
  2. the path recorded in the package's _libpath.py when it was installed: `cmake --install`
     records the library it installs; `pip install` records $GHOSTYOLO_LIB as set during the
     install, else the library of the build folder next to the sources (<repo>/build);
  3. a libghostyolo.so* copied into the package folder;
  4. the system search path (ctypes.util.find_library("ghostyolo"), then "libghostyolo.so.0"),
     then cmake's default prefix /usr/local/lib (installed there but not yet in ldconfig's cache).
A recorded or copied path that no longer exists is passed over; the error when nothing loads
lists every place tried.
"""
import ctypes.util
import glob
import os
import threading

import cffi

CDEF = """
typedef enum gy_status {
    GY_OK = 0, GY_ERR_ARGUMENT, GY_ERR_IO, GY_ERR_FORMAT, GY_ERR_MISMATCH, GY_ERR_UNSUPPORTED,
    GY_ERR_NOMEM, GY_ERR_STATE
} gy_status;
const char *gy_status_str(gy_status s);

typedef struct gy_error {
    gy_status status;
    char message[1024];
} gy_error;

typedef enum gy_log_level { GY_LOG_INFO = 0, GY_LOG_WARNING = 1 } gy_log_level;
typedef void (*gy_log_fn)(void *user, gy_log_level level, const char *message);

typedef struct gy_model gy_model;
typedef struct gy_model_params {
    const char *scale;
    int nc;
    int synthetic_weights;
    gy_log_fn log;
    void *log_user;
} gy_model_params;
gy_model_params gy_model_default_params(void);
gy_status gy_model_load(const char *config_path, const char *weights_path,
                        const gy_model_params *params, gy_model **out, gy_error *err);
void gy_model_free(gy_model *model);

typedef struct gy_model_info {
    const char *name;
    const char *config_path;
    const char *scale;
    const char *scale_source;
    const char *warning;
    double depth, width;
    int max_channels;
    int nc;
    int num_rows;
    int has_weights;
    int reg_max;
    int num_strides;
    int strides[8];
    const char *kernel_isa;
    size_t packed_weight_bytes;
    const char *dtype;
    const char *int8_kernel_isa;
} gy_model_info;
gy_status gy_model_get_info(const gy_model *model, gy_model_info *info);
const char *gy_model_class_name(const gy_model *model, int class_id);

typedef struct gy_row_info {
    int index;
    char from[64];
    int n;
    long long params;
    long long params_fused;
    char module[96];
    char args[192];
} gy_row_info;

typedef struct gy_model_summary {
    long long layers;
    long long params;
    long long gradients;
    double gflops;
} gy_model_summary;

typedef struct gy_stats_params {
    int imgsz;
    int measure;
    int runs;
    int num_threads;
} gy_stats_params;
gy_stats_params gy_stats_default_params(void);

typedef struct gy_stats_row {
    gy_row_info info;
    long long layers, layers_fused;
    int out_c, out_h, out_w;
    double gflops, gflops_fused;
    double act_mib;
    double ms;
} gy_stats_row;

typedef struct gy_stats {
    const char *name;
    const char *config;
    const char *scale;
    const char *scale_source;
    int nc;
    int imgsz;
    gy_model_summary unfused;
    gy_model_summary fused;
    int gflops_probe_failed;
    double kb;
    long long state_dict_tensors;
    double arena_mib;
    double ms;
    int num_rows;
    gy_stats_row *rows;
} gy_stats;
gy_status gy_model_stats(const gy_model *model, const gy_stats_params *params, gy_stats **out,
                         gy_error *err);
void gy_stats_free(gy_stats *stats);

typedef struct gy_session gy_session;
typedef struct gy_session_params {
    int num_threads;
} gy_session_params;
gy_session_params gy_session_default_params(void);
gy_status gy_session_create(const gy_model *model, const gy_session_params *params,
                            gy_session **out, gy_error *err);
void gy_session_free(gy_session *session);

typedef struct gy_output {
    const float *data;
    int channels;
    int anchors;
} gy_output;
gy_status gy_forward(gy_session *session, const float *input, int height, int width,
                     gy_output *out, gy_error *err);

typedef struct gy_image {
    int width, height;
    unsigned char *data;
} gy_image;
gy_status gy_image_load(const char *path, gy_image **out, gy_error *err);
void gy_image_free(gy_image *image);

typedef struct gy_detect_params {
    int imgsz;
    int imgsz_h, imgsz_w;
    int square;
    float conf;
    float iou;
    int max_det;
    int agnostic;
    const int *classes;
    int num_classes;
} gy_detect_params;
gy_detect_params gy_detect_default_params(void);

typedef struct gy_box {
    float x1, y1, x2, y2;
    float score;
    int class_id;
} gy_box;

typedef struct gy_detect_timing {
    double preprocess_ms;
    double inference_ms;
    double postprocess_ms;
} gy_detect_timing;

typedef struct gy_detections {
    int count;
    gy_box *boxes;
    int input_width;
    int input_height;
    gy_detect_timing timing;
} gy_detections;
gy_status gy_detect(gy_session *session, const gy_image *image, const gy_detect_params *params,
                    gy_detections **out, gy_error *err);
void gy_detections_free(gy_detections *dets);

typedef struct gy_annotate_params {
    int line_width;
    int labels;
    int conf;
} gy_annotate_params;
gy_annotate_params gy_annotate_default_params(void);
gy_status gy_annotate(gy_image *image, const gy_detections *dets, const char *const *names,
                      int num_names, const gy_annotate_params *params, gy_error *err);
gy_status gy_image_save(const gy_image *image, const char *path, gy_error *err);
"""

# The structs declared above, for the layout test.
STRUCTS = ["gy_error", "gy_model_params", "gy_model_info", "gy_row_info", "gy_model_summary",
           "gy_stats_params", "gy_stats_row", "gy_stats", "gy_session_params", "gy_output",
           "gy_image", "gy_detect_params", "gy_box", "gy_detect_timing", "gy_detections",
           "gy_annotate_params"]
# The header's limits the binding checks against (macros: cffi's ABI mode cannot read them).
DEFINES = {"GY_IMGSZ_MAX": 8192, "GY_ANNOTATE_LINE_MAX": 1000, "GY_IMAGE_MAX_PIXELS": 1 << 26}
ENUMS = ["GY_OK", "GY_ERR_ARGUMENT", "GY_ERR_IO", "GY_ERR_FORMAT", "GY_ERR_MISMATCH",
         "GY_ERR_UNSUPPORTED", "GY_ERR_NOMEM", "GY_ERR_STATE", "GY_LOG_INFO", "GY_LOG_WARNING"]

ffi = cffi.FFI()
ffi.cdef(CDEF)

_lock = threading.Lock()
_lib = None
_lib_path = None


def _candidates():
    env = os.environ.get("GHOSTYOLO_LIB")
    if env:
        return [("GHOSTYOLO_LIB", env)]  # explicit: no fallback that would hide a wrong path
    found = []
    try:
        from . import _libpath  # written by cmake --install or pip install
        found.append(("recorded at install", _libpath.LIBRARY))
    except ImportError:
        pass
    here = os.path.dirname(os.path.abspath(__file__))
    for p in sorted(glob.glob(os.path.join(here, "libghostyolo.so*"))):
        found.append(("package folder", p))
    name = ctypes.util.find_library("ghostyolo")
    if name:
        found.append(("system search path", name))
    found.append(("system search path", "libghostyolo.so.0"))
    found.append(("cmake's default prefix", "/usr/local/lib/libghostyolo.so.0"))
    return found


def load():
    """The loaded library (cffi lib object); loads it on first use."""
    global _lib, _lib_path
    with _lock:
        if _lib is not None:
            return _lib
        tried = []
        for how, path in _candidates():
            if how != "system search path" and not os.path.exists(path):
                tried.append(f"{path} ({how}: no such file)")
                continue
            try:
                lib = ffi.dlopen(path)
            except OSError as e:
                tried.append(f"{path} ({how}: {e})")
                continue
            _lib, _lib_path = lib, path
            return lib
        from .errors import GhostyoloError
        raise GhostyoloError(
            "cannot load libghostyolo: tried " + "; ".join(tried) +
            ". Set GHOSTYOLO_LIB to the library's path (e.g. build/libghostyolo.so), or install "
            "the package after building the library: `pip install ./python` records "
            "<repo>/build/libghostyolo.so (or $GHOSTYOLO_LIB as set then), `cmake --install` "
            "the library it installs.",
            status=-1, status_name="library not found")


def library_path():
    """The path (or name) the library was loaded from."""
    load()
    return _lib_path
