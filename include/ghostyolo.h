/* ghostyolo.h - YOLOv8 and Ghost-bottleneck variants on the CPU, from ultralytics YAML + safetensors
 * or .pt checkpoints.
 *
 * MANUAL
 * ------
 * A model is loaded once and is immutable afterwards; share it between threads freely.
 * Each thread that runs the model makes its own session (activation memory, scratch, thread count).
 *
 *     gy_error err;
 *     gy_model_params mp = gy_model_default_params();
 *     gy_model *model;
 *     if (gy_model_load(NULL, "yolov8n.safetensors", &mp, &model, &err) != GY_OK) {
 *         fprintf(stderr, "%s\n", err.message); ...
 *     }
 *     gy_session_params sp = gy_session_default_params();
 *     gy_session *sess;
 *     gy_session_create(model, &sp, &sess, &err);
 *     gy_image *img;
 *     gy_image_load("bus.jpg", &img, &err);
 *     gy_detect_params dp = gy_detect_default_params();
 *     gy_detections *dets;
 *     gy_detect(sess, img, &dp, &dets, &err);
 *     for (int i = 0; i < dets->count; i++) {
 *         const gy_box *b = &dets->boxes[i];
 *         printf("%s %.2f %g %g %g %g\n", gy_model_class_name(model, b->class_id), b->score,
 *                b->x1, b->y1, b->x2, b->y2);
 *     }
 *     gy_detections_free(dets); gy_image_free(img); gy_session_free(sess); gy_model_free(model);
 *
 * ERRORS
 *   Every fallible call returns a gy_status. When it is not GY_OK and the caller passed a non-NULL
 *   gy_error, err->message names the file (if any) and the problem. Nothing is ever printed and the
 *   library never exits the process. Optional diagnostics (warnings) go to a log callback.
 *
 * OWNERSHIP
 *   Every object returned through an out-pointer by a *_load / *_create / gy_detect call belongs to
 *   the caller and is released with the matching *_free (which accepts NULL). Pointers returned by
 *   accessors (names, outputs, info strings) are borrowed: they stay valid as long as the object
 *   they came from, or as documented at the call.
 *
 * THREADS
 *   gy_model: read-only after load, safe to use from many threads. gy_session: one thread at a time.
 */
#ifndef GHOSTYOLO_H
#define GHOSTYOLO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GY_VERSION_STRING "0.1.0"

typedef enum gy_status {
    GY_OK = 0,
    GY_ERR_ARGUMENT,    /* a bad argument from the caller (NULL pointer, out-of-range value) */
    GY_ERR_IO,          /* a file could not be opened, read or written */
    GY_ERR_FORMAT,      /* malformed data: YAML, safetensors, image, tensor file */
    GY_ERR_MISMATCH,    /* well-formed but inconsistent: weights do not fit the graph, bad shapes */
    GY_ERR_UNSUPPORTED, /* valid for ultralytics but not (yet) handled here, e.g. an unknown module */
    GY_ERR_NOMEM,       /* an allocation failed or a size would overflow */
    GY_ERR_STATE        /* the object cannot do that now (e.g. forward on a model without weights) */
} gy_status;

/* A short constant description of a status ("ok", "bad argument", ...). Never NULL. */
const char *gy_status_str(gy_status s);

#define GY_ERROR_MESSAGE_MAX 1024
/* Filled by a failing call when non-NULL. message is always NUL-terminated. */
typedef struct gy_error {
    gy_status status;
    char message[GY_ERROR_MESSAGE_MAX];
} gy_error;

typedef enum gy_log_level { GY_LOG_INFO = 0, GY_LOG_WARNING = 1 } gy_log_level;
/* Diagnostics callback; message is borrowed for the duration of the call. */
typedef void (*gy_log_fn)(void *user, gy_log_level level, const char *message);

/* ------------------------------------------------------------------------------------------------ */
/* Model                                                                                            */

typedef struct gy_model gy_model;

typedef struct gy_model_params {
    const char *scale; /* scale key ("n", "s", ...) or NULL: YAML `scale:` key, file name, first */
    int nc;            /* class count override; 0 = from the YAML / weights */
    int synthetic_weights; /* without a weights file: fill deterministic pseudo-random weights so
                              the model can run (timing, statistics with --measure) */
    gy_log_fn log;     /* optional diagnostics (scale fallback warning, ...) */
    void *log_user;
} gy_model_params;

gy_model_params gy_model_default_params(void);

/* Loads a model.
 *   config_path:  an ultralytics model YAML, or NULL to use the YAML stored in the weights'
 *                 metadata ("config"). A missing path such as "configs/yolov8s.yaml" resolves to
 *                 "configs/yolov8.yaml" with scale "s", as ultralytics does.
 *   weights_path: a safetensors file with ultralytics state_dict names, or an ultralytics .pt
 *                 checkpoint (told apart by content; read without Python and without running
 *                 its pickle, which also supplies the config, names and BatchNorm eps), or NULL
 *                 for a model without weights (enough for gy_model_info and statistics;
 *                 gy_forward then returns GY_ERR_STATE).
 * On success *out is a new model owned by the caller (gy_model_free). */
gy_status gy_model_load(const char *config_path, const char *weights_path,
                        const gy_model_params *params, gy_model **out, gy_error *err);
void gy_model_free(gy_model *model);

typedef struct gy_model_info {
    const char *name;         /* file stem of the config ("yolov8s") */
    const char *config_path;  /* the file actually read, or "<weights metadata>" */
    const char *scale;        /* the scale key used, "" when the YAML has no scales */
    const char *scale_source; /* "parameter", "yaml scale key", "file name", "first scale (default)",
                                 "depth/width multiples" or "none" */
    const char *warning;      /* "" or the warning about the scale choice */
    double depth, width;      /* the multipliers in force */
    int max_channels;
    int nc;
    int num_rows;             /* YAML rows (backbone + head) */
    int has_weights;
    int reg_max;              /* Detect's DFL bins (16) */
    int num_strides;
    int strides[8];           /* Detect strides, e.g. 8, 16, 32 */
    const char *kernel_isa;   /* instruction set of the kernels: "avx512", "avx2" or "generic"
                                 (the CPU's best, or lower when the GY_ISA environment variable
                                 asks for it at load) */
    size_t packed_weight_bytes; /* weights repacked at load for the kernels (Winograd: 4x) */
    const char *dtype;        /* "float32", or "int8" for a model quantized by `ghostyolo
                                 quantize` (uint8 activations, int8 weights; some layers may
                                 stay float32) */
    const char *int8_kernel_isa; /* int8 models: "avx512vnni", "avx2" or "generic"; else "" */
} gy_model_info;

/* Fills *info with borrowed strings valid for the model's lifetime. */
gy_status gy_model_get_info(const gy_model *model, gy_model_info *info);

/* Class name for id (borrowed, model lifetime); "class<id>" when the weights carry none.
 * NULL when id is out of range. */
const char *gy_model_class_name(const gy_model *model, int class_id);

/* One row of the ultralytics build table (model.info / parse_model printout). */
typedef struct gy_row_info {
    int index;
    char from[64];       /* "-1", "[-1, 6]", "[15, 18, 21]" */
    int n;               /* repeats after depth scaling */
    long long params;    /* unfused parameter count of the row */
    long long params_fused; /* after model.fuse() */
    char module[96];     /* ultralytics' printed type, e.g. "ultralytics.nn.modules.block.C2f" */
    char args[192];      /* the printed argument list, e.g. "[64, 64, 1, True]" */
} gy_row_info;

/* Copies row `index` (0 .. num_rows-1) into *row. */
gy_status gy_model_get_row(const gy_model *model, int index, gy_row_info *row);

/* ultralytics' model.info() summary: torch modules ("layers"), parameters, gradients (parameters
 * that train, i.e. all but the fixed DFL bins) and GFLOPs counted with thop's rules at a
 * 1x3xSxS probe (S = max(largest stride, 32)) scaled to imgsz x imgsz, as get_flops() does.
 * fused: the numbers after model.fuse() (BatchNorm folded into ultralytics Conv layers). */
typedef struct gy_model_summary {
    long long layers;
    long long params;
    long long gradients;
    double gflops;
} gy_model_summary;

gy_status gy_model_get_summary(const gy_model *model, int fused, int imgsz,
                               gy_model_summary *out, gy_error *err);

/* The model-stats report: per row and per model, what ultralytics' model.info() and parse_model
 * print, extended with output shapes, GFLOPs per row, activation memory and optional timings. */
typedef struct gy_stats_params {
    int imgsz;        /* square input for shapes, GFLOPs and timing; default 640 */
    int measure;      /* run the model and time each row (needs weights or synthetic weights) */
    int runs;         /* timed runs when measuring (median reported); default 5 */
    int num_threads;  /* threads when measuring; 0 = all cores */
} gy_stats_params;

gy_stats_params gy_stats_default_params(void);

typedef struct gy_stats_row {
    gy_row_info info;            /* index, from, n, params (unfused and fused), module, args */
    long long layers, layers_fused; /* torch modules of the row */
    int out_c, out_h, out_w;     /* output shape at imgsz (Detect: 4 + nc rows of anchors) */
    double gflops, gflops_fused; /* thop rules, counted directly at imgsz */
    double act_mib;              /* the row's output tensor, MiB (float32) */
    double ms;                   /* measured median milliseconds, or -1 when not measured */
} gy_stats_row;

typedef struct gy_stats {
    const char *name;            /* borrowed from the model, like gy_model_info */
    const char *config;
    const char *scale;
    const char *scale_source;
    int nc;
    int imgsz;
    gy_model_summary unfused;    /* ultralytics' summary numbers; gflops as get_flops() gives */
    gy_model_summary fused;      /*   them, or counted directly when its probe cannot run */
    int gflops_probe_failed;     /* ultralytics' 32x32 probe fails (DFC): it prints no GFLOPs */
    double kb;                   /* estimated KiB of an ultralytics fp16 checkpoint (README) */
    long long state_dict_tensors;
    double arena_mib;            /* activation arena at imgsz after liveness planning */
    double ms;                   /* measured median forward milliseconds, or -1 */
    int num_rows;
    gy_stats_row *rows;
} gy_stats;

/* Computes the report; *out is owned by the caller (gy_stats_free). The model must outlive it. */
gy_status gy_model_stats(const gy_model *model, const gy_stats_params *params, gy_stats **out,
                         gy_error *err);
void gy_stats_free(gy_stats *stats);

/* ------------------------------------------------------------------------------------------------ */
/* Session                                                                                          */

typedef struct gy_session gy_session;

typedef struct gy_session_params {
    int num_threads; /* threads of this session's forward pass (one OpenMP parallel region per
                        forward; nothing is set globally); 0 = all cores. The kernels use the best
                        instruction set the CPU has, or the lower one named by the environment
                        variable GY_ISA=generic|avx2|avx512 (read by gy_session_create) */
} gy_session_params;

gy_session_params gy_session_default_params(void);

/* A session borrows the model: free every session before its model. */
gy_status gy_session_create(const gy_model *model, const gy_session_params *params,
                            gy_session **out, gy_error *err);
void gy_session_free(gy_session *session);

/* Plans and allocates memory for inputs of height x width (multiples of 32). gy_forward calls it
 * itself when the size changes; call it ahead to keep allocation out of the timed path. */
gy_status gy_session_reserve(gy_session *session, int height, int width, gy_error *err);

/* The raw Detect output of the last forward: (1, channels = 4 + nc, anchors), row-major, i.e.
 * data[c * anchors + a]; boxes are xywh in input pixels followed by class sigmoids.
 * data is owned by the session and valid until its next forward, reserve or free. */
typedef struct gy_output {
    const float *data;
    int channels;
    int anchors;
} gy_output;

/* Runs the network on a float32 NCHW tensor (1, 3, height, width), RGB in [0,1].
 * height and width must be positive multiples of 32. Allocates nothing once reserved. */
gy_status gy_forward(gy_session *session, const float *input, int height, int width,
                     gy_output *out, gy_error *err);

/* ------------------------------------------------------------------------------------------------ */
/* Images and detection                                                                             */

/* An 8-bit RGB image, rows top to bottom, pixels interleaved (R, G, B). Callers may fill one
 * themselves to pass their own pixels; gy_image_load allocates one (free with gy_image_free). */
typedef struct gy_image {
    int width, height;
    unsigned char *data; /* width * height * 3 bytes */
} gy_image;

/* Largest image accepted: 64 megapixels counted in binary, 64 * 2^20 = 67108864 pixels (8192 x
 * 8192). gy_image_load refuses a bigger image from its header, before decoding anything; gy_detect
 * refuses a bigger caller-filled image. */
#ifndef GY_IMAGE_MAX_PIXELS
#define GY_IMAGE_MAX_PIXELS (64LL * 1024 * 1024)
#endif
/* Decodes an image file into a new RGB image, as cv2.imread(path, IMREAD_COLOR) does, which is what
 * ultralytics sees:
 *   - JPEG through libjpeg-turbo with libjpeg's default settings (byte-identical to cv2), grey
 *     repeated to three channels, Adobe CMYK/YCCK converted as OpenCV converts it, the EXIF
 *     orientation applied; a truncated JPEG is an error;
 *   - WebP through libwebp (still images; alpha dropped);
 *   - PNG (8- and 16-bit, 16-bit reduced by >> 8; grey, palette, alpha dropped, not composited),
 *     BMP and GIF (first frame) through stb_image (only those decoders are compiled in).
 * Files over 1 GiB and images over GY_IMAGE_MAX_PIXELS are refused; errors name the file. */
gy_status gy_image_load(const char *path, gy_image **out, gy_error *err);
/* Frees an image made by gy_image_load (not one the caller filled itself). */
void gy_image_free(gy_image *image);

typedef struct gy_detect_params {
    int imgsz;         /* letterbox target (long side), multiple of 32; default 640 */
    int imgsz_h, imgsz_w; /* both > 0: a target of imgsz_h x imgsz_w instead (ultralytics
                             imgsz=[h, w]), multiples of 32; default 0, 0 = imgsz x imgsz */
    int square;        /* 1: letterbox to imgsz x imgsz; 0: minimal stride-32 rectangle (default) */
    float conf;        /* confidence threshold, default 0.25 */
    float iou;         /* NMS IoU threshold, default 0.7 */
    int max_det;       /* default 300 */
    int agnostic;      /* class-agnostic NMS, default 0 */
    const int *classes; /* class filter (ultralytics `classes`): keep only boxes whose best class is
                           one of classes[0 .. num_classes-1], applied before NMS as ultralytics
                           does; NULL or num_classes 0 = every class (default). Borrowed for the
                           duration of the gy_detect call. */
    int num_classes;
} gy_detect_params;

gy_detect_params gy_detect_default_params(void);

/* Largest imgsz (and side of imgsz_h x imgsz_w) gy_detect, gy_model_stats and the CLI accept. */
#define GY_IMGSZ_MAX 8192

typedef struct gy_box {
    float x1, y1, x2, y2; /* original-image pixels, clipped to the image (0 <= x <= width) */
    float score;
    int class_id;
} gy_box;

/* Wall-clock milliseconds of one gy_detect call, split as ultralytics' predictor reports them. */
typedef struct gy_detect_timing {
    double preprocess_ms;  /* letterbox and conversion to the float input */
    double inference_ms;   /* the network forward pass */
    double postprocess_ms; /* NMS and scaling the boxes back to the image */
} gy_detect_timing;

typedef struct gy_detections {
    int count;
    gy_box *boxes;      /* count boxes, best score first */
    int input_width;    /* the letterboxed network input used */
    int input_height;
    gy_detect_timing timing;
} gy_detections;

/* Letterbox, forward, decode, NMS, scale back to the image. *out is owned by the caller.
 * params NULL means gy_detect_default_params(). Boxes are clipped to the image.
 *
 * Many images: load the model once, make one session per thread (a session is used by one thread
 * at a time; the model is shared read-only), and call gy_detect on each thread's session:
 *
 *     #pragma omp parallel num_threads(2)      (or pthreads: one session per thread)
 *     {
 *         gy_error err;                        (everything here is the thread's own)
 *         gy_session_params sp = gy_session_default_params();
 *         sp.num_threads = 1;                  (share the cores between the sessions)
 *         gy_session *s;
 *         gy_session_create(model, &sp, &s, &err);
 *         ... for this thread's images: gy_detect(s, img, &dp, &dets, &err) ...
 *         gy_session_free(s);
 *     }
 *
 * Two sessions of one model give the same boxes for the same image. */
gy_status gy_detect(gy_session *session, const gy_image *image, const gy_detect_params *params,
                    gy_detections **out, gy_error *err);
void gy_detections_free(gy_detections *dets);

/* ------------------------------------------------------------------------------------------------ */
/* Validation (ultralytics' `yolo val`)                                                             */

typedef struct gy_val_params {
    int imgsz;          /* long side of the validator's input; default 640 (multiple of 32) */
    float conf;         /* NMS confidence threshold; default 0.001 */
    float iou;          /* NMS IoU threshold; default 0.7 */
    int max_det;        /* boxes kept per image; default 300 */
    const char *split;  /* dataset split to read: "val" (default), "test" or "train" */
    /* Optional: called after each image with its predictions (NMS output, original-image
     * pixels, best first; borrowed for the call), e.g. to save them. Return 0 to go on. */
    int (*on_image)(void *user, const char *image, int width, int height, const gy_box *boxes,
                    int count);
    void *on_image_user;
} gy_val_params;

gy_val_params gy_val_default_params(void);

typedef struct gy_val_class {
    int id;
    const char *name;   /* the model's class name (borrowed, model lifetime) */
    int images;         /* images seen (as ultralytics prints it: every image, for every class) */
    int instances;      /* labels of this class */
    double p, r, map50, map50_95;
} gy_val_class;

typedef struct gy_val_speed {
    double preprocess;  /* per image, ms: decoding, resize, letterbox */
    double inference;   /* the forward pass */
    double postprocess; /* NMS and scaling back */
} gy_val_speed;

typedef struct gy_val_result {
    int images;                /* images validated, backgrounds included */
    long long instances;       /* labels */
    long long predictions;     /* boxes kept by NMS over all images */
    double p, r, map50, map50_95, fitness; /* means over the classes that have labels */
    int num_classes;           /* classes that have labels, ascending id */
    gy_val_class *classes;
    gy_val_speed speed_ms;
    int coco_ids;              /* the split is a COCO val2017.txt list: ultralytics' JSON output
                                  then maps the 80 class ids to COCO's 91 category ids */
} gy_val_result;

/* Called after each image: done of total, the image's path (borrowed for the call). Return 0 to
 * go on, non-zero to stop the run (gy_val then fails with GY_ERR_STATE). */
typedef int (*gy_val_progress_fn)(void *user, int done, int total, const char *image);

/* Validates the session's model on an ultralytics dataset YAML (`path`, `val`, `names`; `path`
 * relative to the YAML's folder) with YOLO label files (images/ -> labels/, .txt; an image
 * without a label file is a background). Reproduces ultralytics 8.0.126's validator with batch 1:
 * its input geometry (INTER_AREA when shrinking, a per-image rectangle with half a stride of
 * padding, long side imgsz + 32), multi-label NMS, matching at IoU 0.50:0.05:0.95, the 101-point
 * interpolated AP and P, R at the confidence of maximum mean F1.
 * A malformed YAML, label line or image is an error naming the file (and line).
 * params NULL means the defaults; progress may be NULL. *out is owned by the caller. */
gy_status gy_val(gy_session *session, const char *data_yaml, const gy_val_params *params,
                 gy_val_progress_fn progress, void *user, gy_val_result **out, gy_error *err);
void gy_val_result_free(gy_val_result *result);

/* ------------------------------------------------------------------------------------------------ */
/* int8 quantization (`ghostyolo quantize`)                                                         */

/* How the calibration images set each activation's uint8 range. */
typedef enum gy_quant_method {
    GY_QUANT_MINMAX = 0,     /* the observed minimum and maximum */
    GY_QUANT_PERCENTILE = 1, /* the percentile-th and (100 - percentile)-th percentiles */
    GY_QUANT_MSE = 2         /* the range with the least expected squared error (default) */
} gy_quant_method;

typedef struct gy_quantize_params {
    const char *data;          /* dataset YAML (ultralytics' format, as for gy_val); required */
    const char *split;         /* the calibration images: NULL = "train", or "val" when the
                                  dataset has no train split */
    int calib_images;          /* the split's first N images (sorted); default 128 */
    int imgsz;                 /* letterbox long side, as gy_detect; default 640 */
    gy_quant_method method;    /* default GY_QUANT_MSE */
    double percentile;         /* GY_QUANT_PERCENTILE; default 99.99 */
    int weight_bits;           /* 7 (default: [-63, 63], so CPUs without VNNI never split a
                                  weight pair; on coco128 as accurate as 8) or 8 */
    const char *const *keep_float; /* conv names kept in float32: a name also matches every conv
                                      below it ("model.22.cv2" is the whole box branch) */
    int num_keep_float;
    int auto_float;            /* the most sensitive convs (one conv quantized at a time, error
                                  of the Detect output on the sensitivity images) kept in float,
                                  at most this many; -1 = the default (0: every conv
                                  in int8, the fastest; README "int8" has the measured
                                  trade-off) */
    double float_budget;       /* ... and at most this fraction of the model's multiply-adds;
                                  default 0.05 */
    int sensitivity_images;    /* images for the sensitivity and the final report; default 16 */
    int bias_correction;       /* 1 (default): each int8 conv's bias absorbs the mean error its
                                  int8 weights cause (with the calibration images' input means) */
    int num_threads;           /* 0 = all cores */
    /* progress: phase ("calibrate", "histogram", "sensitivity", "check"), done of total */
    void (*progress)(void *user, const char *phase, int done, int total);
    /* one line of the report (choices, measured errors), borrowed for the call */
    void (*report)(void *user, const char *line);
    void *user;
} gy_quantize_params;

gy_quantize_params gy_quantize_default_params(void);

/* Post-training static quantization: loads the float model (config_path and weights_path as for
 * gy_model_load), calibrates the activations on the dataset's images pre-processed as gy_detect
 * does, quantizes the conv weights (BatchNorm folded) to int8 per output channel, keeps the
 * requested and the most sensitive convs in float32, and writes the int8 model file to out_path
 * (safetensors, through a temporary file). Any verb, and gy_model_load, loads that file like a
 * weights file. */
gy_status gy_quantize(const char *config_path, const char *weights_path,
                      const gy_quantize_params *params, const char *out_path, gy_error *err);

#ifdef __cplusplus
}
#endif
#endif /* GHOSTYOLO_H */
