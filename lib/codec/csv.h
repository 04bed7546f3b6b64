/* csv.h: a strict RFC 4180 reader for uploaded CSV files. Fields are separated by ',', records
 * end with CRLF or LF (the last may end at the end of the data); a field may be enclosed in
 * double quotes, and then holds commas, line breaks and "" (one quote). Refused: a quote inside
 * an unquoted field, anything but a separator or line end after a closing quote, a quoted
 * field never closed, a bare CR outside quotes, NUL bytes, more than CSV_MAX_FIELDS fields.
 * Lenient only where files in the wild need it: a UTF-8 byte order mark at the very start is
 * skipped, and empty lines (between records or at the end) are skipped. Records may differ in
 * field count: checking that is the caller's job. No allocation except field text. */
#ifndef PROV_CSV_H
#define PROV_CSV_H

#include <stddef.h>

struct arena;

enum { CSV_MAX_FIELDS = 128 };

enum csv_status {
    CSV_OK = 0,
    CSV_END,             /* no more records */
    CSV_BAD_QUOTE,       /* a quote inside an unquoted field, or text after a closing quote */
    CSV_UNTERMINATED,    /* a quoted field runs to the end of the data */
    CSV_BAD_CHAR,        /* a NUL byte, or a CR not followed by LF outside quotes */
    CSV_TOO_MANY_FIELDS, /* more than CSV_MAX_FIELDS fields in a record */
    CSV_NOMEM
};

struct csv {
    const char *p, *end;
    size_t line;                          /* line where the last record read starts (1-based) */
    size_t next_line;                     /* line of the next byte */
    const char *fields[CSV_MAX_FIELDS];   /* the last record: NUL-terminated, in the arena */
    size_t lens[CSV_MAX_FIELDS];
    size_t nfields;
};

/* Starts reading len bytes at data (borrowed; must outlive the reader). */
void csv_init(struct csv *r, const char *data, size_t len);
/* Reads the next record into r->fields / r->lens / r->nfields (field text in arena a, valid
 * until the arena is reset; the pointer array until the next call). CSV_END at the end; an
 * error leaves r->line at the record that has it. */
enum csv_status csv_next(struct csv *r, struct arena *a);
/* A short English description of a status, for error messages (static). */
const char *csv_status_str(enum csv_status st);

#endif
