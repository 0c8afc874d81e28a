/* annotate.c - gy_annotate: the public face of postprocess/draw.c (ultralytics' Results.plot()),
 * with the caller's class names and arguments checked. */
#include <string.h>

#include "core/error.h"
#include "postprocess/draw.h"

gy_annotate_params gy_annotate_default_params(void)
{
    gy_annotate_params p;
    memset(&p, 0, sizeof p);
    p.labels = 1;
    p.conf = 1;
    return p;
}

typedef struct name_table {
    const char *const *names;
    int count;
} name_table;

static const char *name_of(const void *ctx, int class_id)
{
    const name_table *t = ctx;
    return class_id >= 0 && class_id < t->count ? t->names[class_id] : NULL;
}

gy_status gy_annotate(gy_image *image, const gy_detections *dets, const char *const *names,
                      int num_names, const gy_annotate_params *params, gy_error *err)
{
    if (!image || !dets)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_annotate: image and dets must not be NULL");
    if (!image->data || image->width <= 0 || image->height <= 0 ||
        (long long)image->width * image->height > GY_IMAGE_MAX_PIXELS)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_annotate: the image is empty or too large (%dx%d)",
                       image->width, image->height);
    if (dets->count < 0 || (dets->count > 0 && !dets->boxes))
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_annotate: %d boxes and %s box array", dets->count,
                       dets->boxes ? "a" : "no");
    if (num_names < 0)
        return gy_fail(err, GY_ERR_ARGUMENT, "gy_annotate: num_names is %d", num_names);
    gy_annotate_params defaults = gy_annotate_default_params();
    if (!params)
        params = &defaults;
    if (params->line_width < 0 || params->line_width > GY_ANNOTATE_LINE_MAX)
        return gy_fail(err, GY_ERR_ARGUMENT,
                       "gy_annotate: line_width must be 0 (automatic) or 1 .. %d, got %d",
                       GY_ANNOTATE_LINE_MAX, params->line_width);
    gy_draw_options opts = {params->line_width, !params->labels, !params->conf};
    name_table table = {names, names ? num_names : 0};
    gy_draw_detections_opts(image, dets->boxes, dets->count, name_of, &table, &opts);
    return GY_OK;
}
