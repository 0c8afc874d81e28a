/* test_resize_contract.c - gy_resize_u8's argument checks condition by condition: each buffer NULL
 * alone, each size at 0 alone and at 1, each side at 2^24 (accepted, real buffers) and one past
 * alone, channels 0..5, an unknown interpolation, the same-size copy, and which shrinks take the
 * 2x2 area shortcut of INTER_LINEAR (exactly 2 by 2, not 2 by 1 or 1 by 2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "preprocess/resize.h"
#include "testutil.h"

#define SIDE_MAX (1 << 24)

static void refused(const unsigned char *src, int sw, int sh, unsigned char *dst, int dw, int dh, int cn,
                    gy_interp in, const char *frag)
{
    gy_error err;
    gy_status st = gy_resize_u8(src, sw, sh, dst, dw, dh, cn, in, &err);
    ck_assert_msg(st == GY_ERR_ARGUMENT, "%dx%d -> %dx%d cn %d interp %d: status %d", sw, sh, dw, dh, cn, (int)in,
                  (int)st);
    ck_assert_msg(strstr(err.message, frag), "'%s' not in: %s", frag, err.message);
}

START_TEST(arguments)
{
    unsigned char s[64] = {0}, d[64];
    refused(NULL, 2, 2, d, 1, 1, 3, GY_INTER_LINEAR, "resize: NULL source buffer");
    refused(s, 2, 2, NULL, 1, 1, 3, GY_INTER_LINEAR, "resize: NULL destination buffer");
    refused(s, 0, 2, d, 1, 1, 3, GY_INTER_LINEAR, "sizes must be positive (got 0x2 -> 1x1)");
    refused(s, 2, 0, d, 1, 1, 3, GY_INTER_LINEAR, "(got 2x0 -> 1x1)");
    refused(s, 2, 2, d, 0, 1, 3, GY_INTER_LINEAR, "(got 2x2 -> 0x1)");
    refused(s, 2, 2, d, 1, 0, 3, GY_INTER_LINEAR, "(got 2x2 -> 1x0)");
    refused(s, 2, 2, d, 1, -1, 3, GY_INTER_LINEAR, "sizes must be positive");
    refused(s, SIDE_MAX + 1, 1, d, 1, 1, 1, GY_INTER_LINEAR, "a side above 16777216 (got 16777217x1 -> 1x1)");
    refused(s, 1, SIDE_MAX + 1, d, 1, 1, 1, GY_INTER_LINEAR, "(got 1x16777217 -> 1x1)");
    refused(s, 1, 1, d, SIDE_MAX + 1, 1, 1, GY_INTER_LINEAR, "(got 1x1 -> 16777217x1)");
    refused(s, 1, 1, d, 1, SIDE_MAX + 1, 1, GY_INTER_LINEAR, "(got 1x1 -> 1x16777217)");
    refused(s, 2, 2, d, 1, 1, 0, GY_INTER_LINEAR, "channels must be 1..4 (got 0)");
    refused(s, 2, 2, d, 1, 1, 5, GY_INTER_LINEAR, "channels must be 1..4 (got 5)");
    refused(s, 2, 2, d, 1, 1, 3, (gy_interp)2, "unknown interpolation 2");
    refused(s, 2, 2, d, 1, 1, 3, (gy_interp)-1, "unknown interpolation -1");
    gy_error err;
    for (int cn = 1; cn <= 4; cn++)
        for (int k = 0; k < 2; k++) {
            /* 2x2 of value 10 * cn + c per channel -> 1x1 keeps it */
            unsigned char src[16], dst[4] = {0};
            for (int i = 0; i < 4; i++)
                for (int c = 0; c < cn; c++)
                    src[i * cn + c] = (unsigned char)(10 * cn + c);
            ck_assert_int_eq(gy_resize_u8(src, 2, 2, dst, 1, 1, cn, k ? GY_INTER_AREA : GY_INTER_LINEAR, &err), GY_OK);
            for (int c = 0; c < cn; c++)
                ck_assert_int_eq(dst[c], 10 * cn + c);
        }
    /* 1x1 -> 1x1 and the same size: a copy */
    unsigned char a[12], b[12];
    for (int i = 0; i < 12; i++)
        a[i] = (unsigned char)(i * 19 + 1);
    ck_assert_int_eq(gy_resize_u8(a, 2, 2, b, 2, 2, 3, GY_INTER_LINEAR, &err), GY_OK);
    ck_assert_mem_eq(a, b, 12);
    ck_assert_int_eq(gy_resize_u8(a, 1, 1, b, 1, 1, 3, GY_INTER_AREA, &err), GY_OK);
    ck_assert_mem_eq(a, b, 3);
}
END_TEST

/* Each side at 2^24 alone is accepted (a constant image stays constant). */
START_TEST(sides_at_the_limit)
{
    unsigned char *big = malloc(SIDE_MAX);
    ck_assert_ptr_nonnull(big);
    memset(big, 77, SIDE_MAX);
    unsigned char one = 77, out = 0;
    gy_error err;
    ck_assert_int_eq(gy_resize_u8(big, SIDE_MAX, 1, &out, 1, 1, 1, GY_INTER_LINEAR, &err), GY_OK);
    ck_assert_int_eq(out, 77);
    out = 0;
    ck_assert_int_eq(gy_resize_u8(big, 1, SIDE_MAX, &out, 1, 1, 1, GY_INTER_LINEAR, &err), GY_OK);
    ck_assert_int_eq(out, 77);
    memset(big, 0, SIDE_MAX);
    ck_assert_int_eq(gy_resize_u8(&one, 1, 1, big, SIDE_MAX, 1, 1, GY_INTER_LINEAR, &err), GY_OK);
    ck_assert(big[0] == 77 && big[SIDE_MAX / 2] == 77 && big[SIDE_MAX - 1] == 77);
    memset(big, 0, SIDE_MAX);
    ck_assert_int_eq(gy_resize_u8(&one, 1, 1, big, 1, SIDE_MAX, 1, GY_INTER_LINEAR, &err), GY_OK);
    ck_assert(big[0] == 77 && big[SIDE_MAX / 2] == 77 && big[SIDE_MAX - 1] == 77);
    free(big);
}
END_TEST

/* INTER_LINEAR by exactly 1/2 in both axes is the 2x2 mean ((sum + 2) >> 2); by 1/2 in one axis
 * alone it samples between two pixels with the 11-bit weights: [0, 1] gives 1 (the area mean
 * rounded half to even would give 0). */
START_TEST(linear_half_shortcut)
{
    gy_error err;
    unsigned char q[4] = {0, 1, 1, 0}, d = 9;
    ck_assert_int_eq(gy_resize_u8(q, 2, 2, &d, 1, 1, 1, GY_INTER_LINEAR, &err), GY_OK);
    ck_assert_int_eq(d, 1); /* (2 + 2) >> 2 */
    unsigned char r[2] = {0, 1};
    ck_assert_int_eq(gy_resize_u8(r, 2, 1, &d, 1, 1, 1, GY_INTER_LINEAR, &err), GY_OK);
    ck_assert_int_eq(d, 1);
    ck_assert_int_eq(gy_resize_u8(r, 2, 1, &d, 1, 1, 1, GY_INTER_AREA, &err), GY_OK);
    ck_assert_int_eq(d, 0);
    ck_assert_int_eq(gy_resize_u8(r, 1, 2, &d, 1, 1, 1, GY_INTER_LINEAR, &err), GY_OK);
    ck_assert_int_eq(d, 1);
    ck_assert_int_eq(gy_resize_u8(r, 1, 2, &d, 1, 1, 1, GY_INTER_AREA, &err), GY_OK);
    ck_assert_int_eq(d, 0);
    /* 2x2 of [0, 1, 0, 1] -> [1, 0, 1, 0]: 1 and 2 in the area mean (sum 1: (1 + 2) >> 2 = 0; sum 2: 1) */
    unsigned char m[4] = {0, 1, 0, 0};
    ck_assert_int_eq(gy_resize_u8(m, 2, 2, &d, 1, 1, 1, GY_INTER_LINEAR, &err), GY_OK);
    ck_assert_int_eq(d, 0);
}
END_TEST

/* INTER_AREA by an integer factor in one axis and a fraction in the other is the fractional area
 * path in both: 4x3 -> 2x2 (x by 2, y by 1.5) weighs source rows 1 and 2/3 - 1/3 per output row. */
START_TEST(area_mixed_factors)
{
    static const unsigned char src[12] = {30, 30, 90, 90, 60, 60, 0, 0, 0, 0, 30, 30};
    unsigned char d[4];
    gy_error err;
    ck_assert_int_eq(gy_resize_u8(src, 4, 3, d, 2, 2, 1, GY_INTER_AREA, &err), GY_OK);
    ck_assert_msg(d[0] == 40 && d[1] == 60 && d[2] == 20 && d[3] == 20, "%d %d %d %d", d[0], d[1], d[2], d[3]);
    /* the same transposed: 3x4 -> 2x2 */
    static const unsigned char t[12] = {30, 60, 0, 30, 60, 0, 90, 0, 30, 90, 0, 30};
    ck_assert_int_eq(gy_resize_u8(t, 3, 4, d, 2, 2, 1, GY_INTER_AREA, &err), GY_OK);
    ck_assert_msg(d[0] == 40 && d[1] == 20 && d[2] == 60 && d[3] == 20, "%d %d %d %d", d[0], d[1], d[2], d[3]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("resize_contract");
    TCase *tc = tcase_create("resize");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, arguments);
    tcase_add_test(tc, sides_at_the_limit);
    tcase_add_test(tc, linear_half_shortcut);
    tcase_add_test(tc, area_mixed_factors);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}
