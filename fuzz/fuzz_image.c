/* fuzz_image.c - libFuzzer harness: arbitrary bytes through the image decoder's front door
 * (gy_image_decode_memory: format gate, pixel cap, JPEG/WebP/stb decoders, EXIF orientation). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ghostyolo.h"
#include "preprocess/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gy_image *img = NULL;
    gy_error err;
    gy_status st = gy_image_decode_memory(data, size, "fuzz.img", &img, &err);
    if (st == GY_OK) {
        if (img->width <= 0 || img->height <= 0 ||
            (long long)img->width * img->height > GY_IMAGE_MAX_PIXELS)
            __builtin_trap();
        /* touch every byte: an unwritten pixel shows up under MSan/valgrind, a short buffer here */
        size_t n = (size_t)img->width * (size_t)img->height * 3;
        unsigned sum = 0;
        for (size_t i = 0; i < n; i += 4093)
            sum += img->data[i];
        sum += img->data[n - 1];
        if (sum == 0xFFFFFFFFu) /* never: keeps the reads */
            __builtin_trap();
        gy_image_free(img);
    } else if (img || strncmp(err.message, "fuzz.img: ", 10) != 0) {
        __builtin_trap(); /* a failure leaves no image and names the file */
    }
    return 0;
}
