/* dataset.h - ultralytics detection datasets: the dataset YAML (path, val, names), the image list
 * of a split and the YOLO label files (cls cx cy w h, normalised). */
#ifndef GY_DETECTOR_DATASET_H
#define GY_DETECTOR_DATASET_H

#include <stddef.h>

#include "ghostyolo.h"

/* Limits (README "Limits"; each can be changed at build time with -DNAME=value). */
#ifndef GY_DATASET_MAX_NC
#define GY_DATASET_MAX_NC 10000
#endif
#ifndef GY_DATASET_MAX_IMAGES
#define GY_DATASET_MAX_IMAGES 10000000
#endif
#ifndef GY_LABELS_MAX_BYTES
#define GY_LABELS_MAX_BYTES ((size_t)16 << 20)
#endif
#ifndef GY_LABELS_MAX_BOXES
#define GY_LABELS_MAX_BOXES 100000 /* label lines (objects) in one file */
#endif

typedef struct gy_dataset {
    char *yaml_path;
    char *root;      /* `path`, resolved (absolute, symlinks resolved) */
    int nc;
    char **names;    /* nc class names */
    int nimages;
    char **images;   /* the split's images, sorted by path as ultralytics sorts them */
    int coco;        /* the split is one path containing "coco" and ending in "/val2017.txt"
                        (ultralytics' is_coco: its JSON output uses COCO's 91 category ids) */
} gy_dataset;

/* Reads a dataset YAML and lists the images of `split` ("val", "train" or "test").
 *   path:  dataset root; relative to the YAML's folder (default: that folder).
 *   split: a folder (its images, recursively, hidden entries skipped), a .txt list of image paths
 *          (one per line, relative ones relative to the list's folder), or a list of those.
 *   names: a list, or a mapping id -> name with ids 0..n-1; or `nc` alone (class_0 ...).
 * Images are the files whose extension is one of ultralytics' IMG_FORMATS, sorted by path. */
gy_status gy_dataset_load(const char *yaml_path, const char *split, gy_dataset **out, gy_error *err);
void gy_dataset_free(gy_dataset *ds);

/* ultralytics img2label_paths: the last "/images/" becomes "/labels/", the extension ".txt".
 * Returns a new string (NULL when out of memory). */
char *gy_dataset_label_path(const char *image_path);

/* One label: class and box centre x, y, width, height normalised to [0, 1] (float32). */
typedef struct gy_label {
    int class_id;
    float x, y, w, h;
} gy_label;

/* What ultralytics 8.0.126's verify_image_label makes of one label file. */
typedef struct gy_label_file {
    gy_label *labels; /* n labels, duplicates removed (then sorted, as np.unique sorts); NULL if 0 */
    int n;
    int found;        /* the file exists (nf); when found and n == 0 and not corrupt: empty (ne) */
    int corrupt;      /* the file is corrupt (nc): why says why, there are no labels */
    int duplicates;   /* duplicate rows removed ("N duplicate labels removed") */
    char why[512];
} gy_label_file;

/* Reads a YOLO label file as verify_image_label does: the text stripped and split into lines
 * (Python's whitespace and line breaks), each non-empty line a row of numbers (Python's float()
 * syntax, converted to float32). Rows are boxes "cls x y w h"; when any row has more than 6
 * values every row is a polygon "cls x1 y1 x2 y2 ..." and becomes its bounding box. Corrupt
 * (out->corrupt, out->why; ultralytics then drops the image with a warning): a value that is not
 * a number, box rows of unequal length or not 5 columns, a polygon row with an odd or zero count
 * of coordinates, a blank line among the rows, a coordinate (of the box) above 1, any negative
 * value, or a class that is not an integer below nc, and a file that cannot be read. A missing
 * file (or a folder) is not an error: found = 0, a background image. Errors (returned): bad
 * arguments, out of memory, a file over GY_LABELS_MAX_BYTES or with over GY_LABELS_MAX_BOXES rows.
 * Free with gy_label_file_clear. */
gy_status gy_labels_scan(const char *path, int nc, gy_label_file *out, gy_error *err);
void gy_label_file_clear(gy_label_file *f);

/* gy_labels_scan as a strict reader: a corrupt file is the error GY_ERR_FORMAT ("PATH: corrupt
 * labels: WHY"). *found = 0 for a missing file; *out (n labels, the caller frees) is NULL if 0. */
gy_status gy_labels_read(const char *path, int nc, gy_label **out, int *n, int *found, gy_error *err);

#endif
