/* test_dataset.c - dataset YAMLs, image lists and YOLO label files: coco128 as shipped, and small
 * datasets written here, good and malformed (every error names its file, and line for labels). */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detector/dataset.h"

static char tmpdir[256];

static const char *tmp_path(const char *rel)
{
    static char slots[4][512];
    static int next;
    char *s = slots[next++ % 4];
    snprintf(s, 512, "%s/%s", tmpdir, rel);
    return s;
}

static void mk(const char *rel)
{
    const char *p = tmp_path(rel);
    ck_assert_msg(mkdir(p, 0777) == 0, "cannot create %s", p);
}

static void put(const char *rel, const char *text)
{
    gy_test_write_text(tmp_path(rel), text);
}

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gy_test_dataset_%d", (int)getpid());
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(mkdir(tmpdir, 0777), 0);
    mk("images");
    mk("images/b");
    mk("images/a");
    mk("images/.hidden");
    mk("labels");
    mk("labels/a");
    put("images/a/2.jpg", "x");
    put("images/a/10.JPG", "x");
    put("images/b/1.png", "x");
    put("images/a/notes.txt", "x");
    put("images/.hidden/3.jpg", "x");
    put("images/a/.4.jpg", "x");
}

static void teardown(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
}

/* Loads tmp/<yaml> and expects failure with a message containing `text`. */
static void load_fails(const char *yaml, gy_status expect, const char *text)
{
    gy_dataset *ds = (gy_dataset *)1;
    gy_error err;
    gy_status st = gy_dataset_load(tmp_path(yaml), "val", &ds, &err);
    ck_assert_msg(st == expect, "%s: status %d, expected %d (%s)", yaml, st, expect,
                  st ? err.message : "ok");
    ck_assert_ptr_null(ds);
    ck_assert_msg(strstr(err.message, text) != NULL, "message lacks '%s': %s", text, err.message);
}

static gy_dataset *load_ok(const char *yaml)
{
    gy_dataset *ds = NULL;
    gy_error err;
    gy_status st = gy_dataset_load(tmp_path(yaml), "val", &ds, &err);
    ck_assert_msg(st == GY_OK, "%s: %s", yaml, err.message);
    return ds;
}

static int ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

START_TEST(coco128)
{
    gy_dataset *ds = NULL;
    gy_error err;
    const char *yaml = gy_test_shared("datasets/coco128/coco128.yaml");
    ck_assert_msg(gy_dataset_load(yaml, "val", &ds, &err) == GY_OK, "%s", err.message);
    ck_assert_int_eq(ds->nc, 80);
    ck_assert_str_eq(ds->names[0], "person");
    ck_assert_str_eq(ds->names[9], "traffic light");
    ck_assert_str_eq(ds->names[79], "toothbrush");
    ck_assert_int_eq(ds->nimages, 128);
    ck_assert(ends_with(ds->images[0], "/images/train2017/000000000009.jpg"));
    ck_assert(ends_with(ds->images[127], "/images/train2017/000000000650.jpg"));
    for (int i = 1; i < ds->nimages; i++)
        ck_assert(strcmp(ds->images[i - 1], ds->images[i]) < 0);
    ck_assert(ends_with(ds->root, "/coco128"));
    ck_assert_ptr_null(strstr(ds->images[0], "/./"));

    /* 126 label files, 2 backgrounds, 929 boxes (the reference's counts) */
    int labelled = 0, boxes = 0;
    for (int i = 0; i < ds->nimages; i++) {
        char *lp = gy_dataset_label_path(ds->images[i]);
        ck_assert_ptr_nonnull(lp);
        ck_assert_ptr_nonnull(strstr(lp, "/labels/train2017/"));
        gy_label *l;
        int n, found;
        ck_assert_msg(gy_labels_read(lp, ds->nc, &l, &n, &found, &err) == GY_OK, "%s", err.message);
        labelled += found;
        boxes += n;
        if (i == 0) { /* 000000000009.txt: 8 lines, first "45 0.479492 0.688771 0.955609 0.5955" */
            ck_assert_int_eq(n, 8);
            ck_assert_int_eq(l[0].class_id, 45);
            ck_assert_float_eq(l[0].x, 0.479492f);
            ck_assert_float_eq(l[0].h, 0.5955f);
        }
        free(l);
        free(lp);
    }
    ck_assert_int_eq(labelled, 126);
    ck_assert_int_eq(boxes, 929);
    gy_dataset_free(ds);
}
END_TEST

START_TEST(label_paths)
{
    char *p = gy_dataset_label_path("/d/images/x/images/im.1.jpg");
    ck_assert_str_eq(p, "/d/images/x/labels/im.1.txt"); /* the last /images/ only */
    free(p);
    p = gy_dataset_label_path("/d/pics/im.png");
    ck_assert_str_eq(p, "/d/pics/im.txt");
    free(p);
}
END_TEST

/* Folder walk: recursive, hidden entries skipped, IMG_FORMATS by extension (any case), sorted by
 * path; names as a list; `path` relative to the YAML's folder. */
START_TEST(yaml_variants)
{
    mk("cfg");
    put("cfg/d.yaml", "path: ..\nval: images\nnames: [cat, dog]\n");
    gy_dataset *ds = load_ok("cfg/d.yaml");
    ck_assert_int_eq(ds->nc, 2);
    ck_assert_str_eq(ds->names[1], "dog");
    ck_assert_int_eq(ds->nimages, 3);
    ck_assert(ends_with(ds->images[0], "/images/a/10.JPG"));
    ck_assert(ends_with(ds->images[1], "/images/a/2.jpg"));
    ck_assert(ends_with(ds->images[2], "/images/b/1.png"));
    gy_dataset_free(ds);

    /* no path: the YAML's folder; names as a mapping; a list of folders */
    put("d2.yaml", "val: [images/b, images/a]\nnames:\n  1: dog\n  0: cat\n");
    ds = load_ok("d2.yaml");
    ck_assert_str_eq(ds->names[0], "cat");
    ck_assert_int_eq(ds->nimages, 3);
    gy_dataset_free(ds);

    /* nc alone; a .txt list with relative ("./x" and "x") and absolute lines */
    char list[1024];
    snprintf(list, sizeof list, "./images/b/1.png\n\nimages/a/2.jpg\n%s\nimages/a/notes.txt\n",
             tmp_path("images/a/10.JPG"));
    put("list.txt", list);
    put("d3.yaml", "val: list.txt\nnc: 3\n");
    ds = load_ok("d3.yaml");
    ck_assert_int_eq(ds->nc, 3);
    ck_assert_str_eq(ds->names[2], "class_2");
    ck_assert_int_eq(ds->nimages, 3);
    ck_assert(ends_with(ds->images[2], "/images/b/1.png"));
    gy_dataset_free(ds);

    /* YAML's nulls for names (plain empty, ~, null): nc alone counts; a quoted 'null' is a text */
    static const char *const nulls[3] = {"", " ~", " null"};
    for (int i = 0; i < 3; i++) {
        char yaml[128];
        snprintf(yaml, sizeof yaml, "val: list.txt\nnc: 2\nnames:%s\n", nulls[i]);
        put("d4.yaml", yaml);
        ds = load_ok("d4.yaml");
        ck_assert_int_eq(ds->nc, 2);
        ck_assert_str_eq(ds->names[1], "class_1");
        gy_dataset_free(ds);
    }
    put("d5.yaml", "val: list.txt\nnames: ['null', x]\n");
    ds = load_ok("d5.yaml");
    ck_assert_int_eq(ds->nc, 2);
    ck_assert_str_eq(ds->names[0], "null");
    gy_dataset_free(ds);
}
END_TEST

START_TEST(yaml_errors)
{
    put("e1.yaml", "- a\n- b\n");
    load_fails("e1.yaml", GY_ERR_FORMAT, "e1.yaml: a dataset YAML must be a mapping");
    put("e2.yaml", "names: [a]\n");
    load_fails("e2.yaml", GY_ERR_FORMAT, "e2.yaml: no 'val:' images given");
    put("e3.yaml", "val: images\n");
    load_fails("e3.yaml", GY_ERR_FORMAT, "neither 'names' nor 'nc'");
    put("e4.yaml", "val: images\nnames: [a, b]\nnc: 3\n");
    load_fails("e4.yaml", GY_ERR_FORMAT, "e4.yaml:3: 'names' has 2 entries but 'nc' is 3");
    put("e5.yaml", "val: images\nnames:\n  0: a\n  2: b\n");
    load_fails("e5.yaml", GY_ERR_FORMAT, "e5.yaml:4: 2-class dataset requires class ids 0-1");
    put("e6.yaml", "val: nowhere\nnames: [a]\n");
    load_fails("e6.yaml", GY_ERR_IO, "nowhere does not exist");
    mk("emptydir");
    put("emptydir/readme.txt", "no images here");
    put("e7.yaml", "val: emptydir\nnames: [a]\n");
    load_fails("e7.yaml", GY_ERR_FORMAT, "no images found for 'val'");
    put("e8.yaml", "val: [images\nnames: [a]\n");
    load_fails("e8.yaml", GY_ERR_FORMAT, "e8.yaml");
    put("e9.yaml", "val: images\nnames: [a, [b]]\n");
    load_fails("e9.yaml", GY_ERR_FORMAT, "e9.yaml:2: a class name must be a text");
    load_fails("missing.yaml", GY_ERR_IO, "missing.yaml");

    gy_dataset *ds = (gy_dataset *)1;
    gy_error err;
    ck_assert_int_eq(gy_dataset_load(tmp_path("images"), "val", &ds, &err), GY_ERR_IO);
    ck_assert_ptr_nonnull(strstr(err.message, "not a regular file"));
    ck_assert_int_eq(gy_dataset_load(tmp_path("e1.yaml"), "bogus", &ds, &err), GY_ERR_ARGUMENT);
}
END_TEST

/* Reads tmp/<rel> as labels of a 3-class dataset. */
static int read_labels(const char *rel, gy_label **l, int *found, gy_status expect, const char *text)
{
    int n = -1;
    gy_error err;
    gy_status st = gy_labels_read(tmp_path(rel), 3, l, &n, found, &err);
    ck_assert_msg(st == expect, "%s: status %d (%s)", rel, st, st ? err.message : "ok");
    if (st != GY_OK) {
        ck_assert_ptr_null(*l);
        ck_assert_msg(text && strstr(err.message, text) != NULL, "message lacks '%s': %s", text,
                      err.message);
    }
    return n;
}

START_TEST(labels_good)
{
    gy_label *l;
    int found;
    /* missing file: a background */
    ck_assert_int_eq(read_labels("labels/none.txt", &l, &found, GY_OK, NULL), 0);
    ck_assert_int_eq(found, 0);
    ck_assert_ptr_null(l);
    /* empty file: found, no labels */
    put("labels/empty.txt", "\n  \n");
    ck_assert_int_eq(read_labels("labels/empty.txt", &l, &found, GY_OK, NULL), 0);
    ck_assert_int_eq(found, 1);
    /* blank lines, CRLF, a polygon (its bounding box), "2.0" as a class; with a polygon row in
     * the file every row is read as a polygon (ultralytics): "1 0.5 0.5 0.25 0.5" is the points
     * (0.5, 0.5) and (0.25, 0.5), a box 0.25 wide and 0 high around (0.375, 0.5) */
    put("labels/a/ok.txt", "1 0.5 0.5 0.25 0.5\r\n\n2.0 0.1 0.2 0.5 0.2 0.3 0.6\n");
    ck_assert_int_eq(read_labels("labels/a/ok.txt", &l, &found, GY_OK, NULL), 2);
    ck_assert_int_eq(l[0].class_id, 1);
    ck_assert_float_eq(l[0].w, 0.25f);
    ck_assert_float_eq(l[0].x, 0.375f);
    ck_assert_float_eq(l[0].h, 0.0f);
    ck_assert_int_eq(l[1].class_id, 2);
    /* polygon (0.1,0.2) (0.5,0.2) (0.3,0.6): x 0.1..0.5, y 0.2..0.6 */
    ck_assert_float_eq_tol(l[1].x, 0.3f, 1e-7f);
    ck_assert_float_eq_tol(l[1].y, 0.4f, 1e-7f);
    ck_assert_float_eq_tol(l[1].w, 0.4f, 1e-7f);
    ck_assert_float_eq_tol(l[1].h, 0.4f, 1e-7f);
    free(l);
    /* a single-class dataset (nc 1) reads its class 0; nc 0 is refused */
    put("labels/one.txt", "0 0.5 0.5 0.25 0.5\n");
    {
        int n = -1;
        gy_error err;
        ck_assert_msg(gy_labels_read(tmp_path("labels/one.txt"), 1, &l, &n, &found, &err) == GY_OK,
                      "%s", err.message);
        ck_assert_int_eq(n, 1);
        ck_assert_int_eq(l[0].class_id, 0);
        free(l);
        ck_assert_int_eq(gy_labels_read(tmp_path("labels/one.txt"), 0, &l, &n, &found, &err),
                         GY_ERR_ARGUMENT);
        ck_assert_ptr_nonnull(strstr(err.message, "class count 0 must be positive"));
    }
    /* duplicate rows are removed and the rows come back sorted (np.unique(axis=0)) */
    put("labels/dup.txt", "2 0.5 0.5 0.1 0.1\n0 0.5 0.5 0.1 0.1\n2 0.5 0.5 0.1 0.1\n");
    ck_assert_int_eq(read_labels("labels/dup.txt", &l, &found, GY_OK, NULL), 2);
    ck_assert_int_eq(l[0].class_id, 0);
    ck_assert_int_eq(l[1].class_id, 2);
    free(l);
}
END_TEST

/* Writes bytes (NULs allowed) to tmp/<rel>. */
static void put_bytes(const char *rel, const char *data, size_t n)
{
    FILE *f = fopen(tmp_path(rel), "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

/* Scans text as the labels of a 3-class dataset: the number of labels, or -1 when corrupt (then
 * the reason must contain why). */
static int scan_text(const char *text, const char *why)
{
    put_bytes("labels/s.txt", text, strlen(text));
    gy_label_file f;
    gy_error err;
    gy_status st = gy_labels_scan(tmp_path("labels/s.txt"), 3, &f, &err);
    ck_assert_msg(st == GY_OK, "'%s': status %d (%s)", text, st, err.message);
    ck_assert_int_eq(f.found, 1);
    int n = f.n;
    if (f.corrupt) {
        ck_assert_msg(f.n == 0 && f.labels == NULL, "'%s': a corrupt file kept labels", text);
        ck_assert_msg(why && strstr(f.why, why) != NULL, "'%s': corrupt (%s), expected '%s'", text,
                      f.why, why ? why : "(not corrupt)");
        n = -1;
    } else {
        ck_assert_msg(why == NULL, "'%s': not corrupt, expected '%s'", text, why);
    }
    gy_label_file_clear(&f);
    return n;
}

/* verify_image_label's assertions, each clause alone, each bound at and one step past. */
START_TEST(labels_corrupt_bounds)
{
    /* coordinates <= 1 (as float32: 1.00000001 is 1.0f, 1.0000001 is above) */
    ck_assert_int_eq(scan_text("0 1 1 1 1\n", NULL), 1);
    ck_assert_int_eq(scan_text("0 0.5 0.5 1.00000001 0.5\n", NULL), 1);
    ck_assert_int_eq(scan_text("0 1.0000001 0.5 0.5 0.5\n", "out of bounds coordinate 1"), -1);
    ck_assert_int_eq(scan_text("0 0.5 1.0000001 0.5 0.5\n", "out of bounds coordinate 1"), -1);
    ck_assert_int_eq(scan_text("0 0.5 0.5 1.7 0.5\n", "out of bounds coordinate 1.7 (line 1)"), -1);
    ck_assert_int_eq(scan_text("0 0.5 0.5 0.5 1.0000001\n", "out of bounds coordinate"), -1);
    /* a coordinate above 1 on line 3 drops the whole file, good lines too */
    ck_assert_int_eq(scan_text("0 .5 .5 .1 .1\n1 .5 .5 .1 .1\n2 .5 .5 .1 1.2\n", "(line 3)"), -1);
    /* no negative value, class included (-0 is not negative) */
    ck_assert_int_eq(scan_text("0 0 0 0 0\n", NULL), 1);
    ck_assert_int_eq(scan_text("-0 -0 0.5 0.5 0.5\n", NULL), 1);
    ck_assert_int_eq(scan_text("-1 0.5 0.5 0.5 0.5\n", "negative label value -1"), -1);
    ck_assert_int_eq(scan_text("0 -1e-7 0.5 0.5 0.5\n", "negative label value"), -1);
    ck_assert_int_eq(scan_text("0 0.5 -0.1 0.5 0.5\n", "negative label value -0.1"), -1);
    ck_assert_int_eq(scan_text("0 0.5 0.5 -0.1 0.5\n", "negative label value -0.1"), -1);
    ck_assert_int_eq(scan_text("0 0.5 0.5 0.5 -0.1\n", "negative label value -0.1"), -1);
    /* the class: an integer below nc (3); 2.0 is 2 */
    ck_assert_int_eq(scan_text("2 0.5 0.5 0.5 0.5\n", NULL), 1);
    ck_assert_int_eq(scan_text("2.0 0.5 0.5 0.5 0.5\n", NULL), 1);
    ck_assert_int_eq(scan_text("3 0.5 0.5 0.5 0.5\n", "Label class 3 exceeds dataset class count 3"), -1);
    ck_assert_int_eq(scan_text("0 .5 .5 .5 .5\n4 0.5 0.5 0.5 0.5\n", "Possible class labels are 0-2 (line 2)"), -1);
    ck_assert_int_eq(scan_text("1.5 0.5 0.5 0.5 0.5\n", "label class 1.5 is not an integer"), -1);
    ck_assert_int_eq(scan_text("1e39 0.5 0.5 0.5 0.5\n", "exceeds dataset class count"), -1);
    /* the checks run in ultralytics' order: coordinates, then negatives, then the class */
    ck_assert_int_eq(scan_text("5 -0.5 0.5 1.5 0.5\n", "out of bounds"), -1);
    ck_assert_int_eq(scan_text("5 -0.5 0.5 0.5 0.5\n", "negative"), -1);
}
END_TEST

START_TEST(labels_corrupt_columns)
{
    /* boxes: every row 5 values */
    ck_assert_int_eq(scan_text("0 0.5 0.5 0.5\n", "labels require 5 columns, 4 columns detected"), -1);
    ck_assert_int_eq(scan_text("0 0.5 0.5 0.5 0.5 0.5\n", "labels require 5 columns, 6 columns detected"), -1);
    ck_assert_int_eq(scan_text("0\n", "labels require 5 columns, 1 columns detected"), -1);
    ck_assert_int_eq(scan_text("0 .5 .5 .5 .5\n0 .5 .5 .5 .5 .5\n", "rows of 5 and 6 values (lines 1 and 2)"), -1);
    /* a row of more than 6 values makes every row a polygon: cls x1 y1 x2 y2 ... (its box) */
    ck_assert_int_eq(scan_text("0 0.1 0.2 0.5 0.2 0.3 0.6\n", NULL), 1);
    ck_assert_int_eq(scan_text("0 0.1 0.2 0.5 0.2 0.3 0.6\n1 0.1 0.1 0.3 0.3\n", NULL), 2);
    ck_assert_int_eq(scan_text("0 0.1 0.2 0.5 0.2 0.3 0.6\n1 0.5 0.5\n", NULL), 2); /* one point */
    ck_assert_int_eq(scan_text("0 0.1 0.2 0.5 0.2 0.3 0.6 0.7\n", "7 coordinates are not x, y points (line 1)"), -1);
    ck_assert_int_eq(scan_text("0 0.1 0.2 0.5 0.2 0.3 0.6\n1 .5 .5 .5 .5 .5\n", "5 coordinates"), -1);
    ck_assert_int_eq(scan_text("0 0.1 0.2 0.5 0.2 0.3 0.6\n1 .5\n", "1 coordinates"), -1);
    ck_assert_int_eq(scan_text("0 0.1 0.2 0.5 0.2 0.3 0.6\n1\n", "0 coordinates"), -1);
    /* a polygon is judged by its box (cx, cy, w, h), not by its points: a point at 1.05 passes
     * when the box stays inside, a box wider than 1 does not, a negative point passes */
    ck_assert_int_eq(scan_text("0 0.1 0.2 1.05 0.2 0.5 0.6\n", NULL), 1);
    ck_assert_int_eq(scan_text("0 -0.05 0.2 0.5 0.2 0.3 0.6\n", NULL), 1);
    ck_assert_int_eq(scan_text("0 0.0 0.2 1.2 0.2 0.5 0.6\n", "out of bounds coordinate 1.2"), -1);
    {
        /* min and max over all the points, whichever comes first */
        put_bytes("labels/q.txt", "0 0.5 0.6 0.1 0.2 0.9 0.4\n", 26);
        gy_label_file f;
        gy_error err;
        ck_assert_int_eq(gy_labels_scan(tmp_path("labels/q.txt"), 3, &f, &err), GY_OK);
        ck_assert_int_eq(f.n, 1);
        ck_assert_float_eq(f.labels[0].x, (0.1f + 0.9f) / 2.0f);
        ck_assert_float_eq(f.labels[0].w, 0.9f - 0.1f);
        ck_assert_float_eq(f.labels[0].y, (0.2f + 0.6f) / 2.0f);
        ck_assert_float_eq(f.labels[0].h, 0.6f - 0.2f);
        gy_label_file_clear(&f);
    }
    {
        put_bytes("labels/p.txt", "0 0.1 0.2 1.05 0.2 0.5 0.6\n", 27);
        gy_label_file f;
        gy_error err;
        ck_assert_int_eq(gy_labels_scan(tmp_path("labels/p.txt"), 3, &f, &err), GY_OK);
        ck_assert_int_eq(f.n, 1);
        ck_assert_float_eq(f.labels[0].x, (0.1f + 1.05f) / 2.0f);
        ck_assert_float_eq(f.labels[0].w, 1.05f - 0.1f);
        ck_assert_float_eq(f.labels[0].y, (0.2f + 0.6f) / 2.0f);
        ck_assert_float_eq(f.labels[0].h, 0.6f - 0.2f);
        gy_label_file_clear(&f);
    }
}
END_TEST

START_TEST(labels_corrupt_text)
{
    /* lines: str.strip().splitlines(), rows of the lines with any character */
    ck_assert_int_eq(scan_text("\n\n  0 .5 .5 .5 .5\r\n\r\n1 .5 .5 .5 .5\n \t\n", NULL), 2);
    ck_assert_int_eq(scan_text("0 .5 .5 .5 .5\r1 .5 .5 .5 .5\v2 .5 .5 .5 .5\f0 .1 .1 .1 .1", NULL), 4);
    ck_assert_int_eq(scan_text("0 .5 .5 .5 .5\n\n\n1 .5 .5 .5 .5\n", NULL), 2);
    /* whitespace alone on an inner line is an empty row: the rows are ragged */
    ck_assert_int_eq(scan_text("0 .5 .5 .5 .5\n \n1 .5 .5 .5 .5\n", "rows of 5 and 0 values (lines 1 and 2)"), -1);
    ck_assert_int_eq(scan_text("0 .1 .2 .5 .2 .3 .6\n\t\n1 .5 .5 .5 .5\n", "a blank row among polygon rows (line 2)"), -1);
    /* Python's whitespace: NO-BREAK SPACE and IDEOGRAPHIC SPACE split, U+2028 ends a line */
    ck_assert_int_eq(scan_text("0\xc2\xa0.5 .5\xe3\x80\x80.5 .5\xe2\x80\xa8" "1 .5 .5 .5 .5", NULL), 2);
    /* Python's float(): signs, exponents, '.5', '5.', '_' between digits; not hex, not '1__0' */
    ck_assert_int_eq(scan_text("+0 .5 5e-1 0.5E0 1.\n", NULL), 1);
    ck_assert_int_eq(scan_text("0_1 0.5 0.5 0.5 0.5\n", NULL), 1);
    ck_assert_int_eq(scan_text("1__0 0.5 0.5 0.5 0.5\n", "could not convert string to float: '1__0' (line 1)"), -1);
    ck_assert_int_eq(scan_text("_1 0.5 0.5 0.5 0.5\n", "could not convert"), -1);
    ck_assert_int_eq(scan_text("1_ 0.5 0.5 0.5 0.5\n", "could not convert"), -1);
    ck_assert_int_eq(scan_text("0 0x1 0.5 0.5 0.5\n", "could not convert string to float: '0x1'"), -1);
    ck_assert_int_eq(scan_text("0 . 0.5 0.5 0.5\n", "could not convert"), -1);
    ck_assert_int_eq(scan_text("0 1e 0.5 0.5 0.5\n", "could not convert"), -1);
    ck_assert_int_eq(scan_text("0 0.5x 0.5 0.5 0.5\n", "could not convert string to float: '0.5x'"), -1);
    ck_assert_int_eq(scan_text("person 0.5 0.5 0.2 0.2\n", "'person'"), -1);
    /* a two-byte character that is not a space (U+00A9) stays inside its token */
    ck_assert_int_eq(scan_text("0 0.5\xc2\xa9 0.5 0.5 0.5\n", "could not convert string to float: '0.5\xc2\xa9'"), -1);
    /* line numbers count the lines strip() removed, CRLF as one */
    ck_assert_int_eq(scan_text("\r\n\r\n0 .5 .5 .5 .5\r\n1 .5 .5 .5 1.5\r\n", "(line 4)"), -1);
    ck_assert_int_eq(scan_text("\n\r\r0 .5 .5 .5 .5\n1 .5 .5 .5 1.5\n", "(line 5)"), -1);
    /* nan and inf are numbers to Python, then fail the bounds */
    ck_assert_int_eq(scan_text("0 nan 0.5 0.5 0.5\n", "out of bounds coordinate nan"), -1);
    ck_assert_int_eq(scan_text("0 0.5 Infinity 0.5 0.5\n", "out of bounds coordinate inf"), -1);
    ck_assert_int_eq(scan_text("0 0.5 -inf 0.5 0.5\n", "negative label value -inf"), -1);
    ck_assert_int_eq(scan_text("nan 0.5 0.5 0.5 0.5\n", "negative label value nan"), -1);
    /* bytes Python's text reader refuses or cannot convert */
    ck_assert_int_eq(scan_text("0 0.5 0.5 0.5 \xff\n", "'utf-8' codec can't decode byte 0xff in position 14"), -1);
    {
        put_bytes("labels/z.txt", "0 0.5 0.5 0.5 0\0005\n", 18);
        gy_label_file f;
        gy_error err;
        ck_assert_int_eq(gy_labels_scan(tmp_path("labels/z.txt"), 3, &f, &err), GY_OK);
        ck_assert_int_eq(f.corrupt, 1);
        ck_assert_ptr_nonnull(strstr(f.why, "could not convert"));
        gy_label_file_clear(&f);
    }
    /* duplicates: removed and counted, the rows then sorted */
    put("labels/dup.txt", "2 0.5 0.5 0.1 0.1\n0 0.5 0.5 0.1 0.1\n2 0.5 0.5 0.1 0.1\n2 0.5 0.5 0.1 0.1\n");
    gy_label_file f;
    gy_error err;
    ck_assert_int_eq(gy_labels_scan(tmp_path("labels/dup.txt"), 3, &f, &err), GY_OK);
    ck_assert_int_eq(f.n, 2);
    ck_assert_int_eq(f.duplicates, 2);
    ck_assert_int_eq(f.labels[0].class_id, 0);
    ck_assert_int_eq(f.labels[1].class_id, 2);
    gy_label_file_clear(&f);
    put("labels/nodup.txt", "2 0.5 0.5 0.1 0.1\n0 0.5 0.5 0.1 0.1\n");
    ck_assert_int_eq(gy_labels_scan(tmp_path("labels/nodup.txt"), 3, &f, &err), GY_OK);
    ck_assert_int_eq(f.duplicates, 0);
    ck_assert_int_eq(f.labels[0].class_id, 2); /* no duplicate: the file's order */
    gy_label_file_clear(&f);
    /* missing file and folder: not found, not corrupt; empty file: found, no labels */
    ck_assert_int_eq(gy_labels_scan(tmp_path("labels/none.txt"), 3, &f, &err), GY_OK);
    ck_assert(f.found == 0 && f.corrupt == 0 && f.n == 0);
    ck_assert_int_eq(gy_labels_scan(tmp_path("labels/a"), 3, &f, &err), GY_OK);
    ck_assert(f.found == 0 && f.corrupt == 0);
    /* any stat failure is os.path.isfile's False: a background (a name too long, a file as a folder) */
    {
        static char longname[6000];
        memset(longname, 'x', sizeof longname - 1);
        memcpy(longname, "/tmp/", 5);
        ck_assert_int_eq(gy_labels_scan(longname, 3, &f, &err), GY_OK);
        ck_assert(f.found == 0 && f.corrupt == 0);
        put("labels/plain.txt", "0 .5 .5 .5 .5\n");
        ck_assert_int_eq(gy_labels_scan(tmp_path("labels/plain.txt/x.txt"), 3, &f, &err), GY_OK);
        ck_assert(f.found == 0 && f.corrupt == 0);
    }
    put("labels/empty.txt", " \n\t\n");
    ck_assert_int_eq(gy_labels_scan(tmp_path("labels/empty.txt"), 3, &f, &err), GY_OK);
    ck_assert(f.found == 1 && f.corrupt == 0 && f.n == 0);
    /* the strict reader turns a corrupt file into an error naming it */
    gy_label *l = (gy_label *)1;
    int n, found;
    put("labels/b6.txt", "0 0.5 1.5 0.2 0.2\n");
    ck_assert_int_eq(gy_labels_read(tmp_path("labels/b6.txt"), 3, &l, &n, &found, &err), GY_ERR_FORMAT);
    ck_assert_ptr_null(l);
    ck_assert_ptr_nonnull(strstr(err.message, "b6.txt: corrupt labels: non-normalized or out of bounds coordinate 1.5"));
    /* the caps stay errors */
    FILE *fp = fopen(tmp_path("labels/big.txt"), "w");
    ck_assert_ptr_nonnull(fp);
    for (int i = 0; i <= GY_LABELS_MAX_BOXES; i++)
        fprintf(fp, "0 0.5 0.5 0.1 0.1\n");
    ck_assert_int_eq(fclose(fp), 0);
    ck_assert_int_eq(gy_labels_scan(tmp_path("labels/big.txt"), 3, &f, &err), GY_ERR_FORMAT);
    char text[64];
    snprintf(text, sizeof text, "big.txt:%d: more than %d labels", GY_LABELS_MAX_BOXES + 1,
             GY_LABELS_MAX_BOXES);
    ck_assert_ptr_nonnull(strstr(err.message, text));
}
END_TEST

static Suite *dataset_suite(void)
{
    Suite *s = suite_create("dataset");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, coco128);
    tcase_add_test(tc, label_paths);
    tcase_add_test(tc, yaml_variants);
    tcase_add_test(tc, yaml_errors);
    tcase_add_test(tc, labels_good);
    tcase_add_test(tc, labels_corrupt_bounds);
    tcase_add_test(tc, labels_corrupt_columns);
    tcase_add_test(tc, labels_corrupt_text);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return gy_test_run(dataset_suite()); }
