/* utf8.h: checks on untrusted text: strict UTF-8 (no overlong forms, no surrogates, nothing
 * above U+10FFFF), control characters, and the characters XML 1.0 can carry. Pure functions,
 * no allocation. */
#ifndef PROV_UTF8_H
#define PROV_UTF8_H

#include <stddef.h>
#include <stdint.h>

enum text_status {
    TEXT_OK = 0,
    TEXT_BAD_UTF8,   /* not well-formed UTF-8 */
    TEXT_NUL,        /* contains a NUL byte */
    TEXT_CONTROL     /* contains a C0/C1 control character or DEL not allowed here */
};

enum text_flags {
    TEXT_SINGLE_LINE = 0,     /* names, emails, codes: no control character at all */
    TEXT_MULTI_LINE = 1       /* free text: TAB, LF and CR are allowed */
};

/* Length (1..4) of the well-formed UTF-8 sequence at the start of the n bytes at s, its code
 * point in *cp; 0 when they do not start with one (malformed, truncated, or n == 0). */
size_t utf8_next(const char *s, size_t n, uint32_t *cp);
/* 1 when the n bytes at s are well-formed UTF-8, else 0. */
int utf8_valid(const char *s, size_t n);
/* 1 when code point cp matches XML 1.0's Char production (#x9 | #xA | #xD | [#x20-#xD7FF] |
 * [#xE000-#xFFFD] | [#x10000-#x10FFFF]), else 0. */
int utf8_xml_char(uint32_t cp);
/* 1 when the n bytes at s are well-formed UTF-8 made only of XML 1.0 characters: the text an
 * XML document can carry as character data. The one definition the XML writer (xml_out.c)
 * and the decoders of fields it echoes (Xtracta) share, so that what is accepted can always
 * be answered. */
int utf8_xml_chars(const char *s, size_t n);
/* Classifies the n bytes at s; TEXT_OK when they are valid text under the given flags. */
enum text_status text_check(const char *s, size_t n, enum text_flags flags);
/* A short English description of a status, for error messages. */
const char *text_status_str(enum text_status st);

#endif
