/* fuzz_int8.c - libFuzzer harness: arbitrary bytes as an int8 model file (`ghostyolo quantize`'s
 * safetensors: int8_version, I8 weights, F32 scales, I32 zero points, the config in the metadata)
 * through gy_model_load (the int8 binder's checks, the dtype analysis, packing, epilogues), and
 * when it loads and is small, one forward pass on a 64x64 input through the int8 runtime (plan,
 * conversions, kernels). Seeds: fuzz/make-corpus (make_int8_seeds). gy_model_load reads a path,
 * so the input goes through a file in /dev/shm (or /tmp). */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ghostyolo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(path, sizeof path, "%s/gy_fuzz_int8_%ld.safetensors", dir, (long)getpid());
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
    if (gy_model_load(NULL, path, NULL, &m, &err) != GY_OK) {
        if (m || strncmp(err.message, path, strlen(path)) != 0)
            __builtin_trap(); /* a failure leaves no model and names the file */
        return 0;
    }
    gy_model_info info;
    gy_model_get_info(m, &info);
    if (info.packed_weight_bytes < ((size_t)1 << 20) && info.nc <= 100) {
        gy_session_params sp = gy_session_default_params();
        sp.num_threads = 1;
        gy_session *s = NULL;
        float *x = malloc(sizeof *x * 3 * 64 * 64);
        if (x && gy_session_create(m, &sp, &s, &err) == GY_OK) {
            for (int i = 0; i < 3 * 64 * 64; i++)
                x[i] = (float)(i % 251) / 250.0f;
            gy_output o;
            (void)gy_forward(s, x, 64, 64, &o, &err);
        }
        gy_session_free(s);
        free(x);
    }
    gy_model_free(m);
    return 0;
}
