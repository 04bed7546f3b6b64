/* utf8.c: strict UTF-8 validation (RFC 3629 table 4), control-character screening and the
 * XML 1.0 Char production. */
#include "base/utf8.h"

#include <stdint.h>

size_t utf8_next(const char *text, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)text;
    if (n == 0)
        return 0;
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2; v = c & 0x1Fu; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3; v = c & 0x0Fu; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4; v = c & 0x07u; min = 0x10000;
    } else {
        return 0;   /* continuation byte, overlong 2-byte lead (C0, C1) or > F4 */
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

int utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    while (n > 0) {
        uint32_t cp;
        size_t k = utf8_next((const char *)p, n, &cp);
        if (k == 0)
            return 0;
        p += k;
        n -= k;
    }
    return 1;
}

int utf8_xml_char(uint32_t cp)
{
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

int utf8_xml_chars(const char *s, size_t n)
{
    while (n > 0) {
        uint32_t cp;
        size_t k = utf8_next(s, n, &cp);
        if (k == 0 || !utf8_xml_char(cp))
            return 0;
        s += k;
        n -= k;
    }
    return 1;
}

enum text_status text_check(const char *s, size_t n, enum text_flags flags)
{
    const unsigned char *p = (const unsigned char *)s;
    enum text_status worst = TEXT_OK;
    while (n > 0) {
        uint32_t cp;
        size_t k = utf8_next((const char *)p, n, &cp);
        if (k == 0)
            return TEXT_BAD_UTF8;
        if (cp == 0) {
            worst = TEXT_NUL;
        } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
            int allowed = (flags & TEXT_MULTI_LINE) && (cp == '\t' || cp == '\n' || cp == '\r');
            if (!allowed && worst == TEXT_OK)
                worst = TEXT_CONTROL;
        }
        p += k;
        n -= k;
    }
    return worst;
}

const char *text_status_str(enum text_status st)
{
    switch (st) {
    case TEXT_OK: return "valid text";
    case TEXT_BAD_UTF8: return "invalid UTF-8";
    case TEXT_NUL: return "NUL byte";
    case TEXT_CONTROL: return "control character";
    }
    return "invalid text";
}
