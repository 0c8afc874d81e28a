/* fuzz_video.c - libFuzzer harness: arbitrary bytes through the video reader's demux/decode path
 * (gy_video_open_any on memory: FFmpeg's probe with the demuxers limited to ultralytics' video
 * formats, the pixel cap, the decoder, OpenCV's conversion, the rotation), reading at most 64
 * frames. Every frame must have a sane size and be fully written; every error must name the
 * source. No reader thread (queue 0), so a crash is in the fuzzer's own thread. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ghostyolo.h"
#include "video/video_open.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gy_vmem mem = {data, size, 0};
    gy_video_params p = gy_video_default_params();
    p.queue = 0;
    p.vid_stride = size > 0 && (data[size - 1] & 1) ? 2 : 1;
    gy_video *v = NULL;
    gy_error err;
    gy_status st = gy_video_open_any("fuzz.video", &mem, &p, &v, &err);
    if (st != GY_OK) {
        if (v || strncmp(err.message, "fuzz.video: ", 12) != 0)
            __builtin_trap(); /* a failure leaves no video and names the source */
        return 0;
    }
    for (int k = 0; k < 64; k++) {
        gy_video_frame f;
        st = gy_video_next(v, &f, &err);
        if (st != GY_OK) {
            if (f.image.data || strncmp(err.message, "fuzz.video: ", 12) != 0)
                __builtin_trap();
            continue;
        }
        if (!f.image.data)
            break;
        if (f.image.width <= 0 || f.image.height <= 0 ||
            (long long)f.image.width * f.image.height > GY_IMAGE_MAX_PIXELS)
            __builtin_trap();
        size_t n = (size_t)f.image.width * (size_t)f.image.height * 3;
        unsigned sum = 0;
        for (size_t i = 0; i < n; i += 4093)
            sum += f.image.data[i];
        sum += f.image.data[n - 1];
        if (sum == 0xFFFFFFFFu) /* never: keeps the reads */
            __builtin_trap();
    }
    gy_video_free(v);
    return 0;
}
