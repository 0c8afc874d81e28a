/* stb_decode.h - the stb_image decoders ghostyolo uses (PNG, BMP, GIF), compiled into the library
 * in one translation unit (stb_decode.c) from Debian's libstb-dev header, with only those decoders
 * and a side cap, instead of the shared libstb that carries every format (PSD, HDR, PIC, PNM, TGA,
 * JPEG). JPEG and WebP have their own decoders (jpeg_decode.c, webp_decode.c). */
#ifndef GY_PREPROCESS_STB_DECODE_H
#define GY_PREPROCESS_STB_DECODE_H

#include <stddef.h>

/* Longest image side stb_image accepts (STBI_MAX_DIMENSIONS); the pixel cap GY_IMAGE_MAX_PIXELS
 * applies as well. */
#ifndef GY_IMAGE_MAX_SIDE
#define GY_IMAGE_MAX_SIDE 65536
#endif

/* A GIF may claim at most this many pixels per byte of file: LZW with 12-bit codes cannot expand
 * further (a code stands for at most 4096 pixels), so a tiny file claiming a huge logical screen
 * is refused before stb_image allocates its three RGBA frames for it. */
#ifndef GY_GIF_MAX_PIXELS_PER_BYTE
#define GY_GIF_MAX_PIXELS_PER_BYTE 4096
#endif

/* stbi_info_from_memory: 1 and the size and channel count, or 0. */
int gy_stb_info(const unsigned char *data, size_t size, int *w, int *h, int *comp);
/* stbi_load_from_memory to 3 channels; NULL on failure. Free with gy_stb_free. */
unsigned char *gy_stb_load_rgb(const unsigned char *data, size_t size, int *w, int *h);
void gy_stb_free(void *pixels);
/* stbi_failure_reason() of the calling thread (stb keeps it thread-local), never NULL. */
const char *gy_stb_failure_reason(void);

#endif
