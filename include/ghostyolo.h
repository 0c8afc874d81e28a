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

/* Plans and allocates memory for inputs of height x width (1 .. 16384 each): any size whose
 * feature maps agree through the network (every multiple of the largest stride does; stride-2
 * convs and pools round up, as in PyTorch); another size is refused with GY_ERR_ARGUMENT naming
 * the first row whose inputs disagree ("row 11 (Concat): inputs 3x4 and 4x4"). gy_forward calls
 * it itself when the size changes; call it ahead to keep allocation out of the timed path. */
gy_status gy_session_reserve(gy_session *session, int height, int width, gy_error *err);

/* The raw Detect output of the last forward: (1, channels = 4 + nc, anchors), row-major, i.e.
 * data[c * anchors + a]; boxes are xywh in input pixels followed by class sigmoids.
 * data is owned by the session and valid until its next forward, reserve or free. */
typedef struct gy_output {
    const float *data;
    int channels;
    int anchors;
} gy_output;

/* Runs the network on a float32 NCHW tensor (1, 3, height, width), RGB in [0,1], at any size
 * gy_session_reserve accepts; Detect decodes with the model's strides (info.strides). Allocates
 * nothing once reserved. */
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
/* Annotated images (ultralytics' Results.plot() and cv2.imwrite)                                   */

/* Widest box outline gy_annotate accepts, in pixels. */
#define GY_ANNOTATE_LINE_MAX 1000

typedef struct gy_annotate_params {
    int line_width; /* outline width in pixels, 1 .. GY_ANNOTATE_LINE_MAX; 0 (default): ultralytics'
                       max(round((height + width + 3) / 2 * 0.003), 2); the label text follows it */
    int labels;     /* 1 (default): a label on each box; 0: outlines only (plot(labels=False)) */
    int conf;       /* 1 (default): "name score" labels ("bus 0.87"); 0: the name only */
} gy_annotate_params;

gy_annotate_params gy_annotate_default_params(void);

/* Draws dets' boxes into image, in place, as ultralytics 8.0.126's Results.plot() draws them with
 * its defaults: the class colours of its palette, outlines of line_width centred on the box edges,
 * each label on a box-coloured band above the box (inside it when there is no room above), the
 * best box drawn last so it ends on top. names[id] labels class id (num_names entries; with a
 * model: gy_model_class_name(model, id) for id < nc); NULL names, an id outside the array or a
 * NULL entry is labelled with the id. The text is an 8-pixel bitmap font (printable ASCII; other
 * bytes show as '?') magnified to about cv2's text height. image is RGB (swap the channels of a
 * BGR buffer around the call); dets may be filled by the caller (count, boxes). Everything is
 * clipped to the image. params NULL means gy_annotate_default_params(). */
gy_status gy_annotate(gy_image *image, const gy_detections *dets, const char *const *names,
                      int num_names, const gy_annotate_params *params, gy_error *err);

/* Writes image (RGB) to path in the format its extension names, as cv2.imwrite picks it: .jpg,
 * .jpeg and .jpe (baseline JPEG, quality 95 as cv2's default), .png, .bmp (any letter case);
 * another extension is GY_ERR_UNSUPPORTED. The file is written under a temporary name and renamed into
 * place, so a failed call leaves no partial file (an existing path is replaced). */
gy_status gy_image_save(const gy_image *image, const char *path, gy_error *err);

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
    /* Optional diagnostics, as ultralytics logs them: the dataset scan (GY_LOG_INFO, "Scanning
     * LABELS... N images, M backgrounds, K corrupt") and a GY_LOG_WARNING per image dropped as
     * corrupt ("IMAGE: ignoring corrupt image/label: WHY") or with duplicate labels removed. */
    gy_log_fn log;
    void *log_user;
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
    int label_files;           /* the dataset scan: label files found (corrupt ones included), */
    int backgrounds;           /*   images without labels (no label file, or an empty one), */
    int corrupt;               /*   images dropped as corrupt: labels, or an image that cannot
                                    be decoded or is under 10 pixels on a side (not validated) */
    int nc;                    /* the model's class count */
    /* ultralytics' ConfusionMatrix(conf=0.25, iou_thres=0.45).matrix over the run: (nc + 1) x
     * (nc + 1) counts, row-major; row = predicted class, then background (labels no prediction
     * matched); column = true class, then background (predictions that matched no label). */
    double *confusion_matrix;
    struct gy_val_plots *plots; /* what gy_val_save_plots draws (internal) */
} gy_val_result;

/* Called after each image: done of total, the image's path (borrowed for the call). Return 0 to
 * go on, non-zero to stop the run (gy_val then fails with GY_ERR_STATE). */
typedef int (*gy_val_progress_fn)(void *user, int done, int total, const char *image);

/* Validates the session's model on an ultralytics dataset YAML (`path`, `val`, `names`; `path`
 * relative to the YAML's folder) with YOLO label files (images/ -> labels/, .txt; an image
 * without a label file is a background). Reproduces ultralytics 8.0.126's validator with batch 1:
 * its dataset scan (an image whose label file is corrupt is dropped with a warning and counted,
 * as verify_image_label does; duplicate labels are removed), its input geometry (INTER_AREA when
 * shrinking, a per-image rectangle with half a stride of padding, long side imgsz + 32),
 * multi-label NMS, matching at IoU 0.50:0.05:0.95, the 101-point interpolated AP, P and R at the
 * confidence of maximum mean F1, and its confusion matrix.
 * Errors: a malformed dataset YAML; no labels at all (GY_ERR_FORMAT "no labels found ... can not
 * compute metrics without labels", before any image is run: ultralytics' dataset refuses it).
 * params NULL means the defaults; progress may be NULL. *out is owned by the caller; it borrows
 * the model's class names (keep the model until the result is freed). */
gy_status gy_val(gy_session *session, const char *data_yaml, const gy_val_params *params,
                 gy_val_progress_fn progress, void *user, gy_val_result **out, gy_error *err);
void gy_val_result_free(gy_val_result *result);

/* ------------------------------------------------------------------------------------------------ */
/* Video files and streams (FFmpeg's libraries)                                                     */
/*                                                                                                  */
/*     gy_video *v;                                                                                 */
/*     if (gy_video_open("clip.mp4", NULL, &v, &err) != GY_OK) ...   (or "rtsp://host/cam")          */
/*     gy_video_info vi;  gy_video_get_info(v, &vi);        (size, fps, frame count as cv2 gives)    */
/*     gy_video_frame f;                                                                            */
/*     for (;;) {                                                                                   */
/*         gy_status st = gy_video_next(v, &f, &err);                                               */
/*         if (st != GY_OK) { report err.message; if (st == GY_ERR_FORMAT) continue; else break; }  */
/*         if (!f.image.data) break;                          (the end)                             */
/*         gy_detect(sess, &f.image, &dp, &dets, &err); ...                                         */
/*     }                                                                                            */
/*     gy_video_free(v);                                                                            */
/*                                                                                                  */
/* Frames are what ultralytics 8.0.126 gets from cv2.VideoCapture (OpenCV's FFmpeg backend): each   */
/* decoded picture converted by swscale exactly as OpenCV converts it (to BGR24 with SWS_BICUBIC,   */
/* at the decoder's coded size, then cropped), turned by the stream's display matrix in multiples   */
/* of 90 degrees as FFmpeg and OpenCV >= 4.7 turn it (OpenCV 4.6 turns 90 degrees the wrong way),   */
/* and handed out as gy_image's RGB (the same bytes, channels swapped). Nothing is printed: FFmpeg's */
/* own messages about a video go to its params' log callback (other FFmpeg users of the process     */
/* keep FFmpeg's default logging).                                                                  */

/* ultralytics' VID_FORMATS: the file extensions read as videos (GIF included: every frame). */
#define GY_VIDEO_FORMATS "asf avi gif m4v mkv mov mp4 mpeg mpg ts wmv webm"

typedef struct gy_video gy_video;

typedef enum gy_video_mode {
    GY_VIDEO_AUTO = 0,  /* rtsp:// rtmp:// http:// https:// udp:// tcp:// URLs are streams, the rest
                           files; but an http(s):// URL whose path ends with a video extension
                           (GY_VIDEO_FORMATS) is a file on a web server, as ultralytics (which
                           downloads it) reads it */
    GY_VIDEO_FILE = 1,  /* every frame in order, decoded ahead on a reader thread (LoadImages);
                           a path, or an http(s):// URL read in order over HTTP (not saved; a
                           server that cannot seek needs a file that does not ask to: MP4 with
                           its index first, WebM, MKV, AVI, MPEG-TS); timeout_ms bounds each
                           network wait */
    GY_VIDEO_STREAM = 2 /* the newest frame only (LoadStreams): a reader thread decodes all the
                           time and keeps the latest, so a slow caller never falls behind; a lost
                           connection is reopened up to `reconnects` times */
} gy_video_mode;

typedef struct gy_video_params {
    gy_video_mode mode;  /* default GY_VIDEO_AUTO */
    int vid_stride;      /* keep frames vid_stride, 2 vid_stride, ... (1-based), as ultralytics'
                            vid_stride grabs that many frames and retrieves the last; default 1 */
    int queue;           /* files: frames decoded ahead by the reader thread, 1 to 64; 0 = no
                            thread, gy_video_next decodes on the caller's thread; default 2 */
    int decode_threads;  /* FFmpeg's own decoding threads; 0 = FFmpeg's choice (all cores, as
                            OpenCV); default 1 (the reader thread already overlaps decoding with
                            the caller's work) */
    int reconnects;      /* streams: reopenings after a lost connection before giving up; default 3 */
    int timeout_ms;      /* streams and web files: the longest wait to connect or for data;
                            default 30000 (as OpenCV); files on disk: unused */
    /* Optional: polled while waiting (about every 50 ms) and by FFmpeg's blocking calls; return
     * non-zero to stop: the pending gy_video_open / gy_video_next fails with GY_ERR_STATE
     * ("interrupted"). E.g. a function reading a flag a SIGINT handler sets. */
    int (*interrupt)(void *user);
    void *interrupt_user;
    /* Optional warnings and FFmpeg's messages (frames that could not be decoded, reconnections),
     * called from the reader thread (or FFmpeg's decoding threads); the message names the source. */
    gy_log_fn log;
    void *log_user;
} gy_video_params;

gy_video_params gy_video_default_params(void);

typedef struct gy_video_info {
    int width, height;     /* a frame's size as delivered (turned): CAP_PROP_FRAME_WIDTH/HEIGHT */
    double fps;            /* CAP_PROP_FPS: FFmpeg's guess (av_guess_frame_rate); 0 unknown */
    long long frame_count; /* CAP_PROP_FRAME_COUNT: the container's count, else duration x fps
                              rounded; 0 when unknown (live streams) */
    int rotation;          /* degrees clockwise the frames are turned: 0, 90, 180 or 270 */
    int is_stream;         /* read as a stream (newest frame) */
    const char *format;    /* FFmpeg's demuxer ("mov,mp4,m4a,3gp,3g2,mj2", "avi", ...) */
    const char *codec;     /* the decoder ("h264", "vp9", ...) */
} gy_video_info;

/* Opens a video file or a stream. source: a path, or a URL (see gy_video_mode). A stream is
 * connected and its first frame read before this returns (ultralytics fails the same way when it
 * cannot). Files are probed by content among ultralytics' formats only (GY_VIDEO_FORMATS: the
 * asf, avi, gif, matroska/webm, mov/mp4, mpeg, mpegts and raw MPEG video demuxers), through the
 * local file protocol only. A frame size over GY_IMAGE_MAX_PIXELS is refused before any frame
 * is allocated. A webcam index ("0") is refused (GY_ERR_UNSUPPORTED: no capture devices here).
 * params NULL = the defaults. *out is freed with gy_video_free. Errors name the source. */
gy_status gy_video_open(const char *source, const gy_video_params *params, gy_video **out,
                        gy_error *err);
/* Borrowed strings, valid until gy_video_free. */
gy_status gy_video_get_info(const gy_video *video, gy_video_info *info);

typedef struct gy_video_frame {
    gy_image image;      /* RGB; data belongs to the video and stays valid until the next
                            gy_video_next or gy_video_free (the caller may draw on it meanwhile);
                            data NULL = the end */
    long long index;     /* 1-based number of the frame in the source, before vid_stride
                            (streams: frames decoded since the start, reconnections included) */
    long long count;     /* frames handed out so far, this one included (ultralytics' frame) */
    double time_s;       /* presentation time in seconds from the stream's start; -1 unknown */
} gy_video_frame;

/* The next frame (files: the next kept frame, in order; streams: the newest frame not handed
 * out yet, waiting for one). Returns
 *   GY_OK, frame->image.data set:   a frame;
 *   GY_OK, frame->image.data NULL:  the end (every later call says so again);
 *   GY_ERR_FORMAT: a part of a file that could not be decoded, e.g. "clip.mp4: frame 14: cannot
 *     decode (Invalid data found when processing input)" or "clip.mp4: frames 38 to 60 of 60
 *     missing: the file ends early (truncated?)": the video stays usable, call again for the
 *     frames after it (frame->image.data is NULL);
 *   GY_ERR_IO: a stream lost for good (after `reconnects` reopenings), or a file that cannot be
 *     read on; GY_ERR_STATE: interrupted; GY_ERR_UNSUPPORTED: a frame over the pixel cap;
 *   GY_ERR_NOMEM. After an error other than GY_ERR_FORMAT the video is at its end. */
gy_status gy_video_next(gy_video *video, gy_video_frame *frame, gy_error *err);
/* Stops the reader thread (interrupting a blocked read) and frees everything. NULL is fine. */
void gy_video_free(gy_video *video);

/* ultralytics' `.streams` file: sources separated by white space (Python's str.split()), each
 * opened as a stream. At most GY_STREAM_LIST_MAX sources, files up to 1 MiB. */
#define GY_STREAM_LIST_MAX 1024
typedef struct gy_stream_list {
    int count;
    char **sources;
} gy_stream_list;
gy_status gy_stream_list_load(const char *path, gy_stream_list **out, gy_error *err);
void gy_stream_list_free(gy_stream_list *list);

/* Writing a video: what ultralytics 8.0.126 writes on Linux (cv2.VideoWriter, fourcc MJPG, .avi)
 * by default, or H.264 (libx264) for a .mp4 people can share. */
typedef struct gy_video_writer gy_video_writer;

typedef enum gy_video_codec {
    GY_VIDEO_CODEC_MJPG = 0, /* Motion JPEG in AVI, yuvj420p, OpenCV's bit rate in the header
                                (default); libjpeg-turbo's frames at quality 90 */
    GY_VIDEO_CODEC_H264 = 1  /* H.264 (libx264, CRF 23 as OpenCV sets it, preset superfast) in MP4,
                                yuv420p */
} gy_video_codec;

typedef struct gy_video_writer_params {
    gy_video_codec codec; /* default GY_VIDEO_CODEC_MJPG */
    double fps;           /* frames per second, > 0 and <= 1000; default 30 (ultralytics passes
                             int(the source's fps), and 30 for streams) */
    int queue;            /* frames queued for the encoder thread, 1 to 64; 0 = encode in
                             gy_video_writer_write on the caller's thread; default 2 */
} gy_video_writer_params;

gy_video_writer_params gy_video_writer_default_params(void);

/* Starts writing path (written to "<path>.tmp.<pid>" and renamed by gy_video_writer_close).
 * width x height: the frames' size; as cv2.VideoWriter, an odd side loses its last column / row
 * (the codecs' 4:2:0 needs even sides), so the file is (width & ~1) x (height & ~1), at least
 * 2 x 2. The container follows the codec (AVI for MJPG, MP4 for H.264), whatever the name's
 * extension. params NULL = the defaults. */
gy_status gy_video_writer_open(const char *path, int width, int height,
                               const gy_video_writer_params *params, gy_video_writer **out,
                               gy_error *err);
/* Queues one RGB frame of the size given at open (copied: the caller may reuse it at once).
 * An error of the encoder thread (e.g. a full disk) is returned here or by close, naming the
 * path and the frame. */
gy_status gy_video_writer_write(gy_video_writer *w, const gy_image *frame, gy_error *err);
/* Encodes what is queued, writes the trailer (so a run stopped early still leaves a file that
 * plays) and renames the temporary file to the path; frees the writer whatever happens (on
 * failure the temporary file is removed). */
gy_status gy_video_writer_close(gy_video_writer *w, gy_error *err);
/* Abandons a writer that was not closed: stops its thread and removes the temporary file. */
void gy_video_writer_free(gy_video_writer *w);
/* Writes ultralytics' validation plots of a result into dir (an existing folder), each PNG
 * through a temporary name: PR_curve.png, F1_curve.png, P_curve.png and R_curve.png (only when
 * some prediction was a true positive, as ultralytics computes curves only then),
 * confusion_matrix_normalized.png and confusion_matrix.png (up to 1000 classes). */
gy_status gy_val_save_plots(const gy_val_result *result, const char *dir, gy_error *err);
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
