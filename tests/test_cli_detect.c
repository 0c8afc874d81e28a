/* ghostyolo detect as a user runs it: every source kind (file, folder, glob, list, stdin), run
 * folders, the bad-folder case, label files checked coordinate by coordinate, COCO results and
 * crops, and the options that change the result (--square, --agnostic, --max-det, --classes). */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "clirun.h"
#include "tables.h"
#include "testutil.h"

static const char *weights(void)
{
    return gy_test_shared("weights/yolov8n.safetensors");
}

static const char *coco(const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "datasets/coco128/images/train2017/%s", name);
    return gy_test_shared(rel);
}

/* stdout's JSON lines (--json) */
static int json_lines(cJSON **items, int max)
{
    char *text = read_text(outpath);
    int n = 0;
    for (char *line = strtok(text, "\n"); line && n < max; line = strtok(NULL, "\n")) {
        items[n] = cJSON_Parse(line);
        ck_assert_msg(items[n] != NULL, "not JSON: %s", line);
        n++;
    }
    free(text);
    return n;
}

static void free_json(cJSON **items, int n)
{
    for (int i = 0; i < n; i++)
        cJSON_Delete(items[i]);
}

static const char *image_of(const cJSON *j)
{
    return cJSON_GetObjectItem(j, "image")->valuestring;
}

static int ndets(const cJSON *j)
{
    return cJSON_GetArraySize(cJSON_GetObjectItem(j, "detections"));
}

static void box_of(const cJSON *j, int i, double b[6])
{
    const cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "detections"), i);
    for (int k = 0; k < 4; k++)
        b[k] = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "box"), k)->valuedouble;
    b[4] = cJSON_GetObjectItem(d, "score")->valuedouble;
    b[5] = cJSON_GetObjectItem(d, "class_id")->valueint;
}

static double iou(const double *a, const double *b)
{
    double w = fmin(a[2], b[2]) - fmax(a[0], b[0]), h = fmin(a[3], b[3]) - fmax(a[1], b[1]);
    if (w <= 0 || h <= 0)
        return 0;
    double i = w * h;
    return i / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - i);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Every file under dir (relative names, sorted, newline separated). */
static void list_files(const char *dir, const char *rel, char *out, size_t size)
{
    char path[1024];
    snprintf(path, sizeof path, "%s%s%s", dir, rel[0] ? "/" : "", rel);
    DIR *d = opendir(path);
    ck_assert_msg(d != NULL, "cannot list %s", path);
    char names[64][256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            snprintf(names[n++], 256, "%s", e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp_name);
    for (int i = 0; i < n; i++) {
        char sub[600], full[1700];
        ck_assert(snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", names[i]) < (int)sizeof sub);
        ck_assert(snprintf(full, sizeof full, "%s/%s", dir, sub) < (int)sizeof full);
        struct stat sb;
        ck_assert_int_eq(stat(full, &sb), 0);
        if (S_ISDIR(sb.st_mode)) {
            list_files(dir, sub, out, size);
        } else {
            ck_assert_msg(sb.st_size > 0, "%s is empty", full);
            size_t used = strlen(out);
            snprintf(out + used, size - used, "%s\n", sub);
        }
    }
}

static unsigned long crc32_of(const unsigned char *p, size_t n)
{
    unsigned long c = 0xffffffffUL;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320UL & (0UL - (c & 1UL)));
    }
    return c ^ 0xffffffffUL;
}

static void put32(unsigned char *p, unsigned long v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* A PNG whose header claims 20000x20000 RGB (with one tiny IDAT). */
static void write_huge_png(const char *path)
{
    unsigned char f[64];
    size_t n = 0;
    memcpy(f, "\x89PNG\r\n\x1a\n", 8);
    n = 8;
    put32(f + n, 13);
    memcpy(f + n + 4, "IHDR", 4);
    put32(f + n + 8, 20000);
    put32(f + n + 12, 20000);
    memcpy(f + n + 16, "\x08\x02\x00\x00\x00", 5);
    put32(f + n + 21, crc32_of(f + n + 4, 17));
    n += 25;
    put32(f + n, 0);
    memcpy(f + n + 4, "IEND", 4);
    put32(f + n + 8, crc32_of(f + n + 4, 4));
    n += 12;
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(f, 1, n, fp), n);
    ck_assert_int_eq(fclose(fp), 0);
}

static void setup(void)
{
    cli_setup("cli_detect");
}

static void teardown(void)
{
    cli_teardown();
}

/* The "done means": good images beside a truncated JPEG, a zero-byte file, a text file
 * named .jpg, a PNG whose header claims 20000x20000, and two subfolders, which are passed over as
 * ultralytics' glob passes them over (one line says so, none under -q). */
START_TEST(bad_folder)
{
    shell("mkdir -p in/sub in/runs && cp '%s' in/a.jpg && cp '%s' in/b.jpg && cp '%s' in/sub/c.jpg",
          coco("000000000009.jpg"), coco("000000000025.jpg"), coco("000000000030.jpg"));
    shell("head -c 6000 '%s' > in/trunc.jpg && : > in/zero.jpg && echo 'just text' > in/text.jpg",
          coco("000000000030.jpg"));
    write_huge_png(tmp_file("in/huge.png"));
    ck_assert_int_eq(run("detect -w '%s' --save-txt -o out in", weights()), 65);
    char *e = read_text(errpath);
    printf("bad folder stderr:\n%s", e);
    /* a progress line per item, in name order; one error per bad one, naming it */
    ck_assert_int_eq(count_of(e, "\nimage ") + (strncmp(e, "image ", 6) == 0), 6);
    ck_assert_ptr_nonnull(strstr(e, "image 1/6 in/a.jpg: 480x640 "));
    ck_assert_ptr_nonnull(strstr(e, "image 2/6 in/b.jpg: 448x640 2 giraffes, "));
    static const char *const bad[] = {"image 3/6 in/huge.png: error: ", "image 4/6 in/text.jpg: error: ",
                                      "image 5/6 in/trunc.jpg: error: ", "image 6/6 in/zero.jpg: error: "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(count_of(e, bad[i]) == 1, "one '%s' expected:\n%s", bad[i], e);
    ck_assert_int_eq(count_of(e, "error"), 4);
    ck_assert_ptr_nonnull(strstr(e, "20000x20000"));
    ck_assert_int_eq(count_of(e, "passed over"), 1);
    ck_assert_ptr_nonnull(strstr(e, "2 folders inside the source folders passed over (not searched), "
                                    "e.g. in/runs\n"));
    ck_assert_ptr_nonnull(strstr(e, "Speed: "));
    ck_assert_ptr_null(strstr(e, "sub/c.jpg")); /* the subfolder's image is not searched */
    free(e);
    /* results for every good image, nothing else: no partial, temporary or empty files */
    char files[4096] = "";
    list_files(tmp_file("out"), "", files, sizeof files);
    ck_assert_str_eq(files, "a.jpg\nb.jpg\nlabels/a.txt\nlabels/b.txt\n");
    int w, h, c;
    ck_assert(stbi_info(tmp_file("out/b.jpg"), &w, &h, &c));
    ck_assert_int_eq(w, 640);
    ck_assert_int_eq(h, 426);
    /* only good images and a subfolder: exit 0; -q says nothing of the subfolders */
    shell("rm in/trunc.jpg in/zero.jpg in/text.jpg in/huge.png");
    ck_assert_int_eq(run("detect -q --no-save --imgsz 160 -w '%s' in", weights()), 0);
    e = read_text(errpath);
    ck_assert_msg(e[0] == '\0', "-q printed:\n%s", e);
    free(e);
    /* a folder with nothing but subfolders: no images, and why */
    shell("rm in/a.jpg in/b.jpg");
    ck_assert_int_eq(run("detect -w '%s' in", weights()), 66);
    err_has("no images or videos in the sources given (2 folders passed over, e.g. in/runs: folders inside a "
            "source folder are not searched)");
    ck_assert_int_ne(access(tmp_file("runs"), F_OK), 0);
}
END_TEST

/* Folder (sorted by name, other files passed over), file, quoted glob, list file (relative to its
 * folder) and stdin. */
START_TEST(source_kinds)
{
    shell("mkdir -p f lists && cp '%s' f/c.jpg && cp '%s' f/a.jpg && cp '%s' f/b.jpg && "
          "echo notes > f/notes.md",
          coco("000000000009.jpg"), coco("000000000025.jpg"), coco("000000000030.jpg"));
    cJSON *j[8];
    /* a folder */
    ck_assert_int_eq(run("detect --no-save --json -w '%s' f", weights()), 0);
    ck_assert_int_eq(json_lines(j, 8), 3);
    ck_assert_str_eq(image_of(j[0]), "f/a.jpg");
    ck_assert_str_eq(image_of(j[1]), "f/b.jpg");
    ck_assert_str_eq(image_of(j[2]), "f/c.jpg");
    ck_assert_int_eq(ndets(j[0]), 2); /* a.jpg = 000000000025: two giraffes */
    free_json(j, 3);
    err_has("image 3/3 f/c.jpg: 480x640 ");
    /* a file, and the same folder as a quoted glob */
    ck_assert_int_eq(run("detect --no-save --json -w '%s' f/b.jpg 'f/[ac].jpg'", weights()), 0);
    ck_assert_int_eq(json_lines(j, 8), 3);
    ck_assert_str_eq(image_of(j[0]), "f/b.jpg");
    ck_assert_str_eq(image_of(j[1]), "f/a.jpg");
    ck_assert_str_eq(image_of(j[2]), "f/c.jpg");
    free_json(j, 3);
    ck_assert_int_eq(run("detect --no-save -w '%s' 'f/*.png'", weights()), 65);
    err_has("f/*.png: error: no file matches this pattern");
    /* a list: relative to its own folder, blank lines skipped, absolute paths as they are */
    FILE *l = fopen(tmp_file("lists/l.txt"), "w");
    ck_assert_ptr_nonnull(l);
    fprintf(l, "../f/c.jpg\n\n  ../f/a.jpg  \r\n%s\n", gy_test_shared("images/bus.jpg"));
    fclose(l);
    ck_assert_int_eq(run("detect --no-save --json -w '%s' lists/l.txt", weights()), 0);
    ck_assert_int_eq(json_lines(j, 8), 3);
    ck_assert_str_eq(image_of(j[0]), "lists/../f/c.jpg");
    ck_assert_str_eq(image_of(j[1]), "lists/../f/a.jpg");
    ck_assert_str_eq(image_of(j[2]), gy_test_shared("images/bus.jpg"));
    free_json(j, 3);
    err_has("image 2/3 lists/../f/a.jpg: ");
    /* "-": paths from stdin, processed as they arrive: the first image's line is on stderr
     * before the second path is even written */
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' detect -t 1 --no-save -w '%s' - > '%s' 2> '%s'", tmp,
             gy_test_cli(), weights(), outpath, errpath);
    FILE *p = popen(cmd, "w");
    ck_assert_ptr_nonnull(p);
    fprintf(p, "f/a.jpg\n");
    fflush(p);
    int seen = 0;
    for (int i = 0; i < 1200 && !seen; i++) { /* up to 2 minutes */
        struct timespec ts = {0, 100000000L};
        nanosleep(&ts, NULL);
        char *e = read_text(errpath);
        seen = strstr(e, "image 1/? f/a.jpg: 448x640 2 giraffes, ") != NULL;
        free(e);
    }
    ck_assert_msg(seen, "the first stdin path was not processed before the second arrived");
    fprintf(p, "f/c.jpg\n");
    int st = pclose(p);
    ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    err_has("image 2/? f/c.jpg: 480x640 ");
    /* --quiet: no progress, but errors still say what went wrong */
    ck_assert_int_eq(run("detect -q --no-save -w '%s' f/a.jpg f/missing.jpg", weights()), 65);
    char *e = read_text(errpath);
    ck_assert_ptr_null(strstr(e, "image "));
    ck_assert_ptr_null(strstr(e, "Speed"));
    ck_assert_ptr_nonnull(strstr(e, "f/missing.jpg: No such file or directory"));
    free(e);
}
END_TEST

/* runs/detect/predict, predict2, predict3 as ultralytics' increment_path; --exist-ok, --project,
 * --name; two inputs with one file name are both kept. */
START_TEST(run_folders)
{
    shell("mkdir -p a b && cp '%s' a/x.jpg && cp '%s' b/x.jpg", coco("000000000009.jpg"),
          coco("000000000025.jpg"));
    for (int i = 1; i <= 3; i++) {
        ck_assert_int_eq(run("detect -w '%s' a/x.jpg", weights()), 0);
        char want[64];
        snprintf(want, sizeof want, "Results saved to runs/detect/predict%.0d\n", i == 1 ? 0 : i);
        if (i == 1)
            snprintf(want, sizeof want, "Results saved to runs/detect/predict\n");
        err_has(want);
    }
    ck_assert_int_eq(access(tmp_file("runs/detect/predict3/x.jpg"), F_OK), 0);
    ck_assert_int_eq(run("detect --exist-ok -w '%s' b/x.jpg", weights()), 0);
    err_has("Results saved to runs/detect/predict\n");
    ck_assert_int_ne(access(tmp_file("runs/detect/predict4"), F_OK), 0);
    ck_assert_int_eq(run("detect --project p --name exp -w '%s' a/x.jpg", weights()), 0);
    ck_assert_int_eq(run("detect --project p --name exp -w '%s' a/x.jpg", weights()), 0);
    err_has("Results saved to p/exp2\n");
    /* same file name from two folders */
    ck_assert_int_eq(run("detect --save-txt -o same -w '%s' a/x.jpg b/x.jpg", weights()), 0);
    err_has("ghostyolo detect: warning: b/x.jpg has the file stem of an earlier source; its results "
            "are saved as x_2\n");
    char files[4096] = "";
    list_files(tmp_file("same"), "", files, sizeof files);
    ck_assert_str_eq(files, "labels/x.txt\nlabels/x_2.txt\nx.jpg\nx_2.jpg\n");
    char *l2 = read_text(tmp_file("same/labels/x_2.txt"));
    ck_assert_int_eq(strncmp(l2, "23 ", 3), 0); /* b/x.jpg is the giraffe image */
    free(l2);
}
END_TEST

/* --save-txt: "cls cx cy w h [conf]" normalised, one line per --json box, coordinate by coordinate;
 * and the boxes match ultralytics' on bus.jpg. No file for an image without detections. */
START_TEST(label_files)
{
    const char *bus = gy_test_shared("images/bus.jpg");
    unsigned char *grey = malloc(320 * 240 * 3);
    ck_assert_ptr_nonnull(grey);
    memset(grey, 128, 320 * 240 * 3);
    ck_assert(stbi_write_png(tmp_file("grey.png"), 320, 240, 3, grey, 320 * 3));
    free(grey);
    ck_assert_int_eq(run("detect --json --save-txt --save-conf -o o1 -w '%s' '%s' grey.png", weights(), bus), 0);
    cJSON *j[4];
    ck_assert_int_eq(json_lines(j, 4), 2);
    ck_assert_int_eq(ndets(j[1]), 0);
    err_has("grey.png: 480x640 (no detections), ");
    ck_assert_int_ne(access(tmp_file("o1/labels/grey.txt"), F_OK), 0);
    ck_assert_int_eq(access(tmp_file("o1/grey.png"), F_OK), 0);
    err_has("1 label saved to o1/labels");
    char *txt = read_text(tmp_file("o1/labels/bus.txt"));
    cJSON *ref = gy_test_read_json(gy_test_shared("reference/detections_yolov8n.json"));
    const cJSON *rd = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(ref, "predictor"), "bus"), "detections");
    int n = ndets(j[0]), lines = 0, matched = 0;
    ck_assert_int_ge(n, 4);
    char *save = NULL;
    for (char *line = strtok_r(txt, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        ck_assert_int_lt(lines, n);
        int cls;
        double v[5];
        char tail;
        ck_assert_int_eq(sscanf(line, "%d %lf %lf %lf %lf %lf%c", &cls, &v[0], &v[1], &v[2], &v[3], &v[4], &tail), 6);
        double b[6];
        box_of(j[0], lines, b);
        ck_assert_int_eq(cls, (int)b[5]);
        double want[5] = {(b[0] + b[2]) / 2 / 810, (b[1] + b[3]) / 2 / 1080, (b[2] - b[0]) / 810,
                          (b[3] - b[1]) / 1080, b[4]};
        for (int k = 0; k < 5; k++)
            ck_assert_msg(fabs(v[k] - want[k]) < 5e-6, "line %d column %d: %.7f vs %.7f", lines,
                          k + 1, v[k], want[k]);
        /* and ultralytics' box of that object (its decoder differs slightly: 0.5 % of the size) */
        for (int r = 0; r < cJSON_GetArraySize(rd); r++) {
            const cJSON *d = cJSON_GetArrayItem(rd, r);
            if (cJSON_GetObjectItem(d, "class_id")->valueint != cls)
                continue;
            double x[4];
            for (int k = 0; k < 4; k++)
                x[k] = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "xyxy"), k)->valuedouble;
            double u[4] = {(x[0] + x[2]) / 2 / 810, (x[1] + x[3]) / 2 / 1080, (x[2] - x[0]) / 810,
                           (x[3] - x[1]) / 1080};
            if (fabs(u[0] - v[0]) < 0.005 && fabs(u[1] - v[1]) < 0.005 &&
                fabs(u[2] - v[2]) < 0.005 && fabs(u[3] - v[3]) < 0.005)
                matched++;
        }
        lines++;
    }
    ck_assert_int_eq(lines, n);
    ck_assert_int_eq(matched, cJSON_GetArraySize(rd));
    free(txt);
    cJSON_Delete(ref);
    free_json(j, 2);
    /* without --save-conf: five columns */
    ck_assert_int_eq(run("detect --save-txt --no-save -o o2 -w '%s' '%s'", weights(), bus), 0);
    txt = read_text(tmp_file("o2/labels/bus.txt"));
    ck_assert_ptr_nonnull(strchr(txt, '\n'));
    *strchr(txt, '\n') = '\0'; /* the first line */
    int cls;
    double v[5];
    ck_assert_int_eq(sscanf(txt, "%d %lf %lf %lf %lf %lf", &cls, &v[0], &v[1], &v[2], &v[3], &v[4]), 5);
    free(txt);
    char files[1024] = "";
    list_files(tmp_file("o2"), "", files, sizeof files);
    ck_assert_str_eq(files, "labels/bus.txt\n"); /* --no-save: no annotated image */
}
END_TEST

/* --save-json (COCO ids, x y w h) and --save-crop (box + 2 % + 10 px, clipped). */
START_TEST(coco_json_and_crops)
{
    shell("cp '%s' 000000000009.jpg", coco("000000000009.jpg"));
    const char *bus = gy_test_shared("images/bus.jpg");
    ck_assert_int_eq(run("detect --json --save-json --save-crop --no-save -o o -w '%s' '%s' 000000000009.jpg",
                         weights(), bus), 0);
    cJSON *j[4];
    ck_assert_int_eq(json_lines(j, 4), 2);
    cJSON *pred = gy_test_read_json(tmp_file("o/predictions.json"));
    ck_assert_int_eq(cJSON_GetArraySize(pred), ndets(j[0]) + ndets(j[1]));
    static const int coco91[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20,
                                 21, 22, 23, 24, 25, 27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
                                 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58,
                                 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79,
                                 80, 81, 82, 84, 85, 86, 87, 88, 89, 90};
    int persons = 0;
    for (int i = 0; i < cJSON_GetArraySize(pred); i++) {
        const cJSON *p = cJSON_GetArrayItem(pred, i);
        int img = i < ndets(j[0]) ? 0 : 1, k = img ? i - ndets(j[0]) : i;
        double b[6];
        box_of(j[img], k, b);
        const cJSON *id = cJSON_GetObjectItem(p, "image_id");
        if (img == 0)
            ck_assert(cJSON_IsString(id) && strcmp(id->valuestring, "bus") == 0);
        else
            ck_assert(cJSON_IsNumber(id) && id->valueint == 9);
        ck_assert_int_eq(cJSON_GetObjectItem(p, "category_id")->valueint, coco91[(int)b[5]]);
        const cJSON *bb = cJSON_GetObjectItem(p, "bbox");
        double want[4] = {b[0], b[1], b[2] - b[0], b[3] - b[1]};
        for (int c = 0; c < 4; c++)
            ck_assert(fabs(cJSON_GetArrayItem(bb, c)->valuedouble - want[c]) < 2.5e-3);
        ck_assert(fabs(cJSON_GetObjectItem(p, "score")->valuedouble - b[4]) < 1e-5);
        if (img == 0 && (int)b[5] == 0) {
            /* crops/person/bus.jpg, bus2.jpg, ... in box order */
            char rel[64];
            if (persons)
                snprintf(rel, sizeof rel, "o/crops/person/bus%d.jpg", persons + 1);
            else
                snprintf(rel, sizeof rel, "o/crops/person/bus.jpg");
            int w, h, c;
            ck_assert_msg(stbi_info(tmp_file(rel), &w, &h, &c), "%s", rel);
            double cx = (b[0] + b[2]) / 2, cy = (b[1] + b[3]) / 2;
            double bw = (b[2] - b[0]) * 1.02 + 10, bh = (b[3] - b[1]) * 1.02 + 10;
            double x1 = fmax(0, trunc(cx - bw / 2)), x2 = fmin(810, trunc(cx + bw / 2));
            double y1 = fmax(0, trunc(cy - bh / 2)), y2 = fmin(1080, trunc(cy + bh / 2));
            ck_assert_msg(fabs(w - (x2 - x1)) <= 1 && fabs(h - (y2 - y1)) <= 1,
                          "%s: %dx%d, expected %.0fx%.0f", rel, w, h, x2 - x1, y2 - y1);
            persons++;
        }
    }
    ck_assert_int_ge(persons, 3);
    ck_assert_int_eq(access(tmp_file("o/crops/bus/bus.jpg"), F_OK), 0);
    ck_assert_int_eq(access(tmp_file("o/crops/bowl/000000000009.jpg"), F_OK), 0);
    cJSON_Delete(pred);
    free_json(j, 2);
}
END_TEST

/* Each of --square, --max-det, --classes and --agnostic changes the result as it should. */
START_TEST(options_change_results)
{
    const char *bus = gy_test_shared("images/bus.jpg");
    cJSON *base, *other, *j[2];
    ck_assert_int_eq(run("detect --no-save --json -w '%s' '%s'", weights(), bus), 0);
    ck_assert_int_eq(json_lines(j, 1), 1);
    base = j[0];
    int n = ndets(base);
    ck_assert_int_ge(n, 5);
    /* --square: 640x640 instead of 640x480, and different boxes */
    ck_assert_int_eq(cJSON_GetObjectItem(base, "input_width")->valueint, 480);
    ck_assert_int_eq(run("detect --no-save --json --square -w '%s' '%s'", weights(), bus), 0);
    ck_assert_int_eq(json_lines(j, 1), 1);
    other = j[0];
    ck_assert_int_eq(cJSON_GetObjectItem(other, "input_width")->valueint, 640);
    ck_assert_int_eq(cJSON_GetObjectItem(other, "input_height")->valueint, 640);
    double a[6], b[6];
    box_of(base, 0, a);
    box_of(other, 0, b);
    ck_assert(a[0] != b[0] || a[4] != b[4]);
    cJSON_Delete(other);
    /* --max-det 2: the two best boxes of the default run */
    ck_assert_int_eq(run("detect --no-save --json --max-det 2 -w '%s' '%s'", weights(), bus), 0);
    ck_assert_int_eq(json_lines(j, 1), 1);
    ck_assert_int_eq(ndets(j[0]), 2);
    for (int i = 0; i < 2; i++) {
        box_of(base, i, a);
        box_of(j[0], i, b);
        ck_assert(memcmp(a, b, sizeof a) == 0);
    }
    cJSON_Delete(j[0]);
    /* --classes 5: only the bus boxes of the default run */
    ck_assert_int_eq(run("detect --no-save --json --classes 5 -w '%s' '%s'", weights(), bus), 0);
    ck_assert_int_eq(json_lines(j, 1), 1);
    int k = 0;
    for (int i = 0; i < n; i++) {
        box_of(base, i, a);
        if ((int)a[5] != 5)
            continue;
        ck_assert_int_lt(k, ndets(j[0]));
        box_of(j[0], k++, b);
        ck_assert(memcmp(a, b, sizeof a) == 0);
    }
    ck_assert_int_eq(k, ndets(j[0]));
    ck_assert_int_ge(k, 1);
    ck_assert_int_lt(k, n);
    cJSON_Delete(j[0]);
    cJSON_Delete(base);
    /* --agnostic: boxes of different classes that overlap (IoU > 0.7) suppress each other */
    const char *im = coco("000000000042.jpg");
    for (int ag = 0; ag < 2; ag++) {
        ck_assert_int_eq(run("detect --no-save --json --conf 0.1 %s -w '%s' '%s'",
                             ag ? "--agnostic" : "", weights(), im), 0);
        ck_assert_int_eq(json_lines(j, 1), 1);
        int cross = 0, m = ndets(j[0]);
        for (int p = 0; p < m; p++)
            for (int q = p + 1; q < m; q++) {
                box_of(j[0], p, a);
                box_of(j[0], q, b);
                cross += iou(a, b) > 0.7;
            }
        printf("agnostic %d: %d boxes, %d pairs with IoU > 0.7\n", ag, m, cross);
        if (ag)
            ck_assert_int_eq(cross, 0);
        else
            ck_assert_int_ge(cross, 1);
        cJSON_Delete(j[0]);
    }
}
END_TEST

/* "--" ends the options: a file whose name starts with '-' is a source. */
START_TEST(double_dash)
{
    shell("cp '%s' ./-odd.jpg", coco("000000000025.jpg"));
    ck_assert_int_eq(run("detect --no-save -w '%s' -- -odd.jpg", weights()), 0);
    err_has("image 1/1 -odd.jpg: 448x640 2 giraffes, ");
}
END_TEST

/* The OpenMP runtime's own report of its settings (OMP_DISPLAY_ENV=verbose, printed as it starts)
 * for `detect -t THREADS` run with the environment ENV: the processes started (libgomp's report,
 * once per process: 2 when detect ran itself again, wait_policy.c) and the last wait setting in
 * force, LLVM libomp's KMP_BLOCKTIME when it is loaded (the clang build; some libraries still load
 * libgomp beside it), else libgomp's GOMP_SPINCOUNT; *omp tells which. */
static int wait_reports(const char *env, int threads, char *last, size_t n, int *omp)
{
    shell("env %s OMP_DISPLAY_ENV=verbose '%s' detect -q -t %d --no-save --imgsz 64 -w '%s' '%s' "
          "2> omp.txt",
          env, gy_test_cli(), threads, weights(), gy_test_shared("images/bus.jpg"));
    char *text = read_text(tmp_file("omp.txt"));
    int processes = count_of(text, "OMP_WAIT_POLICY = '");
    const char *keys[] = {"KMP_BLOCKTIME='", "GOMP_SPINCOUNT = '"}, *at = NULL, *p;
    for (int k = 0; k < 2 && !at; k++) {
        for (p = strstr(text, keys[k]); p; p = strstr(p + 1, keys[k]))
            at = p + strlen(keys[k]);
        *omp = at && k == 0;
    }
    ck_assert_msg(at, "no wait setting in the runtime's report: %s", text);
    snprintf(last, n, "%.*s", (int)strcspn(at, "'"), at);
    free(text);
    return processes;
}

/* detect at more than one thread (-t 0: all cores) runs with OMP_WAIT_POLICY=passive (a spin
 * count or block time of 0), unless the user set OMP_WAIT_POLICY, GOMP_SPINCOUNT or KMP_BLOCKTIME;
 * at one thread it runs as loaded (libgomp spins 300000 times, libomp 200 ms). */
START_TEST(passive_wait_unless_chosen)
{
    char v[64];
    int omp;
    ck_assert_int_eq(wait_reports("X=0", 1, v, sizeof v, &omp), 1);
    ck_assert_str_eq(v, omp ? "200" : "300000");
    for (int t = 0; t <= 2; t += 2) {
        ck_assert_int_eq(wait_reports("X=0", t, v, sizeof v, &omp), 2);
        ck_assert_msg(strcmp(v, "0") == 0, "-t %d: %s", t, v);
    }
    ck_assert_int_eq(wait_reports("OMP_WAIT_POLICY=active", 2, v, sizeof v, &omp), 1);
    ck_assert_str_eq(v, omp ? "2147483647" : "30000000000");
    ck_assert_int_eq(wait_reports("GOMP_SPINCOUNT=1000", 2, v, sizeof v, &omp), 1);
    ck_assert_str_eq(v, omp ? "200" : "1000");
    ck_assert_int_eq(wait_reports("KMP_BLOCKTIME=5", 2, v, sizeof v, &omp), 1);
    ck_assert_str_eq(v, omp ? "5" : "300000");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli_detect");
    TCase *tc = tcase_create("cli_detect");
    tcase_set_timeout(tc, 600);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, bad_folder);
    tcase_add_test(tc, source_kinds);
    tcase_add_test(tc, run_folders);
    tcase_add_test(tc, label_files);
    tcase_add_test(tc, coco_json_and_crops);
    tcase_add_test(tc, options_change_results);
    tcase_add_test(tc, double_dash);
    tcase_add_test(tc, passive_wait_unless_chosen);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}
