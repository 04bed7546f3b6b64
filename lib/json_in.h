/* json_in.h: strict parsing of untrusted JSON request bodies with json-c. The whole buffer must
 * be one JSON value (whitespace around it allowed), nesting is limited, text must be valid
 * UTF-8, strings may not contain NUL (\u0000), numbers must be finite. json-c keeps the LAST
 * of duplicate object keys; we accept that and document it (docs/, README). */
#ifndef PROV_JSON_IN_H
#define PROV_JSON_IN_H

#include <stddef.h>
#include <json-c/json.h>

enum json_in_status {
    JSON_IN_OK = 0,
    JSON_IN_EMPTY,     /* no value at all (empty or whitespace-only body) */
    JSON_IN_SYNTAX,    /* malformed JSON, including trailing garbage after the value */
    JSON_IN_DEPTH,     /* nested deeper than the limit */
    JSON_IN_UTF8,      /* invalid UTF-8 (raw bytes or escapes forming lone surrogates) */
    JSON_IN_NUL,       /* a NUL byte in the body or \u0000 in a string or key */
    JSON_IN_NUMBER,    /* NaN, Infinity, or a number json-c cannot represent */
    JSON_IN_NOMEM
};

/* Parses len bytes at buf. On JSON_IN_OK *out holds a new reference (json_object_put it);
 * otherwise *out is NULL and msg (size msglen) says what is wrong and where, in plain English
 * suitable for a client ("malformed JSON at byte 17"). max_depth counts containers: a scalar
 * has depth 0, [] or {} depth 1.
 * Also: a body that is just `null` gives JSON_IN_OK with *out NULL (json-c's null), so check
 * the top-level type. Byte offsets in messages count from 0. max_depth above 1000 is taken as
 * 1000. Integers are accepted in json-c's range [INT64_MIN, UINT64_MAX]; beyond it (where
 * json-c would saturate silently) JSON_IN_NUMBER. Numbers must follow the RFC 8259 grammar
 * ("01", "1." are JSON_IN_SYNTAX), strings may not hold raw control characters (SYNTAX), and
 * an unpaired surrogate escape such as "\ud800" is JSON_IN_UTF8. */
enum json_in_status json_in_parse(const char *buf, size_t len, unsigned max_depth,
                                  json_object **out, char *msg, size_t msglen);

/* Helpers for decoders. Each returns 1 when obj is of that JSON type (NULL is not), else 0. */
int json_is_string(const json_object *obj);
int json_is_bool(const json_object *obj);
int json_is_object(const json_object *obj);
int json_is_array(const json_object *obj);
/* 1 when obj is a JSON integer (not a double, not a string) within [min, max]; the value goes
 * to *v (left alone on 0). Integers above INT64_MAX (json-c keeps them as uint64) give 0. */
int json_get_int_range(const json_object *obj, long long min, long long max, long long *v);

#endif
