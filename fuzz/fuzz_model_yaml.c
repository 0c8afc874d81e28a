/* fuzz_model_yaml.c - libFuzzer harness: arbitrary bytes as a model YAML through the whole load
 * path a user's file takes (gy_model_load: config reader, scaling, module builders, graph, the
 * stride probe's plan), then the stats report (shapes, FLOPs, activation plan) at a small size.
 * gy_model_load reads a path, so the input goes through a file in /dev/shm (or /tmp). */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ghostyolo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(path, sizeof path, "%s/gy_fuzz_%ld.yaml", dir, (long)getpid());
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    size_t wrote = fwrite(data, 1, size, f);
    fclose(f);
    if (wrote != size)
        return 0;
    gy_model *m = NULL;
    gy_error err;
    if (gy_model_load(path, NULL, NULL, &m, &err) != GY_OK) {
        if (m || strncmp(err.message, path, strlen(path)) != 0)
            __builtin_trap(); /* a failure leaves no model and names the file */
        return 0;
    }
    gy_stats_params sp = gy_stats_default_params();
    sp.imgsz = 64;
    gy_stats *s = NULL;
    if (gy_model_stats(m, &sp, &s, &err) == GY_OK)
        gy_stats_free(s);
    gy_model_summary sum;
    (void)gy_model_get_summary(m, 1, 64, &sum, &err);
    gy_model_free(m);
    return 0;
}
