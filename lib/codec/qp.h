/* qp.h: quoted-printable encoding (RFC 2045 section 6.7) of mail bodies, so that any text,
 * whatever its bytes or line lengths, travels as short 7-bit lines. Line breaks of the text
 * (LF or CRLF) stay line breaks; everything else that is not plain printable ASCII is encoded. */
#ifndef PROV_QP_H
#define PROV_QP_H

#include <stddef.h>

struct buf;

/* Longest encoded line, soft line break "=" included. */
enum { QP_LINE_MAX = 76 };

/* Appends the encoding of the n bytes at s to b, lines ending in "\n". A bare CR is encoded
 * (=0D); so are '=', bytes outside printable ASCII, white space before a line break, a '.'
 * starting a line and the 'F' of a line starting "From " (so that neither SMTP's end of data
 * nor mbox quoting can touch the text). Returns 0, or -1 after an allocation failure. */
int qp_encode(struct buf *b, const char *s, size_t n);

#endif
