/* form.c: application/x-www-form-urlencoded decoding into a json-c object (docs/CONTRACT.md
 * section 2). Owns percent-decoding and the bracket-key conventions; every leaf is a JSON string
 * and no value is ever converted to another type here. */
#include "codec/form.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"
#include "base/msg.h"
#include "base/utf8.h"
#include "codec/json_in.h"

/* How much of a key goes into an error message. */
enum { FORM_MSG_KEY = 64 };

/* The length of the first at most FORM_MSG_KEY bytes of valid UTF-8 key, not splitting a
 * character. */
static int key_shown(const char *key, size_t keylen)
{
    size_t n = keylen;
    if (n > FORM_MSG_KEY) {
        n = FORM_MSG_KEY;
        while (n > 0 && ((unsigned char)key[n] & 0xC0) == 0x80)
            n--;
    }
    return (int)n;
}

long form_unescape(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%') {
            if (n - i < 3)
                return -1;
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            out[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return (long)o;
}

/* Splits a NUL-free key (copied to k, keylen+1 bytes) into its base name and bracket
 * segments, writing NULs over the brackets. Returns the number of names (base included), or 0
 * when the key is malformed. *append is set when the last segment is "[]". */
static size_t split_key(char *k, size_t keylen, char *names[FORM_MAX_DEPTH + 1], int *append)
{
    size_t i = 0;
    while (i < keylen && k[i] != '[' && k[i] != ']')
        i++;
    if (i == 0 || (i < keylen && k[i] == ']'))
        return 0;
    names[0] = k;
    size_t count = 1;
    *append = 0;
    while (i < keylen) {
        /* here k[i] == '[' */
        if (*append || count > FORM_MAX_DEPTH)
            return 0;   /* "[]" only at the end; too deep */
        k[i++] = '\0';
        size_t start = i;
        while (i < keylen && k[i] != '[' && k[i] != ']')
            i++;
        if (i >= keylen || k[i] != ']')
            return 0;
        k[i++] = '\0';
        if (i < keylen && k[i] != '[')
            return 0;   /* "a[x]y" */
        if (i == start + 1)
            *append = 1;
        names[count++] = k + start;
    }
    return count;
}

/* Puts value under key in the container cur: a first plain value is a string, a repeated one
 * or an "[]" one makes (or extends) an array. */
static enum form_status put_leaf(json_object *cur, const char *key, json_object *val, int append)
{
    json_object *old = NULL;
    if (!json_object_object_get_ex(cur, key, &old)) {
        json_object *slot = val;
        if (append) {
            slot = json_object_new_array();
            if (slot == NULL || json_object_array_add(slot, val) != 0) {
                json_object_put(slot);
                json_object_put(val);
                return FORM_NOMEM;
            }
        }
        if (json_object_object_add(cur, key, slot) != 0) {
            json_object_put(slot);   /* and val with it */
            return FORM_NOMEM;
        }
        return FORM_OK;
    }
    if (json_object_is_type(old, json_type_array)) {
        if (json_object_array_add(old, val) != 0) {
            json_object_put(val);
            return FORM_NOMEM;
        }
        return FORM_OK;
    }
    if (!json_object_is_type(old, json_type_string)) {
        json_object_put(val);
        return FORM_CONFLICT;
    }
    json_object *arr = json_object_new_array();
    if (arr == NULL)
        goto nomem;
    if (json_object_array_add(arr, json_object_get(old)) != 0) {
        json_object_put(old);
        goto nomem;
    }
    if (json_object_array_add(arr, val) != 0)
        goto nomem;
    val = NULL;   /* arr owns it now */
    if (json_object_object_add(cur, key, arr) != 0)
        goto nomem;
    return FORM_OK;
nomem:
    json_object_put(arr);
    json_object_put(val);
    return FORM_NOMEM;
}

enum form_status form_add_pair(json_object *obj, const char *key, size_t keylen,
                               const char *value, size_t vlen, char *msg, size_t msglen)
{
    enum form_status st;
    char *k = NULL;
    if (keylen == 0) {
        msg_set(msg, msglen, "empty form field name");
        st = FORM_BAD_KEY;
        goto done;
    }
    if (memchr(key, '\0', keylen) != NULL) {
        msg_set(msg, msglen, "NUL byte in a form field name");
        st = FORM_NUL;
        goto done;
    }
    if (!utf8_valid(key, keylen)) {
        msg_set(msg, msglen, "invalid UTF-8 in a form field name");
        st = FORM_BAD_UTF8;
        goto done;
    }
    int shown = key_shown(key, keylen);
    if (vlen > 0 && memchr(value, '\0', vlen) != NULL) {
        msg_set(msg, msglen, "NUL byte in form field '%.*s'", shown, key);
        st = FORM_NUL;
        goto done;
    }
    if (!utf8_valid(value, vlen)) {
        msg_set(msg, msglen, "invalid UTF-8 in form field '%.*s'", shown, key);
        st = FORM_BAD_UTF8;
        goto done;
    }
    if (vlen > INT_MAX) {
        msg_set(msg, msglen, "form field '%.*s' too long", shown, key);
        st = FORM_NOMEM;
        goto done;
    }
    k = malloc(keylen + 1);
    if (k == NULL) {
        msg_set(msg, msglen, "out of memory");
        st = FORM_NOMEM;
        goto done;
    }
    memcpy(k, key, keylen);
    k[keylen] = '\0';
    char *names[FORM_MAX_DEPTH + 1];
    int append = 0;
    size_t count = split_key(k, keylen, names, &append);
    if (count == 0) {
        msg_set(msg, msglen, "malformed form field name '%.*s'", shown, key);
        st = FORM_BAD_KEY;
        goto done;
    }
    /* The value lives under the last name, or under the one before a final "[]". */
    size_t last = append ? count - 2 : count - 1;
    json_object *cur = obj;
    for (size_t d = 0; d < last; d++) {
        json_object *next = NULL;
        if (!json_object_object_get_ex(cur, names[d], &next)) {
            next = json_object_new_object();
            if (next == NULL || json_object_object_add(cur, names[d], next) != 0) {
                json_object_put(next);
                msg_set(msg, msglen, "out of memory");
                st = FORM_NOMEM;
                goto done;
            }
        } else if (!json_object_is_type(next, json_type_object)) {
            goto conflict;
        }
        cur = next;
    }
    json_object *val = json_object_new_string_len(vlen > 0 ? value : "", (int)vlen);
    if (val == NULL) {
        msg_set(msg, msglen, "out of memory");
        st = FORM_NOMEM;
        goto done;
    }
    st = put_leaf(cur, names[last], val, append);
    if (st == FORM_CONFLICT)
        goto conflict;
    if (st == FORM_NOMEM)
        msg_set(msg, msglen, "out of memory");
    goto done;
conflict:
    msg_set(msg, msglen, "form field '%.*s' conflicts with an earlier field of that name",
            shown, key);
    st = FORM_CONFLICT;
done:
    free(k);
    return st;
}

/* The weight of one raw pair (json_in.h): its key and its value, and for every bracket of the
 * key (raw or %5B) an object, the most a segment can create. */
static size_t pair_weight(const char *p, size_t n)
{
    size_t w = 0;
    if (n == 0)
        return 0;
    const char *eq = memchr(p, '=', n);
    size_t klen = eq != NULL ? (size_t)(eq - p) : n;
    for (size_t i = 0; i < klen; i++) {
        if (p[i] == '[' ||
            (p[i] == '%' && i + 2 < klen && p[i + 1] == '5' && (p[i + 2] | 0x20) == 'b'))
            w += JSON_IN_WEIGHT_OBJECT;
    }
    return w + 2 + n / JSON_IN_WEIGHT_TEXT_BYTES;
}

enum form_status form_decode(const char *s, size_t len, json_object **out, char *msg,
                             size_t msglen)
{
    return form_decode_max(s, len, FORM_MAX_PAIRS, out, msg, msglen);
}

enum form_status form_decode_max(const char *s, size_t len, size_t max_pairs, json_object **out,
                                 char *msg, size_t msglen)
{
    enum form_status st;
    char *scratch = NULL;
    json_object *obj = NULL;
    *out = NULL;
    if (msg != NULL && msglen > 0)
        msg[0] = '\0';

    /* Count and weigh first, so an oversized body costs no decoding. */
    size_t pairs = 0, weight = 0;
    for (size_t i = 0; i < len;) {
        const char *amp = memchr(s + i, '&', len - i);
        size_t end = amp != NULL ? (size_t)(amp - s) : len;
        if (end > i && ++pairs > max_pairs) {
            msg_set(msg, msglen, "more than %zu form fields", max_pairs);
            st = FORM_TOO_MANY;
            goto done;
        }
        weight += pair_weight(s + i, end - i);
        i = end + 1;
    }
    if (json_in_take(weight) != 0) {
        msg_set(msg, msglen, "form too large to decode: its fields weigh more than the values "
                "one request may decode");
        st = FORM_TOO_LARGE;
        goto done;
    }
    obj = json_object_new_object();
    scratch = malloc(len + 2);
    if (obj == NULL || scratch == NULL) {
        msg_set(msg, msglen, "out of memory");
        st = FORM_NOMEM;
        goto done;
    }
    st = FORM_OK;
    for (size_t i = 0; i < len;) {
        const char *amp = memchr(s + i, '&', len - i);
        size_t end = amp != NULL ? (size_t)(amp - s) : len;
        const char *pair = s + i;
        size_t plen = end - i;
        size_t at = i;
        i = end + 1;
        if (plen == 0)
            continue;
        const char *eq = memchr(pair, '=', plen);
        size_t kraw = eq != NULL ? (size_t)(eq - pair) : plen;
        const char *vraw = eq != NULL ? eq + 1 : pair + plen;
        size_t vrawlen = eq != NULL ? plen - kraw - 1 : 0;
        char *kbuf = scratch;
        long klen = form_unescape(pair, kraw, kbuf);
        char *vbuf = klen >= 0 ? scratch + klen + 1 : NULL;
        long vlen = klen >= 0 ? form_unescape(vraw, vrawlen, vbuf) : -1;
        if (klen < 0 || vlen < 0) {
            msg_set(msg, msglen, "bad percent-escape in form data (pair at byte %zu)", at);
            st = FORM_BAD_ESCAPE;
            goto done;
        }
        if (klen == 0) {
            msg_set(msg, msglen, "empty form field name (pair at byte %zu)", at);
            st = FORM_BAD_KEY;
            goto done;
        }
        st = form_add_pair(obj, kbuf, (size_t)klen, vbuf, (size_t)vlen, msg, msglen);
        if (st != FORM_OK)
            goto done;
    }
    *out = obj;
    obj = NULL;
done:
    json_object_put(obj);
    free(scratch);
    return st;
}
