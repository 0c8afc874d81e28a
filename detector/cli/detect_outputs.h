/* detect_outputs.h - what `ghostyolo detect` writes: the run folder (runs/detect/predict,
 * predict2, ... as ultralytics' increment_path), annotated images, YOLO label files, crops and the
 * COCO results file, each through a temporary name and rename. */
#ifndef GY_CLI_DETECT_OUTPUTS_H
#define GY_CLI_DETECT_OUTPUTS_H

#include <stddef.h>

#include "ghostyolo.h"

/* Makes the run folder: dir exactly when given (-o), else project/name, or, when that exists and
 * exist_ok is 0, project/name2, name3, ... (the first free one). Writes the folder to out, and to
 * top the first folder this call made on the way (runs, runs/detect or the run folder itself;
 * "" when every one was there). Returns 0 or prints why not (a file where the folder should be is
 * said as such) and returns EXIT_CANTCREAT. */
int out_claim_run_dir(const char *dir, const char *project, const char *name, int exist_ok,
                      char *out, size_t size, char *top, size_t top_size);
/* The same without top. */
int out_make_run_dir(const char *dir, const char *project, const char *name, int exist_ok,
                     char *out, size_t size);
/* Removes what out_claim_run_dir made, from run up to top, each folder only if empty (a run that
 * saved nothing leaves nothing). */
void out_drop_run_dir(const char *run, const char *top);

/* mkdir -p; 0 or -1 with errno (ENOTDIR when a file has the folder's name). */
int out_make_dirs(const char *path);

/* Names already used in this run, so two inputs with one file stem do not overwrite each other. */
typedef struct out_names {
    char **names; /* the stems used */
    char **exts;  /* the extension of the image each was used for */
    size_t count, cap;
} out_names;

/* The stem under which path's results are saved: its file stem; when an earlier source of the run
 * had that stem (then *renamed is 1), the stem with the source's own extension if the earlier one
 * had another (bus.mp4 after bus.png: bus_mp4), then numbered (bus_mp4_2; x_2 for a second
 * x.jpg). 0, or -1 out of memory. */
int out_unique_stem(out_names *used, const char *path, char *stem, size_t size, int *renamed);
/* The same for a name that is no file path: base, and ext ("" for none) to tell it apart. */
int out_unique_name(out_names *used, const char *base, const char *ext, char *stem, size_t size,
                    int *renamed);
void out_names_free(out_names *used);

/* labels/<stem>.txt: "cls cx cy w h[ conf]" normalised, %g as ultralytics; no file without boxes.
 * Returns 0 or an exit code (message printed). */
int out_save_labels(const char *run, const char *stem, const gy_image *img, const gy_detections *d,
                    int save_conf);
/* Where each class's crops/<class>/<stem>N.jpg series stands (by class id): the stem last saved
 * and the next number to try, so the thousands of crops of a video are numbered on without
 * trying every earlier name again. Zero-initialised; out_crops_free. */
typedef struct out_crops {
    int count;    /* classes with room below */
    char **stem;  /* the stem of each class's last crop, or NULL */
    long *next;   /* the number its next crop tries first */
} out_crops;
void out_crops_free(out_crops *c);

/* crops/<class name>/<stem>.jpg, <stem>2.jpg, ... of the unannotated image (ultralytics
 * save_one_box: box grown by 2 % + 10 px, truncated to integers, clipped; the file name
 * increment_path gives: the first free one). series: NULL, or where the series stand. */
int out_save_crops(const char *run, const char *stem, const gy_image *img, const gy_detections *d,
                   const gy_model *model, out_crops *series);
/* The annotated image, <stem>.jpg / .png / .bmp after the input's extension (.png for others). */
int out_save_annotated(const char *run, const char *stem, const char *path, const gy_image *img);

/* COCO results (--save-json of detect and val, ultralytics' pred_to_json): collected per image
 * with the model's class ids, written once at the end. */
typedef struct out_coco out_coco;
int out_coco_add(out_coco **coco, const char *path, const gy_box *boxes, int count);
/* The same with the image_id given: id (a number when it is one, else the text). */
int out_coco_add_id(out_coco **coco, const char *id, const gy_box *boxes, int count);
/* Writes <run>/predictions.json (an empty list when nothing was added); coco91_ids: class ids
 * 0..79 become COCO's 91 category ids. 0 or an exit code (message printed). */
int out_coco_write(out_coco *coco, const char *run, int coco91_ids);
void out_coco_free(out_coco *coco);

#endif
