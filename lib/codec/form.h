/* form.h: application/x-www-form-urlencoded (and query-string) decoding into a json-c object,
 * following docs/CONTRACT.md section 2: percent-decoding and '+' as space; a repeated key or "k[]"
 * makes an array of strings; "k[sub]" makes an object (nesting like "k[a][b]" and "k[a][]"
 * up to FORM_MAX_DEPTH levels); every leaf value is a JSON string. Type conversion ("true" to a
 * boolean, JSON text to an object) is the dialect's business, not this module's. */
#ifndef PROV_FORM_H
#define PROV_FORM_H

#include <stddef.h>
#include <json-c/json.h>

enum { FORM_MAX_DEPTH = 4, FORM_MAX_PAIRS = 10000 };

enum form_status {
    FORM_OK = 0,
    FORM_BAD_ESCAPE,   /* '%' not followed by two hex digits */
    FORM_BAD_UTF8,     /* a decoded key or value is not valid UTF-8 */
    FORM_NUL,          /* a decoded key or value contains a NUL byte (%00) */
    FORM_BAD_KEY,      /* empty key, unbalanced brackets, or nesting over FORM_MAX_DEPTH */
    FORM_CONFLICT,     /* the same key used as a scalar/array and as an object */
    FORM_TOO_MANY,     /* more pairs than allowed (FORM_MAX_PAIRS, or form_decode_max's) */
    FORM_TOO_LARGE,    /* the tree would weigh more than the request's allowance (json_in.h) */
    FORM_NOMEM
};

/* Decodes len bytes at s (no leading '?'). Empty pairs ("a=1&&b=2") are skipped and not
 * counted against FORM_MAX_PAIRS; a pair without '=' has the empty string as value. On FORM_OK *out is a new object reference; otherwise *out
 * is NULL and msg names the problem and the offending key when known (escaped for logs is not
 * needed: the caller puts msg in a JSON/XML response through an encoder). */
enum form_status form_decode(const char *s, size_t len, json_object **out, char *msg,
                             size_t msglen);
/* form_decode with at most max_pairs pairs instead of FORM_MAX_PAIRS (limits.form_fields).
 * The pairs are counted and the tree they make weighed (like JSON, json_in.h: 1 per key and
 * per value plus 1 per 64 bytes, an object for every bracket of a key) before anything is
 * decoded; the weight is taken from the request's JSON allowance, so a form and the JSON its
 * fields may hold share one budget. */
enum form_status form_decode_max(const char *s, size_t len, size_t max_pairs, json_object **out,
                                 char *msg, size_t msglen);

/* Adds one already-decoded key/value pair to obj under the conventions above (shared with the
 * multipart decoder). key and value are checked for UTF-8 and NUL here. Brackets are read in
 * the decoded key ("a%5Bx%5D" is "a[x]"); "[]" may only end a key; a key shown in msg is cut
 * to 64 bytes. On failure obj may hold objects created for the pair: discard it. */
enum form_status form_add_pair(json_object *obj, const char *key, size_t keylen,
                               const char *value, size_t vlen, char *msg, size_t msglen);

/* Percent-decodes n bytes (with '+' as space) into out (at least n+1 bytes). Returns the
 * decoded length, or -1 on a bad escape. The result is NUL-terminated but may contain NULs. */
long form_unescape(const char *s, size_t n, char *out);

#endif
