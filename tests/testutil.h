/* testutil.h - helpers shared by the Check tests: ground-truth paths, files, comparisons. */
#ifndef GY_TESTUTIL_H
#define GY_TESTUTIL_H

#include <check.h>
#include <stddef.h>

#include "ghostyolo.h"

/* Absolute path of a file under ../shared (or $GY_SHARED_DIR). Fails the test, naming the file,
 * when it does not exist. The returned string is static storage overwritten per call slot (8). */
const char *gy_test_shared(const char *relpath);
/* Path of a file in the source tree (configs/yolov8.yaml, ...). Fails when missing. */
const char *gy_test_source(const char *relpath);
/* Path of the built ghostyolo CLI. */
const char *gy_test_cli(void);

/* Reads a whole file or fails the test. Caller frees. */
unsigned char *gy_test_read(const char *path, size_t *size);
/* Writes `text` to `path` (replacing it) or fails the test naming the file. */
void gy_test_write_text(const char *path, const char *text);
/* Reads a float32 file (expected_count elements, or any when 0) or fails. Caller frees. */
float *gy_test_read_f32(const char *path, size_t expected_count, size_t *count);

/* A small deterministic generator for random test shapes and values (64-bit LCG, high bits). */
typedef struct gy_test_rng {
    unsigned long long s;
} gy_test_rng;
unsigned gy_test_rng_u32(gy_test_rng *r);
float gy_test_rng_float(gy_test_rng *r);         /* [-1, 1) */
int gy_test_rng_int(gy_test_rng *r, int lo, int hi); /* inclusive */
/* n floats (at least one) of scale * gy_test_rng_float, malloc'ed, or fails. Caller frees. */
float *gy_test_randv(gy_test_rng *r, size_t n, float scale);
/* Room for n floats (rounded up past a multiple of 16), 64-byte aligned, or fails: a kernel's
 * scratch or arena. Caller frees. */
float *gy_test_floats64(size_t n);

/* A copy of src[0, n) with an inaccessible page right after its last float (at_end) or right
 * before its first (64-byte aligned then): a kernel that reads one float past either end of its
 * input faults. g starts zeroed; a g that already holds a large enough mapping is used again
 * (no new mapping: a test running many cases keeps one per side). Free with
 * gy_test_guarded_free. */
typedef struct gy_test_guard {
    void *map;
    size_t len;
} gy_test_guard;
float *gy_test_guarded(const float *src, size_t n, int at_end, gy_test_guard *g);
/* The same for bytes (src NULL: left zero). */
void *gy_test_guarded_bytes(const void *src, size_t bytes, int at_end, gy_test_guard *g);
void gy_test_guarded_free(gy_test_guard *g);
/* src[0, n) against both guards: in[0] ends right before an inaccessible page, in[1] starts
 * right after one. Start from GY_TEST_GUARDS_NONE; a pair used before keeps its mappings when
 * they are large enough. */
typedef struct gy_test_guards {
    gy_test_guard g[2];
    float *in[2];
} gy_test_guards;
#define GY_TEST_GUARDS_NONE {{{NULL, 0}, {NULL, 0}}, {NULL, NULL}}
void gy_test_guard_both(const float *src, size_t n, gy_test_guards *p);
void gy_test_guards_free(gy_test_guards *p);

/* One integer bound of a YAML row, written "good|bad|message": the row with `good` builds, the
 * row with `bad` is refused with `message`. Splits the spec or fails the test. */
typedef struct gy_test_bound {
    char good[16], bad[16], msg[96];
} gy_test_bound;
void gy_test_bound_parse(const char *spec, gy_test_bound *b);
/* The message a refused row 1 on line 4 of `file` carries: "file:4: Module (row 1): msg", the
 * module being `row` up to its first comma; "file:4: msg" when msg is one of the row parser's
 * own limits ("row 1: ..."), which name no module. */
void gy_test_bound_want(char *want, size_t size, const char *file, const char *row,
                        const char *msg);

/* Runs a Check suite with CK_NORMAL output; returns the process exit code. */
int gy_test_run(Suite *s);

#endif
