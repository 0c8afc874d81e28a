/* video_open.h - opening a video from bytes in memory (the fuzz harness, the regression replays and
 * tests): read exactly as a file would be, through a custom AVIOContext. */
#ifndef GY_VIDEO_OPEN_H
#define GY_VIDEO_OPEN_H

#include "ghostyolo.h"
#include "video/video_source.h"

/* gy_video_open of source, or of mem when non-NULL (then source only names it in messages; mem
 * and its bytes must outlive the video). */
gy_status gy_video_open_any(const char *source, gy_vmem *mem, const gy_video_params *params,
                            gy_video **out, gy_error *err);

#endif
