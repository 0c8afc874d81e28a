/* test_safetensors.c - the safetensors reader: real files, element conversion, and every malformation
 * the validator must refuse (each built in memory, one test per case). */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "weights/safetensors.h"
#include "weights/safetensors_write.h"

#define MEM_NAME "mem.safetensors"

/* ---------------------------------------------------------------------------------------------- */
/* Helpers */

/* A file image: 8-byte little-endian hlen, the header text, then dlen data bytes (zeros when data is
 * NULL). hlen need not match the text (for the length checks). */
static unsigned char *mk_raw(uint64_t hlen, const char *header, const void *data, size_t dlen,
                             size_t *size)
{
    size_t hl = strlen(header);
    *size = 8 + hl + dlen;
    unsigned char *buf = calloc(1, *size);
    ck_assert_ptr_nonnull(buf);
    for (int i = 0; i < 8; i++)
        buf[i] = (unsigned char)(hlen >> (8 * i));
    memcpy(buf + 8, header, hl);
    if (data && dlen)
        memcpy(buf + 8 + hl, data, dlen);
    return buf;
}

static unsigned char *mk(const char *header, const void *data, size_t dlen, size_t *size)
{
    return mk_raw(strlen(header), header, data, dlen, size);
}

/* gy_st_parse must fail with `want`, a message that starts with the display name and contains sub. */
static void expect_fail_buf(unsigned char *buf, size_t size, gy_status want, const char *sub)
{
    gy_error err;
    memset(&err, 0, sizeof err);
    gy_safetensors *st = (gy_safetensors *)&err; /* must be reset to NULL */
    gy_status s = gy_st_parse(buf, size, MEM_NAME, &st, &err);
    ck_assert_msg(s == want, "status %d (%s), expected %d (%s); message: %s", (int)s,
                  gy_status_str(s), (int)want, gy_status_str(want), err.message);
    ck_assert_ptr_null(st);
    ck_assert_int_eq((int)err.status, (int)want);
    ck_assert_msg(strncmp(err.message, MEM_NAME ": ", strlen(MEM_NAME) + 2) == 0,
                  "message does not start with the file name: %s", err.message);
    ck_assert_msg(strstr(err.message, sub) != NULL, "message \"%s\" lacks \"%s\"", err.message,
                  sub);
}

static void expect_fail(const char *header, size_t dlen, gy_status want, const char *sub)
{
    size_t size;
    unsigned char *buf = mk(header, NULL, dlen, &size);
    expect_fail_buf(buf, size, want, sub);
}

static gy_safetensors *parse_ok(const char *header, const void *data, size_t dlen)
{
    size_t size;
    unsigned char *buf = mk(header, data, dlen, &size);
    gy_error err;
    memset(&err, 0, sizeof err);
    gy_safetensors *st = NULL;
    gy_status s = gy_st_parse(buf, size, MEM_NAME, &st, &err);
    ck_assert_msg(s == GY_OK, "parse failed: %s", err.message);
    ck_assert_ptr_nonnull(st);
    return st;
}

/* Independent IEEE half decoding: (1024 + m) x 2^(e-25) for normals, m x 2^-24 for subnormals. */
static double ref_half(unsigned h)
{
    unsigned sgn = (h >> 15) & 1u, e = (h >> 10) & 31u, m = h & 1023u;
    double v;
    if (e == 31)
        v = m ? NAN : INFINITY;
    else if (e == 0)
        v = ldexp((double)m, -24);
    else
        v = ldexp((double)(m + 1024), (int)e - 25);
    return sgn ? -v : v;
}

/* Independent bfloat16 decoding from its fields (8-bit exponent, 7-bit mantissa). */
static double ref_bf16(unsigned b)
{
    unsigned sgn = (b >> 15) & 1u, e = (b >> 7) & 255u, m = b & 127u;
    double v;
    if (e == 255)
        v = m ? NAN : INFINITY;
    else if (e == 0)
        v = ldexp((double)m, -133);
    else
        v = ldexp((double)(m + 128), (int)e - 134);
    return sgn ? -v : v;
}

static void assert_same_float(float got, double want, const char *what, unsigned pattern)
{
    if (isnan(want)) {
        ck_assert_msg(isnan(got), "%s 0x%04x: got %g, expected NaN", what, pattern, (double)got);
    } else {
        ck_assert_msg((double)got == want, "%s 0x%04x: got %.9g, expected %.9g", what, pattern,
                      (double)got, want);
    }
    ck_assert_msg(!signbit(got) == !signbit(want), "%s 0x%04x: sign of %g is wrong", what, pattern,
                  (double)got);
}

static gy_safetensors *open_ok(const char *path)
{
    gy_error err;
    memset(&err, 0, sizeof err);
    gy_safetensors *st = NULL;
    gy_status s = gy_st_open(path, &st, &err);
    ck_assert_msg(s == GY_OK, "gy_st_open(%s): %s", path, err.message);
    ck_assert_ptr_nonnull(st);
    return st;
}

static const gy_st_tensor *find_ok(const gy_safetensors *st, const char *name)
{
    const gy_st_tensor *t = gy_st_find(st, name);
    ck_assert_msg(t != NULL, "%s: tensor %s not found", st->path, name);
    ck_assert_str_eq(t->name, name);
    return t;
}

static float *read_f32_ok(const gy_safetensors *st, const gy_st_tensor *t)
{
    float *v = malloc((t->numel ? t->numel : 1) * sizeof *v);
    ck_assert_ptr_nonnull(v);
    gy_error err;
    memset(&err, 0, sizeof err);
    gy_status s = gy_st_read_f32(st, t, v, &err);
    ck_assert_msg(s == GY_OK, "read %s: %s", t->name, err.message);
    return v;
}

/* Structural invariants every valid file must satisfy. */
static void check_invariants(const gy_safetensors *st)
{
    size_t total = 0;
    for (int i = 0; i < st->count; i++) {
        const gy_st_tensor *t = &st->tensors[i];
        if (i > 0)
            ck_assert_msg(strcmp(st->tensors[i - 1].name, t->name) < 0, "not sorted by name: %s, %s",
                          st->tensors[i - 1].name, t->name);
        ck_assert_ptr_eq(gy_st_find(st, t->name), t);
        size_t numel = 1;
        for (int d = 0; d < t->ndim; d++)
            numel *= (size_t)t->shape[d];
        ck_assert_uint_eq(numel, t->numel);
        ck_assert_uint_le(t->offset + t->nbytes, st->data_size);
        total += t->nbytes;
    }
    ck_assert_uint_eq(total, st->data_size);
    ck_assert_ptr_eq(st->data, st->file + st->file_size - st->data_size);
}

/* F16 tensor t compared element by element with ref_half of its raw little-endian bytes. */
static void check_f16_against_raw(const gy_safetensors *st, const gy_st_tensor *t)
{
    ck_assert_int_eq(t->dtype, GY_DT_F16);
    float *v = read_f32_ok(st, t);
    const unsigned char *raw = st->data + t->offset;
    for (size_t i = 0; i < t->numel; i++) {
        unsigned h = (unsigned)raw[2 * i] | (unsigned)raw[2 * i + 1] << 8;
        assert_same_float(v[i], ref_half(h), t->name, h);
    }
    free(v);
}

/* ---------------------------------------------------------------------------------------------- */
/* Real files */

START_TEST(test_yolov8n)
{
    gy_safetensors *st = open_ok(gy_test_shared("weights/yolov8n.safetensors"));
    ck_assert_int_eq(st->count, 355);
    check_invariants(st);

    const char *keys[] = {"config", "names", "stride", "bn_eps", "format", "source", "imgsz"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        ck_assert_msg(gy_st_meta_get(st, keys[i]) != NULL, "metadata %s missing", keys[i]);
    ck_assert_str_eq(gy_st_meta_get(st, "bn_eps"), "0.001");
    ck_assert_str_eq(gy_st_meta_get(st, "stride"), "[8, 16, 32]");
    ck_assert_str_eq(gy_st_meta_get(st, "source"), "yolov8n.pt");
    ck_assert_ptr_nonnull(strstr(gy_st_meta_get(st, "names"), "\"0\": \"person\""));
    ck_assert_ptr_nonnull(strstr(gy_st_meta_get(st, "config"), "depth_multiple: 0.33"));
    ck_assert_ptr_null(gy_st_meta_get(st, "no_such_key"));

    const gy_st_tensor *w = find_ok(st, "model.0.conv.weight");
    ck_assert_int_eq(w->dtype, GY_DT_F16);
    ck_assert_int_eq(w->ndim, 4);
    ck_assert_int_eq(w->shape[0], 16);
    ck_assert_int_eq(w->shape[1], 3);
    ck_assert_int_eq(w->shape[2], 3);
    ck_assert_int_eq(w->shape[3], 3);
    ck_assert_uint_eq(w->numel, 432);
    ck_assert_uint_eq(w->nbytes, 864);
    ck_assert_uint_eq(w->offset, 584);
    check_f16_against_raw(st, w);
    float *v = read_f32_ok(st, w);
    /* values read from the file with Python's struct 'e' format */
    ck_assert_float_eq(v[0], -0.115234375f);
    ck_assert_float_eq(v[1], -0.01058197021484375f);
    ck_assert_float_eq(v[2], 0.10693359375f);
    ck_assert_float_eq(v[431], 0.00959014892578125f);
    free(v);

    const gy_st_tensor *dfl = find_ok(st, "model.22.dfl.conv.weight");
    ck_assert_int_eq(dfl->ndim, 4);
    ck_assert_uint_eq(dfl->numel, 16);
    v = read_f32_ok(st, dfl);
    for (int i = 0; i < 16; i++)
        ck_assert_float_eq(v[i], (float)i); /* DFL projection 0..15 */
    free(v);

    const gy_st_tensor *nbt = find_ok(st, "model.0.bn.num_batches_tracked");
    ck_assert_int_eq(nbt->dtype, GY_DT_I64);
    ck_assert_int_eq(nbt->ndim, 0);
    ck_assert_uint_eq(nbt->numel, 1);
    ck_assert_uint_eq(nbt->nbytes, 8);
    int64_t count;
    memcpy(&count, st->data + nbt->offset, sizeof count);
    ck_assert_int_eq(count, 1);
    gy_error err;
    memset(&err, 0, sizeof err);
    float dummy = 0;
    ck_assert_int_eq(gy_st_read_f32(st, nbt, &dummy, &err), GY_ERR_MISMATCH);
    ck_assert_ptr_nonnull(strstr(err.message, "model.0.bn.num_batches_tracked"));
    ck_assert_ptr_nonnull(strstr(err.message, "I64"));
    ck_assert_ptr_nonnull(strstr(err.message, "yolov8n.safetensors"));

    ck_assert_ptr_null(gy_st_find(st, "model.0.conv.bias"));
    ck_assert_ptr_null(gy_st_find(st, ""));
    ck_assert_ptr_null(gy_st_find(st, "zzz"));
    ck_assert_ptr_nonnull(gy_st_find(st, "model.22.cv3.2.2.bias"));
    gy_st_close(st);
}
END_TEST

START_TEST(test_parity_v8n_f16)
{
    gy_safetensors *st = open_ok(gy_test_shared("parity/v8n_640/weights.safetensors"));
    ck_assert_int_eq(st->count, 355);
    check_invariants(st);
    ck_assert_str_eq(gy_st_meta_get(st, "bn_eps"), "0.001");
    ck_assert_str_eq(gy_st_meta_get(st, "weights_dtype"), "F16");
    const gy_st_tensor *w = find_ok(st, "model.0.conv.weight");
    ck_assert_uint_eq(w->numel, 432);
    check_f16_against_raw(st, w);
    const gy_st_tensor *bw = find_ok(st, "model.9.cv2.bn.running_var");
    check_f16_against_raw(st, bw);
    gy_st_close(st);
}
END_TEST

START_TEST(test_parity_f32)
{
    /* the only F32 case, according to its case.json */
    unsigned char *cj = gy_test_read(gy_test_shared("parity/ghostv2_dfc_320/case.json"), NULL);
    ck_assert_ptr_nonnull(strstr((const char *)cj, "\"weights_dtype\": \"F32\""));
    free(cj);

    gy_safetensors *st = open_ok(gy_test_shared("parity/ghostv2_dfc_320/weights.safetensors"));
    ck_assert_int_eq(st->count, 991);
    check_invariants(st);
    const gy_st_tensor *w = find_ok(st, "model.0.conv.weight");
    ck_assert_int_eq(w->dtype, GY_DT_F32);
    ck_assert_uint_eq(w->numel, 432);
    ck_assert_uint_eq(w->nbytes, 1728);
    float *v = read_f32_ok(st, w);
    for (size_t i = 0; i < w->numel; i++) {
        float raw;
        memcpy(&raw, st->data + w->offset + 4 * i, sizeof raw);
        ck_assert_msg(memcmp(&raw, &v[i], sizeof raw) == 0, "element %zu: %g vs raw %g", i,
                      (double)v[i], (double)raw);
    }
    ck_assert_float_eq(v[0], 0.43073680996894836f);
    ck_assert_float_eq(v[431], 0.4955224394798279f);
    free(v);
    const gy_st_tensor *nbt = find_ok(st, "model.0.bn.num_batches_tracked");
    ck_assert_int_eq(nbt->dtype, GY_DT_I64);
    gy_st_close(st);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* Conversion */

START_TEST(test_f16_all_patterns)
{
    const char *hdr = "{\"h\": {\"dtype\": \"F16\", \"shape\": [256, 256], "
                      "\"data_offsets\": [0, 131072]}}";
    unsigned char *data = malloc(131072);
    ck_assert_ptr_nonnull(data);
    for (unsigned i = 0; i < 65536; i++) {
        data[2 * i] = (unsigned char)(i & 0xFF);
        data[2 * i + 1] = (unsigned char)(i >> 8);
    }
    gy_safetensors *st = parse_ok(hdr, data, 131072);
    free(data);
    const gy_st_tensor *t = find_ok(st, "h");
    ck_assert_uint_eq(t->numel, 65536);
    float *v = read_f32_ok(st, t);
    for (unsigned i = 0; i < 65536; i++)
        assert_same_float(v[i], ref_half(i), "F16", i);
    /* a few landmarks, in case the reference formula and the reader were wrong the same way */
    ck_assert_float_eq(v[0x3C00], 1.0f);
    ck_assert_float_eq(v[0xC000], -2.0f);
    ck_assert_float_eq(v[0x7BFF], 65504.0f);
    ck_assert_float_eq(v[0x0001], 5.9604644775390625e-08f);
    ck_assert_float_eq(v[0x03FF], 6.0975551605224609e-05f);
    ck_assert_float_eq(v[0x0400], 6.103515625e-05f);
    ck_assert(isinf(v[0x7C00]) && v[0x7C00] > 0);
    ck_assert(isinf(v[0xFC00]) && v[0xFC00] < 0);
    ck_assert(isnan(v[0x7E00]) && isnan(v[0x7C01]));
    free(v);
    gy_st_close(st);
}
END_TEST

START_TEST(test_bf16_patterns)
{
    static const unsigned pats[] = {0x0000, 0x8000, 0x3F80, 0xC000, 0x4049, 0x0001,
                                    0x007F, 0x0080, 0x7F7F, 0x7F80, 0xFF80, 0x7FC0};
    enum { N = sizeof pats / sizeof pats[0] };
    unsigned char data[2 * N];
    for (int i = 0; i < N; i++) {
        data[2 * i] = (unsigned char)(pats[i] & 0xFF);
        data[2 * i + 1] = (unsigned char)(pats[i] >> 8);
    }
    char hdr[128];
    snprintf(hdr, sizeof hdr, "{\"b\":{\"dtype\":\"BF16\",\"shape\":[%d],\"data_offsets\":[0,%d]}}",
             N, 2 * N);
    gy_safetensors *st = parse_ok(hdr, data, sizeof data);
    const gy_st_tensor *t = find_ok(st, "b");
    ck_assert_int_eq(t->dtype, GY_DT_BF16);
    float *v = read_f32_ok(st, t);
    for (int i = 0; i < N; i++)
        assert_same_float(v[i], ref_bf16(pats[i]), "BF16", pats[i]);
    ck_assert_float_eq(v[2], 1.0f);
    ck_assert_float_eq(v[3], -2.0f);
    ck_assert_float_eq(v[4], 3.140625f);
    free(v);
    gy_st_close(st);
}
END_TEST

START_TEST(test_valid_mixed_unaligned)
{
    /* file order differs from name order; the data section starts at an odd address offset; a
     * zero-size tensor; metadata; space padding after the JSON (as the official writer does) */
    const float f[3] = {1.5f, -0.0f, 3.14159f};
    const int64_t i64[1] = {42};
    const unsigned char f16[4] = {0x00, 0x3C, 0x00, 0xC0}; /* 1, -2 */
    unsigned char data[12 + 8 + 4];
    memcpy(data, f, 12);
    memcpy(data + 12, i64, 8);
    memcpy(data + 20, f16, 4);
    const char *hdr = "{\"__metadata__\": {\"format\": \"pt\", \"bn_eps\": \"0.001\"}, "
                      "\"z.f32\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 12]}, "
                      "\"empty\": {\"dtype\": \"F32\", \"shape\": [0, 4], \"data_offsets\": [12, 12]}, "
                      "\"m.i64\": {\"dtype\": \"I64\", \"shape\": [], \"data_offsets\": [12, 20]}, "
                      "\"a.f16\": {\"dtype\": \"F16\", \"shape\": [1, 2], \"data_offsets\": [20, 24], "
                      "\"extra\": true}}     ";
    ck_assert_msg((8 + strlen(hdr)) % 4 != 0, "test header should leave the data unaligned");
    gy_safetensors *st = parse_ok(hdr, data, sizeof data);
    ck_assert_int_eq(st->count, 4);
    check_invariants(st);
    ck_assert_str_eq(st->tensors[0].name, "a.f16");
    ck_assert_str_eq(st->tensors[1].name, "empty");
    ck_assert_str_eq(st->tensors[2].name, "m.i64");
    ck_assert_str_eq(st->tensors[3].name, "z.f32");
    ck_assert_int_eq(st->meta_count, 2);
    ck_assert_str_eq(gy_st_meta_get(st, "format"), "pt");
    ck_assert_str_eq(gy_st_meta_get(st, "bn_eps"), "0.001");
    ck_assert_str_eq(st->path, MEM_NAME);

    const gy_st_tensor *t = find_ok(st, "z.f32");
    ck_assert_uint_eq((uintptr_t)(st->data + t->offset) % 4 != 0, 1);
    float *v = read_f32_ok(st, t);
    ck_assert(memcmp(v, f, sizeof f) == 0);
    free(v);
    t = find_ok(st, "empty");
    ck_assert_uint_eq(t->numel, 0);
    ck_assert_int_eq(t->ndim, 2);
    gy_error err;
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(gy_st_read_f32(st, t, NULL, &err), GY_OK);
    t = find_ok(st, "a.f16");
    v = read_f32_ok(st, t);
    ck_assert_float_eq(v[0], 1.0f);
    ck_assert_float_eq(v[1], -2.0f);
    free(v);
    t = find_ok(st, "m.i64");
    ck_assert_uint_eq(t->numel, 1);
    float one = 0;
    ck_assert_int_eq(gy_st_read_f32(st, t, &one, &err), GY_ERR_MISMATCH);
    ck_assert_ptr_nonnull(strstr(err.message, MEM_NAME ": tensor \"m.i64\" has dtype I64"));
    ck_assert_str_eq(gy_dtype_name(GY_DT_BF16), "BF16");
    gy_st_close(st);
}
END_TEST

START_TEST(test_valid_empty)
{
    gy_safetensors *st = parse_ok("{}", NULL, 0);
    ck_assert_int_eq(st->count, 0);
    ck_assert_int_eq(st->meta_count, 0);
    ck_assert_uint_eq(st->data_size, 0);
    ck_assert_ptr_null(gy_st_find(st, "a"));
    ck_assert_ptr_null(gy_st_meta_get(st, "a"));
    gy_st_close(st);
    st = parse_ok("{\"__metadata__\": {}}        ", NULL, 0);
    ck_assert_int_eq(st->count, 0);
    gy_st_close(st);
    st = parse_ok("{\"__metadata__\": null}", NULL, 0);
    ck_assert_int_eq(st->meta_count, 0);
    gy_st_close(st);
    gy_st_close(NULL);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* Malformations (gy_st_parse) */

#define T_F32(name, shape, b, e)                                                                   \
    "\"" name "\": {\"dtype\": \"F32\", \"shape\": " shape ", \"data_offsets\": [" #b ", " #e "]}"

START_TEST(test_too_short)
{
    size_t size;
    unsigned char *buf = mk_raw(0, "", NULL, 0, &size);
    expect_fail_buf(buf, 5, GY_ERR_FORMAT, "file is 5 bytes, too short");
    expect_fail_buf(NULL, 0, GY_ERR_FORMAT, "file is 0 bytes, too short");
}
END_TEST

START_TEST(test_header_beyond_file)
{
    size_t size;
    unsigned char *buf = mk_raw(100, "{}", NULL, 10, &size);
    expect_fail_buf(buf, size, GY_ERR_FORMAT, "header length 100 goes beyond the end of the file "
                    "(20 bytes");
}
END_TEST

START_TEST(test_header_over_cap)
{
    size_t size;
    unsigned char *buf = mk_raw((uint64_t)GY_ST_MAX_HEADER + 1, "{}", NULL, 0, &size);
    expect_fail_buf(buf, size, GY_ERR_FORMAT, "header length 100000001 is over the limit");
    buf = mk_raw(UINT64_MAX, "{}", NULL, 0, &size);
    expect_fail_buf(buf, size, GY_ERR_FORMAT, "header length 18446744073709551615 is over");
}
END_TEST

START_TEST(test_header_empty)
{
    expect_fail("", 0, GY_ERR_FORMAT, "header is empty");
}
END_TEST

START_TEST(test_invalid_json)
{
    expect_fail("{\"a\": {\"dtype\": \"F32\",", 0, GY_ERR_FORMAT, "not valid JSON");
    expect_fail("{\"a\" 1}", 0, GY_ERR_FORMAT, "not valid JSON");
    expect_fail("{} x", 0, GY_ERR_FORMAT, "unexpected bytes after the JSON object at header "
                "byte 3");
}
END_TEST

START_TEST(test_invalid_bytes)
{
    /* a NUL byte in the padding: cJSON would skip it as whitespace, JSON does not allow it */
    size_t size;
    unsigned char *buf = mk_raw(6, "{}    ", NULL, 0, &size);
    buf[8 + 2] = 0;
    expect_fail_buf(buf, size, GY_ERR_FORMAT, "control byte 0x00 at header byte 2");
    expect_fail("{\"a\":\x01{}}", 0, GY_ERR_FORMAT, "control byte 0x01 at header byte 5");
    expect_fail("{\"\xff\": 1}", 0, GY_ERR_FORMAT, "not valid UTF-8 (at header byte 2)");
    expect_fail("{\"\xc0\xaf\": 1}", 0, GY_ERR_FORMAT, "not valid UTF-8"); /* overlong */
    expect_fail("{\"\xed\xa0\x80\": 1}", 0, GY_ERR_FORMAT, "not valid UTF-8"); /* surrogate */
}
END_TEST

/* Valid UTF-8 of every length (RFC 3629): U+00E9 in 2 bytes, U+20AC in 3, U+1F600 in 4, kept as is. */
START_TEST(test_valid_utf8)
{
    gy_safetensors *st =
        parse_ok("{\"__metadata__\": {\"k\": \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\", "
                 "\"\xf0\x9f\x98\x80\": \"x\"}}", NULL, 0);
    ck_assert_int_eq(st->meta_count, 2);
    ck_assert_str_eq(gy_st_meta_get(st, "k"), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    ck_assert_str_eq(gy_st_meta_get(st, "\xf0\x9f\x98\x80"), "x");
    gy_st_close(st);
}
END_TEST

START_TEST(test_not_object)
{
    expect_fail("[1, 2]", 0, GY_ERR_FORMAT, "header is not a JSON object");
    expect_fail("\"str\"", 0, GY_ERR_FORMAT, "header is not a JSON object");
    expect_fail(" {}", 0, GY_ERR_FORMAT, "must start with '{'");
    expect_fail("\xef\xbb\xbf{}", 0, GY_ERR_FORMAT, "must start with '{'"); /* BOM */
}
END_TEST

START_TEST(test_metadata_not_object)
{
    expect_fail("{\"__metadata__\": [\"a\"]}", 0, GY_ERR_FORMAT,
                "\"__metadata__\" must be an object of strings, not an array");
    expect_fail("{\"__metadata__\": \"x\"}", 0, GY_ERR_FORMAT, "\"__metadata__\" must be an object");
}
END_TEST

START_TEST(test_metadata_non_string)
{
    expect_fail("{\"__metadata__\": {\"a\": \"ok\", \"k\": 1}}", 0, GY_ERR_FORMAT,
                "metadata value of \"k\" must be a string, not 1");
    expect_fail("{\"__metadata__\": {\"k\": null}}", 0, GY_ERR_FORMAT,
                "metadata value of \"k\" must be a string, not null");
}
END_TEST

START_TEST(test_metadata_duplicates)
{
    expect_fail("{\"__metadata__\": {\"k\": \"a\", \"k\": \"b\"}}", 0, GY_ERR_FORMAT,
                "metadata key \"k\" appears more than once");
    expect_fail("{\"__metadata__\": {}, \"__metadata__\": {}}", 0, GY_ERR_FORMAT,
                "\"__metadata__\" appears more than once");
}
END_TEST

START_TEST(test_missing_dtype)
{
    expect_fail("{\"w\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 4, GY_ERR_FORMAT,
                "tensor \"w\": missing \"dtype\"");
}
END_TEST

START_TEST(test_missing_shape)
{
    expect_fail("{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}", 4, GY_ERR_FORMAT,
                "tensor \"w\": missing \"shape\"");
}
END_TEST

START_TEST(test_missing_offsets)
{
    expect_fail("{\"w\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4, GY_ERR_FORMAT,
                "tensor \"w\": missing \"data_offsets\"");
}
END_TEST

START_TEST(test_entry_not_object)
{
    expect_fail("{\"w\": [1, 2]}", 0, GY_ERR_FORMAT, "tensor \"w\": entry must be an object");
    expect_fail("{\"w\": {\"dtype\": \"F32\", \"dtype\": \"F32\", \"shape\": [1], "
                "\"data_offsets\": [0, 4]}}", 4, GY_ERR_FORMAT,
                "tensor \"w\": field \"dtype\" appears more than once");
}
END_TEST

START_TEST(test_unknown_dtype)
{
    expect_fail("{\"w\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [0, 8]}}", 8,
                GY_ERR_UNSUPPORTED, "tensor \"w\" has dtype \"F64\", which is not supported");
    expect_fail("{\"w\": {\"dtype\": \"f32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4,
                GY_ERR_UNSUPPORTED, "dtype \"f32\"");
    expect_fail("{\"w\": {\"dtype\": 4, \"shape\": [1], \"data_offsets\": [0, 4]}}", 4,
                GY_ERR_FORMAT, "tensor \"w\": \"dtype\" must be a string, not 4");
}
END_TEST

START_TEST(test_negative_shape)
{
    expect_fail("{" T_F32("w", "[2, -1]", 0, 4) "}", 4, GY_ERR_FORMAT,
                "tensor \"w\": shape[1] = -1 is negative");
}
END_TEST

START_TEST(test_non_integer_shape)
{
    expect_fail("{" T_F32("w", "[1.5]", 0, 4) "}", 4, GY_ERR_FORMAT,
                "tensor \"w\": shape[0] = 1.5 is not an integer");
    expect_fail("{" T_F32("w", "[\"1\"]", 0, 4) "}", 4, GY_ERR_FORMAT,
                "shape[0] = \"1\" is not a number");
    expect_fail("{" T_F32("w", "[1e300]", 0, 4) "}", 4, GY_ERR_FORMAT, "is too large");
    expect_fail("{" T_F32("w", "4", 0, 4) "}", 4, GY_ERR_FORMAT,
                "\"shape\" must be an array of integers, not 4");
}
END_TEST

START_TEST(test_too_many_dims)
{
    expect_fail("{" T_F32("w", "[1, 1, 1, 1, 1, 1, 1, 1, 1]", 0, 4) "}", 4, GY_ERR_FORMAT,
                "tensor \"w\": shape has 9 dimensions, more than the 8 supported");
    /* exactly 8 is fine */
    gy_safetensors *st = parse_ok("{" T_F32("w", "[1, 1, 1, 1, 1, 1, 1, 2]", 0, 8) "}", NULL, 8);
    ck_assert_int_eq(st->tensors[0].ndim, 8);
    ck_assert_uint_eq(st->tensors[0].numel, 2);
    gy_st_close(st);
}
END_TEST

START_TEST(test_offsets_reversed)
{
    expect_fail("{" T_F32("w", "[1]", 8, 4) "}", 8, GY_ERR_FORMAT,
                "tensor \"w\": data_offsets [8, 4] begin after they end");
}
END_TEST

START_TEST(test_offsets_malformed)
{
    expect_fail("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}", 4,
                GY_ERR_FORMAT, "\"data_offsets\" must be [begin, end], not an array of 1 values");
    expect_fail("{" T_F32("w", "[1]", -4, 0) "}", 4, GY_ERR_FORMAT,
                "data_offsets begin = -4 is negative");
    expect_fail("{" T_F32("w", "[1]", 0, 4.5) "}", 4, GY_ERR_FORMAT,
                "data_offsets end = 4.5 is not an integer");
    expect_fail("{" T_F32("w", "[1]", 0, 18446744073709551616) "}", 4, GY_ERR_FORMAT,
                "data_offsets end = 1.8446744073709552e+19 is too large");
}
END_TEST

/* Each kind of JSON value as the messages describe it (dtype given as every kind), a string cut
 * at 40 characters; and the integer bound 2^53: accepted as a number (the file is then refused
 * for its size, not for the number), 2^53 + 2 too large. */
START_TEST(test_value_descriptions)
{
    static const char *const vals[] = {"{}", "true", "false", "null", "[1]", "1.5", "-0.25"};
    static const char *const says[] = {"not an object", "not a boolean", "not a boolean",
                                       "not null", "not an array", "not 1.5", "not -0.25"};
    for (int i = 0; i < 7; i++) {
        char h[256];
        snprintf(h, sizeof h, "{\"w\": {\"dtype\": %s, \"shape\": [1], \"data_offsets\": [0, 4]}}",
                 vals[i]);
        char want[160];
        snprintf(want, sizeof want, "tensor \"w\": \"dtype\" must be a string, %s", says[i]);
        expect_fail(h, 4, GY_ERR_FORMAT, want);
    }
    expect_fail("{\"__metadata__\": {\"k\": {\"a\": 1}}}", 0, GY_ERR_FORMAT,
                "metadata value of \"k\" must be a string, not an object");
    expect_fail("{\"__metadata__\": true}", 0, GY_ERR_FORMAT,
                "\"__metadata__\" must be an object of strings, not a boolean");
    expect_fail("{" T_F32("w", "[null]", 0, 4) "}", 4, GY_ERR_FORMAT,
                "shape[0] = null is not a number");
    expect_fail("{" T_F32("w", "[\"abcdefghijabcdefghijabcdefghijabcdefghijXYZ\"]", 0, 4) "}", 4,
                GY_ERR_FORMAT,
                "shape[0] = \"abcdefghijabcdefghijabcdefghijabcdefghij\" is not a number");
    expect_fail("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": {}}}", 4,
                GY_ERR_FORMAT, "\"data_offsets\" must be [begin, end], not an object");
    expect_fail("{\"w\": 7}", 0, GY_ERR_FORMAT,
                "tensor \"w\": entry must be an object with dtype, shape and data_offsets, not 7");
    /* 2^53 is a number the parser takes; one representable step past it is not */
    expect_fail("{" T_F32("w", "[1]", 0, 9007199254740992) "}", 4, GY_ERR_FORMAT, "\"w\"");
    gy_error err;
    size_t size;
    unsigned char *buf = mk("{" T_F32("w", "[1]", 0, 9007199254740992) "}", NULL, 4, &size);
    gy_safetensors *st = NULL;
    ck_assert_int_ne(gy_st_parse(buf, size, MEM_NAME, &st, &err), GY_OK);
    ck_assert_ptr_null(strstr(err.message, "too large"));
    ck_assert_ptr_null(strstr(err.message, "integer")); /* buf: the parser's (freed on failure) */
    expect_fail("{" T_F32("w", "[1]", 0, 9007199254740994) "}", 4, GY_ERR_FORMAT,
                "data_offsets end = 9007199254740994 is too large (more than 2^53)");
    expect_fail("{" T_F32("w", "[9007199254740994]", 0, 4) "}", 4, GY_ERR_FORMAT,
                "shape[0] = 9007199254740994 is too large");
}
END_TEST

START_TEST(test_gap)
{
    expect_fail("{" T_F32("a", "[1]", 0, 4) ", " T_F32("b", "[1]", 8, 12) "}", 12, GY_ERR_FORMAT,
                "gap in the data section: bytes [4, 8) belong to no tensor (tensor \"b\" starts "
                "at 8)");
    expect_fail("{" T_F32("b", "[1]", 4, 8) "}", 8, GY_ERR_FORMAT, "bytes [0, 4) belong to no");
}
END_TEST

START_TEST(test_overlap)
{
    expect_fail("{" T_F32("a", "[2]", 0, 8) ", " T_F32("b", "[1]", 4, 8) "}", 8, GY_ERR_FORMAT,
                "tensor \"b\" data_offsets [4, 8] overlap tensor \"a\", which ends at 8");
    /* the same bytes claimed twice */
    expect_fail("{" T_F32("a", "[1]", 0, 4) ", " T_F32("b", "[1]", 0, 4) "}", 4, GY_ERR_FORMAT,
                "overlap tensor \"a\"");
}
END_TEST

START_TEST(test_trailing_bytes)
{
    expect_fail("{" T_F32("a", "[1]", 0, 4) "}", 8, GY_ERR_FORMAT,
                "the data section has 8 bytes but the tensors cover only 4");
    expect_fail("{}", 1, GY_ERR_FORMAT, "data section has 1 bytes but the tensors cover only 0");
}
END_TEST

START_TEST(test_truncated_data)
{
    expect_fail("{" T_F32("a", "[4]", 0, 16) "}", 8, GY_ERR_FORMAT,
                "tensor \"a\": data_offsets [0, 16] extend beyond the 8 bytes of data");
}
END_TEST

START_TEST(test_size_mismatch)
{
    expect_fail("{" T_F32("a", "[3]", 0, 8) "}", 8, GY_ERR_FORMAT,
                "tensor \"a\": shape [3] of F32 needs 12 bytes but data_offsets [0, 8] hold 8");
    expect_fail("{\"h\": {\"dtype\": \"F16\", \"shape\": [2, 2], \"data_offsets\": [0, 16]}}", 16,
                GY_ERR_FORMAT, "shape [2, 2] of F16 needs 8 bytes");
    expect_fail("{\"s\": {\"dtype\": \"I64\", \"shape\": [], \"data_offsets\": [0, 0]}}", 0,
                GY_ERR_FORMAT, "shape [] of I64 needs 8 bytes but data_offsets [0, 0] hold 0");
}
END_TEST

START_TEST(test_shape_overflow)
{
    expect_fail("{\"w\": {\"dtype\": \"F16\", \"shape\": [4294967296, 4294967296, 16], "
                "\"data_offsets\": [0, 0]}}", 0, GY_ERR_FORMAT,
                "tensor \"w\": the element count of shape [4294967296, 4294967296, 16] overflows");
    /* the element count fits but the byte count does not */
    expect_fail("{\"w\": {\"dtype\": \"F32\", \"shape\": [2147483648, 2147483648], "
                "\"data_offsets\": [0, 0]}}", 0, GY_ERR_FORMAT,
                "the byte count of shape [2147483648, 2147483648] x 4 (F32) overflows");
}
END_TEST

START_TEST(test_duplicate_names)
{
    expect_fail("{" T_F32("a", "[1]", 0, 4) ", " T_F32("b", "[1]", 4, 8) ", "
                T_F32("a", "[1]", 8, 12) "}", 12, GY_ERR_FORMAT,
                "duplicate tensor name \"a\" in the header");
}
END_TEST

/* The readers' own checks: gy_st_read_f32 refuses a missing file, tensor or destination (each
 * alone; no destination is fine for an empty tensor), and every reader refuses a tensor that does
 * not belong to the file, each clause alone: an offset past the data, bytes running past its end
 * (at the end exactly is fine), a byte count that is not numel x the dtype's size. The integer
 * readers refuse another dtype, and gy_st_read_f32 an integer one. */
START_TEST(test_read_contract)
{
    const float f[2] = {1.0f, -2.0f};
    const int8_t i8[4] = {1, -2, 3, -128};
    const int32_t i32[1] = {-5};
    unsigned char data[8 + 4 + 4];
    memcpy(data, f, 8);
    memcpy(data + 8, i8, 4);
    memcpy(data + 12, i32, 4);
    gy_safetensors *st = parse_ok(
        "{\"f\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, "
        "\"b\": {\"dtype\": \"I8\", \"shape\": [4], \"data_offsets\": [8, 12]}, "
        "\"i\": {\"dtype\": \"I32\", \"shape\": [1], \"data_offsets\": [12, 16]}}",
        data, sizeof data);
    const gy_st_tensor *tf = find_ok(st, "f"), *tb = find_ok(st, "b"), *ti = find_ok(st, "i");
    gy_error err;
    float out[4];
    int8_t ob[4];
    int32_t oi[1];
    ck_assert_int_eq(gy_st_read_f32(NULL, tf, out, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, "<safetensors>: gy_st_read_f32 needs a file, a tensor"));
    ck_assert_int_eq(gy_st_read_f32(st, NULL, out, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(err.message, MEM_NAME ": gy_st_read_f32 needs a file, a tensor"));
    ck_assert_int_eq(gy_st_read_f32(st, tf, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_int_eq(gy_st_read_f32(st, tf, out, &err), GY_OK);
    ck_assert(out[0] == 1.0f && out[1] == -2.0f);
    ck_assert_int_eq(gy_st_read_i8(st, tb, ob, &err), GY_OK);
    ck_assert(memcmp(ob, i8, 4) == 0);
    ck_assert_int_eq(gy_st_read_i32(st, ti, oi, &err), GY_OK);
    ck_assert_int_eq(oi[0], -5);
    /* a tensor ending exactly at the end of the data belongs; one byte more does not */
    gy_st_tensor bad = *ti;
    ck_assert_int_eq(gy_st_read_i32(st, &bad, oi, &err), GY_OK);
    const gy_st_tensor *ts[3] = {tf, tb, ti};
    for (int k = 0; k < 3; k++) {
        for (int clause = 0; clause < 4; clause++) {
            bad = *ts[k];
            if (clause == 0)
                bad.offset = sizeof data + 1; /* past the data */
            else if (clause == 1)
                bad.offset = sizeof data - bad.nbytes + 1; /* runs one byte past the end */
            else if (clause == 2)
                bad.nbytes += 1; /* not numel x size (and still inside) */
            else
                bad.numel += 1;
            gy_status got;
            memset(&err, 0, sizeof err);
            if (k == 0)
                got = gy_st_read_f32(st, &bad, out, &err);
            else if (k == 1)
                got = gy_st_read_i8(st, &bad, ob, &err);
            else
                got = gy_st_read_i32(st, &bad, oi, &err);
            ck_assert_msg(got == GY_ERR_ARGUMENT, "tensor %s clause %d: %s", bad.name, clause, err.message);
            ck_assert_msg(strstr(err.message, "does not belong to this file") != NULL, "%s",
                          err.message);
        }
    }
    /* an empty tensor at the very end of the data (offset == the data size) belongs */
    const gy_st_tensor *tk[3] = {tf, tb, ti};
    for (int k = 0; k < 3; k++) {
        gy_st_tensor e = *tk[k];
        e.offset = sizeof data;
        e.nbytes = 0;
        e.numel = 0;
        gy_status got = k == 0 ? gy_st_read_f32(st, &e, out, &err)
                        : k == 1 ? gy_st_read_i8(st, &e, ob, &err) : gy_st_read_i32(st, &e, oi, &err);
        ck_assert_msg(got == GY_OK, "empty %s at the end: %s", e.name, err.message);
    }
    /* the dtype checks */
    ck_assert_int_eq(gy_st_read_i8(st, ti, ob, &err), GY_ERR_MISMATCH);
    ck_assert_ptr_nonnull(strstr(err.message, MEM_NAME ": tensor \"i\" has dtype I32, not I8"));
    ck_assert_int_eq(gy_st_read_i32(st, tb, oi, &err), GY_ERR_MISMATCH);
    ck_assert_ptr_nonnull(strstr(err.message, MEM_NAME ": tensor \"b\" has dtype I8, not I32"));
    ck_assert_int_eq(gy_st_read_i32(st, tf, oi, &err), GY_ERR_MISMATCH);
    ck_assert_int_eq(gy_st_read_f32(st, tb, out, &err), GY_ERR_MISMATCH);
    ck_assert_ptr_nonnull(strstr(err.message, MEM_NAME ": tensor \"b\" has dtype I8; only F32"));
    ck_assert_int_eq(gy_st_read_f32(st, ti, out, &err), GY_ERR_MISMATCH);
    gy_st_close(st);
}
END_TEST

START_TEST(test_bad_arguments)
{
    gy_error err;
    memset(&err, 0, sizeof err);
    size_t size;
    unsigned char *buf = mk("{}", NULL, 0, &size);
    ck_assert_int_eq(gy_st_parse(buf, size, "x", NULL, &err), GY_ERR_ARGUMENT); /* buf freed */
    gy_safetensors *st = NULL;
    ck_assert_int_eq(gy_st_open(NULL, &st, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_null(gy_st_find(NULL, "a"));
    ck_assert_ptr_null(gy_st_meta_get(NULL, "a"));
    /* errors without a gy_error still return the status */
    buf = mk("[]", NULL, 0, &size);
    ck_assert_int_eq(gy_st_parse(buf, size, "x", &st, NULL), GY_ERR_FORMAT);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* Files (gy_st_open) */

/* Writes buf to a new temporary file; returns its path (static storage). */
static const char *write_temp(const unsigned char *buf, size_t size)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/gy_test_safetensors_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_msg(fd >= 0, "mkstemp failed");
    FILE *f = fdopen(fd, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(buf, 1, size, f), size);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

START_TEST(test_open_truncated_file)
{
    size_t size;
    unsigned char *buf = mk("{" T_F32("a", "[4]", 0, 16) "}", NULL, 8, &size);
    const char *path = write_temp(buf, size);
    free(buf);
    gy_error err;
    memset(&err, 0, sizeof err);
    gy_safetensors *st = NULL;
    gy_status s = gy_st_open(path, &st, &err);
    unlink(path);
    ck_assert_int_eq(s, GY_ERR_FORMAT);
    ck_assert_ptr_null(st);
    char want[160];
    snprintf(want, sizeof want, "%s: tensor \"a\": data_offsets [0, 16] extend beyond", path);
    ck_assert_msg(strstr(err.message, want) != NULL, "message: %s", err.message);
}
END_TEST

START_TEST(test_open_short_file)
{
    const unsigned char three[3] = {1, 2, 3};
    const char *path = write_temp(three, 3);
    gy_error err;
    memset(&err, 0, sizeof err);
    gy_safetensors *st = NULL;
    gy_status s = gy_st_open(path, &st, &err);
    unlink(path);
    ck_assert_int_eq(s, GY_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    ck_assert_ptr_nonnull(strstr(err.message, "file is 3 bytes, too short"));
}
END_TEST

START_TEST(test_open_valid_file)
{
    const float vals[2] = {0.25f, -8.0f};
    size_t size;
    unsigned char *buf = mk("{\"__metadata__\":{\"k\":\"v\"}," T_F32("x", "[2]", 0, 8) "}", vals,
                            8, &size);
    const char *path = write_temp(buf, size);
    free(buf);
    gy_safetensors *st = open_ok(path);
    unlink(path);
    ck_assert_str_eq(st->path, path);
    ck_assert_uint_eq(st->file_size, size);
    ck_assert_str_eq(gy_st_meta_get(st, "k"), "v");
    float *v = read_f32_ok(st, find_ok(st, "x"));
    ck_assert_float_eq(v[0], 0.25f);
    ck_assert_float_eq(v[1], -8.0f);
    free(v);
    gy_st_close(st);
}
END_TEST

START_TEST(test_open_missing_file)
{
    const char *path = "/nonexistent-dir/no_such_weights.safetensors";
    gy_error err;
    memset(&err, 0, sizeof err);
    gy_safetensors *st = (gy_safetensors *)&err;
    gy_status s = gy_st_open(path, &st, &err);
    ck_assert_int_eq(s, GY_ERR_IO);
    ck_assert_ptr_null(st);
    ck_assert_int_eq(err.status, GY_ERR_IO);
    ck_assert_msg(strstr(err.message, path) != NULL, "message lacks the path: %s", err.message);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */

/* ---------------------------------------------------------------------------------------------- */
/* The writer: the layout it promises (tensors by element size, largest first, then by name; the
 * listed metadata keys first in the order given, the others by key; strings escaped as serde_json
 * does; the header padded with spaces to a multiple of 8; the data in the tensors' order), each
 * bad argument alone, and tensors lying outside the data. */

START_TEST(test_serialize_layout)
{
    const char *hdr = "{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                      "\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[8,14]},"
                      "\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[14,22]},"
                      "\"a\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[22,26]},"
                      "\"__metadata__\":{\"z\":\"1\",\"k\":\"v\\\"q\\\\\\n\\u0001\",\"a\":\"x\"}}";
    unsigned char data[26];
    for (int i = 0; i < 26; i++)
        data[i] = (unsigned char)(i + 1);
    gy_safetensors *st = parse_ok(hdr, data, sizeof data);
    const char *order[] = {"k", "absent", NULL};
    unsigned char *out = NULL;
    size_t size = 0;
    gy_error err;
    ck_assert_int_eq(gy_st_serialize(st, order, &out, &size, &err), GY_OK);
    const char *want = "{\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                       "\"a\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[8,12]},"
                       "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]},"
                       "\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[20,26]},"
                       "\"__metadata__\":{\"k\":\"v\\\"q\\\\\\n\\u0001\",\"a\":\"x\",\"z\":\"1\"}}";
    size_t wl = strlen(want), hl = (wl + 7) / 8 * 8;
    ck_assert_uint_eq(size, 8 + hl + 26);
    uint64_t got_hl = 0;
    for (int i = 0; i < 8; i++)
        got_hl |= (uint64_t)out[i] << (8 * i);
    ck_assert_uint_eq(got_hl, hl);
    ck_assert_msg(memcmp(out + 8, want, wl) == 0, "header %.*s", (int)wl, (const char *)out + 8);
    for (size_t i = wl; i < hl; i++)
        ck_assert_int_eq(out[8 + i], ' ');
    const unsigned char *d = out + 8 + hl; /* n (14..21), a (22..25), b (0..7), h (8..13) */
    const int src[26] = {14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 0, 1, 2, 3, 4, 5, 6, 7,
                         8, 9, 10, 11, 12, 13};
    for (int i = 0; i < 26; i++)
        ck_assert_int_eq(d[i], data[src[i]]);
    free(out);

    /* each bad argument alone: nothing written */
    unsigned char *keep = (unsigned char *)&err;
    out = keep;
    size = 7;
    ck_assert_int_eq(gy_st_serialize(NULL, order, &out, &size, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_eq(out, keep);
    ck_assert_int_eq(gy_st_serialize(st, order, NULL, &size, &err), GY_ERR_ARGUMENT);
    ck_assert_uint_eq(size, 7);
    ck_assert_int_eq(gy_st_serialize(st, order, &out, NULL, &err), GY_ERR_ARGUMENT);
    ck_assert_ptr_eq(out, keep);
    ck_assert_ptr_nonnull(strstr(err.message, "output pointers"));

    /* a tensor outside the data: its offset past the end alone, its length past the end alone,
     * and the last tensor ending exactly at the end (fine) */
    gy_st_tensor *t = &st->tensors[0];
    const size_t off0 = t->offset, nb0 = t->nbytes, end = st->data_size;
    t->offset = end + 1;
    t->nbytes = 0;
    ck_assert_int_eq(gy_st_serialize(st, order, &out, &size, &err), GY_ERR_ARGUMENT);
    ck_assert_msg(strstr(err.message, "lies outside the data"), "%s", err.message);
    ck_assert_ptr_null(out);
    t->offset = end; /* an empty tensor at the very end */
    ck_assert_int_eq(gy_st_serialize(st, order, &out, &size, &err), GY_OK);
    free(out);
    t->offset = 0;
    t->nbytes = end + 1;
    ck_assert_int_eq(gy_st_serialize(st, order, &out, &size, &err), GY_ERR_ARGUMENT);
    t->offset = end - 4;
    t->nbytes = 4; /* ends exactly at the end */
    ck_assert_int_eq(gy_st_serialize(st, order, &out, &size, &err), GY_OK);
    free(out);
    t->offset = end - 3;
    ck_assert_int_eq(gy_st_serialize(st, order, &out, &size, &err), GY_ERR_ARGUMENT);
    t->offset = off0;
    t->nbytes = nb0;
    gy_st_close(st);

    /* nothing at all: "{}" padded; metadata alone: no comma before it */
    st = parse_ok("{}", NULL, 0);
    ck_assert_int_eq(gy_st_serialize(st, NULL, &out, &size, &err), GY_OK);
    ck_assert_uint_eq(size, 16);
    ck_assert(memcmp(out + 8, "{}      ", 8) == 0);
    free(out);
    gy_st_close(st);
    st = parse_ok("{\"__metadata__\":{\"m\":\"1\"}}", NULL, 0);
    ck_assert_int_eq(gy_st_serialize(st, NULL, &out, &size, &err), GY_OK);
    ck_assert(memcmp(out + 8, "{\"__metadata__\":{\"m\":\"1\"}}", 25) == 0);
    free(out);
    gy_st_close(st);
}
END_TEST

static Suite *safetensors_suite(void)
{
    Suite *s = suite_create("safetensors");

    TCase *tc = tcase_create("real_files");
    tcase_add_test(tc, test_yolov8n);
    tcase_add_test(tc, test_parity_v8n_f16);
    tcase_add_test(tc, test_parity_f32);
    suite_add_tcase(s, tc);

    tc = tcase_create("conversion");
    tcase_add_test(tc, test_f16_all_patterns);
    tcase_add_test(tc, test_bf16_patterns);
    tcase_add_test(tc, test_valid_mixed_unaligned);
    tcase_add_test(tc, test_valid_empty);
    suite_add_tcase(s, tc);

    tc = tcase_create("malformed");
    tcase_add_test(tc, test_too_short);
    tcase_add_test(tc, test_header_beyond_file);
    tcase_add_test(tc, test_header_over_cap);
    tcase_add_test(tc, test_header_empty);
    tcase_add_test(tc, test_invalid_json);
    tcase_add_test(tc, test_invalid_bytes);
    tcase_add_test(tc, test_valid_utf8);
    tcase_add_test(tc, test_not_object);
    tcase_add_test(tc, test_metadata_not_object);
    tcase_add_test(tc, test_metadata_non_string);
    tcase_add_test(tc, test_metadata_duplicates);
    tcase_add_test(tc, test_missing_dtype);
    tcase_add_test(tc, test_missing_shape);
    tcase_add_test(tc, test_missing_offsets);
    tcase_add_test(tc, test_entry_not_object);
    tcase_add_test(tc, test_unknown_dtype);
    tcase_add_test(tc, test_negative_shape);
    tcase_add_test(tc, test_non_integer_shape);
    tcase_add_test(tc, test_too_many_dims);
    tcase_add_test(tc, test_offsets_reversed);
    tcase_add_test(tc, test_offsets_malformed);
    tcase_add_test(tc, test_value_descriptions);
    tcase_add_test(tc, test_gap);
    tcase_add_test(tc, test_overlap);
    tcase_add_test(tc, test_trailing_bytes);
    tcase_add_test(tc, test_truncated_data);
    tcase_add_test(tc, test_size_mismatch);
    tcase_add_test(tc, test_shape_overflow);
    tcase_add_test(tc, test_duplicate_names);
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_test(tc, test_read_contract);
    suite_add_tcase(s, tc);

    tc = tcase_create("files");
    tcase_add_test(tc, test_open_truncated_file);
    tcase_add_test(tc, test_open_short_file);
    tcase_add_test(tc, test_open_valid_file);
    tcase_add_test(tc, test_open_missing_file);
    tcase_add_test(tc, test_serialize_layout);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return gy_test_run(safetensors_suite()); }
