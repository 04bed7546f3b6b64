/* test_qrcode.c: QR code PNGs: the PNG header, every module decoded back with libpng and
 * compared with libqrencode's own matrix for the same text, the quiet zone, the data URL, and
 * the failure paths (nothing half-written is left behind). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/crypto.h"
#include "codec/qrcode.h"

enum { SCALE = 4, QUIET = 4 };

static const unsigned char png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

static uint32_t be32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

/* Checks the PNG in png[0..n) is exactly text's QR code: size, quiet zone and every pixel of
 * every module, against QRcode_encodeString with the parameters qrcode.c promises. */
static void check_png(const char *png, size_t n, const char *text)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    assert_non_null(qr);
    size_t w = (size_t)qr->width, side = (w + 2 * QUIET) * SCALE;

    /* signature, then IHDR first: 13 bytes, width, height, depth 8, colour type 0 (grey) */
    assert_true(n > 33);
    assert_memory_equal(png, png_sig, sizeof png_sig);
    assert_int_equal(be32(png + 8), 13);
    assert_memory_equal(png + 12, "IHDR", 4);
    assert_int_equal(be32(png + 16), side);
    assert_int_equal(be32(png + 20), side);
    assert_int_equal((unsigned char)png[24], 8);
    assert_int_equal((unsigned char)png[25], PNG_COLOR_TYPE_GRAY);
    assert_memory_equal(png + n - 8, "IEND", 4);

    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    assert_int_not_equal(png_image_begin_read_from_memory(&img, png, n), 0);
    assert_int_equal(img.width, side);
    assert_int_equal(img.height, side);
    img.format = PNG_FORMAT_GRAY;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(img));
    assert_non_null(px);
    assert_int_not_equal(png_image_finish_read(&img, NULL, px, 0, NULL), 0);

    size_t dark = 0;
    for (size_t y = 0; y < side; y++) {
        for (size_t x = 0; x < side; x++) {
            size_t my = y / SCALE, mx = x / SCALE;
            unsigned want = 255;
            if (my >= QUIET && my < w + QUIET && mx >= QUIET && mx < w + QUIET
                && (qr->data[(my - QUIET) * w + (mx - QUIET)] & 1))
                want = 0;
            if (px[y * side + x] != want)
                fail_msg("pixel (%zu,%zu) of module (%zu,%zu) is %u, want %u", x, y, mx, my,
                         px[y * side + x], want);
            dark += want == 0;
        }
    }
    /* a QR code has finder patterns: a real share of it is dark */
    assert_true(dark > side * side / 10);
    free(px);
    QRcode_free(qr);
}

static void roundtrip(const char *text)
{
    struct buf png = {0};
    assert_int_equal(qrcode_png(text, &png), 0);
    check_png(png.data, png.len, text);
    buf_free(&png);
}

static void test_short_text(void **state)
{
    (void)state;
    QRcode *qr = QRcode_encodeString("hello", 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    assert_non_null(qr);
    assert_int_equal(qr->width, 21);  /* version 1 */
    QRcode_free(qr);
    struct buf png = {0};
    assert_int_equal(qrcode_png("hello", &png), 0);
    assert_int_equal(be32(png.data + 16), (21 + 8) * 4);
    check_png(png.data, png.len, "hello");
    buf_free(&png);
}

static void test_login_link(void **state)
{
    (void)state;
    roundtrip("https://provision.example.com/xtracta/login?token=Ab3-_xYz09QrStUvWxYz0123456789"
              "AbCdEfGhIjKl");
    roundtrip("J\xc3\xb6rg \xe2\x82\xac 1");
    roundtrip("0123456789");
}

static void test_one_kib(void **state)
{
    (void)state;
    char text[1025];
    for (size_t i = 0; i < sizeof text - 1; i++)
        text[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[i * 7 % 64];
    text[sizeof text - 1] = '\0';
    roundtrip(text);
}

static void test_appends_and_failures(void **state)
{
    (void)state;
    struct buf png = {0};
    assert_int_equal(buf_puts(&png, "prefix"), 0);
    assert_int_equal(qrcode_png("x", &png), 0);
    assert_memory_equal(png.data, "prefix", 6);
    check_png(png.data + 6, png.len - 6, "x");
    size_t len = png.len;

    /* over the capacity of version 40-M in 8-bit mode (2331 bytes): refused, nothing added */
    char *big = malloc(3001);
    assert_non_null(big);
    big[3000] = '\0';
    for (size_t i = 0; i < 3000; i++)
        big[i] = (char)(' ' + i * 37 % 95);
    assert_int_equal(qrcode_png(big, &png), -1);
    assert_int_equal(png.len, len);
    assert_int_equal(png.data[len], '\0');
    assert_int_equal(qrcode_png(NULL, &png), -1);
    assert_int_equal(png.len, len);
    /* libqrencode refuses empty input (EINVAL); a login link is never empty anyway */
    assert_int_equal(qrcode_png("", &png), -1);
    assert_int_equal(png.len, len);

    /* the output buffer refuses bytes (as after an allocation failure): libpng's error
     * longjmp path runs, and everything is freed (ASan/LSan check that) */
    struct buf dead = {0};
    dead.failed = 1;
    assert_int_equal(qrcode_png("x", &dead), -1);
    assert_int_equal(dead.len, 0);
    buf_free(&dead);

    struct arena *a = arena_new();
    assert_non_null(a);
    assert_null(qrcode_data_url(a, big));
    assert_null(qrcode_data_url(a, NULL));
    arena_free(a);
    free(big);
    buf_free(&png);
}

/* Standard base64 to bytes through the base64url decoder crypto.h offers. */
static long b64_decode(const char *s, unsigned char *out)
{
    size_t n = strlen(s);
    char *t = malloc(n + 1);
    assert_non_null(t);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(m == i);   /* '=' only at the end */
        if (s[i] == '=')
            break;
        t[m++] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
    }
    for (size_t i = m; i < n; i++)
        assert_int_equal(s[i], '=');
    assert_true(n - m <= 2);
    assert_int_equal(n % 4, 0);
    long r = b64url_decode(t, m, out);
    free(t);
    return r;
}

static void test_data_url(void **state)
{
    (void)state;
    static const char prefix[] = "data:image/png;base64,";
    const char *text = "https://provision.example.com/login?t=QWxhZGRpbjpvcGVuIHNlc2FtZQ";
    struct arena *a = arena_new();
    assert_non_null(a);
    char *url = qrcode_data_url(a, text);
    assert_non_null(url);
    assert_memory_equal(url, prefix, strlen(prefix));

    const char *b64 = url + strlen(prefix);
    unsigned char *bytes = malloc(strlen(b64) * 3 / 4 + 1);
    assert_non_null(bytes);
    long n = b64_decode(b64, bytes);
    assert_true(n > 0);

    struct buf png = {0};
    assert_int_equal(qrcode_png(text, &png), 0);
    assert_int_equal((size_t)n, png.len);
    assert_memory_equal(bytes, png.data, png.len);
    check_png((const char *)bytes, (size_t)n, text);

    buf_free(&png);
    free(bytes);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_text),
        cmocka_unit_test(test_login_link),
        cmocka_unit_test(test_one_kib),
        cmocka_unit_test(test_appends_and_failures),
        cmocka_unit_test(test_data_url),
    };
    return cmocka_run_group_tests_name("qrcode", tests, NULL, NULL);
}
