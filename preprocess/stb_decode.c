/* stb_decode.c - stb_image (Debian libstb-dev's header, not a copy) compiled here with only the
 * PNG, BMP and GIF decoders, no stdio, and STBI_MAX_DIMENSIONS; its functions stay static to this
 * file (STB_IMAGE_STATIC), so the libstb shared library linked by the CLI cannot clash with them.
 * The header's own code is compiled without our warning flags (see CMakeLists.txt). */
#include "preprocess/stb_decode.h"

#include <limits.h>

#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_BMP
#define STBI_ONLY_GIF
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_MAX_DIMENSIONS GY_IMAGE_MAX_SIDE
#include <stb/stb_image.h>

int gy_stb_info(const unsigned char *data, size_t size, int *w, int *h, int *comp)
{
    if (size > INT_MAX)
        return 0;
    return stbi_info_from_memory(data, (int)size, w, h, comp);
}

unsigned char *gy_stb_load_rgb(const unsigned char *data, size_t size, int *w, int *h)
{
    if (size > INT_MAX)
        return NULL;
    int comp = 0;
    return stbi_load_from_memory(data, (int)size, w, h, &comp, 3);
}

void gy_stb_free(void *pixels)
{
    stbi_image_free(pixels);
}

const char *gy_stb_failure_reason(void)
{
    const char *r = stbi_failure_reason();
    return r ? r : "unknown error";
}
