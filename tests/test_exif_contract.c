/* test_exif_contract.c - the EXIF orientation of preprocess/image.c condition by condition, on a
 * 24x16 JPEG with an Exif APP1 built here byte by byte: every orientation 1..8 in both byte orders
 * checked pixel for pixel against the decode without EXIF, transformed here (for each source pixel,
 * where it goes), the values just outside 2..8, the TIFF header's byte order and 42 each wrong
 * alone, the IFD offset inside, at and past the end of the block, the entry count fitting and one
 * over, the first orientation entry counting, the block at its minimum length and one byte
 * shorter; then the marker walk before it, read as libjpeg's marker reader reads it (OpenCV takes
 * the first APP1 libjpeg saved): fill bytes, parameterless markers, segments of every length
 * before it, bytes that are no marker, stuffed zeros, length words under 2, an APP1 that is not
 * Exif first, Exif in another APPn, Exif after the scan. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stb/stb_image_write.h>

#include "imgbuild.h"

enum { W = 24, H = 16 };

/* The JPEG (quality 100: 4:4:4) of a pattern whose every pixel differs from its mirror images. */
static ib_buf base_jpeg(void)
{
    static unsigned char px[W * H * 3];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            unsigned char *p = px + (y * W + x) * 3;
            p[0] = (unsigned char)(x * 10);
            p[1] = (unsigned char)(y * 15);
            p[2] = (unsigned char)((x * 7 + y * 13) % 256);
        }
    ib_buf b = {0};
    ck_assert(stbi_write_jpg_to_func(ib_stb_write, &b, W, H, 3, px, 100));
    ck_assert(b.n > 4 && b.p[0] == 0xFF && b.p[1] == 0xD8 && b.p[2] == 0xFF);
    return b;
}

static ib_buf jpg;         /* the JPEG without EXIF */
static gy_image *plain;    /* its decode */

static void setup(void)
{
    jpg = base_jpeg();
    plain = ib_decode_expect(jpg.p, jpg.n, GY_OK, "", "plain JPEG");
    ck_assert_int_eq(plain->width, W);
    ck_assert_int_eq(plain->height, H);
}

static void teardown(void)
{
    gy_image_free(plain);
    free(jpg.p);
}

/* The JPEG with `seg` (whole segments, markers included) inserted right after SOI. */
static ib_buf with_segments(const ib_buf *seg)
{
    ib_buf b = {0};
    ib_put(&b, jpg.p, 2);
    ib_put(&b, seg->p, seg->n);
    ib_put(&b, jpg.p + 2, jpg.n - 2);
    return b;
}

/* An APPn segment holding `payload`. */
static void app_segment(ib_buf *out, unsigned marker, const ib_buf *payload)
{
    ib_byte(out, 0xFF);
    ib_byte(out, marker);
    ib_be16(out, (unsigned)payload->n + 2);
    ib_put(out, payload->p, payload->n);
}

/* A TIFF block: byte order ("II"/"MM" or other two bytes), 42, the IFD offset, then at that offset
 * the entry count and the entries (tag, type SHORT, count 1, value), nothing after. */
typedef struct tiff_spec {
    const char *order;
    unsigned mark;
    unsigned ifd;      /* 0: 8 */
    unsigned count;    /* entries claimed */
    int n;             /* entries written */
    unsigned tag[3], value[3];
} tiff_spec;

static void put16(ib_buf *b, int be, unsigned v)
{
    if (be)
        ib_be16(b, v);
    else
        ib_le16(b, v);
}

static void put32(ib_buf *b, int be, uint32_t v)
{
    if (be)
        ib_be32(b, v);
    else
        ib_le32(b, v);
}

/* "Exif\0\0" and the TIFF block of spec. */
static ib_buf exif_payload(const tiff_spec *s)
{
    int be = s->order[0] == 'M';
    unsigned ifd = s->ifd ? s->ifd : 8;
    ib_buf b = {0};
    ib_put(&b, "Exif\0\0", 6);
    ib_put(&b, s->order, 2);
    put16(&b, be, s->mark);
    put32(&b, be, ifd);
    while (b.n < 6 + (size_t)ifd)
        ib_byte(&b, 0xEE);
    put16(&b, be, s->count);
    for (int i = 0; i < s->n; i++) {
        put16(&b, be, s->tag[i]);
        put16(&b, be, 3);
        put32(&b, be, 1);
        put16(&b, be, s->value[i]); /* a SHORT sits in the first two bytes of the value field */
        put16(&b, be, 0);
    }
    return b;
}

/* plain re-oriented by o (1..8), built source pixel by source pixel. */
static unsigned char *expected(int o, int *ow, int *oh)
{
    int swap = o >= 5;
    *ow = swap ? H : W;
    *oh = swap ? W : H;
    unsigned char *e = malloc((size_t)W * H * 3);
    ck_assert_ptr_nonnull(e);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int dx, dy;
            switch (o) {
            case 1: dx = x; dy = y; break;
            case 2: dx = W - 1 - x; dy = y; break;         /* mirrored left-right */
            case 3: dx = W - 1 - x; dy = H - 1 - y; break; /* turned 180 */
            case 4: dx = x; dy = H - 1 - y; break;         /* mirrored top-bottom */
            case 5: dx = y; dy = x; break;                 /* transposed */
            case 6: dx = H - 1 - y; dy = x; break;         /* turned 90 clockwise */
            case 7: dx = H - 1 - y; dy = W - 1 - x; break; /* transversed */
            default: dx = y; dy = W - 1 - x; break;        /* turned 90 counter-clockwise */
            }
            memcpy(e + ((size_t)dy * *ow + dx) * 3, plain->data + ((size_t)y * W + x) * 3, 3);
        }
    return e;
}

/* Decodes b and checks that it shows orientation o applied (1: unchanged). */
static void expect_oriented(const ib_buf *b, int o, const char *what)
{
    gy_image *img = ib_decode_expect(b->p, b->n, GY_OK, "", what);
    int ow, oh;
    unsigned char *e = expected(o, &ow, &oh);
    ck_assert_msg(img->width == ow && img->height == oh, "%s: %dx%d, expected %dx%d (orientation %d)", what,
                  img->width, img->height, ow, oh, o);
    ck_assert_msg(memcmp(img->data, e, (size_t)W * H * 3) == 0, "%s: pixels are not orientation %d", what, o);
    free(e);
    gy_image_free(img);
}

/* The JPEG with one Exif APP1 of spec, cut to `cut` payload bytes when cut > 0. */
static void expect_spec(const tiff_spec *s, size_t cut, int o, const char *what)
{
    ib_buf pay = exif_payload(s);
    if (cut) {
        ck_assert_uint_le(cut, pay.n);
        pay.n = cut;
    }
    ib_buf seg = {0};
    app_segment(&seg, 0xE1, &pay);
    ib_buf b = with_segments(&seg);
    char w[160];
    snprintf(w, sizeof w, "%s (%.2s)", what, s->order);
    expect_oriented(&b, o, w);
    free(b.p);
    free(seg.p);
    free(pay.p);
}

static tiff_spec one_entry(const char *order, unsigned value)
{
    tiff_spec s = {order, 42, 8, 1, 1, {0x0112}, {value}};
    return s;
}

START_TEST(every_orientation)
{
    static const char *const orders[2] = {"II", "MM"};
    for (int k = 0; k < 2; k++)
        for (int o = 1; o <= 8; o++) {
            tiff_spec s = one_entry(orders[k], (unsigned)o);
            char what[64];
            snprintf(what, sizeof what, "orientation %d", o);
            expect_spec(&s, 0, o, what);
        }
}
END_TEST

START_TEST(values_outside_2_to_8)
{
    static const unsigned vals[] = {0, 9, 0x0106, 0x0600, 0xFFFF};
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
            tiff_spec s = one_entry(k ? "MM" : "II", vals[i]);
            expect_spec(&s, 0, 1, "value outside 2..8");
        }
}
END_TEST

START_TEST(tiff_header)
{
    /* byte order: each byte wrong alone, and the mixed ones */
    static const char *const bad[] = {"IX", "XI", "MX", "XM", "IM", "MI"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tiff_spec s = one_entry(bad[i], 6);
        expect_spec(&s, 0, 1, "byte order mark wrong");
    }
    for (int k = 0; k < 2; k++) {
        const char *order = k ? "MM" : "II";
        tiff_spec s = one_entry(order, 6);
        s.mark = 43;
        expect_spec(&s, 0, 1, "43 for 42");
        s.mark = 0x2A00; /* 42 in the other byte order */
        expect_spec(&s, 0, 1, "42 byte-swapped");
        s.mark = 0x012A;
        expect_spec(&s, 0, 1, "0x012A");
    }
}
END_TEST

START_TEST(ifd_offset)
{
    for (int k = 0; k < 2; k++) {
        const char *order = k ? "MM" : "II";
        /* an IFD further on (offset 0x0108: both low bytes of the offset count) */
        tiff_spec s = one_entry(order, 6);
        s.ifd = 0x0108;
        expect_spec(&s, 0, 6, "IFD at 0x108");
        s.ifd = 10;
        expect_spec(&s, 0, 6, "IFD at 10");
        /* the block is 8 + 2 + 12 = 22 bytes with the IFD at 8: the offset at 20 leaves the count
         * readable but no entry, 21 and 22 not even the count, and far past the end nothing */
        tiff_spec f = one_entry(order, 6);
        ib_buf pay = exif_payload(&f);
        ck_assert_uint_eq(pay.n, 6 + 22);
        free(pay.p);
        static const unsigned at[] = {20, 21, 22, 23, 0x7FFFFFF0u, 0xFFFFFFF0u};
        for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
            /* the block written with the IFD at 8, the header then pointing elsewhere */
            tiff_spec g = one_entry(order, 6);
            ib_buf p = exif_payload(&g);
            unsigned v = at[i];
            unsigned char *o = p.p + 6 + 4;
            for (int j = 0; j < 4; j++)
                o[j] = (unsigned char)(k ? v >> (24 - 8 * j) : v >> (8 * j));
            ib_buf seg = {0};
            app_segment(&seg, 0xE1, &p);
            ib_buf b = with_segments(&seg);
            expect_oriented(&b, 1, "IFD offset at or past the end");
            free(b.p);
            free(seg.p);
            free(p.p);
        }
    }
}
END_TEST

START_TEST(entries)
{
    for (int k = 0; k < 2; k++) {
        const char *order = k ? "MM" : "II";
        /* the minimum block: its last byte is the orientation value's second byte */
        tiff_spec s = one_entry(order, 6);
        expect_spec(&s, 6 + 22, 6, "block of 22 bytes");
        expect_spec(&s, 6 + 21, 1, "block of 21 bytes");
        /* a count one over the entries the block holds voids it, even with the orientation first */
        s.count = 2;
        expect_spec(&s, 0, 1, "count 2, one entry");
        s.count = 0;
        expect_spec(&s, 0, 1, "count 0");
        /* the orientation as the second entry; two orientations: the first counts */
        tiff_spec t = {order, 42, 8, 2, 2, {0x0110, 0x0112}, {3, 8}};
        expect_spec(&t, 0, 8, "second entry");
        tiff_spec u = {order, 42, 8, 2, 2, {0x0112, 0x0112}, {5, 3}};
        expect_spec(&u, 0, 5, "two orientations");
        /* three entries, the orientation last, count 3: found; the same block claiming 4: void */
        tiff_spec v = {order, 42, 8, 3, 3, {0x0100, 0x0101, 0x0112}, {1, 2, 7}};
        expect_spec(&v, 0, 7, "third entry");
        v.count = 4;
        expect_spec(&v, 0, 1, "count 4, three entries");
        /* neighbouring and byte-swapped tags are not the orientation */
        tiff_spec w = {order, 42, 8, 3, 3, {0x0111, 0x0113, 0x1201}, {6, 6, 6}};
        expect_spec(&w, 0, 1, "no orientation tag");
    }
}
END_TEST

/* The payload is "Exif\0\0" and the TIFF block: 6 bytes or fewer, or a TIFF block under 8 bytes,
 * hold nothing. */
START_TEST(short_payloads)
{
    tiff_spec s = one_entry("II", 6);
    for (size_t cut = 1; cut <= 14; cut++)
        expect_spec(&s, cut, 1, "short payload");
}
END_TEST

/* ---- the marker walk ------------------------------------------------------------------------------ */

static ib_buf exif_segment(int orientation)
{
    tiff_spec s = one_entry("MM", (unsigned)orientation);
    ib_buf pay = exif_payload(&s);
    ib_buf seg = {0};
    app_segment(&seg, 0xE1, &pay);
    free(pay.p);
    return seg;
}

/* prefix bytes, then the Exif APP1 of orientation 6: expect o */
static void walk(const void *prefix, size_t n, int o, const char *what)
{
    ib_buf seg = {0};
    ib_put(&seg, prefix, n);
    ib_buf e = exif_segment(6);
    ib_put(&seg, e.p, e.n);
    ib_buf b = with_segments(&seg);
    expect_oriented(&b, o, what);
    free(b.p);
    free(seg.p);
    free(e.p);
}

/* A file that ends inside the marker walk (after FF D8 and FF fill bytes, or in the middle of a
 * segment's length): the walk stops at the last byte and the decoder refuses the file. Each file
 * sits in a buffer of exactly its size, so that the ASan build catches a read past its end. */
START_TEST(walk_ends_at_the_last_byte)
{
    static const struct {
        const char *b;
        size_t n;
    } cuts[] = {{"\xFF\xD8\xFF", 3}, {"\xFF\xD8\xFF\xFF", 4}, {"\xFF\xD8\xFF\xFF\xFF", 5},
                {"\xFF\xD8\xFF\xE1", 4}, {"\xFF\xD8\xFF\xE1\x00", 5}, {"\xFF\xD8\x12\xFF", 4},
                {"\xFF\xD8\xFF\x00\xFF", 5}};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        unsigned char *exact = malloc(cuts[i].n);
        ck_assert_ptr_nonnull(exact);
        memcpy(exact, cuts[i].b, cuts[i].n);
        char what[32];
        snprintf(what, sizeof what, "cut %zu", i);
        ib_decode_expect(exact, cuts[i].n, GY_ERR_FORMAT, "", what);
        free(exact);
    }
}
END_TEST

START_TEST(marker_walk)
{
    walk("", 0, 6, "Exif first");
    walk("\xFF\xFF", 2, 6, "a fill byte");
    walk("\xFF\xFF\xFF", 3, 6, "two fill bytes");
    walk("\xFF\x01", 2, 6, "TEM");
    walk("\xFF\xD0", 2, 6, "RST0");
    walk("\xFF\xD7", 2, 6, "RST7");
    walk("\xFF\xE2\x00\x02", 4, 6, "an empty APP2");
    walk("\xFF\xE2\x00\x03Z", 5, 6, "APP2 of one byte");
    walk("\xFF\xFE\x00\x07hello", 9, 6, "a comment");
    /* a 300-byte APP2: the length's high byte counts */
    unsigned char big[304] = {0xFF, 0xE2, 300 >> 8, 300 & 0xFF};
    memset(big + 4, 'q', 298);
    walk(big, 302, 6, "APP2 of 298 bytes");
    /* what libjpeg's marker reader (jdmarker.c) reads past, so OpenCV still gets the Exif APP1:
     * bytes that are no marker (next_marker discards them up to the next FF), a stuffed zero FF 00
     * where a marker belongs (discarded too), a segment whose length word is under its own 2 bytes
     * (a "bogus length word": nothing saved, reading goes on right after it), APP1 included */
    walk("\xFF\xE2\x00\x02\x00\x12", 6, 6, "two bytes that are no marker"); /* after APP2: the */
    walk("\xFF\xE2\x00\x02\x12", 5, 6, "one byte that is no marker");      /* file starts FF D8 FF */
    walk("\xFF\x00", 2, 6, "a stuffed zero");
    walk("\xFF\xE2\x00\x00", 4, 6, "APP2 with a length word of 0");
    walk("\xFF\xFE\x00\x01", 4, 6, "COM with a length word of 1");
    walk("\xFF\xE1\x00\x01", 4, 6, "APP1 with a length word of 1, then Exif");
    walk("\xFF\xE1\x00\x00", 4, 6, "APP1 with a length word of 0, then Exif");
    /* an APP1 that is not Exif comes first, or an empty one (length word 2, saved with no data):
     * libjpeg hands OpenCV that one */
    walk("\xFF\xE1\x00\x06" "abcd", 8, 1, "another APP1 first");
    walk("\xFF\xE1\x00\x02", 4, 1, "an empty APP1 first");
    /* Exif in APP2 is not read */
    {
        tiff_spec s = one_entry("II", 6);
        ib_buf pay = exif_payload(&s);
        ib_buf seg = {0};
        app_segment(&seg, 0xE2, &pay);
        ib_buf b = with_segments(&seg);
        expect_oriented(&b, 1, "Exif in APP2");
        free(b.p);
        free(seg.p);
        free(pay.p);
    }
}
END_TEST

/* An APP1 whose length word is 0 or 1 (under its own 2 bytes) holds no Exif block, whatever follows
 * it (here the bytes of one); libjpeg reads past it to the next marker. */
START_TEST(app1_length_under_2)
{
    for (unsigned len = 0; len < 2; len++) {
        tiff_spec s = one_entry("II", 6);
        ib_buf pay = exif_payload(&s);
        ib_buf seg = {0};
        ib_byte(&seg, 0xFF);
        ib_byte(&seg, 0xE1);
        ib_be16(&seg, len);
        ib_put(&seg, pay.p, pay.n);
        ib_buf b = with_segments(&seg);
        expect_oriented(&b, 1, len ? "APP1 length word 1" : "APP1 length word 0");
        free(b.p);
        free(seg.p);
        free(pay.p);
    }
}
END_TEST

/* Exif after the first scan (just before EOI) is not seen: OpenCV reads it with the header. */
START_TEST(exif_after_the_scan)
{
    ck_assert(jpg.p[jpg.n - 2] == 0xFF && jpg.p[jpg.n - 1] == 0xD9);
    ib_buf e = exif_segment(6);
    ib_buf b = {0};
    ib_put(&b, jpg.p, jpg.n - 2);
    ib_put(&b, e.p, e.n);
    ib_put(&b, "\xFF\xD9", 2);
    expect_oriented(&b, 1, "Exif after the scan");
    free(b.p);
    free(e.p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("exif_contract");
    TCase *tc = tcase_create("exif");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_orientation);
    tcase_add_test(tc, values_outside_2_to_8);
    tcase_add_test(tc, tiff_header);
    tcase_add_test(tc, ifd_offset);
    tcase_add_test(tc, entries);
    tcase_add_test(tc, short_payloads);
    tcase_add_test(tc, marker_walk);
    tcase_add_test(tc, walk_ends_at_the_last_byte);
    tcase_add_test(tc, app1_length_under_2);
    tcase_add_test(tc, exif_after_the_scan);
    suite_add_tcase(s, tc);
    return gy_test_run(s);
}
