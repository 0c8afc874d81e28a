/* image.h - the image decoder's memory entry point (gy_image_load reads the file and calls it; the
 * fuzz harness calls it directly). */
#ifndef GY_PREPROCESS_IMAGE_H
#define GY_PREPROCESS_IMAGE_H

#include <stddef.h>

#include "ghostyolo.h"

/* Files above this size are refused before reading. */
#ifndef GY_IMAGE_MAX_FILE_BYTES
#define GY_IMAGE_MAX_FILE_BYTES ((size_t)1 << 30)
#endif

/* Decodes an image held in memory exactly as gy_image_load decodes a file (same format gate, caps
 * and EXIF orientation). path names the source in messages (NULL: "<memory>"). The data stays the
 * caller's; *out is freed with gy_image_free. */
gy_status gy_image_decode_memory(const unsigned char *data, size_t size, const char *path,
                                 gy_image **out, gy_error *err);

#endif
