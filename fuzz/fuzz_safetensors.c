/* fuzz_safetensors.c - libFuzzer harness: arbitrary bytes as a safetensors file (gy_st_parse: header
 * length, JSON header, dtypes, shapes, offsets), then every tensor converted to float32 and the
 * metadata looked up, as model loading does. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ghostyolo.h"
#include "weights/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    gy_safetensors *st = NULL;
    gy_error err;
    if (gy_st_parse(buf, size, "fuzz.safetensors", &st, &err) != GY_OK) {
        if (st || strncmp(err.message, "fuzz.safetensors", 16) != 0)
            __builtin_trap();
        return 0; /* gy_st_parse freed buf */
    }
    (void)gy_st_meta_get(st, "config");
    (void)gy_st_meta_get(st, "names");
    for (int i = 0; i < st->count; i++) {
        const gy_st_tensor *t = &st->tensors[i];
        if (t->offset > st->data_size || t->nbytes > st->data_size - t->offset)
            __builtin_trap();
        if (gy_st_find(st, t->name) != t)
            __builtin_trap();
        float *dst = malloc(t->numel ? t->numel * sizeof *dst : 1);
        if (dst) {
            (void)gy_st_read_f32(st, t, dst, &err);
            free(dst);
        }
    }
    gy_st_close(st);
    return 0;
}
