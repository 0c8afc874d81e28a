/* kernels_qu8.h - the int8 kernels' interface (kernels/qu8-*): uint8 activations with a zero point
 * (asymmetric, one scale and zero point per tensor), int8 symmetric weights with one scale per
 * output channel, int32 accumulation, float32 epilogue.
 *
 * Layout: activations are NHWC (a pixel's channels are adjacent bytes), so that the dot products
 * of a convolution run over 4 consecutive input channels at once (VNNI's vpdpbusd, AVX2's
 * vpmaddubsw + vpmaddwd) and a concatenation is still free: a tensor is a channel range of a
 * storage whose pixels are `pstride` bytes apart (the storage's channel count). Storages carry
 * a border of `border` pixels on every side, filled with the zero point (a real zero), wide
 * enough for the padding of every convolution that reads them: the kernels read a window's taps
 * without bounds checks, and padding costs nothing.
 *
 * Arithmetic: a conv output channel c is
 *     acc  = sum over taps and input channels of x_u8 * w_s8                       (int32, exact)
 *     y    = acc * mul[c] + add[c]         (one fma; mul = s_in * s_w[c], add = bias[c] - mul[c] *
 *                                            z_in * sum_k w[c][k]: the zero point folded in)
 *     y    = act(y) (SiLU y / (1 + 2^(-y log2 e)) with a degree-5 polynomial 2^f), residual
 *            r = s_r (q_r - z_r) added before or after it
 *     out  = clamp(round(y / s_out + z_out), 0, 255) or y itself (float output, NCHW planes).
 * Every step is one IEEE-754 operation (fma, mul, div, round to nearest even, ldexp), written out
 * the same way in the reference, the portable and the vector kernels (kernels/qu8-vmath/), so
 * every variant gives the same bytes, bit for bit.
 *
 * Instruction sets: AVX-512 with VNNI (vpdpbusd: 64 multiply-adds per instruction), AVX2 without
 * VNNI (vpmaddubsw + vpmaddwd, see kernels/qu8-gemm/qu8_igemm__avx2.c for the int16 saturation)
 * and portable C. An AVX-512 CPU without VNNI runs the AVX2 kernels. */
#ifndef GY_KERNELS_KERNELS_QU8_H
#define GY_KERNELS_KERNELS_QU8_H

#include <stddef.h>
#include <stdint.h>

#include "ghostyolo.h"
#include "kernels/kernels.h"

/* The int8 kernel family: what gy_qisa_for() picks for an instruction set. */
typedef enum gy_qisa { GY_QISA_GENERIC = 0, GY_QISA_AVX2 = 1, GY_QISA_AVX512VNNI = 2 } gy_qisa;

int gy_cpu_has_avx512_vnni(void);
/* The int8 kernels for the float kernels' ISA: avx512 with VNNI -> AVX512VNNI, avx512 without
 * VNNI and avx2 -> AVX2, generic -> GENERIC. */
gy_qisa gy_qisa_for(gy_isa isa);
const char *gy_qisa_name(gy_qisa q); /* "avx512vnni", "avx2", "generic" */

/* A uint8 NHWC map: pixel (y, x) of channel j is data[y * rstride + x * pstride + j]; the
 * `border` pixels around it (rows -border .. h + border - 1, same for columns) are readable. */
typedef struct gy_qu8_map {
    uint8_t *data;
    int h, w, c;
    size_t pstride, rstride;
    int border;
    float scale;
    int zp;
} gy_qu8_map;

/* ---- Convolution (kernels/qu8-conv: dispatcher and reference; qu8-gemm: dense and grouped
 * convolutions as an implicit GEMM over the window's taps; qu8-dwconv: depthwise) ------------- */

typedef struct gy_qu8_conv {
    int cin, cout, kh, kw, sh, sw, ph, pw, groups;
    int cin_g, cout_g;
    int kc;              /* cin_g rounded up to 4: bytes of one tap in the packed weights */
    int depthwise;       /* groups == cin == cout (qu8-dwconv) */
    gy_qisa qisa;        /* the kernels the weights are packed for */
    int sets;            /* AVX2: 1, or 2 when 8-bit weights are split into two 7-bit-safe
                            halves (see qu8_igemm__avx2.c) */
    int winograd;        /* AVX2, 3x3 stride 1: packed for integer Winograd (qu8-winograd) */
    int8_t *pack;        /* packed weights (64-byte aligned, owned) */
    size_t pack_bytes;
    int32_t *wsum;       /* per output channel: the sum of its weights (zero-point folding) */
} gy_qu8_conv;

/* Packs weights w [cout][cin/groups][kh][kw] for the kernels of `q`; geometry from *c (cin, cout,
 * kh, kw, sh, sw, ph, pw, groups set by the caller). Replaces an earlier packing. */
gy_status gy_qu8_conv_pack(gy_qu8_conv *c, const int8_t *w, gy_qisa q, gy_error *err);
void gy_qu8_conv_release(gy_qu8_conv *c);

typedef struct gy_qu8_conv_run {
    const gy_qu8_conv *p;
    const int8_t *w;         /* the unpacked weights (the reference kernel reads them) */
    gy_qu8_map in;           /* border >= padding */
    int oh, ow;
    const float *mul, *add;  /* per output channel (see the top of this file) */
    gy_act act;
    const gy_qu8_map *res;   /* NULL or the residual (oh x ow, cout channels) */
    int res_before_act;
    gy_qu8_map out;          /* uint8 output (out.data != NULL), or: */
    float *outf;             /* float output, planes of oh * ow per channel */
} gy_qu8_conv_run;

size_t gy_qu8_conv2d_tasks(const gy_qu8_conv_run *r);
/* scratch: the calling thread's own, gy_qu8_conv2d_scratch_bytes(p) bytes, 64-byte aligned */
void gy_qu8_conv2d_task(const gy_qu8_conv_run *r, size_t task, void *scratch);
size_t gy_qu8_conv2d_scratch_bytes(const gy_qu8_conv *p);
/* Reference: direct loops over the unpacked weights, padding read as the zero point. */
void gy_qu8_conv2d__ref(const gy_qu8_conv_run *r);

/* The pieces the dispatcher hands a tile to (one per ISA): `mr` consecutive output pixels of
 * one row (mr <= GY_QU8_TILE_MR) times one block of up to 64 output channels. */
#define GY_QU8_TILE_MR 8
typedef struct gy_qu8_tile {
    const uint8_t *a;          /* the tile's first pixel, its tap (0, 0), channel 0 */
    ptrdiff_t pstep;           /* bytes between the tile's input pixels (stride * pstride) */
    const ptrdiff_t *tapoff;   /* offset of each tap from tap (0, 0) */
    int ntaps, kc;
    const int8_t *w;           /* this block's packed weights */
    int mr, nv, nvalid;        /* pixels, 16-channel vectors (8 for AVX2), channels stored */
    int sets;
    const float *mul, *add;    /* this block's channels */
    gy_act act;
    const uint8_t *res;        /* residual at the tile's first pixel and channel, or NULL */
    ptrdiff_t res_pstride;
    float res_scale;
    int res_zp, res_before_act;
    uint8_t *out;              /* uint8 output at the tile's first pixel and channel, or NULL */
    ptrdiff_t out_pstride;
    float out_inv_scale, out_zp;
    float *outf;               /* float output (planes of outf_plane floats), or NULL */
    size_t outf_plane;
} gy_qu8_tile;
void gy_qu8_igemm_tile__generic(const gy_qu8_tile *t);
void gy_qu8_igemm_tile__avx2(const gy_qu8_tile *t);
void gy_qu8_igemm_tile__avx512vnni(const gy_qu8_tile *t);
/* Output channels per vector of a kernel family (16 for AVX-512, 8 for AVX2 and portable). */
int gy_qu8_igemm_nr(gy_qisa q);
/* Largest vectors per block (block = nr * this many channels). */
int gy_qu8_igemm_max_nv(gy_qisa q);
/* Pixels per tile. */
int gy_qu8_igemm_mr(gy_qisa q, int nv);

/* Integer Winograd F(2x2, 3x3) (qu8-winograd, the AVX2 path of 3x3 stride-1 convs): exact, so
 * it equals the reference like the other kernels. Tasks: rows of 2x2 output tiles. */
#define GY_QU8_WINO_TILES 6
int gy_qu8_winograd_eligible(const gy_qu8_conv *c);
size_t gy_qu8_winograd_pack_bytes(const gy_qu8_conv *c);
void gy_qu8_winograd_pack(const gy_qu8_conv *c, const int8_t *w, int16_t *dst);
size_t gy_qu8_winograd_tasks(const gy_qu8_conv_run *r);
size_t gy_qu8_winograd_scratch_bytes(const gy_qu8_conv *c);
void gy_qu8_winograd_task__avx2(const gy_qu8_conv_run *r, size_t task, void *scratch);

/* Depthwise: `n` output pixels of one row, all channels [c0, c1) (multiples of 16 but for the
 * last block). Weights packed [taps][cout rounded up to 16] as int32 (int16 value, 0 high half). */
typedef struct gy_qu8_dw_row {
    const gy_qu8_conv_run *r;
    int oy, ox0, n, c0, c1;
} gy_qu8_dw_row;
void gy_qu8_dwconv_row__generic(const gy_qu8_dw_row *t);
void gy_qu8_dwconv_row__avx2(const gy_qu8_dw_row *t);
void gy_qu8_dwconv_row__avx512(const gy_qu8_dw_row *t);

/* ---- Elementwise and data movement (one scale / zero point per map) ------------------------ */

/* Max pooling (k x k, stride, pad; padding never wins) on uint8: out has in's scale and zero
 * point when `same` (a plain max), else each maximum is requantized through lut. */
typedef struct gy_qu8_pool_run {
    gy_qu8_map in, out;
    int k, stride, pad;
    const uint8_t *lut;      /* 256 entries, or NULL when out's scale and zero point are in's */
} gy_qu8_pool_run;
size_t gy_qu8_maxpool_tasks(const gy_qu8_pool_run *r);
void gy_qu8_maxpool_task(const gy_qu8_pool_run *r, size_t task);
void gy_qu8_maxpool__ref(const gy_qu8_pool_run *r);

/* Nearest upsample (torch: src = floor(dst * in / out)) and plain copy (same size), with the
 * requantizing table when the scales differ. */
typedef struct gy_qu8_copy_run {
    gy_qu8_map in, out;
    const uint8_t *lut;      /* NULL: copy the bytes */
    gy_qisa qisa;            /* AVX512VNNI on a CPU with AVX-512 VBMI: 64 lookups per vpermi2b pair */
} gy_qu8_copy_run;
size_t gy_qu8_copy_tasks(const gy_qu8_copy_run *r);
void gy_qu8_copy_task(const gy_qu8_copy_run *r, size_t task);
/* dst[i] = lut[src[i]] for n bytes: the portable loop and AVX-512 VBMI. */
typedef void (*gy_qu8_lut_fn)(const uint8_t *src, uint8_t *dst, size_t n, const uint8_t *lut);
void gy_qu8_lut__generic(const uint8_t *src, uint8_t *dst, size_t n, const uint8_t *lut);
void gy_qu8_lut__avx512vbmi(const uint8_t *src, uint8_t *dst, size_t n, const uint8_t *lut);
/* The table kernel the copies of kernel family `qisa` use: VBMI's for AVX512VNNI on a CPU with
 * AVX-512 VBMI (has_vbmi), else the portable one (both give the same bytes). */
gy_qu8_lut_fn gy_qu8_lut_select(gy_qisa qisa, int has_vbmi);
int gy_cpu_has_avx512_vbmi(void);
void gy_qu8_copy__ref(const gy_qu8_copy_run *r);

/* out = a + b (real values), requantized. */
typedef struct gy_qu8_add_run {
    gy_qu8_map a, b, out;
} gy_qu8_add_run;
size_t gy_qu8_add_tasks(const gy_qu8_add_run *r);
void gy_qu8_add_task(const gy_qu8_add_run *r, size_t task);

/* The table of requantizing q (scale s_in, zero point z_in) to (s_out, z_out):
 * lut[q] = clamp(round((q - z_in) * (s_in / s_out) + z_out), 0, 255). */
void gy_qu8_requant_lut(float s_in, int z_in, float s_out, int z_out, uint8_t lut[256]);
/* The quantization step of one value: clamp(round(fma(v, inv_scale, zp)), 0, 255). */
uint8_t gy_qu8_quantize1(float v, float inv_scale, float zp);

/* Float32 NCHW planes (c planes of plane floats, h x w) <-> uint8 NHWC map. */
typedef struct gy_qu8_convert_run {
    float *f;                /* planes of h * w floats */
    gy_qu8_map q;
    int to_u8;               /* 1: f -> q (quantize), 0: q -> f (dequantize) */
    gy_qisa qisa;
} gy_qu8_convert_run;
size_t gy_qu8_convert_tasks(const gy_qu8_convert_run *r);
void gy_qu8_convert_task(const gy_qu8_convert_run *r, size_t task);
void gy_qu8_convert_task__generic(const gy_qu8_convert_run *r, size_t task);
void gy_qu8_convert_task__avx512(const gy_qu8_convert_run *r, size_t task);
void gy_qu8_convert_task__avx2(const gy_qu8_convert_run *r, size_t task);

/* Fills the border of a map (all its channels) with its zero point; tasks split by rows. */
size_t gy_qu8_border_tasks(const gy_qu8_map *m);
void gy_qu8_border_task(const gy_qu8_map *m, size_t task);

/* ---- The int8 limit (kernels/cpu/int8_peak*.c) ----------------------------------------------
 * `iters` rounds of a register-only loop of independent int8 dot products with the family's
 * instructions (VNNI: 12 zmm vpdpbusd chains; AVX2: 8 ymm vpmaddubsw + vpmaddwd + vpaddd chains;
 * generic: C). Returns the integer operations done (2 per multiply-add). */
double gy_int8_peak_run(gy_qisa q, long iters, int *sink);
double gy_int8_peak_run__generic(long iters, int *sink);
double gy_int8_peak_run__avx2(long iters, int *sink);
double gy_int8_peak_run__avx512vnni(long iters, int *sink);

#endif
