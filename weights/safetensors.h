/* safetensors.h - reading and validating safetensors files (header parsed with cJSON).
 *
 * Validation follows the reference implementation (huggingface safetensors): 8-byte little-endian
 * header length, capped at GY_ST_MAX_HEADER; the header is a JSON object; each tensor has dtype,
 * shape and data_offsets; offsets are contiguous from 0 and cover the data section exactly;
 * prod(shape) * dtype size equals the byte count (with overflow checks); the file is not truncated.
 * Optional "__metadata__" is an object of string values. Duplicate names are refused. */
#ifndef GY_WEIGHTS_SAFETENSORS_H
#define GY_WEIGHTS_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "ghostyolo.h"

/* Limits (README "Limits"; each can be changed at build time with -DNAME=value). */
#ifndef GY_ST_MAX_HEADER
#define GY_ST_MAX_HEADER (100u * 1000u * 1000u) /* the JSON header, bytes (the reference's cap) */
#endif
#ifndef GY_ST_MAX_TENSORS
#define GY_ST_MAX_TENSORS 1000000 /* more entries in one header are refused */
#endif
/* Whole-file cap for gy_st_open: 8 GiB (or the address space on a 32-bit host). */
#ifndef GY_ST_MAX_FILE
#if SIZE_MAX > 0xFFFFFFFFu
#define GY_ST_MAX_FILE ((size_t)8 << 30)
#else
#define GY_ST_MAX_FILE ((size_t)SIZE_MAX)
#endif
#endif
#define GY_ST_MAX_DIMS 8

/* I8 and I32 hold the int8 model files' weights and zero points (runtime/qgraph.h). */
typedef enum gy_dtype { GY_DT_F32, GY_DT_F16, GY_DT_BF16, GY_DT_I64, GY_DT_I8, GY_DT_I32 } gy_dtype;
#define GY_DT_COUNT 6

typedef struct gy_st_tensor {
    char *name;
    gy_dtype dtype;
    int ndim;
    int64_t shape[GY_ST_MAX_DIMS];
    size_t numel;
    size_t offset; /* into the data section */
    size_t nbytes;
} gy_st_tensor;

typedef struct gy_st_meta {
    char *key;
    char *value;
} gy_st_meta;

typedef struct gy_safetensors {
    char *path;                 /* for messages */
    unsigned char *file;        /* whole file contents (owned) */
    size_t file_size;
    const unsigned char *data;  /* start of the data section inside file */
    size_t data_size;
    gy_st_tensor *tensors;      /* sorted by name */
    int count;
    gy_st_meta *meta;
    int meta_count;
} gy_safetensors;

/* Reads and validates a file. Errors name the path and the problem. */
gy_status gy_st_open(const char *path, gy_safetensors **out, gy_error *err);
/* Validates a buffer already in memory; takes ownership of buf (freed by gy_st_close, or on
 * failure). display_name is used in messages. */
gy_status gy_st_parse(unsigned char *buf, size_t size, const char *display_name,
                      gy_safetensors **out, gy_error *err);
void gy_st_close(gy_safetensors *st);
/* 1 when the bytes start as a safetensors file does: an 8-byte header length, then the JSON
 * header's '{' (whether the rest is valid is gy_st_parse's business). */
int gy_st_sniff(const unsigned char *data, size_t size);

/* Binary search by name; NULL when absent. */
const gy_st_tensor *gy_st_find(const gy_safetensors *st, const char *name);
/* Converts a floating tensor (F32, F16, BF16) to float32 into dst (numel floats). I64 is refused. */
gy_status gy_st_read_f32(const gy_safetensors *st, const gy_st_tensor *t, float *dst, gy_error *err);
/* Copies an I8 tensor (numel bytes) / reads an I32 tensor (numel values); other dtypes are
 * refused naming the tensor. */
gy_status gy_st_read_i8(const gy_safetensors *st, const gy_st_tensor *t, int8_t *dst, gy_error *err);
gy_status gy_st_read_i32(const gy_safetensors *st, const gy_st_tensor *t, int32_t *dst, gy_error *err);
/* A metadata value or NULL. */
const char *gy_st_meta_get(const gy_safetensors *st, const char *key);
const char *gy_dtype_name(gy_dtype dt);
/* Bytes per element (4, 2, 2, 8, 1, 4). */
size_t gy_dtype_size(gy_dtype dt);

#endif
