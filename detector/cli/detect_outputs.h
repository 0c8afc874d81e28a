/* detect_outputs.h - what `ghostyolo detect` writes: the run folder (runs/detect/predict,
 * predict2, ... as ultralytics' increment_path), annotated images, YOLO label files, crops and the
 * COCO results file, each through a temporary name and rename. */
#ifndef GY_CLI_DETECT_OUTPUTS_H
#define GY_CLI_DETECT_OUTPUTS_H

#include <stddef.h>

#include "ghostyolo.h"
#include "postprocess/draw.h"

/* Makes the run folder: dir exactly when given (-o), else project/name, or, when that exists and
 * exist_ok is 0, project/name2, name3, ... (the first free one). Writes the folder to out.
 * Returns 0 or prints why not and returns EXIT_CANTCREAT. */
int out_make_run_dir(const char *dir, const char *project, const char *name, int exist_ok,
                     char *out, size_t size);
/* The same for another verb: its messages start "ghostyolo VERB: ". */
int out_make_run_dir_for(const char *verb, const char *dir, const char *project, const char *name,
                         int exist_ok, char *out, size_t size);

/* mkdir -p; 0 or -1 with errno. */
int out_make_dirs(const char *path);

/* Names already used in this run, so two inputs with one file name do not overwrite each other. */
typedef struct out_names {
    char **names;
    size_t count, cap;
} out_names;

/* The stem under which path's results are saved: its file stem, or stem_2, stem_3, ... when an
 * earlier image of the run had the same stem (then *renamed is 1). 0, or -1 out of memory. */
int out_unique_stem(out_names *used, const char *path, char *stem, size_t size, int *renamed);
void out_names_free(out_names *used);

/* labels/<stem>.txt: "cls cx cy w h[ conf]" normalised, %g as ultralytics; no file without boxes.
 * Returns 0 or an exit code (message printed). */
int out_save_labels(const char *run, const char *stem, const gy_image *img, const gy_detections *d,
                    int save_conf);
/* crops/<class name>/<stem>.jpg, <stem>2.jpg, ... of the unannotated image (ultralytics
 * save_one_box: box grown by 2 % + 10 px, truncated to integers, clipped). */
int out_save_crops(const char *run, const char *stem, const gy_image *img, const gy_detections *d,
                   const gy_model *model);
/* The annotated image, <stem>.jpg / .png / .bmp after the input's extension (.png for others). */
int out_save_annotated(const char *run, const char *stem, const char *path, gy_image *img,
                       const gy_detections *d, const gy_model *model, const gy_draw_options *opts);

/* COCO results (--save-json of detect and val, ultralytics' pred_to_json): collected per image
 * with the model's class ids, written once at the end. */
typedef struct out_coco out_coco;
int out_coco_add(out_coco **coco, const char *path, const gy_box *boxes, int count);
/* Writes <run>/predictions.json (an empty list when nothing was added); coco91_ids: class ids
 * 0..79 become COCO's 91 category ids. 0 or an exit code (message printed). */
int out_coco_write(out_coco *coco, const char *run, int coco91_ids);
void out_coco_free(out_coco *coco);

#endif
