/* zip_archive.h - read-only access to a zip archive held in memory (libzip), with size caps.
 * PyTorch checkpoints are zip archives; this is the only code that touches the zip format. */
#ifndef GY_WEIGHTS_ZIP_ARCHIVE_H
#define GY_WEIGHTS_ZIP_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "ghostyolo.h"

#define GY_ZIP_MAX_ENTRIES 1000000             /* more entries are refused */
/* Bytes read out of one archive, all entries together: at most 4 x the archive's size + 64 MiB
 * (a checkpoint reads each stored storage about once) and never more than 8 GiB, so a
 * compressed entry declaring a huge size cannot make the reader allocate or inflate it. */
#define GY_ZIP_MAX_UNPACKED ((uint64_t)8 << 30)
#define GY_ZIP_UNPACK_FACTOR 4
#define GY_ZIP_UNPACK_SLACK ((uint64_t)64 << 20)

typedef struct gy_zip gy_zip;

/* 1 when the bytes start like a zip archive (a local file header or an empty archive's end). */
int gy_zip_sniff(const unsigned char *data, size_t size);

/* Opens an archive over data[0..size), which is borrowed and must outlive the gy_zip. The
 * central directory is checked for consistency (libzip ZIP_CHECKCONS). display names the archive
 * in messages. */
gy_status gy_zip_open_buffer(const unsigned char *data, size_t size, const char *display,
                             gy_zip **out, gy_error *err);
void gy_zip_close(gy_zip *z);

size_t gy_zip_count(const gy_zip *z);
/* The name of entry i (borrowed), or NULL. */
const char *gy_zip_name(const gy_zip *z, size_t i);
/* Finds an entry by exact name; returns 1 and sets *index when present. */
int gy_zip_find(const gy_zip *z, const char *name, size_t *index);
/* The uncompressed size the directory declares for entry i. */
gy_status gy_zip_entry_size(const gy_zip *z, size_t i, uint64_t *size, gy_error *err);
/* Reads entry i whole into a new buffer (caller frees; one extra NUL byte after the data).
 * Refuses entries declaring more than max_bytes, and data that does not match the declared size
 * or CRC. All reads of one archive together are capped as described at GY_ZIP_MAX_UNPACKED. */
gy_status gy_zip_read(gy_zip *z, size_t i, size_t max_bytes, unsigned char **data, size_t *size,
                      gy_error *err);

#endif
