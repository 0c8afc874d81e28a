/* model_files.c - the model arguments of the CLI: where the shipped configs are (relative to the
 * running executable, so an installed ghostyolo works whatever prefix it was installed or moved
 * to), bare config names, and telling weights from configs. */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detector/cli/cli.h"
#include "configs/config.h"

static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

const char *cli_configs_dir(void)
{
    static char found[PATH_MAX + 64];
    static int done;
    if (done)
        return found[0] ? found : NULL;
    done = 1;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0'; /* the executable's folder */
    /* a build folder, wherever it is: CMake links <build>/configs to the checkout's configs */
    snprintf(found, sizeof found, "%s/configs", exe);
    if (is_dir(found))
        return found;
    found[0] = '\0';
    slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = '\0'; /* its parent ("" for the root) */
    /* installed: <prefix>/bin/ghostyolo -> <prefix>/share/ghostyolo/configs;
     * a build folder inside a checkout: <checkout>/build/ghostyolo -> <checkout>/configs */
    const char *rel[2] = {"/share/ghostyolo/configs", "/configs"};
    for (int i = 0; i < 2; i++) {
        snprintf(found, sizeof found, "%s%s", exe, rel[i]);
        if (is_dir(found))
            return found;
    }
    found[0] = '\0';
    return NULL;
}

const char *cli_find_config(const char *arg, char *buf, size_t size)
{
    if (!arg || strchr(arg, '/') || is_file(arg))
        return arg;
    char unified[PATH_MAX];
    if (gy_config_unified_path(arg, unified, sizeof unified) && is_file(unified))
        return arg; /* the library resolves it in the current folder */
    const char *dir = cli_configs_dir();
    /* the shipped configs, then the backbone zoo's (configs/zoo/) */
    static const char *const sub[2] = {"", "zoo/"};
    for (int i = 0; dir && i < 2; i++) {
        if ((size_t)snprintf(buf, size, "%s/%s%s", dir, sub[i], arg) >= size)
            return arg;
        if (is_file(buf) ||
            (gy_config_unified_path(buf, unified, sizeof unified) && is_file(unified)))
            return buf;
    }
    return arg;
}

int cli_is_weights_file(const char *path)
{
    size_t n = strlen(path);
    if ((n > 12 && strcasecmp(path + n - 12, ".safetensors") == 0) ||
        (n > 3 && strcasecmp(path + n - 3, ".pt") == 0))
        return 1;
    /* by content: a zip archive (a torch checkpoint, which gy_model_load checks for data.pkl), or
     * a little-endian u64 header length then the JSON header's '{' (safetensors) */
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    unsigned char b[9];
    int ok = fread(b, 1, 9, f) == 9;
    long long size = -1;
    if (ok && fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    fclose(f);
    if (ok && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4)
        return 1;
    if (!ok || b[8] != '{')
        return 0;
    unsigned long long len = 0;
    for (int i = 7; i >= 0; i--)
        len = len << 8 | b[i];
    return size > 8 && len <= (unsigned long long)size - 8;
}

int cli_model_list_add(cli_model_list *l, const char *config, const char *weights)
{
    cli_model_ref *p = realloc(l->items, sizeof *p * (size_t)(l->count + 1));
    if (!p) {
        cli_say("out of memory");
        return EXIT_SOFTWARE;
    }
    l->items = p;
    l->items[l->count].config = config;
    l->items[l->count].weights = weights;
    l->count++;
    return 0;
}

int cli_model_list_make(const cli_list *configs, const cli_list *weights, cli_model_list *out)
{
    out->items = NULL;
    out->count = 0;
    cli_list cfg = {NULL, 0}, w = {NULL, 0};
    int rc = 0;
    /* positional .safetensors (by name or content) are weights */
    for (int i = 0; i < configs->count && !rc; i++) {
        cli_list *to = cli_is_weights_file(configs->items[i]) ? &w : &cfg;
        const char **p = realloc(to->items, sizeof *p * (size_t)(to->count + 1));
        if (!p) {
            rc = EXIT_SOFTWARE;
            break;
        }
        to->items = p;
        to->items[to->count++] = configs->items[i];
    }
    for (int i = 0; i < weights->count && !rc; i++) {
        const char **p = realloc(w.items, sizeof *p * (size_t)(w.count + 1));
        if (!p) {
            rc = EXIT_SOFTWARE;
            break;
        }
        w.items = p;
        w.items[w.count++] = weights->items[i];
    }
    if (!rc && cfg.count == 1 && w.count == 1) {
        rc = cli_model_list_add(out, cfg.items[0], w.items[0]); /* that config with those weights */
    } else {
        for (int i = 0; i < cfg.count && !rc; i++)
            rc = cli_model_list_add(out, cfg.items[i], NULL);
        for (int i = 0; i < w.count && !rc; i++)
            rc = cli_model_list_add(out, NULL, w.items[i]);
    }
    if (rc == EXIT_SOFTWARE && !out->items)
        cli_say("out of memory");
    free(cfg.items);
    free(w.items);
    return rc;
}
