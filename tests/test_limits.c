/* test_limits.c - the README's "Limits" table against the code: every row's macro, default and
 * error-message fragment. The defaults are compared with the macros themselves (this file includes
 * the headers that define them), the fragments with the message the library or CLI gives for an
 * input one step over the limit, and the rows with this file's list, both ways. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "configs/config.h"
#include "detector/dataset.h"
#include "detector/cli/path_lines.h"
#include "preprocess/image.h"
#include "preprocess/stb_decode.h"
#include "testutil.h"
#include "weights/pickle.h"
#include "weights/pt_checkpoint.h"
#include "weights/safetensors.h"

static char msg[4096];

static void put_be32(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* A PNG signature and IHDR claiming w x h (nothing after: the caps act on the header). */
static void png_header(const char *what, unsigned w, unsigned h)
{
    unsigned char png[33] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    put_be32(png + 16, w);
    put_be32(png + 20, h);
    png[24] = 8;
    png[25] = 2;
    gy_image *img;
    gy_error err;
    ck_assert_msg(gy_image_decode_memory(png, sizeof png, what, &img, &err) != GY_OK, "%s accepted", what);
    snprintf(msg, sizeof msg, "%s", err.message);
}

static void yaml(const char *text)
{
    gy_config *cfg = NULL;
    gy_error err;
    ck_assert_msg(gy_config_load_string(text, strlen(text), "limit.yaml", NULL, 0, &cfg, &err) != GY_OK,
                  "accepted: %.200s", text);
    snprintf(msg, sizeof msg, "%s", err.message);
}

/* A yolov8n-like YAML whose backbone row 0 is `row` and that has `extra` more rows. */
static char *yaml_with(const char *row, int extra, int nc)
{
    size_t cap = 4096 + (size_t)extra * 40;
    char *t = malloc(cap);
    ck_assert(t);
    int n = snprintf(t, cap, "nc: %d\nbackbone:\n  - %s\n", nc, row);
    for (int i = 0; i < extra; i++)
        n += snprintf(t + n, cap - (size_t)n, "  - [-1, 1, Conv, [16, 3, 1]]\n");
    snprintf(t + n, cap - (size_t)n, "head:\n  - [[0], 1, Detect, [nc]]\n");
    return t;
}

static void st_bytes(const unsigned char *b, size_t n)
{
    unsigned char *buf = malloc(n);
    ck_assert(buf);
    memcpy(buf, b, n);
    gy_safetensors *st;
    gy_error err;
    ck_assert(gy_st_parse(buf, n, "limit.safetensors", &st, &err) != GY_OK);
    snprintf(msg, sizeof msg, "%s", err.message);
}

/* Runs the CLI with args (NULL-terminated) and stdin from /dev/null; stderr into msg. */
static int cli(const char *const *args)
{
    char errpath[64];
    snprintf(errpath, sizeof errpath, "/tmp/gy_limits_err_%ld.txt", (long)getpid());
    fflush(stdout);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        if (!freopen(errpath, "w", stderr) || !freopen("/dev/null", "w", stdout))
            _exit(127);
        execv(gy_test_cli(), (char *const *)args);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    size_t n;
    unsigned char *e = gy_test_read(errpath, &n);
    /* the end of stderr: a list's limit error comes after the errors of its lines */
    snprintf(msg, sizeof msg, "%s", (char *)e + (n > 2000 ? n - 2000 : 0));
    free(e);
    remove(errpath);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Each check produces, in msg, the error for an input one step over the limit. */
static void over_image_pixels(void) { png_header("big.png", 8193, 8192); }
static void over_image_side(void) { png_header("wide.png", GY_IMAGE_MAX_SIDE + 1, 1); }
static void over_gif_ratio(void)
{
    /* a 28-byte GIF claiming 1026 x 59357 pixels (found by fuzz_image: stb_image allocated three
     * 244 MB RGBA frames for it) */
    static const unsigned char gif[28] = {'G', 'I', 'F', '8', '9', 'a', 0x02, 0x04, 0xdd, 0xe7, 0x01, 0x00, 0x10, 0x61,
                                          0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x40, 0x00, 0x42};
    gy_image *img;
    gy_error err;
    ck_assert(gy_image_decode_memory(gif, sizeof gif, "bomb.gif", &img, &err) != GY_OK);
    snprintf(msg, sizeof msg, "%s", err.message);
}
static void over_image_file(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_limits_big_%ld.png", (long)getpid());
    FILE *f = fopen(path, "wb");
    ck_assert(f);
    fclose(f);
    ck_assert(truncate(path, (off_t)GY_IMAGE_MAX_FILE_BYTES + 1) == 0); /* sparse: no disk used */
    gy_image *img;
    gy_error err;
    ck_assert(gy_image_load(path, &img, &err) != GY_OK);
    snprintf(msg, sizeof msg, "%s", err.message);
    remove(path);
}
static void over_st_header(void)
{
    unsigned char b[16] = {0};
    unsigned long long n = (unsigned long long)GY_ST_MAX_HEADER + 1;
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(n >> (8 * i));
    st_bytes(b, sizeof b);
}
static void over_st_tensors(void)
{
    /* {"0":0,"1":0,...}: the count is checked before the entries are (about 9 MB of JSON) */
    size_t cap = 16 + (size_t)(GY_ST_MAX_TENSORS + 1) * 12;
    unsigned char *b = malloc(cap);
    ck_assert(b);
    size_t n = 8;
    b[n++] = '{';
    for (long i = 0; i <= GY_ST_MAX_TENSORS; i++)
        n += (size_t)snprintf((char *)b + n, cap - n, "%s\"%lx\":0", i ? "," : "", i);
    b[n++] = '}';
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((unsigned long long)(n - 8) >> (8 * i));
    st_bytes(b, n);
    free(b);
}
static void over_st_file(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_limits_big_%ld.safetensors", (long)getpid());
    FILE *f = fopen(path, "wb");
    ck_assert(f);
    fclose(f);
    ck_assert(truncate(path, (off_t)GY_ST_MAX_FILE + 1) == 0);
    gy_safetensors *st;
    gy_error err;
    ck_assert(gy_st_open(path, &st, &err) != GY_OK);
    snprintf(msg, sizeof msg, "%s", err.message);
    remove(path);
}
static void over_yaml_bytes(void)
{
    char *t = malloc(GY_YAML_MAX_BYTES + 2);
    ck_assert(t);
    memset(t, '#', GY_YAML_MAX_BYTES + 1);
    t[GY_YAML_MAX_BYTES + 1] = '\0';
    yaml(t);
    free(t);
}
static void over_rows(void)
{
    char *t = yaml_with("[-1, 1, Conv, [16, 3, 2]]", GY_MAX_ROWS, 1);
    yaml(t);
    free(t);
}
static void over_channels(void)
{
    char row[128];
    snprintf(row, sizeof row, "[-1, 1, Conv, [%d, 3, 2]]", GY_MAX_CHANNELS + 1);
    char *t = yaml_with(row, 0, 1);
    yaml(t);
    free(t);
}
static void over_repeats(void)
{
    char row[128];
    snprintf(row, sizeof row, "[-1, %d, Conv, [16, 3, 2]]", GY_MAX_REPEATS + 1);
    char *t = yaml_with(row, 0, 1);
    yaml(t);
    free(t);
}
static void over_total_repeats(void)
{
    /* rows of GY_MAX_REPEATS repeated Convs (8 -> 8 channels) until the total is over */
    int rows = GY_MAX_TOTAL_REPEATS / GY_MAX_REPEATS + 1;
    size_t cap = 4096 + (size_t)rows * 64;
    char *t = malloc(cap);
    ck_assert(t);
    int n = snprintf(t, cap, "nc: 1\nbackbone:\n  - [-1, 1, Conv, [8, 3, 2]]\n");
    for (int i = 0; i < rows; i++)
        n += snprintf(t + n, cap - (size_t)n, "  - [-1, %d, Conv, [8, 3, 1]]\n", GY_MAX_REPEATS);
    snprintf(t + n, cap - (size_t)n, "head:\n  - [[-1], 1, Detect, [nc]]\n");
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_limits_rep_%ld.yaml", (long)getpid());
    gy_test_write_text(path, t);
    free(t);
    gy_model *m = NULL;
    gy_error err;
    ck_assert(gy_model_load(path, NULL, NULL, &m, &err) != GY_OK);
    snprintf(msg, sizeof msg, "%s", err.message);
    remove(path);
}
static void over_nc(void)
{
    char *t = yaml_with("[-1, 1, Conv, [16, 3, 2]]", 0, GY_MAX_NC + 1);
    yaml(t);
    free(t);
}
static void over_imgsz(void)
{
    char v[32];
    snprintf(v, sizeof v, "%d", GY_IMGSZ_MAX + 1);
    const char *args[] = {"ghostyolo", "stats", "-m", gy_test_source("configs/yolov8.yaml"), "--imgsz", v, NULL};
    ck_assert_int_eq(cli(args), 64);
}
static void write_list(const char *path, long lines, size_t line_bytes)
{
    FILE *f = fopen(path, "w");
    ck_assert(f);
    for (long i = 0; i < lines; i++) {
        for (size_t k = 0; k + 1 < line_bytes; k++)
            fputc('a', f);
        fputs(".jpg\n", f);
    }
    ck_assert(fclose(f) == 0);
}
static void run_list(const char *list)
{
    char out[64];
    snprintf(out, sizeof out, "/tmp/gy_limits_out_%ld", (long)getpid());
    const char *args[] = {"ghostyolo", "detect", "-q", "--no-save", "-o", out, "-w",
                          gy_test_shared("weights/yolov8n.safetensors"), list, NULL};
    ck_assert_int_eq(cli(args), 65);
    rmdir(out);
    remove(list);
}
static void over_list_lines(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_limits_%ld.txt", (long)getpid());
    write_list(path, GY_LIST_MAX_LINES + 1, 1);
    run_list(path);
}
static void over_line_bytes(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_limits_%ld.txt", (long)getpid());
    write_list(path, 1, GY_LIST_MAX_LINE_BYTES);
    run_list(path);
}

static void over_label_lines(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_limits_labels_%ld.txt", (long)getpid());
    FILE *f = fopen(path, "w");
    ck_assert(f);
    for (long i = 0; i <= GY_LABELS_MAX_BOXES; i++)
        fprintf(f, "%ld 0.5 0.5 0.1 0.1\n", i % 80);
    ck_assert(fclose(f) == 0);
    gy_label *l = NULL;
    int n, found;
    gy_error err;
    ck_assert(gy_labels_read(path, 80, &l, &n, &found, &err) != GY_OK);
    snprintf(msg, sizeof msg, "%s", err.message);
    remove(path);
}
static void over_label_bytes(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_limits_labels_%ld.txt", (long)getpid());
    FILE *f = fopen(path, "wb");
    ck_assert(f);
    fclose(f);
    ck_assert(truncate(path, (off_t)GY_LABELS_MAX_BYTES + 1) == 0);
    gy_label *l = NULL;
    int n, found;
    gy_error err;
    ck_assert(gy_labels_read(path, 80, &l, &n, &found, &err) != GY_OK);
    snprintf(msg, sizeof msg, "%s", err.message);
    remove(path);
}
static void over_dataset_nc(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_limits_data_%ld.yaml", (long)getpid());
    char text[128];
    snprintf(text, sizeof text, "val: .\nnc: %d\n", GY_DATASET_MAX_NC + 1);
    gy_test_write_text(path, text);
    gy_dataset *ds = NULL;
    gy_error err;
    ck_assert(gy_dataset_load(path, "val", &ds, &err) != GY_OK);
    snprintf(msg, sizeof msg, "%s", err.message);
    remove(path);
}

static void over_pt_file(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/gy_limits_big_%ld.pt", (long)getpid());
    FILE *f = fopen(path, "wb");
    ck_assert(f);
    fclose(f);
    ck_assert(truncate(path, (off_t)GY_PT_MAX_FILE + 1) == 0);
    gy_safetensors *st;
    gy_error err;
    ck_assert(gy_weights_open(path, &st, &err) != GY_OK);
    snprintf(msg, sizeof msg, "%s", err.message);
    remove(path);
}
static void over_pickle_bytes(void)
{
    unsigned char *b = calloc(GY_PK_MAX_PICKLE + 1, 1);
    ck_assert(b);
    gy_pickle *pk = NULL;
    const gy_pk_value *root;
    gy_error err;
    ck_assert(gy_pickle_load(b, GY_PK_MAX_PICKLE + 1, "big.pkl", &pk, &root, &err) != GY_OK);
    snprintf(msg, sizeof msg, "%s", err.message);
    free(b);
}
static void over_pickle_marks(void)
{
    unsigned char b[GY_PK_MAX_MARKS + 8];
    b[0] = 0x80; /* PROTO 2 */
    b[1] = 2;
    memset(b + 2, '(', GY_PK_MAX_MARKS + 1);
    b[GY_PK_MAX_MARKS + 3] = '.';
    gy_pickle *pk = NULL;
    const gy_pk_value *root;
    gy_error err;
    ck_assert(gy_pickle_load(b, GY_PK_MAX_MARKS + 4, "marks.pkl", &pk, &root, &err) != GY_OK);
    snprintf(msg, sizeof msg, "%s", err.message);
}

typedef struct limit {
    const char *macro;
    long long value;
    void (*over)(void);
} limit;

static const limit limits[] = {
    {"GY_IMAGE_MAX_PIXELS", GY_IMAGE_MAX_PIXELS, over_image_pixels},
    {"GY_IMAGE_MAX_SIDE", GY_IMAGE_MAX_SIDE, over_image_side},
    {"GY_GIF_MAX_PIXELS_PER_BYTE", GY_GIF_MAX_PIXELS_PER_BYTE, over_gif_ratio},
    {"GY_IMAGE_MAX_FILE_BYTES", (long long)GY_IMAGE_MAX_FILE_BYTES, over_image_file},
    {"GY_ST_MAX_HEADER", GY_ST_MAX_HEADER, over_st_header},
    {"GY_ST_MAX_TENSORS", GY_ST_MAX_TENSORS, over_st_tensors},
    {"GY_ST_MAX_FILE", (long long)GY_ST_MAX_FILE, over_st_file},
    {"GY_YAML_MAX_BYTES", (long long)GY_YAML_MAX_BYTES, over_yaml_bytes},
    {"GY_MAX_ROWS", GY_MAX_ROWS, over_rows},
    {"GY_MAX_CHANNELS", GY_MAX_CHANNELS, over_channels},
    {"GY_MAX_REPEATS", GY_MAX_REPEATS, over_repeats},
    {"GY_MAX_TOTAL_REPEATS", GY_MAX_TOTAL_REPEATS, over_total_repeats},
    {"GY_MAX_NC", GY_MAX_NC, over_nc},
    {"GY_IMGSZ_MAX", GY_IMGSZ_MAX, over_imgsz},
    {"GY_LIST_MAX_LINES", GY_LIST_MAX_LINES, over_list_lines},
    {"GY_LIST_MAX_LINE_BYTES", GY_LIST_MAX_LINE_BYTES, over_line_bytes},
    {"GY_PT_MAX_FILE", (long long)GY_PT_MAX_FILE, over_pt_file},
    {"GY_PK_MAX_PICKLE", (long long)GY_PK_MAX_PICKLE, over_pickle_bytes},
    {"GY_PK_MAX_MARKS", GY_PK_MAX_MARKS, over_pickle_marks},
    {"GY_LABELS_MAX_BOXES", GY_LABELS_MAX_BOXES, over_label_lines},
    {"GY_LABELS_MAX_BYTES", (long long)GY_LABELS_MAX_BYTES, over_label_bytes},
    {"GY_DATASET_MAX_NC", GY_DATASET_MAX_NC, over_dataset_nc},
};
#define NLIMITS ((int)(sizeof limits / sizeof limits[0]))

/* The text between the first two backticks after *p (advancing *p), or NULL. */
static char *backticked(char **p, char *buf, size_t size)
{
    char *a = strchr(*p, '`');
    if (!a)
        return NULL;
    char *b = strchr(a + 1, '`');
    if (!b)
        return NULL;
    snprintf(buf, size, "%.*s", (int)(b - a - 1), a + 1);
    *p = b + 1;
    return buf;
}

/* A PNG header exactly at the side limit (65536 x 1, 1 x 65536) that stb_image refuses for another
 * reason (bit depth 3) is "not readable", not "too large"; one pixel more is too large. */
START_TEST(image_side_at_the_limit)
{
    static const unsigned sides[4][2] = {{GY_IMAGE_MAX_SIDE, 1}, {1, GY_IMAGE_MAX_SIDE},
                                         {GY_IMAGE_MAX_SIDE + 1, 1}, {1, GY_IMAGE_MAX_SIDE + 1}};
    for (int i = 0; i < 4; i++) {
        unsigned char png[33] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13,
                                 'I', 'H', 'D', 'R'};
        put_be32(png + 16, sides[i][0]);
        put_be32(png + 20, sides[i][1]);
        png[24] = 3; /* bit depth 3: stb_image refuses the header */
        png[25] = 0;
        gy_image *img = NULL;
        gy_error err;
        gy_status st = gy_image_decode_memory(png, sizeof png, "edge.png", &img, &err);
        ck_assert_ptr_null(img);
        if (i < 2) {
            ck_assert_msg(st == GY_ERR_FORMAT && strstr(err.message, "not a readable image"),
                          "%ux%u: %d %s", sides[i][0], sides[i][1], (int)st, err.message);
        } else {
            ck_assert_msg(st == GY_ERR_UNSUPPORTED && strstr(err.message, "a side over 65536"),
                          "%ux%u: %d %s", sides[i][0], sides[i][1], (int)st, err.message);
        }
    }
}
END_TEST

START_TEST(readme_table_matches_code)
{
    size_t n;
    char *readme = (char *)gy_test_read(gy_test_source("README.md"), &n);
    char *sec = strstr(readme, "\n## Limits\n");
    ck_assert_msg(sec, "README.md has no '## Limits' section");
    char *end = strstr(sec + 1, "\n## ");
    if (end)
        *end = '\0';
    int seen[NLIMITS] = {0}, rows = 0;
    char *line = sec;
    while ((line = strstr(line, "\n| ")) != NULL) {
        line++;
        char *eol = strchr(line, '\n');
        if (eol)
            *eol = '\0';
        /* | what | default | `MACRO` (file) | `message fragment` | */
        char *cols[5] = {0};
        int nc = 0;
        for (char *p = line; *p && nc < 5; p++)
            if (*p == '|')
                cols[nc++] = p + 1;
        if (nc == 5 && strstr(cols[2], "`GY_")) {
            char def[64] = {0};
            int k = 0;
            for (char *p = cols[1]; *p && *p != '|' && k < 63; p++)
                if (*p >= '0' && *p <= '9')
                    def[k++] = *p;
                else if (*p == '(')
                    break;
            char macro[64], frag[512];
            char *p = cols[2];
            ck_assert(backticked(&p, macro, sizeof macro));
            p = cols[3];
            ck_assert_msg(backticked(&p, frag, sizeof frag), "README limits row %s: no message fragment",
                          macro);
            int found = -1;
            for (int i = 0; i < NLIMITS; i++)
                if (strcmp(limits[i].macro, macro) == 0)
                    found = i;
            ck_assert_msg(found >= 0, "README limits row %s: not a limit this test knows", macro);
            ck_assert_msg(strtoll(def, NULL, 10) == limits[found].value,
                          "README says %s = %s, the code %lld", macro, def, limits[found].value);
            msg[0] = '\0';
            limits[found].over();
            ck_assert_msg(strstr(msg, frag), "%s: README's message '%s' is not in the error: %.300s",
                          macro, frag, msg);
            printf("%-24s %12lld  '%s' ok: %.160s\n", macro, limits[found].value, frag, msg);
            seen[found]++;
            rows++;
        }
        if (!eol)
            break;
        *eol = '\n';
        line = eol;
    }
    for (int i = 0; i < NLIMITS; i++)
        ck_assert_msg(seen[i] == 1, "README's limits table lists %s %d times", limits[i].macro, seen[i]);
    ck_assert_int_eq(rows, NLIMITS);
    free(readme);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("limits");
    TCase *tc = tcase_create("readme");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, readme_table_matches_code);
    tcase_add_test(tc, image_side_at_the_limit);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}
