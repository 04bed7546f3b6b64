/* csv.c: the RFC 4180 reader behind csv.h. Each field is scanned once to find its end and
 * copied once (quotes undoubled) into the arena. Never reads past the end of the data. */
#include "codec/csv.h"

#include <string.h>

#include "base/arena.h"

void csv_init(struct csv *r, const char *data, size_t len)
{
    memset(r, 0, sizeof *r);
    r->p = data;
    r->end = data + len;
    r->next_line = 1;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r->p += 3;
}

const char *csv_status_str(enum csv_status st)
{
    switch (st) {
    case CSV_OK: return "ok";
    case CSV_END: return "end of data";
    case CSV_BAD_QUOTE: return "a double quote in an unquoted field or after a closing quote";
    case CSV_UNTERMINATED: return "a quoted field is not closed";
    case CSV_BAD_CHAR: return "a NUL byte or a bare carriage return";
    case CSV_TOO_MANY_FIELDS: return "too many fields";
    case CSV_NOMEM: return "out of memory";
    }
    return "?";
}

/* Length of the line break at p (2 for CRLF, 1 for LF), 0 when there is none, -1 for a bare
 * CR. */
static int line_break(const struct csv *r, const char *p)
{
    if (p >= r->end)
        return 0;
    if (*p == '\n')
        return 1;
    if (*p == '\r')
        return p + 1 < r->end && p[1] == '\n' ? 2 : -1;
    return 0;
}

static enum csv_status quoted(struct csv *r, struct arena *a, const char **out, size_t *len)
{
    const char *s = r->p + 1;
    const char *q = s;
    size_t n = 0, lines = 0;
    /* first pass: find the closing quote and the unescaped length */
    for (;;) {
        if (q >= r->end)
            return CSV_UNTERMINATED;
        if (*q == '\0')
            return CSV_BAD_CHAR;
        if (*q == '"') {
            if (q + 1 < r->end && q[1] == '"') {
                q += 2;
                n++;
                continue;
            }
            break;
        }
        if (*q == '\n')
            lines++;
        q++;
        n++;
    }
    char *dst = arena_alloc(a, n + 1);
    if (dst == NULL)
        return CSV_NOMEM;
    size_t k = 0;
    for (const char *p = s; p < q; p++) {
        dst[k++] = *p;
        if (*p == '"')
            p++;   /* the second quote of a "" pair */
    }
    dst[k] = '\0';
    r->next_line += lines;
    r->p = q + 1;
    /* after the closing quote: a separator, a line break or the end */
    if (r->p < r->end && *r->p != ',' && line_break(r, r->p) <= 0)
        return line_break(r, r->p) < 0 ? CSV_BAD_CHAR : CSV_BAD_QUOTE;
    *out = dst;
    *len = k;
    return CSV_OK;
}

static enum csv_status unquoted(struct csv *r, struct arena *a, const char **out, size_t *len)
{
    const char *q = r->p;
    while (q < r->end && *q != ',' && *q != '\n' && *q != '\r') {
        if (*q == '"')
            return CSV_BAD_QUOTE;
        if (*q == '\0')
            return CSV_BAD_CHAR;
        q++;
    }
    if (line_break(r, q) < 0)
        return CSV_BAD_CHAR;
    size_t n = (size_t)(q - r->p);
    char *dst = arena_strndup(a, r->p, n);
    if (dst == NULL)
        return CSV_NOMEM;
    r->p = q;
    *out = dst;
    *len = n;
    return CSV_OK;
}

enum csv_status csv_next(struct csv *r, struct arena *a)
{
    int br;
    r->nfields = 0;
    /* empty lines are skipped */
    while ((br = line_break(r, r->p)) > 0) {
        r->p += br;
        r->next_line++;
    }
    r->line = r->next_line;
    if (br < 0)
        return CSV_BAD_CHAR;
    if (r->p >= r->end)
        return CSV_END;
    for (;;) {
        if (r->nfields == CSV_MAX_FIELDS)
            return CSV_TOO_MANY_FIELDS;
        const char *f;
        size_t n;
        enum csv_status st = r->p < r->end && *r->p == '"' ? quoted(r, a, &f, &n)
                                                           : unquoted(r, a, &f, &n);
        if (st != CSV_OK)
            return st;
        r->fields[r->nfields] = f;
        r->lens[r->nfields] = n;
        r->nfields++;
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        br = line_break(r, r->p);
        if (br > 0) {
            r->p += br;
            r->next_line++;
        }
        return CSV_OK;
    }
}
