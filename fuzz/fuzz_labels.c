/* fuzz_labels.c - libFuzzer harness: arbitrary bytes as a YOLO label file (gy_labels_read: columns,
 * numbers, ranges, polygons, duplicates, the line cap), read for an 80-class dataset. The reader takes
 * a path, so the input goes through a file in /dev/shm (or /tmp). */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detector/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(path, sizeof path, "%s/gy_fuzz_%ld.txt", dir, (long)getpid());
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    size_t wrote = fwrite(data, 1, size, f);
    fclose(f);
    if (wrote != size)
        return 0;
    gy_label *labels = NULL;
    int n = -1, found = -1;
    gy_error err;
    gy_status st = gy_labels_read(path, 80, &labels, &n, &found, &err);
    if (st == GY_OK) {
        if (found != 1 || n < 0 || (n > 0) != (labels != NULL))
            __builtin_trap();
        for (int i = 0; i < n; i++)
            if (labels[i].class_id < 0 || labels[i].class_id >= 80 || !(labels[i].w >= 0.0f) ||
                !(labels[i].h >= 0.0f))
                __builtin_trap();
    } else if (strncmp(err.message, path, strlen(path)) != 0) {
        __builtin_trap(); /* the message names the file */
    }
    free(labels);
    return 0;
}
