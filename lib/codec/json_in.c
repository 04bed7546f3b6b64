/* json_in.c: strict parsing of untrusted JSON request bodies. Owns the checks json-c does not
 * make; never interprets the values (that is the dialect decoders' job).
 *
 * What json-c 0.16 (Debian 12) does with JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8,
 * found by experiment, and what we do about it:
 *   - Integers out of range saturate silently: 99999999999999999999 and 18446744073709551616
 *     become UINT64_MAX, -99999999999999999999 becomes INT64_MIN; errno is not reported.
 *     Integers in (INT64_MAX, UINT64_MAX] are kept as uint64 (json_object_get_int64 then
 *     saturates to INT64_MAX). We re-scan the text and reject integer literals outside
 *     [INT64_MIN, UINT64_MAX] (JSON_IN_NUMBER); json_get_int_range() refuses the uint64 ones.
 *   - 1e999 and -1e999 parse as doubles holding +-inf, 1e-999 as 0. NaN, Infinity and
 *     -Infinity are accepted even in strict mode (as doubles). We reject non-finite doubles and
 *     the NaN/Infinity literals (JSON_IN_NUMBER); underflow to 0 is accepted.
 *   - Strict mode still accepts some non-JSON numbers: "-01", "00", "1.", "1.e5", "-.5",
 *     "0.e1". The re-scan checks the RFC 8259 number grammar (JSON_IN_SYNTAX).
 *   - Strict mode accepts raw control characters (TAB, LF, ...) inside strings; RFC 8259 does
 *     not. The re-scan rejects them (JSON_IN_SYNTAX).
 *   - Lone surrogate escapes ("\ud800", "\udc00", "\ud800\u0041") are silently replaced by
 *     U+FFFD; a valid pair becomes the right 4-byte sequence. Looking for U+FFFD afterwards would
 *     also reject a genuine U+FFFD, so the re-scan checks the escapes themselves (JSON_IN_UTF8).
 *   - VALIDATE_UTF8 checks only the shape of sequences: overlongs (C0 AF), encoded surrogates
 *     (ED A0 80) and code points above U+10FFFF (F4 90 80 80) pass. We run utf8_valid() on the
 *     whole body first. A UTF-8 byte order mark is refused by json-c as invalid UTF-8; we name it.
 *   - "\u0000" is kept in string values (json_object_get_string_len counts it, strlen stops
 *     there) but truncates object keys ({"a\u0000b":1} becomes {"a":1}), so keys cannot be
 *     checked after parsing: the re-scan rejects every \u0000 escape (JSON_IN_NUL), and the tree
 *     walk compares strlen with the length of every string value as a second line of defence.
 *   - A raw NUL byte ends the input for json-c ("[1]\0garbage" parses as [1]); we refuse any NUL
 *     byte before parsing.
 *   - Trailing data: strict mode rejects "{} x" and "{}{}" (unexpected character at the byte
 *     after the value) and allows trailing JSON whitespace only (not \v or \f). A number at the
 *     very end needs an explicit end of input, which we give by parsing one more "\0" byte.
 *   - Depth: json_tokener_new_ex(n) counts nested values, not containers: with n == 2, [[1]]
 *     fails but [[]] passes. We give json-c max_depth + 1 (so it stops anything much deeper
 *     early) and count containers exactly in the re-scan.
 *   - Duplicate object keys: the last one wins ({"a":1,"a":2} is {"a":2}).
 *   - Memory: json-c gives every object a hash table of 16 entries (~790 bytes for {}), every
 *     array ~150 bytes, every scalar 64-104 bytes, and never refuses to grow: an 8 MiB body of
 *     [{},{},...] became 2.1 GB. Nothing caps it, so the text is weighed first (json_in_weight,
 *     the weights in json_in.h) and refused past the request's allowance.
 * Byte offsets in messages count from 0. */
#include "codec/json_in.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/crypto.h"
#include "base/msg.h"
#include "base/utf8.h"

/* Bounds the tokener's stack allocation whatever the caller asks for. */
enum { JSON_IN_DEPTH_CEILING = 1000 };

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* 1 when the n decimal digits at d (no sign, no leading zero unless n == 1) are <= limit. */
static int digits_at_most(const char *d, size_t n, const char *limit)
{
    size_t ln = strlen(limit);
    if (n != ln)
        return n < ln;
    return memcmp(d, limit, n) <= 0;
}

/* What the parses of the current request may still build (json_in.h). */
static size_t allowance = SIZE_MAX, allowance_set = SIZE_MAX;

void json_in_set_allowance(size_t weight)
{
    allowance = allowance_set = weight;
}

size_t json_in_allowance(void)
{
    return allowance;
}

void json_in_give_back(size_t weight)
{
    if (allowance != SIZE_MAX)
        allowance = weight > SIZE_MAX - 1 - allowance ? SIZE_MAX - 1 : allowance + weight;
}

int json_in_take(size_t weight)
{
    if (allowance == SIZE_MAX)
        return 0;
    if (weight > allowance)
        return -1;
    allowance -= weight;
    return 0;
}

static int is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '+' || c == '.';
}

size_t json_in_weight(const char *buf, size_t len, size_t stop)
{
    /* members of each open object (0 for an array), as deep as json-c could go */
    unsigned members[JSON_IN_DEPTH_CEILING + 2];
    size_t w = 0, i = 0, depth = 0;
    while (i < len && w <= stop) {
        char c = buf[i];
        if (c == '"') {
            /* a string or a key: to its closing quote, skipping escaped characters */
            size_t j = i + 1;
            while (j < len && buf[j] != '"')
                j += buf[j] == '\\' ? 2 : 1;
            size_t n = (j < len ? j : len) - i - 1;
            w += 1 + n / JSON_IN_WEIGHT_TEXT_BYTES;
            i = j + 1;
            /* a key past the ones the object's first hash table holds: the table doubles
             * (old and new both alive while it does) */
            size_t k = i;
            while (k < len && is_ws(buf[k]))
                k++;
            if (k < len && buf[k] == ':' && depth > 0 && depth <= JSON_IN_DEPTH_CEILING + 1 &&
                ++members[depth - 1] > JSON_IN_FIRST_TABLE_KEYS)
                w += JSON_IN_WEIGHT_TABLE_GROWTH;
        } else if (c == '{' || c == '[') {
            w += c == '{' ? JSON_IN_WEIGHT_OBJECT : JSON_IN_WEIGHT_ARRAY;
            if (depth < JSON_IN_DEPTH_CEILING + 2)
                members[depth] = 0;
            depth++;
            i++;
        } else if (c == '}' || c == ']') {
            if (depth > 0)
                depth--;
            i++;
        } else if (is_word(c)) {
            /* a number, true, false, null (or what json-c will refuse, NaN included) */
            while (i < len && is_word(buf[i]))
                i++;
            w++;
        } else {
            i++;   /* whitespace, ',', ':', ']', '}' and bytes json-c will refuse */
        }
    }
    return w;
}

static size_t skip_ws(const char *buf, size_t len, size_t i)
{
    while (i < len && is_ws(buf[i]))
        i++;
    return i;
}

/* The end of the value starting at buf[i] (delimited, not validated), or 0 when it does not
 * end within the text. */
static size_t value_end(const char *buf, size_t len, size_t i)
{
    unsigned depth = 0;
    if (!is_word(buf[i]) && buf[i] != '"' && buf[i] != '[' && buf[i] != '{')
        return 0;
    do {
        char c = buf[i];
        if (c == '"') {
            i++;
            while (i < len && buf[i] != '"')
                i += buf[i] == '\\' ? 2 : 1;
            if (i >= len)
                return 0;
            i++;
        } else if (c == '[' || c == '{') {
            if (++depth > JSON_IN_DEPTH_CEILING)
                return 0;
            i++;
        } else if (c == ']' || c == '}') {
            if (depth == 0)
                return 0;
            depth--;
            i++;
        } else if (depth == 0) {
            while (i < len && is_word(buf[i]))
                i++;
        } else {
            i++;
        }
    } while (depth > 0 && i < len);
    return depth == 0 ? i : 0;
}

enum json_in_status json_in_array_next(const char *buf, size_t len, size_t *pos, size_t *start,
                                       size_t *end)
{
    size_t i = skip_ws(buf, len, *pos);
    if (*pos == 0) {
        if (i >= len || buf[i] != '[')
            return JSON_IN_SYNTAX;
        i = skip_ws(buf, len, i + 1);
        if (i < len && buf[i] == ']')
            goto closed;
    } else if (i < len && buf[i] == ',') {
        i = skip_ws(buf, len, i + 1);
    } else if (i < len && buf[i] == ']') {
        goto closed;
    } else {
        return JSON_IN_SYNTAX;
    }
    if (i >= len)
        return JSON_IN_SYNTAX;
    size_t e = value_end(buf, len, i);
    if (e == 0)
        return JSON_IN_SYNTAX;
    *start = i;
    *end = *pos = e;
    return JSON_IN_OK;
closed:
    *pos = i + 1;
    return skip_ws(buf, len, i + 1) == len ? JSON_IN_EMPTY : JSON_IN_SYNTAX;
}

enum json_in_status json_in_object_next(const char *buf, size_t len, size_t *pos,
                                        size_t *key_start, size_t *key_end, size_t *start,
                                        size_t *end)
{
    size_t i = skip_ws(buf, len, *pos);
    if (*pos == 0) {
        if (i >= len || buf[i] != '{')
            return JSON_IN_SYNTAX;
        i = skip_ws(buf, len, i + 1);
        if (i < len && buf[i] == '}')
            goto closed;
    } else if (i < len && buf[i] == ',') {
        i = skip_ws(buf, len, i + 1);
    } else if (i < len && buf[i] == '}') {
        goto closed;
    } else {
        return JSON_IN_SYNTAX;
    }
    if (i >= len || buf[i] != '"')
        return JSON_IN_SYNTAX;
    size_t k = value_end(buf, len, i);
    if (k == 0)
        return JSON_IN_SYNTAX;
    size_t v = skip_ws(buf, len, k);
    if (v >= len || buf[v] != ':')
        return JSON_IN_SYNTAX;
    v = skip_ws(buf, len, v + 1);
    if (v >= len)
        return JSON_IN_SYNTAX;
    size_t e = value_end(buf, len, v);
    if (e == 0)
        return JSON_IN_SYNTAX;
    *key_start = i;
    *key_end = k;
    *start = v;
    *end = *pos = e;
    return JSON_IN_OK;
closed:
    *pos = i + 1;
    return skip_ws(buf, len, i + 1) == len ? JSON_IN_EMPTY : JSON_IN_SYNTAX;
}

/* Checks the number token at buf[*pos] against the RFC 8259 grammar and the integer range
 * json-c can hold; advances *pos past it. */
static enum json_in_status scan_number(const char *buf, size_t len, size_t *pos, char *msg,
                                       size_t msglen)
{
    size_t start = *pos, i = *pos;
    size_t end = i;
    while (end < len && (is_digit(buf[end]) || buf[end] == '-' || buf[end] == '+'
                         || buf[end] == '.' || buf[end] == 'e' || buf[end] == 'E'))
        end++;
    int neg = 0, integer = 1;
    if (buf[i] == '-') {
        neg = 1;
        i++;
        if (i < len && (buf[i] == 'I' || buf[i] == 'N')) {
            msg_set(msg, msglen, "NaN and Infinity are not allowed in JSON (byte %zu)", start);
            return JSON_IN_NUMBER;
        }
    }
    size_t int_start = i;
    if (i < end && buf[i] == '0') {
        i++;
    } else if (i < end && buf[i] >= '1' && buf[i] <= '9') {
        while (i < end && is_digit(buf[i]))
            i++;
    } else {
        goto malformed;
    }
    size_t int_len = i - int_start;
    if (i < end && buf[i] == '.') {
        integer = 0;
        i++;
        if (i >= end || !is_digit(buf[i]))
            goto malformed;
        while (i < end && is_digit(buf[i]))
            i++;
    }
    if (i < end && (buf[i] == 'e' || buf[i] == 'E')) {
        integer = 0;
        i++;
        if (i < end && (buf[i] == '+' || buf[i] == '-'))
            i++;
        if (i >= end || !is_digit(buf[i]))
            goto malformed;
        while (i < end && is_digit(buf[i]))
            i++;
    }
    if (i != end)
        goto malformed;
    if (integer && !digits_at_most(buf + int_start, int_len,
                                   neg ? "9223372036854775808" : "18446744073709551615")) {
        msg_set(msg, msglen, "integer out of range at byte %zu", start);
        return JSON_IN_NUMBER;
    }
    *pos = end;
    return JSON_IN_OK;
malformed:
    msg_set(msg, msglen, "malformed JSON at byte %zu: invalid number", start);
    return JSON_IN_SYNTAX;
}

/* Checks the string starting at the quote buf[*pos] (already accepted by json-c, so escapes
 * are complete): no raw control characters, no \u0000, surrogate escapes in pairs. */
static enum json_in_status scan_string(const char *buf, size_t len, size_t *pos, char *msg,
                                       size_t msglen)
{
    size_t i = *pos + 1;
    size_t high_at = 0;   /* offset of a pending high-surrogate escape */
    int high = 0;
    while (i < len && buf[i] != '"') {
        unsigned char c = (unsigned char)buf[i];
        if (c < 0x20) {
            msg_set(msg, msglen,
                    "malformed JSON at byte %zu: unescaped control character in string", i);
            return JSON_IN_SYNTAX;
        }
        if (c != '\\') {
            if (high)
                goto lone;
            i++;
            continue;
        }
        if (i + 1 >= len)
            goto malformed;
        if (buf[i + 1] != 'u') {
            if (high)
                goto lone;
            i += 2;
            continue;
        }
        if (i + 6 > len)
            goto malformed;
        unsigned cu = 0;
        for (size_t k = 2; k < 6; k++) {
            int d = hex_value(buf[i + k]);
            if (d < 0)
                goto malformed;
            cu = cu << 4 | (unsigned)d;
        }
        if (cu == 0) {
            msg_set(msg, msglen, "NUL character in JSON string at byte %zu", i);
            return JSON_IN_NUL;
        }
        if (cu >= 0xDC00 && cu <= 0xDFFF) {
            if (!high) {
                high_at = i;
                goto lone;
            }
            high = 0;
        } else if (high) {
            goto lone;
        } else if (cu >= 0xD800 && cu <= 0xDBFF) {
            high = 1;
            high_at = i;
        }
        i += 6;
    }
    if (i >= len)
        goto malformed;
    if (high)
        goto lone;
    *pos = i + 1;
    return JSON_IN_OK;
lone:
    msg_set(msg, msglen, "invalid UTF-8 in JSON body: unpaired surrogate escape at byte %zu",
            high_at);
    return JSON_IN_UTF8;
malformed:
    msg_set(msg, msglen, "malformed JSON at byte %zu: bad string", *pos);
    return JSON_IN_SYNTAX;
}

/* Second pass over text json-c has accepted: what json-c lets through (see the top). */
static enum json_in_status scan_text(const char *buf, size_t len, unsigned max_depth,
                                     char *msg, size_t msglen)
{
    unsigned depth = 0;
    size_t i = 0;
    while (i < len) {
        char c = buf[i];
        enum json_in_status st;
        if (c == '"') {
            st = scan_string(buf, len, &i, msg, msglen);
        } else if (c == '-' || is_digit(c)) {
            st = scan_number(buf, len, &i, msg, msglen);
        } else if (c == '[' || c == '{') {
            if (depth >= max_depth) {
                msg_set(msg, msglen, "JSON nested deeper than %u levels at byte %zu",
                        max_depth, i);
                return JSON_IN_DEPTH;
            }
            depth++;
            i++;
            continue;
        } else if (c == ']' || c == '}') {
            if (depth > 0)
                depth--;
            i++;
            continue;
        } else if (c == 'N' || c == 'I') {
            msg_set(msg, msglen, "NaN and Infinity are not allowed in JSON (byte %zu)", i);
            return JSON_IN_NUMBER;
        } else {
            i++;   /* whitespace, ',', ':', and the letters of true/false/null */
            continue;
        }
        if (st != JSON_IN_OK)
            return st;
    }
    return JSON_IN_OK;
}

/* Checks the parsed tree: string values without NUL and valid UTF-8, keys valid UTF-8,
 * doubles finite. Recursion is bounded by the depth the scan has already checked. */
static enum json_in_status walk(json_object *o, char *msg, size_t msglen)
{
    switch (json_object_get_type(o)) {
    case json_type_string: {
        const char *s = json_object_get_string(o);
        size_t n = (size_t)json_object_get_string_len(o);
        if (strlen(s) != n) {
            msg_set(msg, msglen, "NUL character in JSON string");
            return JSON_IN_NUL;
        }
        if (!utf8_valid(s, n)) {
            msg_set(msg, msglen, "invalid UTF-8 in JSON body");
            return JSON_IN_UTF8;
        }
        return JSON_IN_OK;
    }
    case json_type_double:
        if (!isfinite(json_object_get_double(o))) {
            msg_set(msg, msglen, "number out of range in JSON body");
            return JSON_IN_NUMBER;
        }
        return JSON_IN_OK;
    case json_type_array: {
        size_t n = json_object_array_length(o);
        for (size_t k = 0; k < n; k++) {
            enum json_in_status st = walk(json_object_array_get_idx(o, k), msg, msglen);
            if (st != JSON_IN_OK)
                return st;
        }
        return JSON_IN_OK;
    }
    case json_type_object: {
        struct json_object_iterator it = json_object_iter_begin(o);
        struct json_object_iterator end = json_object_iter_end(o);
        for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
            const char *key = json_object_iter_peek_name(&it);
            if (!utf8_valid(key, strlen(key))) {
                msg_set(msg, msglen, "invalid UTF-8 in JSON body");
                return JSON_IN_UTF8;
            }
            enum json_in_status st = walk(json_object_iter_peek_value(&it), msg, msglen);
            if (st != JSON_IN_OK)
                return st;
        }
        return JSON_IN_OK;
    }
    case json_type_null:
    case json_type_boolean:
    case json_type_int:
        return JSON_IN_OK;
    }
    return JSON_IN_OK;
}

enum json_in_status json_in_parse(const char *buf, size_t len, unsigned max_depth,
                                  json_object **out, char *msg, size_t msglen)
{
    enum json_in_status st;
    struct json_tokener *tok = NULL;
    json_object *obj = NULL;
    *out = NULL;
    if (msg != NULL && msglen > 0)
        msg[0] = '\0';
    if (max_depth > JSON_IN_DEPTH_CEILING)
        max_depth = JSON_IN_DEPTH_CEILING;

    size_t lead = 0;
    while (lead < len && is_ws(buf[lead]))
        lead++;
    if (lead == len) {
        msg_set(msg, msglen, "empty JSON body");
        st = JSON_IN_EMPTY;
        goto done;
    }
    if (len > INT_MAX - 1) {
        msg_set(msg, msglen, "JSON body too large to parse");
        st = JSON_IN_SYNTAX;
        goto done;
    }
    const char *nul = memchr(buf, '\0', len);
    if (nul != NULL) {
        msg_set(msg, msglen, "NUL byte in JSON body at byte %zu", (size_t)(nul - buf));
        st = JSON_IN_NUL;
        goto done;
    }
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        msg_set(msg, msglen, "malformed JSON at byte 0: byte order mark not allowed");
        st = JSON_IN_SYNTAX;
        goto done;
    }
    if (!utf8_valid(buf, len)) {
        msg_set(msg, msglen, "invalid UTF-8 in JSON body");
        st = JSON_IN_UTF8;
        goto done;
    }

    /* unlimited (no request set an allowance): nothing to weigh */
    size_t weight = allowance == SIZE_MAX ? 0 : json_in_weight(buf, len, allowance);
    if (weight > allowance) {
        msg_set(msg, msglen, "JSON too large to decode: more than %zu values in one request "
                "(an object counts %d, an array %d)", allowance_set, JSON_IN_WEIGHT_OBJECT,
                JSON_IN_WEIGHT_ARRAY);
        st = JSON_IN_TOO_MANY;
        goto done;
    }

    tok = json_tokener_new_ex((int)max_depth + 1);
    if (tok == NULL) {
        msg_set(msg, msglen, "out of memory");
        st = JSON_IN_NOMEM;
        goto done;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    obj = json_tokener_parse_ex(tok, buf, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t at = json_tokener_get_parse_end(tok);
    if (jerr == json_tokener_continue) {
        /* A value that ends with the input (a number, or a truncated body): say so. */
        obj = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
        at = len;
    }
    if (jerr != json_tokener_success) {
        if (jerr == json_tokener_error_depth) {
            msg_set(msg, msglen, "JSON nested deeper than %u levels at byte %zu", max_depth,
                    at);
            st = JSON_IN_DEPTH;
        } else if (jerr == json_tokener_error_parse_utf8_string) {
            msg_set(msg, msglen, "invalid UTF-8 in JSON body");
            st = JSON_IN_UTF8;
        } else if (jerr == json_tokener_continue) {
            msg_set(msg, msglen, "malformed JSON at byte %zu: unexpected end of data", len);
            st = JSON_IN_SYNTAX;
        } else {
            msg_set(msg, msglen, "malformed JSON at byte %zu: %s", at,
                    json_tokener_error_desc(jerr));
            st = JSON_IN_SYNTAX;
        }
        goto done;
    }
    for (size_t k = at; k < len; k++) {
        if (!is_ws(buf[k])) {
            msg_set(msg, msglen, "malformed JSON at byte %zu: data after the value", k);
            st = JSON_IN_SYNTAX;
            goto done;
        }
    }
    st = scan_text(buf, len, max_depth, msg, msglen);
    if (st != JSON_IN_OK)
        goto done;
    st = walk(obj, msg, msglen);
    if (st != JSON_IN_OK)
        goto done;
    *out = obj;
    obj = NULL;
    if (allowance != SIZE_MAX)
        allowance -= weight;
done:
    json_object_put(obj);
    if (tok != NULL)
        json_tokener_free(tok);
    return st;
}

int json_is_string(const json_object *obj)
{
    return obj != NULL && json_object_is_type(obj, json_type_string);
}

int json_is_bool(const json_object *obj)
{
    return obj != NULL && json_object_is_type(obj, json_type_boolean);
}

int json_is_object(const json_object *obj)
{
    return obj != NULL && json_object_is_type(obj, json_type_object);
}

int json_is_array(const json_object *obj)
{
    return obj != NULL && json_object_is_type(obj, json_type_array);
}

int json_get_int_range(const json_object *obj, long long min, long long max, long long *v)
{
    if (obj == NULL || !json_object_is_type(obj, json_type_int))
        return 0;
    int64_t x = json_object_get_int64(obj);
    /* json-c keeps integers above INT64_MAX as uint64 and saturates them here. */
    if (x == INT64_MAX && json_object_get_uint64(obj) != (uint64_t)INT64_MAX)
        return 0;
    if (x < min || x > max)
        return 0;
    if (v != NULL)
        *v = x;
    return 1;
}
