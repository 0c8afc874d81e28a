/* error.h - building error values: every fallible internal call returns gy_status and fills gy_error. */
#ifndef GY_CORE_ERROR_H
#define GY_CORE_ERROR_H

#include "ghostyolo.h"

#if defined(__GNUC__) || defined(__clang__)
#define GY_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define GY_PRINTF(a, b)
#endif

/* Formats the message into err (when non-NULL) and returns st. */
gy_status gy_fail(gy_error *err, gy_status st, const char *fmt, ...) GY_PRINTF(3, 4);

/* Prefixes an existing message: "<prefix>: <old message>" (used to add a file name). */
void gy_error_prefix(gy_error *err, const char *fmt, ...) GY_PRINTF(2, 3);

#endif
