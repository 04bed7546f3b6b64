/* rfc2047.c: cleaning untrusted text for mail headers and encoding it as RFC 2047
 * encoded-words ("=?UTF-8?B?...?="). Base64 is used rather than Q encoding because its
 * alphabet cannot hold anything a header parser treats specially. Words are cut on UTF-8
 * character boundaries (RFC 2047 section 5: a character is never split across words). */
#include "codec/rfc2047.h"

#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "base/crypto.h"
#include "base/utf8.h"

enum {
    WORD_OVERHEAD = 12,     /* "=?UTF-8?B?" + "?=" */
    WORD_MAX = 75,          /* RFC 2047 section 2: an encoded-word is at most 75 characters */
    PLAIN_LINE_MAX = 78,    /* RFC 5322 section 2.1.1: lines SHOULD stay within 78 */
    PHRASE_PLAIN_MAX = 60   /* a longer name is encoded so that it can be folded */
};

int rfc2047_clean(struct buf *b, const char *s, size_t n)
{
    return buf_append_utf8(b, s, n, BUF_UTF8_CONTROLS_AS_SPACE);
}

/* RFC 5322 atext, the characters a display name may hold without quoting or encoding. */
static int is_atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static int plain_ok(const char *s, size_t n, size_t col, enum rfc2047_kind kind)
{
    if (col + n > PLAIN_LINE_MAX || (kind == RFC2047_PHRASE && n > PHRASE_PLAIN_MAX))
        return 0;
    if (memmem(s, n, "=?", 2) != NULL)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7E)
            return 0;
        if (kind == RFC2047_PHRASE && c != ' ' && !is_atext(c))
            return 0;
    }
    /* a phrase of atoms may not start or end with white space (it would be folded away) */
    return kind != RFC2047_PHRASE || (s[0] != ' ' && s[n - 1] != ' ');
}

/* Raw bytes an encoded-word starting at column col can carry: the word may not pass
 * RFC2047_LINE_MAX on its line, nor be longer than WORD_MAX itself. */
static size_t word_capacity(size_t col)
{
    size_t line = RFC2047_LINE_MAX > col ? RFC2047_LINE_MAX - col : 0;
    size_t word = line < WORD_MAX ? line : WORD_MAX;
    return word > WORD_OVERHEAD ? (word - WORD_OVERHEAD) / 4 * 3 : 0;
}

static long encode_words(struct buf *b, const char *s, size_t n, size_t col)
{
    /* the longest character (4 bytes) must fit in a word, else start on a fresh line */
    if (word_capacity(col) < 4) {
        buf_append(b, "\n ", 2);
        col = 1;
    }
    size_t i = 0;
    int first = 1;
    while (i < n) {
        size_t cap = word_capacity(first ? col : 1);
        size_t end = i;
        while (end < n) {
            uint32_t cp;
            size_t k = utf8_next(s + end, n - end, &cp);
            if (k == 0)
                k = 1;   /* cannot happen after rfc2047_clean; never loops forever */
            if (end + k - i > cap)
                break;
            end += k;
        }
        char enc[64];
        size_t len = b64_encode((const unsigned char *)s + i, end - i, enc);
        if (!first) {
            buf_append(b, "\n ", 2);
            col = 1;
        }
        buf_append(b, "=?UTF-8?B?", 10);
        buf_append(b, enc, len);
        buf_append(b, "?=", 2);
        col += WORD_OVERHEAD + len;
        i = end;
        first = 0;
    }
    return b->failed ? -1 : (long)col;
}

long rfc2047_encode(struct buf *b, const char *s, size_t n, size_t col, enum rfc2047_kind kind)
{
    struct buf clean = { 0 };
    long end = -1;
    if (rfc2047_clean(&clean, s, n) != 0)
        goto done;
    const char *t = clean.data != NULL ? clean.data : "";
    size_t len = clean.len;
    /* leading and trailing blanks carry nothing and would only be folded away */
    while (len > 0 && t[0] == ' ') {
        t++;
        len--;
    }
    while (len > 0 && t[len - 1] == ' ')
        len--;
    if (len == 0) {
        end = (long)col;
        goto done;
    }
    if (plain_ok(t, len, col, kind)) {
        end = buf_append(b, t, len) == 0 ? (long)(col + len) : -1;
        goto done;
    }
    end = encode_words(b, t, len, col);
done:
    buf_free(&clean);
    return end;
}
