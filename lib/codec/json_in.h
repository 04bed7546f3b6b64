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
    JSON_IN_TOO_MANY,  /* the text weighs more than the allowance left (see below) */
    JSON_IN_NOMEM
};

/* What a json-c tree costs is known before it is built: json_in_parse weighs the text first
 * and refuses (JSON_IN_TOO_MANY) one that weighs more than the allowance left, so no tree is
 * ever built past it. The weight counts what json-c allocates, measured on Debian 12's json-c
 * 0.16 (docs/SECURITY.md, "Hardening II"): an object 8 (its hash table of 16 entries, ~790
 * bytes), an array 3, every other value (string, number, true, false, null) and every object
 * key 1, every further 64 bytes of a string or key 1 more, and every key of an object past its
 * tenth 2 more (the table grows, the old and the new one alive at once while it does); one
 * weighed value is at most ~105 bytes of the process's memory, whatever the shape. */
enum {
    JSON_IN_WEIGHT_OBJECT = 8,
    JSON_IN_WEIGHT_ARRAY = 3,
    JSON_IN_WEIGHT_TEXT_BYTES = 64,
    JSON_IN_FIRST_TABLE_KEYS = 10,     /* an object's keys its first table holds */
    JSON_IN_WEIGHT_TABLE_GROWTH = 2    /* each further key: the slots its table grows by */
};

/* The allowance is what the json_in_parse calls from now on may build in total: each parse
 * that succeeds takes its weight from it, so the texts one request decodes (its body, then a
 * file part, JSON held in form fields...) share one budget. It starts unlimited (SIZE_MAX);
 * the request lifecycle sets it to limits.json_values at the start of every request and lifts
 * it again once the answer is sent (background work decodes only what its request checked). */
void json_in_set_allowance(size_t weight);
size_t json_in_allowance(void);
/* For other decoders that build json-c trees from the request (form.c): takes weight from the
 * allowance and returns 0, or returns -1 (taking nothing) when less is left. */
int json_in_take(size_t weight);
/* Gives back what a parse took, once its tree is gone (a caller decoding a list one element
 * at a time keeps only one element's weight taken). */
void json_in_give_back(size_t weight);

/* Walks the elements of a JSON array text without building anything, so a long list can be
 * parsed (json_in_parse) and released one element at a time. Start with *pos = 0; each call
 * sets [*start, *end) to the next element's bytes and returns JSON_IN_OK, or returns
 * JSON_IN_EMPTY once the array is closed (and nothing but whitespace follows it). Only the
 * array's own punctuation is checked; the elements are delimited (strings and nesting
 * skipped), not validated: parse each one, at one level less than the array's depth limit.
 * JSON_IN_SYNTAX (for a text json_in_parse would refuse, or one nested deeper than 1000
 * levels) means the walk cannot split the text: parse it whole for the exact message. */
enum json_in_status json_in_array_next(const char *buf, size_t len, size_t *pos, size_t *start,
                                       size_t *end);
/* The same walk over the members of a JSON object text: each call sets [*key_start, *key_end)
 * to the next member's key (its quotes included: parse it as a JSON string) and [*start, *end)
 * to its value's bytes, and returns JSON_IN_OK; JSON_IN_EMPTY once the object is closed (and
 * nothing but whitespace follows it); JSON_IN_SYNTAX where the walk cannot split the text.
 * Duplicate keys are all walked: a caller keeping json-c's rule takes the last one. */
enum json_in_status json_in_object_next(const char *buf, size_t len, size_t *pos,
                                        size_t *key_start, size_t *key_end, size_t *start,
                                        size_t *end);
/* The weight of the len bytes at buf (any bytes: malformed text is weighed as far as it
 * goes), counted up to stop: a result above stop means "more than stop". Linear, allocates
 * nothing. */
size_t json_in_weight(const char *buf, size_t len, size_t stop);

/* Parses len bytes at buf. On JSON_IN_OK *out holds a new reference (json_object_put it);
 * otherwise *out is NULL and msg (size msglen) says what is wrong and where, in plain English
 * suitable for a client ("malformed JSON at byte 17"). max_depth counts containers: a scalar
 * has depth 0, [] or {} depth 1.
 * Also: a body that is just `null` gives JSON_IN_OK with *out NULL (json-c's null), so check
 * the top-level type. Byte offsets in messages count from 0. max_depth above 1000 is taken as
 * 1000. Integers are accepted in json-c's range [INT64_MIN, UINT64_MAX]; beyond it (where
 * json-c would saturate silently) JSON_IN_NUMBER. Numbers must follow the RFC 8259 grammar
 * ("01", "1." are JSON_IN_SYNTAX), strings may not hold raw control characters (SYNTAX), and
 * an unpaired surrogate escape such as "\ud800" is JSON_IN_UTF8. A text weighing more than
 * the allowance is JSON_IN_TOO_MANY (after the NUL, byte order mark and UTF-8 checks, before
 * json-c parses anything). */
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
