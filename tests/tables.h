/* tables.h - helpers shared by the Check tests that compare models with ultralytics' numbers:
 * loading a model or failing, reading JSON files, ultralytics' per-row build tables
 * (../shared/stats/<name>.layers.txt) and the model.info() summaries of
 * ../shared/stats/expected_table.json. Every helper fails the running test, naming the file and
 * what differs, instead of returning an error. */
#ifndef GY_TEST_TABLES_H
#define GY_TEST_TABLES_H

#include <cjson/cJSON.h>

#include "testutil.h"

/* Loads `config` (may be NULL for a weights-only load) and `weights` (may be NULL) with the
 * default parameters but `scale` (NULL: from the file name or the first scale) and `nc` (0: the
 * file's), or fails the test naming both files and the library's message. Caller frees. */
gy_model *gy_test_load(const char *config, const char *weights, const char *scale, int nc);

/* Removes leading spaces and trailing spaces, '\n' and '\r' from `s` in place. */
void gy_test_trim(char *s);

/* Reads and parses a JSON file (a full path: wrap a ../shared one in gy_test_shared), or fails
 * with "<path>: bad JSON". Caller frees with cJSON_Delete. */
cJSON *gy_test_read_json(const char *path);

/* The JSON header of a safetensors file held in buf[0, size), parsed, and in *hlen its length in
 * bytes (the data start at buf + 8 + *hlen); fails the test when the header does not fit or is not
 * JSON. Caller frees with cJSON_Delete. */
cJSON *gy_test_st_header(const unsigned char *buf, size_t size, size_t *hlen);

/* The number `key` of a JSON object, or fails naming the key (and the object's own key when it
 * has one). */
double gy_test_num(const cJSON *obj, const char *key);

/* ../shared/stats/expected_table.json, parsed. Caller frees with cJSON_Delete. */
cJSON *gy_test_expected_table(void);

/* The entry `key` of a section ("table": the published table's models, "extra": the other
 * models) of expected_table.json, or fails naming it. */
const cJSON *gy_test_expected_entry(const cJSON *expected, const char *section, const char *key);

/* Compares every row of an ultralytics build table (`table`: a path relative to ../shared, e.g.
 * "stats/YOLOv8s.layers.txt") with gy_model_get_row:
 *   - the build rows ("  i  from  n  params  module  arguments", unfused parameters): from, n,
 *     params, module and arguments of each, the arguments at column 83 after the 45-wide module
 *     column, or right after a longer module name that runs into them;
 *   - the "per-layer parameters after fuse()" list ("idx params module"): params_fused and module.
 * Both lists must have exactly info.num_rows rows. Failures name the table file and the row. */
void gy_test_check_rows(gy_model *m, const char *table);

/* Compares gy_model_get_summary at 640 (unfused and fused) with an expected_table.json entry
 * (`name` labels the failures): layers, params and gradients exactly; GFLOPs as ultralytics
 * prints them (one decimal, "gflops_printed") and to 1e-9 relative. Where ultralytics' probe
 * could not count GFLOPs (the DFC models: "gflops" 0 and nothing printed) the fused count is
 * thop's direct 640x640 one ("gflops_thop_direct_640_fused") and the unfused one is not checked. */
void gy_test_check_summary(gy_model *m, const char *name, const cJSON *entry);

#endif
