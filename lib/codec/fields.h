/* fields.h: field-rule tables, the one format every dialect writes its fields' rules in, and
 * the checker that applies a table to a decoded request object. A rule says a field's name,
 * JSON type, whether it is required, its bounds (lengths in characters or bytes, a range for
 * numbers), an optional format validator and, for arrays, a count; the checker lists what is
 * missing and what is invalid, in table order, so a dialect can map the lists to its own error
 * codes, or applies one rule at a time for a dialect that keeps its own messages. JSON null
 * counts as missing. Never knows a vendor or an error message. */
#ifndef PROV_FIELDS_H
#define PROV_FIELDS_H

#include <stddef.h>
#include <json-c/json.h>

enum field_type {
    FT_STRING,
    FT_BOOL,
    FT_INT,             /* a JSON integer (never a string or a double) */
    FT_NUMBER,          /* a JSON integer or double, finite */
    FT_OBJECT,
    FT_STRING_ARRAY,    /* array of strings, each under the string rules */
    FT_OBJECT_ARRAY     /* array of objects (their members are the dialect's to check) */
};

enum field_flags {
    FIELD_REQUIRED = 1,
    FIELD_MULTILINE = 2,  /* strings may hold TAB, CR, LF */
    FIELD_CHARS = 4       /* a string's min and max count characters (UTF-8 code points) */
};

/* One field.
 * - Strings (and each string of an FT_STRING_ARRAY): UTF-8 text on one line (see
 *   FIELD_MULTILINE) of min..max characters under FIELD_CHARS, else bytes (max 0: no bound of
 *   its own), never longer than string_max bytes (limits.string_bytes caps every string), and
 *   accepted by valid when it is given. The store's columns count characters: a rule for a
 *   value that fills a column takes its bound from core/limits.h, with FIELD_CHARS.
 * - FT_INT: within min..max when max is not 0; FT_NUMBER: within -max..max when max is not 0.
 * - Arrays: at most max_items elements when it is not 0.
 * A dialect that needs to know where a field's value goes indexes its table by its own enum
 * (`[S_USERID] = { ... }`): the rule's slot is its index. Tables of short rules may be written
 * positionally, in this order. */
struct field_rule {
    const char *name;
    enum field_type type;
    unsigned flags;
    size_t min;                              /* strings: shortest; FT_INT: smallest */
    size_t max;                              /* strings: longest, FT_INT, FT_NUMBER: the
                                                bound; 0 = none of its own */
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
/* What one string makes of rule r: FIELD_TEXT_BAD when it is not the text the rule allows
 * (UTF-8, control characters, bounds), FIELD_TEXT_FORMAT when it is but the validator refuses
 * it; a dialect with a message of its own for a format problem tells the two apart. */
enum field_text { FIELD_TEXT_OK, FIELD_TEXT_BAD, FIELD_TEXT_FORMAT };
enum field_text fields_string_check(const struct field_rule *r, const char *s, size_t len,
                                    size_t string_max);
/* 1 when a single string value passes the text rules (UTF-8, control characters, bounds,
 * validator) of rule r. */
int fields_string_ok(const struct field_rule *r, const char *s, size_t len, size_t string_max);
/* 1 when v (not NULL) is a value rule r allows: its type, and its rules as above. */
int fields_value_ok(const struct field_rule *r, const json_object *v, size_t string_max);
/* The rule's bound on a string's length as a message states it: max, or string_max when that
 * is smaller or max is 0. */
size_t fields_max(const struct field_rule *r, size_t string_max);
/* The rule of that name in a table of n, or NULL (its slot: the pointer minus the table). */
const struct field_rule *fields_find(const struct field_rule *rules, size_t n,
                                     const char *name);

/* Form-encoded bodies carry only strings: converts, in place, "true"/"false" for FT_BOOL
 * fields, decimal text for FT_INT fields, JSON text for FT_OBJECT and array fields (when it
 * parses to that type), and a single string for an FT_STRING_ARRAY field into a one-item
 * array. Anything else (FT_NUMBER included) is left as is for fields_check to report. */
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
