/* json_text.h: JSON text written straight into a buffer, for lists too long to build as
 * json-c trees first (a json-c array costs ~150 bytes and every value in it ~70: a batch's
 * 150 000 phone rows were 70 MB as trees, 6 MB as text). Values must already be valid UTF-8
 * without NUL (every decoder checks that); nothing here validates or parses. */
#ifndef PROV_JSON_TEXT_H
#define PROV_JSON_TEXT_H

#include "base/buf.h"

/* A JSON list being written: "[", the elements with their commas, "]". */
struct json_list {
    struct buf b;
    size_t n;      /* elements so far */
};

/* Starts the next element: "[" before the first, "," before the others. */
void json_list_next(struct json_list *l);
/* The list's text ("]" appended; "[]" when empty), NULL when an allocation failed. Valid
 * until json_list_free. */
const char *json_list_text(struct json_list *l);
void json_list_free(struct json_list *l);

/* Appends s as a JSON string literal ("null" when s is NULL): '"', '\' and control characters
 * escaped, everything else as it is. */
void json_text_string(struct buf *b, const char *s);
void json_text_int(struct buf *b, long long v);

#endif
