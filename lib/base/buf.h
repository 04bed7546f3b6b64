/* buf.h: a growable byte buffer (heap) for response bodies, SQL-free text building and I/O.
 * Owns its bytes; the data is always NUL-terminated for convenience but may contain NULs. */
#ifndef PROV_BUF_H
#define PROV_BUF_H

#include <stddef.h>

struct buf {
    char *data;   /* NULL until the first append */
    size_t len;
    size_t cap;
    int failed;   /* set once an allocation failed; later appends are ignored */
};

/* Appends n bytes; returns 0 on success, -1 after an allocation failure (sticky). */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
/* Appends the n bytes at s as well-formed UTF-8: every byte that does not start a well-formed
 * sequence becomes U+FFFD, and with BUF_UTF8_CONTROLS_AS_SPACE every C0/C1 control, DEL,
 * U+2028 and U+2029 becomes a space. 0, or -1 when an allocation failed. */
enum { BUF_UTF8_CONTROLS_AS_SPACE = 1 };
int buf_append_utf8(struct buf *b, const char *s, size_t n, unsigned flags);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empties the buffer and keeps its memory for reuse. */
void buf_clear(struct buf *b);
/* Frees the memory; the buffer may be reused afterwards. buf_free on a zeroed buf is a no-op. */
void buf_free(struct buf *b);

#endif
