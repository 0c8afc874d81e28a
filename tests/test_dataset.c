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
        ck_assert_msg(strstr(err.message, text) != NULL, "message lacks '%s': %s", text,
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
    /* a box, blank lines, CRLF, a polygon (its bounding box), "2.0" as a class */
    put("labels/a/ok.txt", "1 0.5 0.5 0.25 0.5\r\n\n2.0 0.1 0.2 0.5 0.2 0.3 0.6\n");
    ck_assert_int_eq(read_labels("labels/a/ok.txt", &l, &found, GY_OK, NULL), 2);
    ck_assert_int_eq(l[0].class_id, 1);
    ck_assert_float_eq(l[0].w, 0.25f);
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

START_TEST(labels_bad)
{
    gy_label *l;
    int found;
    put("labels/b1.txt", "0 0.5 0.5 0.2 0.2\n\n0 0.5 0.5 0.2\n");
    read_labels("labels/b1.txt", &l, &found, GY_ERR_FORMAT, "b1.txt:3: 4 values");
    put("labels/b2.txt", "0 0.5 0.5 0.2 0.2 0.9\n");
    read_labels("labels/b2.txt", &l, &found, GY_ERR_FORMAT, "b2.txt:1: 6 values");
    put("labels/b3.txt", "person 0.5 0.5 0.2 0.2\n");
    read_labels("labels/b3.txt", &l, &found, GY_ERR_FORMAT, "b3.txt:1: 'person' is not a number");
    put("labels/b4.txt", "3 0.5 0.5 0.2 0.2\n");
    read_labels("labels/b4.txt", &l, &found, GY_ERR_FORMAT, "b4.txt:1: class 3 is not an integer in [0, 3)");
    put("labels/b5.txt", "1.5 0.5 0.5 0.2 0.2\n");
    read_labels("labels/b5.txt", &l, &found, GY_ERR_FORMAT, "b5.txt:1: class 1.5");
    put("labels/b6.txt", "0 0.5 1.5 0.2 0.2\n");
    read_labels("labels/b6.txt", &l, &found, GY_ERR_FORMAT, "b6.txt:1: coordinate 1.5 is outside [0, 1]");
    put("labels/b7.txt", "0 0.5 -0.1 0.2 0.2\n");
    read_labels("labels/b7.txt", &l, &found, GY_ERR_FORMAT, "b7.txt:1: coordinate -0.1");
    put("labels/b8.txt", "0 0.5 nan 0.2 0.2\n");
    read_labels("labels/b8.txt", &l, &found, GY_ERR_FORMAT, "b8.txt:1: 'nan' is not a number");
    put("labels/b9.txt", "0 0.5 0.5x 0.2 0.2\n");
    read_labels("labels/b9.txt", &l, &found, GY_ERR_FORMAT, "b9.txt:1: '0.5x' is not a number");
    /* the cap on boxes per file */
    FILE *f = fopen(tmp_path("labels/big.txt"), "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i <= GY_LABELS_MAX_BOXES; i++)
        fprintf(f, "0 0.5 0.5 0.1 0.1\n");
    ck_assert_int_eq(fclose(f), 0);
    char text[64];
    snprintf(text, sizeof text, "big.txt:%d: more than %d labels", GY_LABELS_MAX_BOXES + 1,
             GY_LABELS_MAX_BOXES);
    read_labels("labels/big.txt", &l, &found, GY_ERR_FORMAT, text);
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
    tcase_add_test(tc, labels_bad);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return gy_test_run(dataset_suite()); }
