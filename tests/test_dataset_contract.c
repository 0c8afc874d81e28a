/* test_dataset_contract.c - the contract of the dataset readers (detector/dataset.c), condition by
 * condition: label files (verify_image_label's assertions each alone, each bound at and one past
 * its limit, Python's float() and whitespace at the edges of their rules) and the data YAML (the
 * class names and count at their bounds, each refusal alone, the image sources). test_dataset.c
 * holds coco128 and the first lists of cases. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detector/dataset.h"
#include "testutil.h"

static char dir[64];

static const char *tmp(const char *name)
{
    static char buf[8][512];
    static int slot;
    char *b = buf[slot++ % 8];
    snprintf(b, sizeof buf[0], "%s/%s", dir, name);
    return b;
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/gy_dataset_contract_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void write_n(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    ck_assert(fwrite(text, 1, n, f) == n);
    ck_assert_int_eq(fclose(f), 0);
}

/* ------------------------------------------------------------------------------------------------
 * Labels */

static gy_label_file scan_n(const char *text, size_t n, int nc)
{
    const char *p = tmp("l.txt");
    write_n(p, text, n);
    gy_label_file f;
    gy_error err;
    memset(&err, 0, sizeof err);
    gy_status st = gy_labels_scan(p, nc, &f, &err);
    ck_assert_msg(st == GY_OK, "%s", err.message);
    ck_assert_int_eq(f.found, 1);
    return f;
}

/* A file that reads, with n labels kept. */
static gy_label_file good(const char *text, int nc, int n)
{
    gy_label_file f = scan_n(text, strlen(text), nc);
    ck_assert_msg(!f.corrupt, "\"%s\": corrupt: %s", text, f.why);
    ck_assert_msg(f.n == n, "\"%s\": %d labels, expected %d", text, f.n, n);
    return f;
}

/* A corrupt file, the reason containing `why`. */
static void bad_n(const char *text, size_t n, int nc, const char *why)
{
    gy_label_file f = scan_n(text, n, nc);
    ck_assert_msg(f.corrupt, "\"%s\": not corrupt (%d labels)", text, f.n);
    ck_assert_int_eq(f.n, 0);
    ck_assert_ptr_null(f.labels);
    ck_assert_msg(strstr(f.why, why) != NULL, "\"%s\": why \"%s\" lacks \"%s\"", text, f.why, why);
    gy_label_file_clear(&f);
}

static void bad(const char *text, int nc, const char *why) { bad_n(text, strlen(text), nc, why); }

static void assert_label(const gy_label *l, int cls, float x, float y, float w, float h)
{
    ck_assert_int_eq(l->class_id, cls);
    ck_assert_msg(l->x == x && l->y == y && l->w == w && l->h == h, "box %g %g %g %g, expected %g %g %g %g",
                  (double)l->x, (double)l->y, (double)l->w, (double)l->h, (double)x, (double)y,
                  (double)w, (double)h);
}

/* The class: an integer below nc; nc - 1 kept, nc refused, a fraction refused. */
START_TEST(label_class_bound)
{
    gy_label_file f = good("2 0.5 0.5 0.2 0.2\n", 3, 1);
    assert_label(&f.labels[0], 2, 0.5f, 0.5f, 0.2f, 0.2f);
    gy_label_file_clear(&f);
    f = good("0 0.5 0.5 0.2 0.2\n", 1, 1);
    assert_label(&f.labels[0], 0, 0.5f, 0.5f, 0.2f, 0.2f);
    gy_label_file_clear(&f);
    bad("3 0.5 0.5 0.2 0.2\n", 3, "Label class 3 exceeds dataset class count 3. Possible class labels are 0-2 (line 1)");
    bad("0 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.2 0.2\n", 1, "Label class 1 exceeds dataset class count 1");
    bad("2.5 0.5 0.5 0.2 0.2\n", 3, "label class 2.5 is not an integer (line 1)");
    bad("2.5 0.5 0.5 0.2 0.2\n", 2, "Label class 2.5 exceeds"); /* the count is checked first */
    f = good("2.0 0.5 0.5 0.2 0.2\n", 3, 1);
    ck_assert_int_eq(f.labels[0].class_id, 2);
    gy_label_file_clear(&f);
}
END_TEST

/* Each coordinate alone: 1 accepted, the next float above refused; 0 accepted, below refused. */
START_TEST(label_coordinate_bounds)
{
    static const char *const at_one[4] = {"0 1 0.5 0.5 0.5\n", "0 0.5 1 0.5 0.5\n",
                                          "0 0.5 0.5 1 0.5\n", "0 0.5 0.5 0.5 1\n"};
    static const char *const past_one[4] = {"0 1.0000001 0.5 0.5 0.5\n", "0 0.5 1.0000001 0.5 0.5\n",
                                            "0 0.5 0.5 1.0000001 0.5\n", "0 0.5 0.5 0.5 1.0000001\n"};
    static const char *const at_zero[4] = {"0 0 0.5 0.5 0.5\n", "0 0.5 0 0.5 0.5\n",
                                           "0 0.5 0.5 0 0.5\n", "0 0.5 0.5 0.5 -0.0\n"};
    static const char *const below_zero[4] = {"0 -1e-7 0.5 0.5 0.5\n", "0 0.5 -1e-7 0.5 0.5\n",
                                              "0 0.5 0.5 -1e-7 0.5\n", "0 0.5 0.5 0.5 -1e-7\n"};
    for (int k = 0; k < 4; k++) {
        gy_label_file f = good(at_one[k], 1, 1);
        const float *v = &f.labels[0].x;
        ck_assert(v[k] == 1.0f);
        gy_label_file_clear(&f);
        bad(past_one[k], 1, "non-normalized or out of bounds coordinate 1 (line 1)");
        f = good(at_zero[k], 1, 1);
        v = &f.labels[0].x;
        ck_assert(v[k] == 0.0f);
        gy_label_file_clear(&f);
        bad(below_zero[k], 1, "negative label value -1e-07 (line 1)");
    }
    bad("-1 0.5 0.5 0.5 0.5\n", 1, "negative label value -1 (line 1)");
    bad("0 nan 0.5 0.5 0.5\n", 1, "non-normalized or out of bounds coordinate nan");
    bad("0 0.5 0.5 0.5 inf\n", 1, "non-normalized or out of bounds coordinate inf");
    bad("0 0.5 0.5 0.5 -inf\n", 1, "negative label value -inf");
    bad("nan 0.5 0.5 0.5 0.5\n", 1, "negative label value nan");
    /* verify_image_label's order: coordinates of all rows, then negatives, then classes */
    bad("0 0.5 0.5 0.5 0.5\n-1 0.5 0.5 0.5 0.5\n5 2 0.5 0.5 0.5\n", 1, "coordinate 2 (line 3)");
    bad("5 0.5 0.5 0.5 0.5\n0 0.5 -0.5 0.5 0.5\n", 1, "negative label value -0.5 (line 2)");
}
END_TEST

START_TEST(label_columns)
{
    gy_label_file f = good("0 0.5 0.5 0.2 0.2\n", 1, 1);
    gy_label_file_clear(&f);
    bad("0 0.5 0.5 0.2\n", 1, "labels require 5 columns, 4 columns detected");
    bad("0 0.5 0.5 0.2 0.2 0.1\n", 1, "labels require 5 columns, 6 columns detected");
    bad("0 0.5 0.5 0.2 0.2\n0 0.5 0.5 0.2 0.2 0.1\n", 1, "rows of 5 and 6 values (lines 1 and 2)");
    bad("0 0.5 0.5 0.2 0.2 0.1\n0 0.5 0.5 0.2 0.2\n", 1, "labels require 5 columns, 6 columns detected");
    /* 7 values: a polygon of 3 points; then every row is one (5 values: 2 points) */
    f = good("0 0.1 0.2 0.3 0.4 0.5 0.1\n1 0.25 0.75 0.75 0.25\n", 2, 2);
    assert_label(&f.labels[0], 0, (0.1f + 0.5f) / 2.0f, (0.1f + 0.4f) / 2.0f, 0.5f - 0.1f, 0.4f - 0.1f);
    assert_label(&f.labels[1], 1, 0.5f, 0.5f, 0.5f, 0.5f);
    gy_label_file_clear(&f);
    /* the extremes anywhere in the polygon: first, middle or last point */
    f = good("0 0.5 0.1 0.3 0.4 0.1 0.2\n", 1, 1);
    assert_label(&f.labels[0], 0, (0.1f + 0.5f) / 2.0f, (0.1f + 0.4f) / 2.0f, 0.5f - 0.1f, 0.4f - 0.1f);
    gy_label_file_clear(&f);
    f = good("0 0.3 0.4 0.5 0.1 0.1 0.2\n", 1, 1);
    assert_label(&f.labels[0], 0, (0.1f + 0.5f) / 2.0f, (0.1f + 0.4f) / 2.0f, 0.5f - 0.1f, 0.4f - 0.1f);
    gy_label_file_clear(&f);
    bad("0 0.1 0.2 0.3 0.4 0.5 0.1 0.2\n", 1, "7 coordinates are not x, y points (line 1)");
    bad("0 0.1 0.2 0.3 0.4 0.5 0.1\n0\n", 1, "0 coordinates are not x, y points (line 2)");
    bad("0 0.1 0.2 0.3 0.4 0.5 0.1\n0 0.5\n", 1, "1 coordinates are not x, y points (line 2)");
    bad("0 0.1 0.2 0.3 0.4 0.5 0.1\n \n0 0.1 0.2 0.3 0.4 0.5 0.1\n", 1, "a blank row among polygon rows (line 2)");
    bad("0 0.5 0.5 0.2 0.2\n\t\n0 0.5 0.5 0.2 0.2\n", 1, "rows of 5 and 0 values (lines 1 and 2)");
    /* a polygon whose box leaves [0, 1] is refused by the box's coordinates */
    bad("0 0.1 0.2 0.3 0.4 0.5 1.5\n", 1, "out of bounds coordinate");
    /* a NaN point wins numpy's min and max: the box is NaN, refused */
    bad("0 0.1 0.2 nan 0.4 0.5 0.1\n", 1, "coordinate nan");
    bad("0 0.1 0.2 0.3 nan 0.5 0.1\n", 1, "coordinate nan");
}
END_TEST

/* Duplicates removed (np.unique: then sorted); without duplicates the file's order. */
START_TEST(label_duplicates_and_order)
{
    gy_label_file f = good("1 0.5 0.5 0.2 0.2\n0 0.5 0.5 0.2 0.2\n", 2, 2);
    ck_assert_int_eq(f.labels[0].class_id, 1);
    ck_assert_int_eq(f.duplicates, 0);
    gy_label_file_clear(&f);
    f = good("1 0.5 0.5 0.2 0.2\n0 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.2 0.2\n", 2, 2);
    ck_assert_int_eq(f.labels[0].class_id, 0);
    ck_assert_int_eq(f.labels[1].class_id, 1);
    ck_assert_int_eq(f.duplicates, 1);
    gy_label_file_clear(&f);
    /* sorted by every column in turn */
    f = good("0 0.5 0.5 0.2 0.3\n0 0.5 0.5 0.2 0.1\n0 0.5 0.5 0.2 0.1\n0 0.4 0.6 0.2 0.2\n", 1, 3);
    assert_label(&f.labels[0], 0, 0.4f, 0.6f, 0.2f, 0.2f);
    assert_label(&f.labels[1], 0, 0.5f, 0.5f, 0.2f, 0.1f);
    assert_label(&f.labels[2], 0, 0.5f, 0.5f, 0.2f, 0.3f);
    ck_assert_int_eq(f.duplicates, 1);
    gy_label_file_clear(&f);
    f = good("0 0.5 0.5 0.2 0.2\n0 0.5 0.5 0.2 0.2\n", 1, 1);
    ck_assert_int_eq(f.duplicates, 1);
    gy_label_file_clear(&f);
}
END_TEST

/* Python's float(): each token at the edge of its grammar. */
START_TEST(label_float_syntax)
{
    static const struct {
        const char *tok;
        float v;
    } ok[] = {{"0.5", 0.5f},   {".5", 0.5f},     {"5e-1", 0.5f},  {"5E-1", 0.5f}, {"+.5", 0.5f},
              {"0.5e+0", 0.5f}, {"0_0.5", 0.5f}, {"0.2_5", 0.25f}, {"5.e-1", 0.5f}, {"1", 1.0f},
              {"2_5e-2", 0.25f}, {"25e-0_2", 0.25f}, {"0.", 0.0f},  {"-0", 0.0f}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char text[96];
        snprintf(text, sizeof text, "0 %s 0.5 0.5 0.5", ok[i].tok);
        gy_label_file f = good(text, 1, 1);
        ck_assert_msg(f.labels[0].x == ok[i].v, "%s read as %g", ok[i].tok, (double)f.labels[0].x);
        gy_label_file_clear(&f);
    }
    static const char *const no[] = {"_5",   "5_",   "5__0", "0_.5", "0._5", ".",   "e1",  ".e1",
                                     "1e",   "1e+",  "1e_1", "1e1_", "+",    "-",   "+-1", "1.5.",
                                     "0x1",  "infinit", "nana", "1,5", "5e-1x", "1e1.5"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        char text[96], want[96];
        snprintf(text, sizeof text, "0 %s 0.5 0.5 0.5", no[i]);
        snprintf(want, sizeof want, "could not convert string to float: '%s' (line 1)", no[i]);
        bad(text, 1, want);
    }
    /* the words, any case, signed */
    static const char *const words[] = {"INF", "Infinity", "+inf", "NaN", "-nan", "iNfInItY"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        char text[96];
        snprintf(text, sizeof text, "0 %s 0.5 0.5 0.5", words[i]);
        bad(text, 1, "out of bounds coordinate");
    }
    bad("0 -Infinity 0.5 0.5 0.5", 1, "negative label value -inf");
    /* a long token is cut at 40 characters in the reason */
    char text[128];
    snprintf(text, sizeof text, "0 %s 0.5 0.5 0.5", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
    bad(text, 1, "'abcdefghijklmnopqrstuvwxyzabcdefghijklmn' (line 1)");
}
END_TEST

/* Python's whitespace and line breaks (str.split, str.splitlines), with line numbers. */
START_TEST(label_whitespace_and_lines)
{
    gy_label_file f = good("0\t0.5\x1f" "0.5 0.5 0.5", 1, 1);
    gy_label_file_clear(&f);
    f = good("0\xc2\xa0" "0.5\xe3\x80\x80" "0.5\xe2\x80\x83" "0.5\xe1\x9a\x80" "0.5", 1, 1);
    gy_label_file_clear(&f);
    f = good("0\xe2\x80\xaf" "0.5\xe2\x81\x9f" "0.5\xe2\x80\x8a" "0.5\xe2\x80\x80" "0.5", 1, 1);
    gy_label_file_clear(&f);
    /* line breaks: \n, \r, \r\n (one), \v, \f, \x1c-\x1e, U+0085, U+2028, U+2029 */
    f = good("0 0.5 0.5 0.5 0.1\r\n0 0.5 0.5 0.5 0.2\r0 0.5 0.5 0.5 0.3\x0c" "0 0.5 0.5 0.5 0.4\x1c"
             "0 0.5 0.5 0.5 0.5\xc2\x85" "0 0.5 0.5 0.5 0.6\xe2\x80\xa8" "0 0.5 0.5 0.5 0.7\xe2\x80\xa9"
             "0 0.5 0.5 0.5 0.8\x1e" "0 0.5 0.5 0.5 0.9\x1d" "0 0.5 0.5 0.5 1",
             1, 10);
    ck_assert(f.labels[9].h == 1.0f);
    gy_label_file_clear(&f);
    /* not whitespace: U+200B, U+2000 - 1 (U+1FFF), U+200B; a broken sequence */
    bad("0 0.5\xe2\x80\x8b" "0.5 0.5 0.5", 1, "could not convert string to float");
    bad("0 0.5\xe1\xbf\xbf" "0.5 0.5 0.5", 1, "could not convert string to float");
    /* line numbers count the stripped lines before, \r\n once */
    bad("\r\n\n  \n0 0.5 0.5 0.5 x\n", 1, "'x' (line 4)");
    bad("\r\r0 0.5 0.5 0.5 x\n", 1, "'x' (line 3)");
    bad("0 0.5 0.5 0.5 0.5\r\n0 0.5 0.5 0.5 y", 1, "'y' (line 2)");
    bad("0 0.5 0.5 0.5 0.5\xe2\x80\xa8" "0 0.5 0.5 0.5 y", 1, "'y' (line 2)");
    /* leading and trailing whitespace of the file, multi-byte too */
    f = good("\xe3\x80\x80\n 0 0.5 0.5 0.5 0.5 \xc2\xa0\n\xe2\x80\xa8", 1, 1);
    gy_label_file_clear(&f);
    /* an empty file, and whitespace only: found, no labels, not corrupt */
    f = good("", 1, 0);
    ck_assert_ptr_null(f.labels);
    gy_label_file_clear(&f);
    f = good(" \n\t\r\n\xc2\xa0", 1, 0);
    gy_label_file_clear(&f);
    /* invalid UTF-8: refused at its byte */
    bad_n("0 0.5 0.5 0.5 0.5\xff", 18, 1, "'utf-8' codec can't decode byte 0xff in position 17");
    bad_n("0 0.5\xc2 0.5 0.5 0.5", 18, 1, "can't decode byte 0xc2 in position 5");
}
END_TEST

/* GY_LABELS_MAX_BOXES rows accepted, one more refused (an error, not corrupt). */
START_TEST(label_count_bound)
{
    const char *row = "0 0.5 0.5 0.5 0.5\n";
    size_t rl = strlen(row), n = (size_t)GY_LABELS_MAX_BOXES + 1;
    char *text = malloc(rl * n + 1);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < n; i++)
        memcpy(text + i * rl, row, rl);
    gy_label_file f = scan_n(text, rl * (n - 1), 1);
    ck_assert(!f.corrupt);
    ck_assert_int_eq(f.n, 1);
    ck_assert_int_eq(f.duplicates, GY_LABELS_MAX_BOXES - 1);
    gy_label_file_clear(&f);
    write_n(tmp("l.txt"), text, rl * n);
    gy_error err;
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(gy_labels_scan(tmp("l.txt"), 1, &f, &err), GY_ERR_FORMAT);
    char want[96];
    snprintf(want, sizeof want, "l.txt:%d: more than %d labels in one file", GY_LABELS_MAX_BOXES + 1,
             GY_LABELS_MAX_BOXES);
    ck_assert_msg(strstr(err.message, want) != NULL, "%s", err.message);
    free(text);
}
END_TEST

START_TEST(label_arguments_and_files)
{
    gy_label_file f;
    gy_error err;
    memset(&err, 0, sizeof err);
    write_n(tmp("l.txt"), "0 0.5 0.5 0.5 0.5\n", 18);
    ck_assert_int_eq(gy_labels_scan(NULL, 1, &f, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_labels_scan(tmp("l.txt"), 1, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_labels_scan(tmp("l.txt"), 0, &f, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "l.txt: class count 0 must be positive") != NULL, "%s", err.message);
    ck_assert_int_eq(gy_labels_scan(tmp("l.txt"), 1, &f, &err), GY_OK);
    ck_assert_int_eq(f.n, 1);
    gy_label_file_clear(&f);
    /* missing, or a folder: not found, a background */
    ck_assert_int_eq(gy_labels_scan(tmp("none.txt"), 1, &f, &err), GY_OK);
    ck_assert_int_eq(f.found, 0);
    ck_assert_int_eq(f.corrupt, 0);
    ck_assert_int_eq(mkdir(tmp("d.txt"), 0700), 0);
    ck_assert_int_eq(gy_labels_scan(tmp("d.txt"), 1, &f, &err), GY_OK);
    ck_assert_int_eq(f.found, 0);
    /* gy_labels_read: strict */
    gy_label *l = (gy_label *)&l;
    int n = -1, found = -1;
    ck_assert_int_eq(gy_labels_read(tmp("l.txt"), 1, &l, &n, &found, &err), GY_OK);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(found, 1);
    ck_assert_int_eq(l[0].class_id, 0);
    free(l);
    ck_assert_int_eq(gy_labels_read(tmp("none.txt"), 1, &l, &n, &found, &err), GY_OK);
    ck_assert_ptr_null(l);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(found, 0);
    write_n(tmp("b.txt"), "1 0.5 0.5 0.5 0.5\n", 18);
    ck_assert_int_eq(gy_labels_read(tmp("b.txt"), 1, &l, &n, &found, &err), GY_ERR_FORMAT);
    ck_assert_msg(strstr(err.message, "b.txt: corrupt labels: Label class 1 exceeds") != NULL, "%s", err.message);
    ck_assert_int_eq(gy_labels_read(NULL, 1, &l, &n, &found, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_labels_read(tmp("l.txt"), 1, NULL, &n, &found, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_labels_read(tmp("l.txt"), 1, &l, NULL, &found, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_labels_read(tmp("l.txt"), 1, &l, &n, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_labels_read(tmp("l.txt"), 0, &l, &n, &found, &err), GY_ERR_ARGUMENT);
}
END_TEST

START_TEST(label_path_rule)
{
    static const struct {
        const char *img, *lbl;
    } cases[] = {{"/d/images/val/a.jpg", "/d/labels/val/a.txt"},
                 {"/images/x/images/a.b.png", "/images/x/labels/a.b.txt"},
                 {"d/imagesx/a.jpg", "d/imagesx/a.txt"},
                 {"a", "a.txt"},
                 {"/images/", "/labels/.txt"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *p = gy_dataset_label_path(cases[i].img);
        ck_assert_ptr_nonnull(p);
        ck_assert_str_eq(p, cases[i].lbl);
        free(p);
    }
}
END_TEST

/* ------------------------------------------------------------------------------------------------
 * The data YAML */

static gy_status load_ds(const char *yaml, const char *split, gy_dataset **ds, gy_error *err)
{
    write_n(tmp("d.yaml"), yaml, strlen(yaml));
    memset(err, 0, sizeof *err);
    *ds = (gy_dataset *)ds;
    return gy_dataset_load(tmp("d.yaml"), split, ds, err);
}

static gy_dataset *ds_ok(const char *yaml)
{
    gy_dataset *ds;
    gy_error err;
    gy_status st = load_ds(yaml, NULL, &ds, &err);
    ck_assert_msg(st == GY_OK, "%s\n--- yaml:\n%.300s", err.message, yaml);
    return ds;
}

static void ds_bad(const char *yaml, const char *split, gy_status want, const char *substr)
{
    gy_dataset *ds;
    gy_error err;
    gy_status st = load_ds(yaml, split, &ds, &err);
    ck_assert_msg(st == want, "status %s, expected %s (%s)\n--- yaml:\n%.300s", gy_status_str(st),
                  gy_status_str(want), err.message, yaml);
    ck_assert_ptr_null(ds);
    ck_assert_msg(strstr(err.message, substr) != NULL, "message \"%s\" lacks \"%s\"", err.message, substr);
}

/* images/val/{a.jpg, b.PNG, c.txt, .h.jpg, sub/d.webp} and list.txt. */
static void make_images(void)
{
    ck_assert_int_eq(mkdir(tmp("images"), 0700), 0);
    ck_assert_int_eq(mkdir(tmp("images/val"), 0700), 0);
    ck_assert_int_eq(mkdir(tmp("images/val/sub"), 0700), 0);
    write_n(tmp("images/val/b.PNG"), "", 0);
    write_n(tmp("images/val/a.jpg"), "", 0);
    write_n(tmp("images/val/c.txt"), "", 0);
    write_n(tmp("images/val/noext"), "", 0);
    write_n(tmp("images/val/.h.jpg"), "", 0);
    write_n(tmp("images/val/sub/d.webp"), "", 0);
    const char *list = "  ./images/val/a.jpg  \nimages/val/b.PNG\n\nimages/val/c.txt\n/abs/e.tiff";
    write_n(tmp("list.txt"), list, strlen(list));
}

#define VAL "val: images/val\n"

START_TEST(names_and_nc_bounds)
{
    make_images();
    gy_dataset *ds = ds_ok(VAL "nc: 3\n");
    ck_assert_int_eq(ds->nc, 3);
    ck_assert_str_eq(ds->names[0], "class_0");
    ck_assert_str_eq(ds->names[2], "class_2");
    ck_assert_int_eq(ds->nimages, 3);
    gy_dataset_free(ds);
    ds = ds_ok(VAL "nc: 10000\nnames:\n");
    ck_assert_int_eq(ds->nc, 10000);
    ck_assert_str_eq(ds->names[9999], "class_9999");
    gy_dataset_free(ds);
    ds = ds_ok(VAL "nc: 1\n");
    ck_assert_int_eq(ds->nc, 1);
    gy_dataset_free(ds);
    ds_bad(VAL "nc: 10001\n", NULL, GY_ERR_FORMAT, "d.yaml:2: nc '10001' is out of range [1, 10000]");
    ds_bad(VAL "nc: 0\n", NULL, GY_ERR_FORMAT, "nc '0' is out of range [1, 10000]");
    ds_bad(VAL "nc: two\n", NULL, GY_ERR_FORMAT, "d.yaml:2: nc must be an integer, got 'two'");
    ds_bad(VAL, NULL, GY_ERR_FORMAT, "d.yaml: neither 'names' nor 'nc' is given");
    ds_bad(VAL "nc: ~\nnames: null\n", NULL, GY_ERR_FORMAT, "neither 'names' nor 'nc' is given");
    /* names: a list or a mapping; agreeing with nc */
    ds = ds_ok(VAL "names: [a, b]\nnc: 2\n");
    ck_assert_int_eq(ds->nc, 2);
    ck_assert_str_eq(ds->names[1], "b");
    gy_dataset_free(ds);
    ds_bad(VAL "names: [a, b]\nnc: 3\n", NULL, GY_ERR_FORMAT, "d.yaml:3: 'names' has 2 entries but 'nc' is 3");
    ds_bad(VAL "names: {0: a}\nnc: 2\n", NULL, GY_ERR_FORMAT, "'names' has 1 entries but 'nc' is 2");
    ds_bad(VAL "names: a\n", NULL, GY_ERR_FORMAT, "d.yaml:2: 'names' must be a list or a mapping of class ids to names");
    ds_bad(VAL "names: []\n", NULL, GY_ERR_FORMAT, "d.yaml:2: 0 classes; a dataset has 1 to 10000");
    ds_bad(VAL "names: {}\n", NULL, GY_ERR_FORMAT, "0 classes; a dataset has 1 to 10000");
    /* 10000 names accepted, 10001 refused */
    size_t cap = 64 + 10001 * 8;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    size_t used = (size_t)snprintf(text, cap, VAL "names:\n");
    for (int i = 0; i < 10000; i++)
        used += (size_t)snprintf(text + used, cap - used, "- n%d\n", i);
    ds = ds_ok(text);
    ck_assert_int_eq(ds->nc, 10000);
    ck_assert_str_eq(ds->names[9999], "n9999");
    gy_dataset_free(ds);
    snprintf(text + used, cap - used, "- n10000\n");
    ds_bad(text, NULL, GY_ERR_FORMAT, "d.yaml:3: 10001 classes; a dataset has 1 to 10000");
    free(text);
}
END_TEST

START_TEST(names_mapping_and_text)
{
    make_images();
    gy_dataset *ds = ds_ok(VAL "names:\n  1: b\n  0: a\n");
    ck_assert_str_eq(ds->names[0], "a");
    ck_assert_str_eq(ds->names[1], "b");
    gy_dataset_free(ds);
    ds_bad(VAL "names:\n  0: a\n  2: b\n", NULL, GY_ERR_FORMAT, "d.yaml:4: 2-class dataset requires class ids 0-1 (got '2')");
    ds_bad(VAL "names:\n  -1: a\n  0: b\n", NULL, GY_ERR_FORMAT, "d.yaml:3: 2-class dataset requires class ids 0-1 (got '-1')");
    ds_bad(VAL "names:\n  x: a\n", NULL, GY_ERR_FORMAT, "1-class dataset requires class ids 0-0 (got 'x')");
    ds_bad(VAL "names:\n  [0]: a\n", NULL, GY_ERR_FORMAT, "d.yaml:3: a class id must be an integer");
    ds_bad(VAL "names:\n  0: a\n  0: b\n", NULL, GY_ERR_FORMAT, "d.yaml:4: class name given twice");
    ds_bad(VAL "names: [a, ~]\n", NULL, GY_ERR_FORMAT, "d.yaml:2: a class name must be a text");
    ds_bad(VAL "names: [a, [b]]\n", NULL, GY_ERR_FORMAT, "a class name must be a text");
    ds_bad(VAL "names:\n  0: {a: 1}\n", NULL, GY_ERR_FORMAT, "d.yaml:3: a class name must be a text");
    ds = ds_ok(VAL "names: ['~', 'null', 12]\n"); /* quoted nulls and numbers are texts */
    ck_assert_str_eq(ds->names[0], "~");
    ck_assert_str_eq(ds->names[1], "null");
    ck_assert_str_eq(ds->names[2], "12");
    gy_dataset_free(ds);
    /* a name of 256 characters accepted, 257 refused */
    char text[700], name[300];
    memset(name, 'n', 257);
    name[256] = '\0';
    snprintf(text, sizeof text, VAL "names: [%s]\n", name);
    ds = ds_ok(text);
    ck_assert_int_eq((int)strlen(ds->names[0]), 256);
    gy_dataset_free(ds);
    name[256] = 'n';
    name[257] = '\0';
    snprintf(text, sizeof text, VAL "names: [%s]\n", name);
    ds_bad(text, NULL, GY_ERR_FORMAT, "d.yaml:2: a class name longer than 256 characters");
}
END_TEST

START_TEST(images_and_split)
{
    make_images();
    /* a folder: image names of any case, hidden entries and other names skipped, sorted */
    gy_dataset *ds = ds_ok(VAL "nc: 1\n");
    ck_assert_int_eq(ds->nimages, 3);
    ck_assert_msg(strstr(ds->images[0], "/images/val/a.jpg") != NULL, "%s", ds->images[0]);
    ck_assert_msg(strstr(ds->images[1], "/images/val/b.PNG") != NULL, "%s", ds->images[1]);
    ck_assert_msg(strstr(ds->images[2], "/images/val/sub/d.webp") != NULL, "%s", ds->images[2]);
    ck_assert_int_eq(ds->coco, 0);
    gy_dataset_free(ds);
    /* a list file: relative to its folder, ./ dropped, trimmed, other names skipped */
    ds = ds_ok("val: list.txt\nnc: 1\n");
    ck_assert_int_eq(ds->nimages, 3);
    ck_assert_str_eq(ds->images[0], "/abs/e.tiff");
    ck_assert_msg(strstr(ds->images[1], "/images/val/a.jpg") != NULL, "%s", ds->images[1]);
    gy_dataset_free(ds);
    /* a list of entries, and a path */
    ds = ds_ok("path: .\nval: [images/val/sub, list.txt]\nnc: 1\n");
    ck_assert_int_eq(ds->nimages, 4);
    gy_dataset_free(ds);
    /* "../x" that does not exist is retried as "x" (check_det_dataset) */
    ds = ds_ok("val: ../images/val/sub\nnc: 1\n");
    ck_assert_int_eq(ds->nimages, 1);
    gy_dataset_free(ds);
    ds_bad("val: ../nothere\nnc: 1\n", NULL, GY_ERR_IO, "images not found:");
    ds_bad("val: nothere\nnc: 1\n", NULL, GY_ERR_IO, "d.yaml: images not found:");
    ds_bad("val: [images/val, ~]\nnc: 1\n", NULL, GY_ERR_FORMAT, "d.yaml:1: an empty entry in 'val'");
    ds_bad("val: [images/val, [x]]\nnc: 1\n", NULL, GY_ERR_FORMAT, "d.yaml:1: 'val' must be a path");
    ds_bad("val: {a: 1}\nnc: 1\n", NULL, GY_ERR_FORMAT, "d.yaml:1: 'val' must be a path or a list of paths");
    ds_bad("val:\nnc: 1\n", NULL, GY_ERR_FORMAT, "d.yaml: no 'val:' images given");
    ds_bad("train: images/val\nnc: 1\n", NULL, GY_ERR_FORMAT, "no 'val:' images given");
    ds_bad("val: images/val/c.txt\nnc: 1\n", NULL, GY_ERR_FORMAT, "d.yaml: no images found for 'val'");
    ds_bad("path: [a]\nval: images/val\nnc: 1\n", NULL, GY_ERR_FORMAT, "d.yaml:1: 'path' must be a path");
    ds_bad("path: nothere\nval: images/val\nnc: 1\n", NULL, GY_ERR_IO, "d.yaml: dataset root");
    ds_bad("- a\n", NULL, GY_ERR_FORMAT, "d.yaml: a dataset YAML must be a mapping (path, val, names)");
    ds_bad("", "test", GY_ERR_FORMAT, "a dataset YAML must be a mapping (path, test, names)");
    /* the split argument */
    ds_bad(VAL "nc: 1\n", "valid", GY_ERR_ARGUMENT, "gy_dataset_load: split 'valid' is not val, train or test");
    gy_error err;
    gy_dataset *d2 = NULL;
    write_n(tmp("t.yaml"), "train: images/val/sub\ntest: list.txt\nnc: 1\n", 43);
    ck_assert_int_eq(gy_dataset_load(tmp("t.yaml"), "train", &d2, &err), GY_OK);
    ck_assert_int_eq(d2->nimages, 1);
    gy_dataset_free(d2);
    ck_assert_int_eq(gy_dataset_load(tmp("t.yaml"), "test", &d2, &err), GY_OK);
    ck_assert_int_eq(d2->nimages, 3);
    gy_dataset_free(d2);
    ck_assert_int_eq(gy_dataset_load(tmp("t.yaml"), "val", &d2, &err), GY_ERR_FORMAT);
    ck_assert_int_eq(gy_dataset_load(NULL, "val", &d2, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_dataset_load("", "val", &d2, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "no dataset YAML given") != NULL, "%s", err.message);
    ck_assert_int_eq(gy_dataset_load(tmp("t.yaml"), "val", NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "gy_dataset_load: out is NULL") != NULL, "%s", err.message);
    /* a NUL in a list file */
    write_n(tmp("nul.txt"), "a.jpg\0b.jpg\n", 12);
    ds_bad("val: nul.txt\nnc: 1\n", NULL, GY_ERR_FORMAT, "nul.txt: a NUL byte in an image list");
}
END_TEST

/* The coco flag: a realpath containing "coco" and ending in /val2017.txt. */
START_TEST(coco_flag)
{
    make_images();
    ck_assert_int_eq(mkdir(tmp("coco"), 0700), 0);
    write_n(tmp("coco/val2017.txt"), "../images/val/a.jpg\n", 20);
    write_n(tmp("coco/val2018.txt"), "../images/val/a.jpg\n", 20);
    gy_dataset *ds = ds_ok("val: coco/val2017.txt\nnc: 1\n");
    ck_assert_int_eq(ds->coco, 1);
    ck_assert_int_eq(ds->nimages, 1);
    gy_dataset_free(ds);
    ds = ds_ok("val: coco/val2018.txt\nnc: 1\n");
    ck_assert_int_eq(ds->coco, 0);
    gy_dataset_free(ds);
    write_n(tmp("val2017.txt"), "images/val/a.jpg\n", 17);
    ds = ds_ok("val: val2017.txt\nnc: 1\n"); /* no "coco" in /tmp/gy_dataset_contract_... */
    ck_assert_int_eq(ds->coco, 0);
    gy_dataset_free(ds);
}
END_TEST

/* Folders nested 32 deep are walked, 33 refused. */
START_TEST(folder_depth_bound)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/deep", dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    for (int d = 1; d <= 33; d++) {
        strcat(path, "/d");
        ck_assert_int_eq(mkdir(path, 0700), 0);
        if (d == 32) {
            char img[1100];
            snprintf(img, sizeof img, "%s/x.jpg", path);
            write_n(img, "", 0);
        }
    }
    /* depth 32: the image folder is at depth 32 from deep/ */
    gy_dataset *ds = ds_ok("val: deep/d\nnc: 1\n");
    ck_assert_int_eq(ds->nimages, 1);
    gy_dataset_free(ds);
    ds_bad("val: deep\nnc: 1\n", NULL, GY_ERR_FORMAT, "folders nested more than 32 deep");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("dataset_contract");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, label_class_bound);
    tcase_add_test(tc, label_coordinate_bounds);
    tcase_add_test(tc, label_columns);
    tcase_add_test(tc, label_duplicates_and_order);
    tcase_add_test(tc, label_float_syntax);
    tcase_add_test(tc, label_whitespace_and_lines);
    tcase_add_test(tc, label_count_bound);
    tcase_add_test(tc, label_arguments_and_files);
    tcase_add_test(tc, label_path_rule);
    tcase_add_test(tc, names_and_nc_bounds);
    tcase_add_test(tc, names_mapping_and_text);
    tcase_add_test(tc, images_and_split);
    tcase_add_test(tc, coco_flag);
    tcase_add_test(tc, folder_depth_bound);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return gy_test_run(suite()); }
