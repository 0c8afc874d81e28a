#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *gy_status_str(gy_status s)
{
    switch (s) {
    case GY_OK: return "ok";
    case GY_ERR_ARGUMENT: return "bad argument";
    case GY_ERR_IO: return "input/output error";
    case GY_ERR_FORMAT: return "malformed data";
    case GY_ERR_MISMATCH: return "mismatch";
    case GY_ERR_UNSUPPORTED: return "unsupported";
    case GY_ERR_NOMEM: return "out of memory";
    case GY_ERR_STATE: return "bad state";
    }
    return "unknown status";
}

gy_status gy_fail(gy_error *err, gy_status st, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        err->status = st;
    }
    return st;
}

void gy_error_prefix(gy_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[GY_ERROR_MESSAGE_MAX / 2];
    char old[GY_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof old);
    old[sizeof old - 1] = '\0';
    size_t n = strlen(prefix);
    memcpy(err->message, prefix, n);
    memcpy(err->message + n, ": ", 2);
    size_t room = sizeof err->message - n - 3;
    size_t m = strlen(old);
    if (m > room)
        m = room;
    memcpy(err->message + n + 2, old, m);
    err->message[n + 2 + m] = '\0';
}
