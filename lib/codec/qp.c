/* qp.c: quoted-printable body encoding. Works one output token (a byte, or "=XX") at a time
 * and inserts a soft line break before a token that would make the line too long. */
#include "codec/qp.h"

#include <string.h>

#include "base/buf.h"

static void put_hex(struct buf *b, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    char t[3] = { '=', hex[c >> 4], hex[c & 15] };
    buf_append(b, t, 3);
}

/* 1 when the byte at s[i] must be encoded given where it stands. */
static int must_encode(const char *s, size_t n, size_t i, int line_start)
{
    unsigned char c = (unsigned char)s[i];
    if (c == '=' || c > 0x7E || (c < 0x20 && c != '\t'))
        return 1;
    if (c == ' ' || c == '\t') {
        /* white space before a line break or the end would be stripped in transport */
        size_t j = i + 1;
        return j == n || s[j] == '\n' || (s[j] == '\r' && j + 1 < n && s[j + 1] == '\n');
    }
    if (line_start && c == '.')
        return 1;
    if (line_start && c == 'F' && n - i >= 5 && memcmp(s + i, "From ", 5) == 0)
        return 1;
    return 0;
}

int qp_encode(struct buf *b, const char *s, size_t n)
{
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n' || (c == '\r' && i + 1 < n && s[i + 1] == '\n')) {
            if (c == '\r')
                i++;
            buf_append(b, "\n", 1);
            col = 0;
            continue;
        }
        int enc = must_encode(s, n, i, col == 0);
        size_t width = enc ? 3 : 1;
        /* keep room for the '=' of a soft break: at most QP_LINE_MAX - 1 text characters */
        if (col + width > QP_LINE_MAX - 1) {
            buf_append(b, "=\n", 2);
            col = 0;
            enc = must_encode(s, n, i, 1);
            width = enc ? 3 : 1;
        }
        if (enc)
            put_hex(b, c);
        else
            buf_append(b, &s[i], 1);
        col += width;
    }
    return b->failed ? -1 : 0;
}
