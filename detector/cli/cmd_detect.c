/* ghostyolo detect: sources in (image files, video files, streams, folders, patterns, lists,
 * stdin: see sources.h), each handed to its reader (detect_image.c, detect_video.c,
 * detect_stream.c) with a progress line per picture on stderr as ultralytics prints it;
 * annotated copies and videos, label files, crops and COCO results in a run folder (see
 * detect_outputs.h); with --json one JSON object per picture on stdout. A bad source is reported
 * with its path and the reason, the run goes on, and the exit code is 65. Ctrl-C stops the run
 * cleanly (files finished, exit 130). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "detector/cli/cli.h"
#include "detector/cli/detect_run.h"
#include "detector/cli/sources.h"

/* "640" or "480,640"; each rounded up to a multiple of stride with a warning (check_imgsz). */
static int parse_imgsz(const cli_verb *verb, const char *text, int stride, int quiet,
                       gy_detect_params *dp)
{
    long v[2];
    int n = 0;
    const char *p = text;
    char *end;
    while (n < 2) {
        errno = 0;
        v[n] = strtol(p, &end, 10);
        if (errno || end == p || v[n] < 1 || v[n] > GY_IMGSZ_MAX)
            break;
        n++;
        if (*end != ',')
            break;
        p = end + 1;
    }
    if (n == 0 || *end != '\0' || (n == 2 && end == p)) {
        cli_bad_value(verb, "--imgsz", text,
                      "must be a size from 1 to 8192, or HEIGHT,WIDTH with each from 1 to 8192");
        return EXIT_USAGE;
    }
    long r[2];
    for (int i = 0; i < n; i++)
        r[i] = (v[i] + stride - 1) / stride * stride;
    if ((r[0] != v[0] || (n == 2 && r[1] != v[1])) && !quiet) {
        if (n == 1)
            fprintf(stderr, "ghostyolo detect: warning: --imgsz %ld must be a multiple of the "
                            "model's stride %d, updating to %ld\n", v[0], stride, r[0]);
        else
            fprintf(stderr, "ghostyolo detect: warning: --imgsz %ld,%ld must be a multiple of the "
                            "model's stride %d, updating to %ld,%ld\n", v[0], v[1], stride, r[0], r[1]);
    }
    if (n == 1) {
        dp->imgsz = (int)r[0];
    } else {
        dp->imgsz = (int)(r[0] > r[1] ? r[0] : r[1]);
        dp->imgsz_h = (int)r[0];
        dp->imgsz_w = (int)r[1];
    }
    return 0;
}

/* "0,2,5": class ids of the model. *ids is allocated. */
static int parse_classes(const cli_verb *verb, const char *text, int nc, int **ids, int *count)
{
    *ids = NULL;
    *count = 0;
    size_t cap = strlen(text) / 2 + 1;
    int *out = malloc(sizeof *out * cap);
    if (!out)
        return EXIT_SOFTWARE;
    const char *p = text;
    int n = 0;
    for (;;) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (errno || end == p || v < 0 || v >= nc || (*end != ',' && *end != '\0')) {
            char why[160];
            snprintf(why, sizeof why, "must be class ids separated by commas, each from 0 to %d "
                                      "(the model has %d classes)", nc - 1, nc);
            cli_bad_value(verb, "--classes", text, why);
            free(out);
            return EXIT_USAGE;
        }
        out[n++] = (int)v;
        if (*end == '\0')
            break;
        p = end + 1;
    }
    *ids = out;
    *count = n;
    return 0;
}

/* One source: its reader. 0, 65 for a bad source (said), or a fatal exit code. */
static int read_source(run_state *r, const cli_source_item *it, int index, int total)
{
    if (it->error) {
        detect_report_bad(r, cli_source_word(it->kind), index, total, it->path, it->error);
        return EXIT_DATAERR;
    }
    switch (it->kind) {
    case CLI_SOURCE_VIDEO:
        return detect_video(r, it->path, index, total);
    case CLI_SOURCE_STREAM:
        return detect_streams(r, &it->path, 1, it->path, index, total);
    case CLI_SOURCE_STREAM_LIST: {
        gy_stream_list *list = NULL;
        gy_error err;
        gy_status st = gy_stream_list_load(it->path, &list, &err);
        if (st != GY_OK) {
            detect_report_bad(r, "stream", index, total, it->path,
                              detect_reason(it->path, err.message));
            return st == GY_ERR_NOMEM ? EXIT_SOFTWARE : EXIT_DATAERR;
        }
        int rc = detect_streams(r, (const char *const *)list->sources, list->count, it->path,
                                index, total);
        gy_stream_list_free(list);
        return rc;
    }
    default:
        return detect_image(r, it->path, index, total);
    }
}

static const char detect_about[] =
    "Finds objects in images, videos and streams, as ultralytics' predict does, and writes the\n"
    "results to a run folder (runs/detect/predict, then predict2, ...; see --project, --name, -o).\n"
    "SOURCE is an image file; a video file (asf avi gif m4v mkv mov mp4 mpeg mpg ts wmv webm,\n"
    "also an http(s):// URL of one); a stream URL (rtsp:// rtmp:// http(s):// udp:// tcp://) or a\n"
    ".streams file of them (read together); a folder (its images, then its videos, sorted by name;\n"
    "subfolders are passed over, counted in one line); a glob pattern such as 'images/*.jpg'; a\n"
    ".txt file listing one path per line (relative to the list's folder); or - to read paths from\n"
    "standard input as they come. Per picture a line on stderr (image 3/128 path: 480x640 4\n"
    "persons, 41.2ms; video 1/2 (13/300) path: ...; 0: 480x640 ... for a stream), then the speed\n"
    "per image and the run folder. A video is saved annotated as NAME.avi (MJPG) at its integer\n"
    "fps, its labels as labels/NAME_FRAME.txt. A bad source is reported and skipped; the exit\n"
    "code is then 65. Ctrl-C stops cleanly (the video files finished; exit 130). A run that saves\n"
    "nothing leaves no run folder. Two sources with one file stem are saved as NAME and NAME_2,\n"
    "or NAME_mp4 for a NAME.mp4 after a NAME.png (said on stderr). As with ultralytics' yolo CLI,\n"
    "options may be given as key=value (model=yolov8n.pt source=bus.jpg conf=0.5 vid_stride=2),\n"
    "and 'ghostyolo predict' is this verb.";

int cmd_detect(int argc, char **argv)
{
    detect_opts o;
    memset(&o, 0, sizeof o);
    o.imgsz = "640";
    static const char default_project[] = "runs/detect", default_name[] = "predict";
    o.project = default_project;
    o.name = default_name;
    o.vid_stride = 1;
    o.video_codec = "mjpg";
    o.dp = gy_detect_default_params();
    cli_list sources = {0};
    const cli_opt opts[] = {
        {"-w", "--weights", CLI_STRING, &o.weights, "WEIGHTS",
         "the model's weights (.pt checkpoint or .safetensors)", 0, 0},
        {"-m", "--model", CLI_STRING, &o.config, "CONFIG",
         "model YAML (default: the one stored in the weights); a bare name such as yolov8n.yaml "
         "is also looked for among the shipped configs", 0, 0},
        {NULL, "--imgsz", CLI_STRING, &o.imgsz, "SIZE",
         "input size: the long side, or HEIGHT,WIDTH; rounded up to the stride", 0, 0},
        {NULL, "--conf", CLI_FLOAT, &o.dp.conf, "X", "confidence threshold", 0, 1},
        {NULL, "--iou", CLI_FLOAT, &o.dp.iou, "X", "NMS IoU threshold", 0, 1},
        {NULL, "--max-det", CLI_INT, &o.dp.max_det, "N", "most boxes per image", 1, 100000},
        {NULL, "--classes", CLI_STRING, &o.classes, "IDS",
         "keep only these class ids, e.g. 0,2 (default all)", 0, 0},
        {NULL, "--agnostic", CLI_FLAG, &o.agnostic, NULL, "class-agnostic NMS", 0, 0},
        {NULL, "--square", CLI_FLAG, &o.square, NULL,
         "letterbox to a square SIZE x SIZE instead of the smallest stride rectangle", 0, 0},
        {"-t", "--threads", CLI_INT, &o.threads, "N", "threads (0 = all cores)", 0, 1024},
        {NULL, "--vid-stride", CLI_INT, &o.vid_stride, "N",
         "videos and streams: every N-th frame (ultralytics' vid_stride)", 1, 1000000},
        {NULL, "--video-codec", CLI_STRING, &o.video_codec, "CODEC",
         "the annotated videos: mjpg (.avi, as ultralytics writes them on Linux) or h264 (.mp4)",
         0, 0},
        {NULL, "--save-txt", CLI_FLAG, &o.save_txt, NULL,
         "YOLO label files labels/NAME.txt: class cx cy w h, normalised (none without boxes)", 0, 0},
        {NULL, "--save-conf", CLI_FLAG, &o.save_conf, NULL,
         "with --save-txt: the confidence as a sixth column", 0, 0},
        {NULL, "--save-crop", CLI_FLAG, &o.save_crop, NULL,
         "each box cut out to crops/CLASS/NAME.jpg", 0, 0},
        {NULL, "--save-json", CLI_FLAG, &o.save_json, NULL,
         "COCO results predictions.json (image_id, category_id, bbox x,y,w,h, score; COCO's 91 "
         "ids when the model has 80 classes)", 0, 0},
        {NULL, "--no-save", CLI_FLAG, &o.no_save, NULL, "no annotated images or videos", 0, 0},
        {NULL, "--line-width", CLI_INT, &o.line_width, "N",
         "box line width in pixels; the label font follows (0 = scaled to the image)", 0, 1000},
        {NULL, "--hide-labels", CLI_FLAG, &o.hide_labels, NULL, "draw boxes without labels", 0, 0},
        {NULL, "--hide-conf", CLI_FLAG, &o.hide_conf, NULL, "labels without the score", 0, 0},
        {NULL, "--json", CLI_FLAG, &o.json, NULL,
         "one JSON object per image or frame (with \"frame\") on stdout", 0, 0},
        {NULL, "--project", CLI_STRING, &o.project, "DIR", "folder of the run folders", 0, 0},
        {NULL, "--name", CLI_STRING, &o.name, "NAME", "run folder name, numbered when it exists", 0, 0},
        {NULL, "--exist-ok", CLI_FLAG, &o.exist_ok, NULL,
         "reuse PROJECT/NAME instead of numbering a new one", 0, 0},
        {"-o", "--output", CLI_STRING, &o.dir, "DIR",
         "write into exactly this folder (instead of PROJECT/NAME)", 0, 0},
        {"-q", "--quiet", CLI_FLAG, &o.quiet, NULL, "no progress lines or summary", 0, 0},
    };
    const cli_verb verb = {"detect", "-w WEIGHTS [options] SOURCE...", detect_about, opts,
                           (int)(sizeof opts / sizeof opts[0])};
    int rc = cli_parse(&verb, argc, argv, &sources);
    if (rc) {
        free(sources.items);
        return rc == CLI_HELP ? EXIT_OK : rc;
    }
    if (!o.weights || sources.count == 0) {
        fprintf(stderr, "ghostyolo detect: needs -w WEIGHTS and at least one SOURCE "
                        "(see 'ghostyolo detect --help')\n");
        free(sources.items);
        return EXIT_USAGE;
    }
    /* contradictory or incomplete options */
    const char *clash = NULL;
    if (o.dir && o.project != default_project)
        clash = "-o/--output and --project are alternatives: give one";
    else if (o.dir && o.name != default_name)
        clash = "-o/--output and --name are alternatives: give one";
    else if (o.dir && o.exist_ok)
        clash = "--exist-ok applies to PROJECT/NAME run folders, not to -o/--output";
    else if (o.save_conf && !o.save_txt)
        clash = "--save-conf needs --save-txt (it adds a column to the label files)";
    if (clash) {
        fprintf(stderr, "ghostyolo detect: %s\n", clash);
        free(sources.items);
        return EXIT_USAGE;
    }
    if (!o.name[0] || strchr(o.name, '/')) {
        cli_bad_value(&verb, "--name", o.name, "must be a folder name without '/'");
        free(sources.items);
        return EXIT_USAGE;
    }
    if (strcasecmp(o.video_codec, "mjpg") != 0 && strcasecmp(o.video_codec, "h264") != 0) {
        cli_bad_value(&verb, "--video-codec", o.video_codec, "must be mjpg or h264");
        free(sources.items);
        return EXIT_USAGE;
    }
    o.h264 = strcasecmp(o.video_codec, "h264") == 0;
    cli_passive_wait(o.threads); /* OMP_WAIT_POLICY=passive: the process may start again here */
    o.dp.square = o.square;
    o.dp.agnostic = o.agnostic;

    run_state r;
    memset(&r, 0, sizeof r);
    r.o = &o;
    gy_model_params mp = gy_model_default_params();
    mp.log = cli_log;
    gy_session_params sp = gy_session_default_params();
    sp.num_threads = o.threads;
    gy_error err;
    gy_status st;
    char cfgbuf[CLI_PATH_MAX];
    const char *config = o.config ? cli_find_config(o.config, cfgbuf, sizeof cfgbuf) : NULL;
    if ((st = gy_model_load(config, o.weights, &mp, &r.model, &err)) != GY_OK ||
        (st = gy_session_create(r.model, &sp, &r.sess, &err)) != GY_OK) {
        cli_error(&err);
        gy_model_free(r.model);
        free(sources.items);
        return cli_exit_for(st);
    }
    gy_model_info info;
    gy_model_get_info(r.model, &info);
    r.nc = info.nc;
    int stride = 32;
    for (int i = 0; i < info.num_strides; i++)
        stride = info.strides[i] > stride ? info.strides[i] : stride;
    int *class_ids = NULL;
    rc = parse_imgsz(&verb, o.imgsz, stride, o.quiet, &o.dp);
    if (!rc && o.classes) {
        rc = parse_classes(&verb, o.classes, r.nc, &class_ids, &o.dp.num_classes);
        o.dp.classes = class_ids;
    }
    r.saving = !o.no_save || o.save_txt || o.save_crop || o.save_json;
    cli_sources *src = NULL;
    if (!rc && (rc = cli_sources_open((const char *const *)sources.items, sources.count, stdin,
                                      &src)) != 0)
        cli_say("out of memory listing the sources");
    int total = src ? cli_sources_total(src) : 0;
    cli_source_item it;
    int index = 0, fatal = 0, got = 0;
    /* Ctrl-C from here on ends the run after the picture it is on, with its files finished */
    cli_interrupt_install();
    /* the first source is resolved before the run folder is made: no sources, no folder */
    if (!rc)
        got = cli_sources_next(src, &it);
    if (!rc && got == 0) {
        const char *first;
        int dirs = cli_sources_skipped_dirs(src, &first);
        if (dirs)
            cli_say("no images or videos in the sources given (%d folder%s passed over, e.g. %s: "
                    "folders inside a source folder are not searched)", dirs, dirs == 1 ? "" : "s",
                    first);
        else
            cli_say("no images or videos in the sources given");
        rc = EXIT_NOINPUT;
    }
    if (!rc && got == 1 && r.saving)
        rc = out_claim_run_dir(o.dir, o.project, o.name, o.exist_ok, r.run, sizeof r.run,
                               r.run_top, sizeof r.run_top);
    for (; !rc && !fatal && got == 1 && !cli_interrupted();
         got = fatal || cli_interrupted() ? 0 : cli_sources_next(src, &it)) {
        int r1 = read_source(&r, &it, ++index, total);
        if (r1 == EXIT_DATAERR)
            r.failed++;
        else if (r1)
            fatal = r1;
    }
    if (!rc && !fatal && got < 0) {
        cli_say("out of memory listing the sources");
        fatal = EXIT_SOFTWARE;
    }
    int stopped = cli_interrupted();
    if (!rc && stopped)
        cli_say("interrupted (%s): stopped after %d picture%s; what was saved is complete",
                stopped == SIGINT ? "Ctrl-C" : "SIGTERM", r.seen, r.seen == 1 ? "" : "s");
    if (!rc && !fatal && r.saving && o.save_json && r.seen) {
        fatal = out_coco_write(r.coco, r.run, r.nc == 80);
        r.wrote += !fatal;
    }
    /* a run that saved nothing (every input failed, or nothing to save) leaves no folder */
    if (index > 0 && r.saving && !r.wrote)
        out_drop_run_dir(r.run, r.run_top); /* only empty folders: whatever else is there stays */
    if (!rc && !o.quiet) {
        const char *first;
        int dirs = src ? cli_sources_skipped_dirs(src, &first) : 0;
        if (dirs)
            fprintf(stderr, "%d folder%s inside the source folders passed over (not searched), e.g. "
                            "%s\n", dirs, dirs == 1 ? "" : "s", first);
        if (r.seen)
            fprintf(stderr, "Speed: %.1fms preprocess, %.1fms inference, %.1fms postprocess per "
                            "image at shape (1, 3, %d, %d)\n", r.pre_ms / r.seen, r.inf_ms / r.seen,
                    r.post_ms / r.seen, r.last_h, r.last_w);
        if (r.saving && r.wrote) {
            fprintf(stderr, "Results saved to %s\n", r.run);
            if (o.save_txt)
                fprintf(stderr, "%d label%s saved to %s/labels\n", r.labels,
                        r.labels == 1 ? "" : "s", r.run);
        } else if (r.saving && r.seen) {
            fprintf(stderr, "Nothing to save: no boxes found\n");
        }
    }
    cli_interrupt_restore();
    if (!rc && stopped)
        rc = fatal ? fatal : EXIT_INTERRUPTED + stopped;
    if (!rc)
        rc = fatal ? fatal : r.failed ? EXIT_DATAERR : EXIT_OK;
    cli_sources_free(src);
    out_coco_free(r.coco);
    out_crops_free(&r.crops);
    out_names_free(&r.used);
    free(class_ids);
    gy_session_free(r.sess);
    gy_model_free(r.model);
    free(sources.items);
    return rc;
}
