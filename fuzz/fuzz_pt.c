/* fuzz_pt.c - libFuzzer harness for the .pt checkpoint reader (build with -DGY_FUZZ=ON, clang).
 *
 * The first input byte picks the mode:
 *   even: the rest is a pickle; it is zipped as archive/data.pkl beside storages archive/data/0
 *         (4 floats), archive/data/1 (8 halves) and archive/data/s (3 floats) and read whole:
 *         pickle machine, module walk, YAML dump, names, stride, storages;
 *   odd:  the rest is a whole weights file (zip or safetensors, told apart by content).
 * Any crash, sanitizer report, leak or timeout is a bug; errors are the expected outcome.
 *
 *   ./build-fuzz/fuzz_pt -max_total_time=300 -max_len=120000 CORPUS_DIR */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "weights/pt_checkpoint.h"
#include "weights/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char *zip_pickle(const uint8_t *pkl, size_t n, size_t *out_size)
{
    static const float f4[4] = {1, 2, 3, 4}, stride[3] = {8, 16, 32};
    static const uint16_t h8[8] = {0x3c00, 0x4000, 0x4200, 0x4400, 0x4500, 0x4600, 0x4700, 0x4800};
    struct {
        const char *name;
        const void *data;
        size_t size;
    } e[4] = {{"archive/data.pkl", pkl, n},
              {"archive/data/0", f4, sizeof f4},
              {"archive/data/1", h8, sizeof h8},
              {"archive/data/s", stride, sizeof stride}};
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    unsigned char *buf = NULL;
    if (!src)
        goto out;
    zip_source_keep(src);
    zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    if (!z)
        goto out_src;
    for (int i = 0; i < 4; i++) {
        zip_source_t *s = zip_source_buffer(z, e[i].data, e[i].size, 0);
        zip_int64_t idx = s ? zip_file_add(z, e[i].name, s, ZIP_FL_OVERWRITE) : -1;
        if (idx < 0) {
            zip_source_free(s);
            zip_discard(z);
            goto out_src;
        }
        zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
    }
    if (zip_close(z) != 0) {
        zip_discard(z);
        goto out_src;
    }
    if (zip_source_open(src) == 0) {
        zip_source_seek(src, 0, SEEK_END);
        zip_int64_t len = zip_source_tell(src);
        zip_source_seek(src, 0, SEEK_SET);
        if (len > 0 && (buf = malloc((size_t)len)) != NULL &&
            zip_source_read(src, buf, (zip_uint64_t)len) != len) {
            free(buf);
            buf = NULL;
        }
        if (buf)
            *out_size = (size_t)len;
        zip_source_close(src);
    }
out_src:
    zip_source_free(src);
out:
    zip_error_fini(&ze);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    gy_error err;
    gy_safetensors *st = NULL;
    if ((data[0] & 1) == 0) {
        size_t zsize = 0;
        unsigned char *zip = zip_pickle(data + 1, size - 1, &zsize);
        if (zip)
            gy_pt_parse(zip, zsize, "fuzz.pt", &st, &err);
    } else {
        unsigned char *buf = malloc(size - 1 + 1);
        if (!buf)
            return 0;
        memcpy(buf, data + 1, size - 1);
        if (gy_pt_sniff(buf, size - 1))
            gy_pt_parse(buf, size - 1, "fuzz.pt", &st, &err);
        else
            gy_st_parse(buf, size - 1, "fuzz.safetensors", &st, &err);
    }
    gy_st_close(st);
    return 0;
}
