/* annotate.c - gy_annotate: the public face of postprocess/draw.c (ultralytics' Results.plot()),
 * with the model's class names and the caller's arguments checked. */
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

static const char *class_name(const void *model, int class_id)
{
    return gy_model_class_name(model, class_id);
}

gy_status gy_annotate(gy_image *image, const gy_detections *dets, const gy_model *model,
                      const gy_annotate_params *params, gy_error *err)
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
    gy_annotate_params defaults = gy_annotate_default_params();
    if (!params)
        params = &defaults;
    if (params->line_width < 0 || params->line_width > GY_ANNOTATE_LINE_MAX)
        return gy_fail(err, GY_ERR_ARGUMENT,
                       "gy_annotate: line_width must be 0 (automatic) or 1 .. %d, got %d",
                       GY_ANNOTATE_LINE_MAX, params->line_width);
    gy_draw_options opts = {params->line_width, !params->labels, !params->conf};
    gy_draw_detections_opts(image, dets->boxes, dets->count, model ? class_name : NULL, model,
                            &opts);
    return GY_OK;
}
