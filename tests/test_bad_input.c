/* test_bad_input.c - the bad-input table: one row per case, each run through the CLI (expected exit
 * code and a fragment of stderr) and, where the library reads the input, through the library
 * (expected gy_status and a fragment of the message). No case may crash; every message names the
 * file. The inputs are made in a temporary folder from ../shared files and small byte strings. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

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

static void write_bytes(const char *name, const void *data, size_t n)
{
    FILE *f = fopen(tmp(name), "wb");
    ck_assert(f);
    ck_assert(fwrite(data, 1, n, f) == n);
    ck_assert(fclose(f) == 0);
}

static void copy_prefix(const char *from, const char *name, size_t n)
{
    size_t size;
    unsigned char *b = gy_test_read(from, &size);
    ck_assert(n <= size);
    write_bytes(name, b, n);
    free(b);
}

/* A safetensors file: the 8-byte length, the JSON header, then data. */
static void write_st(const char *name, const char *json, const void *data, size_t n)
{
    size_t hl = strlen(json);
    unsigned char *b = malloc(8 + hl + n + 1);
    ck_assert(b);
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)((uint64_t)hl >> (8 * i));
    memcpy(b + 8, json, hl);
    if (n)
        memcpy(b + 8 + hl, data, n);
    write_bytes(name, b, 8 + hl + n);
    free(b);
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* A PNG chunk with its CRC. */
static size_t chunk(unsigned char *out, const char *type, const unsigned char *data, uint32_t n)
{
    put_be32(out, n);
    memcpy(out + 4, type, 4);
    if (n)
        memcpy(out + 8, data, n);
    put_be32(out + 8 + n, (uint32_t)crc32(0, out + 4, 4 + n));
    return 12 + n;
}

/* A grey 8-bit PNG of w x h zeros: IDAT is the zlib stream of the rows (a filter byte each). */
static void write_png_zeros(const char *name, uint32_t w, uint32_t h, int with_data)
{
    size_t raw_n = (size_t)(w + 1) * h;
    uLongf zn = with_data ? compressBound(raw_n) : 16;
    unsigned char *z = malloc(zn), *png = malloc(zn + 128);
    ck_assert(z && png);
    if (with_data) {
        unsigned char *raw = calloc(raw_n, 1);
        ck_assert(raw);
        ck_assert(compress2(z, &zn, raw, raw_n, 9) == Z_OK);
        free(raw);
    } else {
        zn = 0;
    }
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    unsigned char ihdr[13] = {0};
    put_be32(ihdr, w);
    put_be32(ihdr + 4, h);
    ihdr[8] = 8; /* bit depth */
    ihdr[9] = 0; /* grey */
    size_t n = 0;
    memcpy(png, sig, 8);
    n = 8;
    n += chunk(png + n, "IHDR", ihdr, 13);
    if (with_data)
        n += chunk(png + n, "IDAT", z, (uint32_t)zn);
    n += chunk(png + n, "IEND", NULL, 0);
    write_bytes(name, png, n);
    free(z);
    free(png);
}

static void write_text(const char *name, const char *text)
{
    write_bytes(name, text, strlen(text));
}

static const char *yolo_head =
    "nc: 2\n"
    "backbone:\n"
    "  - [-1, 1, Conv, [16, 3, 2]]\n";
static const char *yolo_tail = "head:\n  - [[-1], 1, Detect, [nc]]\n";

static void write_yaml(const char *name, const char *row)
{
    char t[2048];
    snprintf(t, sizeof t, "%s%s%s", yolo_head, row, yolo_tail);
    write_text(name, t);
}

static void make_inputs(void)
{
    const char *bus = gy_test_shared("images/bus.jpg");
    const char *v8n = gy_test_shared("weights/yolov8n.safetensors");
    /* images */
    copy_prefix(bus, "truncated.jpg", 20000);
    copy_prefix(bus, "header_only.jpg", 100);
    write_bytes("empty.jpg", "", 0);
    write_text("text.jpg", "this is not an image\n");
    {
        size_t n;
        unsigned char *b = gy_test_read(bus, &n);
        for (size_t i = 2000; i < n; i += 97)
            b[i] = (unsigned char)(b[i] * 31 + 7); /* corrupt the entropy-coded data */
        write_bytes("corrupt.jpg", b, n);
        free(b);
    }
    write_png_zeros("zeros_small.png", 64, 48, 1);
    rename(tmp("zeros_small.png"), tmp("png_named.jpg")); /* a PNG with a .jpg name */
    write_png_zeros("bomb.png", 100000, 100000, 0);       /* claims 10^10 pixels */
    write_png_zeros("under_cap.png", 4096, 4096, 1);      /* 16 Mpixel of zeros in ~16 KiB */
    {
        unsigned char sig[16] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        write_bytes("png_cut.png", sig, sizeof sig);
    }
    /* safetensors */
    {
        unsigned char b[16] = {0, 0, 0, 0, 0, 1, 0, 0, '{', '}'}; /* header length 2^40 */
        write_bytes("huge_header.safetensors", b, sizeof b);
    }
    static const float f[4] = {1, 2, 3, 4};
    write_st("overlap.safetensors",
             "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
             "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
             f, 12);
    write_st("dtype_shape.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", f, 8);
    write_st("bad_dtype.safetensors", "{\"a\":{\"dtype\":\"F8\",\"shape\":[2],\"data_offsets\":[0,2]}}", f, 2);
    write_st("not_json.safetensors", "{\"a\":", f, 0);
    copy_prefix(v8n, "truncated.safetensors", 1000000);
    write_bytes("empty.safetensors", "", 0);
    copy_prefix(gy_test_shared("weights/yolov8n.pt"), "truncated.pt", 3000000);
    write_text("text.pt", "not a checkpoint\n");
    write_text("t.py", "from ultralytics import YOLO\nmodel = YOLO('yolov8n.pt')\n");
    copy_prefix(bus, "photo.pt", 4096);
    {
        /* torch < 1.6: a pickle (protocol 2) of the magic number 0x1950a86a20f9469cfc6c first */
        static const unsigned char legacy[16] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46,
                                                 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e, 0x80};
        write_bytes("legacy.pt", legacy, sizeof legacy);
    }
    /* YAML */
    write_yaml("unknown_module.yaml", "  - [-1, 1, FooBarNet, [32]]\n");
    write_yaml("bad_from.yaml", "  - [-7, 1, Conv, [32, 3, 2]]\n");
    write_yaml("from_ahead.yaml", "  - [5, 1, Conv, [32, 3, 2]]\n");
    write_yaml("absurd_channels.yaml", "  - [-1, 1, Conv, [100000000, 3, 2]]\n");
    write_yaml("absurd_repeats.yaml", "  - [-1, 99999, Conv, [32, 3, 2]]\n");
    write_yaml("absurd_kernel.yaml", "  - [-1, 1, Conv, [32, 4097, 2]]\n");
    write_text("alias.yaml",
               "nc: 2\nbackbone:\n  - &row [-1, 1, Conv, [16, 3, 2]]\n  - *row\n"
               "head:\n  - [[-1], 1, Detect, [nc]]\n");
    write_yaml("deep.yaml", "  - [-1, 1, Conv, [[[[[32]]]], 3, 2]]\n");
    write_text("not_yaml.yaml", "nc: [unclosed\n");
    write_text("empty.yaml", "");
    /* outputs */
    write_text("a_file", "x");
    ck_assert(mkdir(tmp("full"), 0755) == 0);
}

typedef enum lib_kind { LIB_NONE, LIB_IMAGE, LIB_WEIGHTS, LIB_CONFIG } lib_kind;

typedef struct row {
    const char *what;
    const char *cmd;  /* {G} CLI, {W} yolov8n weights, {B} bus.jpg, {D} temp folder, {C} configs */
    int exit_code;
    const char *cli_frag;
    lib_kind lib;      /* the library call on {D}/file, if any */
    const char *file;
    gy_status status;
    const char *lib_frag;
} row;

static const row rows[] = {
    /* images: detect goes on after a bad image and exits 65 */
    {"truncated JPEG", "{G} detect -q --no-save -o {D}/o -w {W} {D}/truncated.jpg", 65,
     "truncated.jpg: truncated JPEG", LIB_IMAGE, "truncated.jpg", GY_ERR_FORMAT, "truncated JPEG"},
    {"JPEG with only its header", "{G} detect -q --no-save -o {D}/o -w {W} {D}/header_only.jpg", 65,
     "header_only.jpg: not a readable JPEG", LIB_IMAGE, "header_only.jpg", GY_ERR_FORMAT, "not a readable JPEG"},
    {"corrupt JPEG data", "{G} detect -q --no-save -o {D}/o -w {W} {D}/corrupt.jpg", 65,
     "corrupt.jpg: ", LIB_IMAGE, "corrupt.jpg", GY_ERR_FORMAT, "corrupt.jpg: "},
    {"empty image", "{G} detect -q --no-save -o {D}/o -w {W} {D}/empty.jpg", 65,
     "empty.jpg: empty file, not an image", LIB_IMAGE, "empty.jpg", GY_ERR_FORMAT, "empty file"},
    {"text named .jpg", "{G} detect -q --no-save -o {D}/o -w {W} {D}/text.jpg", 65,
     "text.jpg: not a readable image", LIB_IMAGE, "text.jpg", GY_ERR_FORMAT, "not a readable image"},
    {"PNG named .jpg (content decides)", "{G} detect -q --no-save -o {D}/o -w {W} {D}/png_named.jpg", 0,
     "", LIB_IMAGE, "png_named.jpg", GY_OK, ""},
    {"PNG cut inside IHDR", "{G} detect -q --no-save -o {D}/o -w {W} {D}/png_cut.png", 65,
     "png_cut.png: not a readable image", LIB_IMAGE, "png_cut.png", GY_ERR_FORMAT, "not a readable image"},
    {"decompression bomb (PNG header 100000x100000)", "{G} detect -q --no-save -o {D}/o -w {W} {D}/bomb.png", 65,
     "bomb.png: 100000x100000 PNG has more than the 67108864 pixels allowed", LIB_IMAGE, "bomb.png",
     GY_ERR_UNSUPPORTED, "pixels allowed"},
    {"16 Mpixel PNG of zeros under the cap", NULL, 0, "", LIB_IMAGE, "under_cap.png", GY_OK, ""},
    {"missing image", "{G} detect -q --no-save -o {D}/o -w {W} {D}/nothing.jpg", 65,
     "nothing.jpg: No such file or directory", LIB_IMAGE, "nothing.jpg", GY_ERR_IO, "nothing.jpg"},
    /* safetensors */
    {"safetensors header length 2^40", "{G} detect -q -o {D}/o -w {D}/huge_header.safetensors {B}", 65,
     "huge_header.safetensors: header length 1099511627776 is over the limit", LIB_WEIGHTS,
     "huge_header.safetensors", GY_ERR_FORMAT, "is over the limit"},
    {"safetensors overlapping offsets", "{G} detect -q -o {D}/o -w {D}/overlap.safetensors {B}", 65,
     "overlap.safetensors: ", LIB_WEIGHTS, "overlap.safetensors", GY_ERR_FORMAT, "offsets"},
    {"safetensors dtype/shape mismatch", "{G} detect -q -o {D}/o -w {D}/dtype_shape.safetensors {B}", 65,
     "dtype_shape.safetensors: ", LIB_WEIGHTS, "dtype_shape.safetensors", GY_ERR_FORMAT, "bytes"},
    {"safetensors unknown dtype", "{G} info -w {D}/bad_dtype.safetensors", 65, "bad_dtype.safetensors: ",
     LIB_WEIGHTS, "bad_dtype.safetensors", GY_ERR_UNSUPPORTED, "F8"},
    {"safetensors header not JSON", "{G} info -w {D}/not_json.safetensors", 65, "not_json.safetensors: ",
     LIB_WEIGHTS, "not_json.safetensors", GY_ERR_FORMAT, "JSON"},
    {"safetensors truncated", "{G} detect -q -o {D}/o -w {D}/truncated.safetensors {B}", 65,
     "truncated.safetensors: ", LIB_WEIGHTS, "truncated.safetensors", GY_ERR_FORMAT, "truncated"},
    {"safetensors empty file", "{G} detect -q -o {D}/o -w {D}/empty.safetensors {B}", 65,
     "empty.safetensors: ", LIB_WEIGHTS, "empty.safetensors", GY_ERR_FORMAT, "empty.safetensors"},
    {".pt checkpoint truncated", "{G} detect -q -o {D}/o -w {D}/truncated.pt {B}", 65, "truncated.pt: ",
     LIB_WEIGHTS, "truncated.pt", GY_ERR_FORMAT, "truncated.pt"},
    {"text file named .pt", "{G} detect -q -o {D}/o -w {D}/text.pt {B}", 65,
     "text.pt: neither a PyTorch checkpoint (zip) nor a safetensors file (a text file)\n", LIB_WEIGHTS,
     "text.pt", GY_ERR_FORMAT, "neither a PyTorch checkpoint (zip) nor a safetensors file (a text file)"},
    {"an image given to convert", "{G} convert {B} -o {D}/o.safetensors", 65,
     "bus.jpg: neither a PyTorch checkpoint (zip) nor a safetensors file (a JPEG image)\n", LIB_WEIGHTS,
     "photo.pt", GY_ERR_FORMAT, "neither a PyTorch checkpoint (zip) nor a safetensors file (a JPEG image)"},
    {"a Python file as weights", "{G} info -w {D}/t.py", 65,
     "t.py: neither a PyTorch checkpoint (zip) nor a safetensors file (a text file)\n", LIB_WEIGHTS, "t.py",
     GY_ERR_FORMAT, "neither a PyTorch checkpoint (zip) nor a safetensors file"},
    {"a bare pickle as weights", "{G} stats -w {D}/legacy.pt", 65,
     "legacy.pt: neither a PyTorch checkpoint (zip) nor a safetensors file (a bare pickle", LIB_WEIGHTS,
     "legacy.pt", GY_ERR_FORMAT, "weights/convert_pt.py reads it"},
    {"folder as weights", "{G} detect -q -o {D}/o -w {D}/full {B}", 66, "full: is a directory, not a regular file\n",
     LIB_WEIGHTS, "full", GY_ERR_IO, "full: is a directory, not a regular file"},
    {"folder as config", "{G} info -m {D}/full", 66, "full: is a directory, not a regular file\n", LIB_CONFIG,
     "full", GY_ERR_IO, "full: is a directory, not a regular file"},
    {"folder as image (library)", NULL, 0, "", LIB_IMAGE, "full", GY_ERR_IO, "full: is a directory, not a regular file"},
    {"folder as forward's input", "{G} forward -w {W} --input {D}/full --shape 1,3,32,32 -o {D}/x.f32", 66,
     "full: is a directory, not a regular file\n", LIB_NONE, NULL, GY_OK, NULL},
    {"weights of another model", "{G} detect -q -o {D}/o -m {C}/yolov8s.yaml -w {W} {B}", 65,
     "yolov8n.safetensors", LIB_NONE, NULL, GY_OK, NULL},
    {"--nc 3 with 80-class weights", "{G} info --nc 3 -w {W}", 65,
     "yolov8n.safetensors: the weights have 80 classes (Detect model.22.cv3.0.2 has 80 outputs), the "
     "config asks for 3\n", LIB_NONE, NULL, GY_OK, NULL},
    /* model YAML */
    {"YAML unknown module", "{G} info -m {D}/unknown_module.yaml", 65, "unknown_module.yaml:4: ", LIB_CONFIG,
     "unknown_module.yaml", GY_ERR_UNSUPPORTED, "FooBarNet"},
    {"YAML from before the first row", "{G} info -m {D}/bad_from.yaml", 65, "bad_from.yaml:4: ", LIB_CONFIG,
     "bad_from.yaml", GY_ERR_FORMAT, "bad_from.yaml:4: "},
    {"YAML from a later row", "{G} info -m {D}/from_ahead.yaml", 65, "from_ahead.yaml:4: ", LIB_CONFIG,
     "from_ahead.yaml", GY_ERR_FORMAT, "from_ahead.yaml:4: "},
    {"YAML absurd channels", "{G} info -m {D}/absurd_channels.yaml", 65, "is absurdly large (limit 65536)",
     LIB_CONFIG, "absurd_channels.yaml", GY_ERR_FORMAT, "absurdly large"},
    {"YAML absurd repeats", "{G} info -m {D}/absurd_repeats.yaml", 65, "repeats '99999' is out of range",
     LIB_CONFIG, "absurd_repeats.yaml", GY_ERR_FORMAT, "out of range"},
    {"YAML absurd kernel", "{G} info -m {D}/absurd_kernel.yaml", 65, "absurd_kernel.yaml", LIB_CONFIG,
     "absurd_kernel.yaml", GY_ERR_FORMAT, "absurd_kernel.yaml"},
    {"YAML alias", "{G} info -m {D}/alias.yaml", 65, "alias.yaml:3: YAML anchor", LIB_CONFIG, "alias.yaml",
     GY_ERR_UNSUPPORTED, "anchors and aliases are refused"},
    {"YAML deep nesting", "{G} info -m {D}/deep.yaml", 65, "deep.yaml:4: ", LIB_CONFIG, "deep.yaml",
     GY_ERR_FORMAT, "nested"},
    {"YAML syntax error", "{G} info -m {D}/not_yaml.yaml", 65, "not_yaml.yaml", LIB_CONFIG, "not_yaml.yaml",
     GY_ERR_FORMAT, "not_yaml.yaml"},
    {"YAML empty", "{G} info -m {D}/empty.yaml", 65, "empty.yaml", LIB_CONFIG, "empty.yaml", GY_ERR_FORMAT,
     "empty.yaml"},
    {"YAML missing", "{G} info -m {D}/nothing.yaml", 66, "nothing.yaml", LIB_CONFIG, "nothing.yaml", GY_ERR_IO,
     "nothing.yaml"},
    /* command line */
    {"detect without weights", "{G} detect {B}", 64, "needs -w WEIGHTS", LIB_NONE, NULL, GY_OK, NULL},
    {"detect without a source", "{G} detect -w {W}", 64, "at least one SOURCE", LIB_NONE, NULL, GY_OK, NULL},
    {"unknown option", "{G} detect -w {W} --bogus {B}", 64, "unrecognized option '--bogus'", LIB_NONE, NULL,
     GY_OK, NULL},
    {"option without its value", "{G} detect {B} -w", 64, "requires an argument", LIB_NONE, NULL, GY_OK, NULL},
    {"value out of range", "{G} detect -w {W} --conf 1.5 {B}", 64, "--conf '1.5': must be a number from 0 to 1",
     LIB_NONE, NULL, GY_OK, NULL},
    {"-o with --project", "{G} detect -w {W} -o {D}/o --project {D}/p {B}", 64,
     "-o/--output and --project are alternatives", LIB_NONE, NULL, GY_OK, NULL},
    {"-o with --name", "{G} detect -w {W} -o {D}/o --name x {B}", 64, "-o/--output and --name are alternatives",
     LIB_NONE, NULL, GY_OK, NULL},
    {"--save-conf without --save-txt", "{G} detect -w {W} --save-conf -o {D}/o {B}", 64,
     "--save-conf needs --save-txt", LIB_NONE, NULL, GY_OK, NULL},
    {"unknown verb", "{G} detekt", 64, "detekt", LIB_NONE, NULL, GY_OK, NULL},
    /* outputs */
    {"output folder under a file", "{G} detect -q -w {W} -o {D}/a_file/sub {B}", 73, "Not a directory",
     LIB_NONE, NULL, GY_OK, NULL},
    /* GCOV_PREFIX: in a coverage build the process's own .gcda files go to the temp folder, where
     * the file-size limit may cut them short, not over the build's */
    {"disk full (ulimit -f 8: 4 KiB)",
     "ulimit -f 8; GCOV_PREFIX={D}/gcov {G} detect -q -w {W} -o {D}/full {B}", 73,
     "write failed (File too large)", LIB_NONE, NULL, GY_OK, NULL},
    {"disk full for --save-json",
     "ulimit -f 1; GCOV_PREFIX={D}/gcov {G} detect -q --no-save --save-json -w {W} -o {D}/full {B}", 73,
     "predictions.json", LIB_NONE, NULL, GY_OK, NULL},
};

/* cmd with the placeholders replaced, into out. */
static void expand(const char *cmd, char *out, size_t size)
{
    const char *g = gy_test_cli(), *w = gy_test_shared("weights/yolov8n.safetensors");
    const char *b = gy_test_shared("images/bus.jpg"), *c = gy_test_source("configs");
    size_t n = 0;
    for (const char *p = cmd; *p && n + 1 < size; p++) {
        const char *rep = NULL;
        if (p[0] == '{' && p[1] && p[2] == '}') {
            switch (p[1]) {
            case 'G': rep = g; break;
            case 'W': rep = w; break;
            case 'B': rep = b; break;
            case 'D': rep = dir; break;
            case 'C': rep = c; break;
            default: break;
            }
        }
        if (rep) {
            n += (size_t)snprintf(out + n, size - n, "'%s'", rep);
            p += 2;
        } else {
            out[n++] = *p;
        }
    }
    out[n < size ? n : size - 1] = '\0';
}

/* Files left in a folder (a failed write must leave none, temporary or partial). */
static int files_in(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

START_TEST(bad_input_table)
{
    snprintf(dir, sizeof dir, "/tmp/gy_bad_input_XXXXXX");
    ck_assert(mkdtemp(dir));
    make_inputs();
    int nrows = (int)(sizeof rows / sizeof rows[0]), cli_rows = 0, lib_rows = 0;
    for (int i = 0; i < nrows; i++) {
        const row *r = &rows[i];
        if (r->cmd) {
            char cmd[4096], full[4400];
            expand(r->cmd, cmd, sizeof cmd);
            const char *errf = tmp("stderr.txt");
            snprintf(full, sizeof full, "(%s) >/dev/null 2>'%s'", cmd, errf);
            int status = system(full);
            ck_assert_msg(WIFEXITED(status), "%s: the CLI did not exit normally: %s", r->what, cmd);
            size_t n;
            char *err = (char *)gy_test_read(errf, &n);
            ck_assert_msg(WEXITSTATUS(status) == r->exit_code, "%s: exit %d, expected %d; stderr: %.500s", r->what,
                          WEXITSTATUS(status), r->exit_code, err);
            ck_assert_msg(strstr(err, r->cli_frag), "%s: stderr lacks '%s': %.500s", r->what, r->cli_frag, err);
            ck_assert_msg(!strstr(err, "AddressSanitizer") && !strstr(err, "runtime error"), "%s: %s", r->what, err);
            printf("%-50s exit %d  %.150s", r->what, r->exit_code, err[0] ? err : "\n");
            if (err[0] && err[strlen(err) - 1] != '\n')
                printf("\n");
            free(err);
            cli_rows++;
        }
        if (r->lib != LIB_NONE) {
            gy_error err;
            memset(&err, 0, sizeof err);
            gy_status st;
            const char *path = tmp(r->file);
            if (r->lib == LIB_IMAGE) {
                gy_image *img = NULL;
                st = gy_image_load(path, &img, &err);
                ck_assert((st == GY_OK) == (img != NULL));
                gy_image_free(img);
            } else {
                gy_model *m = NULL;
                st = gy_model_load(r->lib == LIB_CONFIG ? path : NULL, r->lib == LIB_WEIGHTS ? path : NULL, NULL,
                                   &m, &err);
                ck_assert((st == GY_OK) == (m != NULL));
                gy_model_free(m);
            }
            ck_assert_msg(st == r->status, "%s: library status %s, expected %s: %s", r->what, gy_status_str(st),
                          gy_status_str(r->status), err.message);
            if (st != GY_OK) {
                ck_assert_msg(strstr(err.message, r->file), "%s: the message does not name the file: %s", r->what,
                              err.message);
                ck_assert_msg(strstr(err.message, r->lib_frag), "%s: message lacks '%s': %s", r->what, r->lib_frag,
                              err.message);
            }
            printf("%-50s %s  %.150s\n", r->what, gy_status_str(st), err.message);
            lib_rows++;
        }
        /* no partial output: the disk-full rows leave an empty folder */
        ck_assert_msg(files_in(tmp("full")) == 0, "%s: files left in the output folder", r->what);
    }
    printf("%d CLI rows, %d library rows\n", cli_rows, lib_rows);
    char rm[256];
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    ck_assert(system(rm) == 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bad_input");
    TCase *tc = tcase_create("table");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, bad_input_table);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}
