/* json_text.c: JSON list and string literals written into a buffer (json_text.h). Writes only
 * what it is given, escaped for JSON; never allocates outside the buffer. */
#include "codec/json_text.h"

#include <stdio.h>
#include <string.h>

void json_list_next(struct json_list *l)
{
    buf_append(&l->b, l->n++ == 0 ? "[" : ",", 1);
}

const char *json_list_text(struct json_list *l)
{
    if (l->n == 0)
        buf_puts(&l->b, "[");
    buf_puts(&l->b, "]");
    return l->b.failed ? NULL : l->b.data;
}

void json_list_free(struct json_list *l)
{
    buf_free(&l->b);
    l->n = 0;
}

void json_text_string(struct buf *b, const char *s)
{
    if (s == NULL) {
        buf_puts(b, "null");
        return;
    }
    buf_append(b, "\"", 1);
    const char *run = s;
    for (const char *p = s; *p != '\0'; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        buf_append(b, run, (size_t)(p - run));
        if (ch == '"' || ch == '\\') {
            char esc[2] = { '\\', (char)ch };
            buf_append(b, esc, 2);
        } else {
            buf_printf(b, "\\u%04x", ch);
        }
        run = p + 1;
    }
    buf_puts(b, run);
    buf_append(b, "\"", 1);
}

void json_text_int(struct buf *b, long long v)
{
    buf_printf(b, "%lld", v);
}
