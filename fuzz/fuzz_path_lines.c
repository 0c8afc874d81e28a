/* fuzz_path_lines.c - libFuzzer harness: arbitrary bytes as a detect `.txt` list or standard input
 * (the CLI's line reader, detector/cli/path_lines.c), with and without the list folder prefix. */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "detector/cli/path_lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const uint8_t *data, size_t size, const char *prefix, long max_lines)
{
    if (size == 0)
        return; /* fmemopen refuses a zero-sized buffer */
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return;
    cli_path_lines r;
    cli_path_lines_init(&r, f, prefix, prefix ? strlen(prefix) : 0, max_lines);
    const char *p;
    int rc;
    long got = 0;
    while ((rc = cli_path_lines_next(&r, &p)) != 0) {
        if (rc == 1) {
            size_t n = strlen(p);
            if (n == 0 || n > GY_LIST_MAX_LINE_BYTES + (prefix ? strlen(prefix) : 0) ||
                p[n - 1] == ' ' || p[n - 1] == '\n' || p[n - 1] == '\r')
                __builtin_trap();
            got++;
        } else if (rc == -1) {
            if (!r.why[0])
                __builtin_trap();
        } else {
            break;
        }
    }
    if (max_lines > 0 && got > max_lines)
        __builtin_trap();
    cli_path_lines_free(&r);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run(data, size, NULL, 0);
    run(data, size, "lists/", 50);
    return 0;
}
