/* qrcode.c: QR codes for the Xtracta login link. libqrencode computes the modules, libpng
 * writes them as an 8-bit grayscale PNG into a struct buf, and qrcode_data_url wraps that as a
 * base64 data URL in the request's arena. Keeps nothing between calls. libpng reports errors by
 * longjmp: setjmp appears in png_write_qr() only, and libpng's error and warning callbacks here
 * never print (stderr is the web server's log, and a libpng message helps no client). */
#include "codec/qrcode.h"

#include <png.h>
#include <qrencode.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/crypto.h"

enum {
    QR_SCALE = 4,       /* pixels per module */
    QR_QUIET = 4,       /* modules of white border on each side (ISO/IEC 18004 minimum) */
    QR_BLACK = 0,
    QR_WHITE = 255
};

static const char data_url_prefix[] = "data:image/png;base64,";

static void png_fail(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

static void png_warn(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static void png_to_buf(png_structp png, png_bytep data, size_t n)
{
    struct buf *out = png_get_io_ptr(png);
    if (buf_append(out, data, n) != 0)
        png_error(png, "out of memory");
}

static void png_flush_none(png_structp png)
{
    (void)png;
}

/* Writes qr as a PNG to out, using row (side bytes, side = (width + 2 * QR_QUIET) * QR_SCALE)
 * as scratch. The one function with a setjmp: every libpng failure, including an allocation
 * failure in png_to_buf, longjmps back to it. Hence nothing is allocated here after the setjmp
 * except by libpng itself (png_destroy_write_struct frees that), and the error path reads only
 * png, info and rc, which are not modified between setjmp and any longjmp (volatile anyway, so
 * that the rule does not depend on the order of the statements below). */
static int png_write_qr(const QRcode *qr, unsigned char *row, size_t side, struct buf *out)
{
    png_structp volatile png = NULL;
    png_infop volatile info = NULL;
    volatile int rc = -1;
    size_t w = (size_t)qr->width;

    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, png_fail, png_warn);
    if (png == NULL)
        goto done;
    info = png_create_info_struct(png);
    if (info == NULL)
        goto done;
    if (setjmp(png_jmpbuf(png)) != 0)
        goto done;
    png_set_write_fn(png, out, png_to_buf, png_flush_none);
    png_set_IHDR(png, info, (png_uint_32)side, (png_uint_32)side, 8, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (size_t my = 0; my < w + 2 * QR_QUIET; my++) {
        memset(row, QR_WHITE, side);
        if (my >= QR_QUIET && my < w + QR_QUIET) {
            const unsigned char *mod = qr->data + (my - QR_QUIET) * w;
            for (size_t mx = 0; mx < w; mx++)
                if (mod[mx] & 1)    /* bit 0 of each libqrencode byte: dark module */
                    memset(row + (mx + QR_QUIET) * QR_SCALE, QR_BLACK, QR_SCALE);
        }
        for (int k = 0; k < QR_SCALE; k++)
            png_write_row(png, row);
    }
    png_write_end(png, info);
    rc = 0;
done:
    {
        png_structp p = png;
        png_infop i = info;
        png_destroy_write_struct(&p, &i);
    }
    return rc;
}

int qrcode_png(const char *text, struct buf *png)
{
    int rc = -1;
    QRcode *qr = NULL;
    unsigned char *row = NULL;
    size_t start = png->len, side;

    if (text == NULL)
        goto done;
    /* version 0: the smallest that fits; case-sensitive so mixed-case URLs stay intact */
    qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (qr == NULL || qr->width <= 0)
        goto done;
    side = ((size_t)qr->width + 2 * QR_QUIET) * QR_SCALE;
    row = malloc(side);
    if (row == NULL)
        goto done;
    rc = png_write_qr(qr, row, side, png);
done:
    if (rc != 0 && png->data != NULL && png->len > start) {
        /* no half image: drop whatever libpng wrote before it failed */
        png->len = start;
        png->data[start] = '\0';
    }
    free(row);
    QRcode_free(qr);
    return rc;
}

char *qrcode_data_url(struct arena *a, const char *text)
{
    struct buf png = {0};
    char *url = NULL;
    size_t plen = sizeof data_url_prefix - 1, blen;

    if (qrcode_png(text, &png) != 0)
        goto done;
    blen = b64_encoded_len(png.len);
    if (png.len > SIZE_MAX / 2 || blen > SIZE_MAX - plen - 1)
        goto done;
    url = arena_alloc(a, plen + blen + 1);
    if (url == NULL)
        goto done;
    memcpy(url, data_url_prefix, plen);
    b64_encode((const unsigned char *)png.data, png.len, url + plen);
done:
    buf_free(&png);
    return url;
}
