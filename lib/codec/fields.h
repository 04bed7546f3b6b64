/* fields.h: field-rule tables and the checker that applies one to a decoded request object.
 * A rule says a field's name, JSON type, whether it is required, its byte bounds and an
 * optional format validator; the checker lists what is missing and what is invalid, in table
 * order, so a dialect can map the lists to its own error codes. JSON null counts as missing. */
#ifndef PROV_FIELDS_H
#define PROV_FIELDS_H

#include <stddef.h>
#include <json-c/json.h>

enum field_type {
    FT_STRING,
    FT_BOOL,
    FT_INT,             /* a JSON integer (never a string or a double) */
    FT_OBJECT,
    FT_STRING_ARRAY     /* array of strings */
};

enum field_flags {
    FIELD_REQUIRED = 1,
    FIELD_MULTILINE = 2   /* strings may hold TAB, CR, LF */
};

struct field_rule {
    const char *name;
    enum field_type type;
    unsigned flags;
    size_t min_bytes;                        /* strings: minimum length */
    size_t max_bytes;                        /* strings: 0 = the configured default */
    int (*valid)(const char *s, size_t n);   /* strings: format check, NULL for none */
    size_t max_items;                        /* arrays: 0 = no limit beyond the body */
};

enum { FIELDS_MAX_REPORT = 32 };

struct field_report {
    const char *missing[FIELDS_MAX_REPORT];
    size_t nmissing;
    const char *invalid[FIELDS_MAX_REPORT];
    size_t ninvalid;
};

/* Checks obj (a JSON object) against rules; fields not in the table are ignored. */
void fields_check(const json_object *obj, const struct field_rule *rules, size_t n,
                  size_t string_max, struct field_report *rep);
/* 1 when a single string value passes the text rules (UTF-8, control characters, bounds,
 * validator) of rule r. */
int fields_string_ok(const struct field_rule *r, const char *s, size_t len, size_t string_max);

/* Form-encoded bodies carry only strings: converts, in place, "true"/"false" for FT_BOOL
 * fields, decimal text for FT_INT fields, JSON text for FT_OBJECT / FT_STRING_ARRAY fields
 * (when it parses to that type), and a single string for an FT_STRING_ARRAY field into a
 * one-item array. Anything else is left as is for fields_check to report. */
void fields_coerce_form(json_object *obj, const struct field_rule *rules, size_t n,
                        unsigned json_max_depth);
/* The same conversion for one value; returns a new reference or NULL when nothing changes. */
json_object *fields_coerce_value(const json_object *v, enum field_type t,
                                 unsigned json_max_depth);

/* Replaces a string field by itself without leading and trailing spaces and tabs (emails are
 * trimmed before anything looks at them, docs/CONTRACT.md section 2). Other types are left alone.
 */
void fields_trim(json_object *obj, const char *name);
/* Narrows the *n bytes at *s to leave out leading and trailing spaces and tabs: how emails,
 * CSV header names and list pieces are trimmed (docs/CONTRACT.md section 2). */
void fields_trim_span(const char **s, size_t *n);

/* A field's value or NULL when absent or JSON null (borrowed). */
json_object *fields_get(const json_object *obj, const char *name);
/* A field's string value when it is a JSON string, else NULL (borrowed). */
const char *fields_str(const json_object *obj, const char *name);

#endif
