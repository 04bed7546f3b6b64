/* html.c: HTML escaping. Works byte by byte over validated UTF-8 sequences; never returns
 * anything a browser could read as markup, an attribute end or a character reference. */
#include "codec/html.h"

#include <string.h>

#include "base/buf.h"
#include "base/utf8.h"

int html_escape(struct buf *b, const char *s, size_t n)
{
    static const char replacement[] = "\xef\xbf\xbd";
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        size_t k = utf8_next(s + i, n - i, &cp);
        if (k == 0 || (cp >= 0x80 && cp <= 0x9F)) {
            /* malformed (skip one byte), or a C1 control character (U+0080..U+009F) */
            buf_append(b, replacement, sizeof replacement - 1);
            i += k == 0 ? 1 : k;
            continue;
        }
        switch (c) {
        case '&': buf_puts(b, "&amp;"); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&#39;"); break;
        default:
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
                buf_append(b, replacement, sizeof replacement - 1);
            else
                buf_append(b, s + i, k);
        }
        i += k;
    }
    return b->failed ? -1 : 0;
}

int html_puts(struct buf *b, const char *s)
{
    return s != NULL ? html_escape(b, s, strlen(s)) : 0;
}
