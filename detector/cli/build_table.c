/* build_table.c - what info and stats print alike: the model's display name and the columns of
 * ultralytics' build table (parse_model's printout). */
#include <stdio.h>
#include <string.h>

#include "detector/cli/cli.h"

void cli_display_name(const char *stem, char *buf, size_t size)
{
    size_t j = 0;
    for (size_t i = 0; stem[i] && j + 1 < size; i++) {
        if (strncmp(stem + i, "yolo", 4) == 0 && j + 4 < size) {
            memcpy(buf + j, "YOLO", 4);
            j += 4;
            i += 3;
        } else {
            buf[j++] = stem[i];
        }
    }
    buf[j] = '\0';
}

void cli_scale_text(const gy_model_info *info, char *buf, size_t size)
{
    if (!info->scale[0] && strcmp(info->scale_source, "depth/width multiples") == 0)
        snprintf(buf, size, "%g/%g", info->depth, info->width); /* no scale of yolov8.yaml */
    else
        snprintf(buf, size, "%s", info->scale);
}

/* ultralytics: f'{"":>3}{"from":>20}{"n":>3}{"params":>10}  {"module":<45}{"arguments":<30}' */
#define MODULE_WIDTH 45

void cli_print_build_head(void)
{
    printf("%3s%20s%3s%10s  %-*s%-30s", "", "from", "n", "params", MODULE_WIDTH, "module",
           "arguments");
}

void cli_print_build_row(const gy_row_info *r)
{
    /* a module name of 45 characters or more (the backbone zoo's) is followed by one space, so
     * that it never runs into the arguments; shorter ones keep ultralytics' columns */
    printf("%3d%20s%3d%10lld  %-*s%s%-30s", r->index, r->from, r->n, r->params, MODULE_WIDTH,
           r->module, strlen(r->module) >= MODULE_WIDTH ? " " : "", r->args);
}
