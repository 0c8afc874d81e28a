/* parity.h - runs a ../shared/parity case through the library and checks the output against
 * case.json's tolerance (tolerance_by_part: box rows, then class rows). */
#ifndef GY_TEST_PARITY_H
#define GY_TEST_PARITY_H

#include <stddef.h>

typedef struct parity_result {
    double max_abs_box, max_abs_cls;
    double worst_ratio; /* max |d| / (abs + rel |exp|): <= 1 passes */
    long violations;
} parity_result;

/* Loads CASE/model.yaml + CASE/weights.safetensors, runs CASE/input.f32 and compares. Fails the
 * test on any violation. Prints the measured errors. */
parity_result gy_test_parity(const char *case_name, int threads);
/* The same with other files of the case: config_file NULL loads the weights alone (the config
 * then comes from the weights, e.g. a .pt checkpoint's model yaml). */
parity_result gy_test_parity_load(const char *case_name, const char *config_file,
                                  const char *weights_file, int threads);
/* The same with full paths (config_path may be NULL); fails on a violation only when must_pass. */
parity_result gy_test_parity_run(const char *case_name, const char *config_path,
                                 const char *weights_path, int threads, int must_pass);
/* Copies the full path of ../shared/parity/CASE/FILE (model.yaml, weights.safetensors,
 * input.f32, case.json, ...) into buf (size n); fails the test when the file is missing. */
void gy_test_parity_path(char *buf, size_t n, const char *case_name, const char *file);
/* Compares an output file (from the CLI) with the case's expected output. */
parity_result gy_test_parity_file(const char *case_name, const char *output_path);

#endif
