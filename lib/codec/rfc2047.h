/* rfc2047.h: header field bodies for mail built from untrusted text: display names and
 * subjects as RFC 2047 encoded-words (UTF-8, base64) folded to RFC 5322 line lengths.
 * Whatever the input holds (CR, LF, NUL, any control character, invalid UTF-8), the output is
 * printable ASCII folded only with "\n " (a line feed followed by a space), so user data can
 * never end a header field or start another one. Never validates addresses (valid.h does). */
#ifndef PROV_RFC2047_H
#define PROV_RFC2047_H

#include <stddef.h>

struct buf;

enum rfc2047_kind {
    RFC2047_TEXT = 0,   /* unstructured text (Subject) */
    RFC2047_PHRASE      /* the display name of an address (From, To) */
};

/* Longest line the encoder produces, including the header name (RFC 2047 section 2). */
enum { RFC2047_LINE_MAX = 76 };

/* Appends to b a clean copy of the n bytes at s: every malformed UTF-8 sequence becomes
 * U+FFFD, every control character (C0 including TAB, CR and LF, DEL, C1, U+2028 and U+2029)
 * a space. Returns 0, or -1 after an allocation failure. */
int rfc2047_clean(struct buf *b, const char *s, size_t n);

/* Appends the field body for the n bytes at s to b. col is the number of characters already on
 * the line (strlen("Subject: ")). Plain printable ASCII that fits on the line (for a phrase:
 * atoms and spaces only) is copied as it is; anything else becomes encoded-words. The result
 * is empty when the cleaned text is blank. Returns the column where the output ends, or -1
 * after an allocation failure. */
long rfc2047_encode(struct buf *b, const char *s, size_t n, size_t col, enum rfc2047_kind kind);

#endif
