/* qrcode.h: QR codes (libqrencode) rendered as PNG (libpng) and returned as a data URL, for the
 * Xtracta login-token response. */
#ifndef PROV_QRCODE_H
#define PROV_QRCODE_H

struct arena;
struct buf;

/* Appends a PNG image of text as a QR code (error correction M, 4 px per module, 4-module quiet
 * zone, 8-bit grayscale) to png. Returns 0 or -1. */
int qrcode_png(const char *text, struct buf *png);
/* "data:image/png;base64,..." for text, in the arena, or NULL (also for empty text, which
 * libqrencode cannot encode). */
char *qrcode_data_url(struct arena *a, const char *text);

#endif
