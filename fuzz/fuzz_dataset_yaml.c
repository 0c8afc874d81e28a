/* fuzz_dataset_yaml.c - libFuzzer harness: arbitrary bytes as a dataset YAML (gy_dataset_load: path,
 * train/val/test as folder, list or list of those, names as list or mapping, nc), in a scratch folder
 * holding images/ with two images, a list file and labels. Inputs that could name a place outside the
 * scratch folder (an absolute path, '\\', "..") are skipped, so the harness never walks the machine's files. */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detector/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64], yaml[96];

static void put(const char *rel, const char *text)
{
    char p[160];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void setup(void)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(root, sizeof root, "%s/gy_fuzz_ds_%ld", base, (long)getpid());
    char p[160];
    mkdir(root, 0755);
    snprintf(p, sizeof p, "%s/images", root);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/labels", root);
    mkdir(p, 0755);
    put("images/a.jpg", "x");
    put("images/b.png", "x");
    put("labels/a.txt", "0 0.5 0.5 0.2 0.2\n");
    put("val.txt", "images/a.jpg\n./images/b.png\n");
    snprintf(yaml, sizeof yaml, "%s/data.yaml", root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!root[0])
        setup();
    /* stay inside the scratch folder: no absolute path (a '/' that does not follow a name
     * character), no "..", no escapes, no home or variables */
    for (size_t i = 0; i < size; i++) {
        unsigned char c = data[i];
        if (c == '\\' || c == '~' || c == '$' || (c == '.' && i + 1 < size && data[i + 1] == '.'))
            return 0;
        if (c == '/' && (i == 0 || strchr(" \t\r\n:[]{},\"'-?|>!&*#%@`", data[i - 1]) || data[i - 1] == 0))
            return 0;
    }
    FILE *f = fopen(yaml, "wb");
    if (!f)
        return 0;
    size_t wrote = fwrite(data, 1, size, f);
    fclose(f);
    if (wrote != size)
        return 0;
    static const char *const splits[] = {"val", "train"};
    for (int s = 0; s < 2; s++) {
        gy_dataset *ds = NULL;
        gy_error err;
        gy_status st = gy_dataset_load(yaml, splits[s], &ds, &err);
        if (st == GY_OK) {
            if (ds->nc < 1 || !ds->names || ds->nimages < 0)
                __builtin_trap();
            for (int i = 0; i < ds->nimages; i++) {
                char *lp = gy_dataset_label_path(ds->images[i]);
                free(lp);
            }
            gy_dataset_free(ds);
        } else if (ds) {
            __builtin_trap();
        }
    }
    return 0;
}
