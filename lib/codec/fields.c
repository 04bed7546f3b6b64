/* fields.c: applying field-rule tables to decoded request objects, and the form-to-JSON type
 * conversions. Never allocates except for converted values, which replace the originals. */
#include "codec/fields.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/utf8.h"
#include "base/valid.h"
#include "codec/json_in.h"
#include "codec/json_out.h"

json_object *fields_get(const json_object *obj, const char *name)
{
    json_object *v = NULL;
    if (obj == NULL || !json_object_is_type(obj, json_type_object))
        return NULL;
    if (!json_object_object_get_ex(obj, name, &v))
        return NULL;
    return json_object_is_type(v, json_type_null) ? NULL : v;
}

const char *fields_str(const json_object *obj, const char *name)
{
    json_object *v = fields_get(obj, name);
    return v != NULL && json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                                                 : NULL;
}

static size_t chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

enum field_text fields_string_check(const struct field_rule *r, const char *s, size_t len,
                                    size_t string_max)
{
    if (len > string_max)
        return FIELD_TEXT_BAD;
    enum text_flags tf = (r->flags & FIELD_MULTILINE) ? TEXT_MULTI_LINE : TEXT_SINGLE_LINE;
    if (text_check(s, len, tf) != TEXT_OK)
        return FIELD_TEXT_BAD;
    /* counted once the text is known to be UTF-8: a byte that starts no sequence is a
     * continuation byte of the character before it */
    size_t n = (r->flags & FIELD_CHARS) ? chars(s, len) : len;
    if (n < r->min || (r->max != 0 && n > r->max))
        return FIELD_TEXT_BAD;
    return r->valid == NULL || r->valid(s, len) ? FIELD_TEXT_OK : FIELD_TEXT_FORMAT;
}

int fields_string_ok(const struct field_rule *r, const char *s, size_t len, size_t string_max)
{
    return fields_string_check(r, s, len, string_max) == FIELD_TEXT_OK;
}

size_t fields_max(const struct field_rule *r, size_t string_max)
{
    return r->max != 0 && r->max < string_max ? r->max : string_max;
}

const struct field_rule *fields_find(const struct field_rule *rules, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (rules[i].name[0] == name[0] && strcmp(rules[i].name, name) == 0)
            return &rules[i];
    return NULL;
}

static int string_value_ok(const struct field_rule *r, const json_object *v, size_t string_max)
{
    return json_object_is_type(v, json_type_string) &&
           fields_string_ok(r, json_object_get_string((json_object *)(uintptr_t)v),
                            (size_t)json_object_get_string_len(v), string_max);
}

int fields_value_ok(const struct field_rule *r, const json_object *v, size_t string_max)
{
    switch (r->type) {
    case FT_STRING:
        return string_value_ok(r, v, string_max);
    case FT_BOOL:
        return json_object_is_type(v, json_type_boolean);
    case FT_INT: {
        long long x;
        return r->max == 0 ? json_object_is_type(v, json_type_int)
                           : json_get_int_range(v, (long long)r->min, (long long)r->max, &x);
    }
    case FT_NUMBER: {
        if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
            return 0;
        double d = json_object_get_double(v);
        return isfinite(d) && (r->max == 0 || (d >= -(double)r->max && d <= (double)r->max));
    }
    case FT_OBJECT:
        return json_object_is_type(v, json_type_object);
    case FT_STRING_ARRAY:
    case FT_OBJECT_ARRAY: {
        if (!json_object_is_type(v, json_type_array))
            return 0;
        size_t n = json_object_array_length(v);
        if (r->max_items && n > r->max_items)
            return 0;
        for (size_t i = 0; i < n; i++) {
            const json_object *e = json_object_array_get_idx(v, i);
            if (r->type == FT_STRING_ARRAY ? !string_value_ok(r, e, string_max)
                                           : !json_object_is_type(e, json_type_object))
                return 0;
        }
        return 1;
    }
    }
    return 0;
}

void fields_check(const json_object *obj, const struct field_rule *rules, size_t n,
                  size_t string_max, struct field_report *rep)
{
    memset(rep, 0, sizeof *rep);
    for (size_t i = 0; i < n; i++) {
        const struct field_rule *r = &rules[i];
        json_object *v = fields_get(obj, r->name);
        if (v == NULL) {
            if ((r->flags & FIELD_REQUIRED) && rep->nmissing < FIELDS_MAX_REPORT)
                rep->missing[rep->nmissing++] = r->name;
            continue;
        }
        if (!fields_value_ok(r, v, string_max) && rep->ninvalid < FIELDS_MAX_REPORT)
            rep->invalid[rep->ninvalid++] = r->name;
    }
}

void fields_trim_span(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

void fields_trim(json_object *obj, const char *name)
{
    json_object *v = fields_get(obj, name);
    if (v == NULL || !json_object_is_type(v, json_type_string))
        return;
    const char *s = json_object_get_string(v);
    size_t len = (size_t)json_object_get_string_len(v), n = len;
    fields_trim_span(&s, &n);
    if (n < len)   /* out of memory leaves the value untrimmed, for the checks to refuse */
        jo_replace(obj, name, json_object_new_string_len(s, (int)n));
}

json_object *fields_coerce_value(const json_object *v, enum field_type t, unsigned depth)
{
    if (!json_object_is_type(v, json_type_string))
        return NULL;
    const char *s = json_object_get_string((json_object *)(uintptr_t)v);
    size_t len = (size_t)json_object_get_string_len(v);
    char msg[8];
    json_object *parsed = NULL;
    long long iv;
    switch (t) {
    case FT_BOOL:
        if (strcmp(s, "true") == 0)
            return json_object_new_boolean(1);
        if (strcmp(s, "false") == 0)
            return json_object_new_boolean(0);
        return NULL;
    case FT_INT:
        if (len > 0 && s[0] == '-' && parse_digits(s + 1, len - 1, &iv))
            return json_object_new_int64(-iv);
        if (parse_digits(s, len, &iv))
            return json_object_new_int64(iv);
        return NULL;
    case FT_OBJECT:
    case FT_STRING_ARRAY:
    case FT_OBJECT_ARRAY:
        if (json_in_parse(s, len, depth, &parsed, msg, sizeof msg) == JSON_IN_OK) {
            json_type want = t == FT_OBJECT ? json_type_object : json_type_array;
            if (json_object_is_type(parsed, want))
                return parsed;
            json_object_put(parsed);
        }
        if (t == FT_STRING_ARRAY) {
            json_object *arr = json_object_new_array();
            json_object *item = (json_object *)(uintptr_t)v;
            if (arr != NULL && json_object_array_add(arr, json_object_get(item)) != 0) {
                json_object_put(item);   /* the reference taken for arr */
                json_object_put(arr);
                return NULL;
            }
            return arr;
        }
        return NULL;
    case FT_NUMBER:
    case FT_STRING:
        return NULL;
    }
    return NULL;
}

void fields_coerce_form(json_object *obj, const struct field_rule *rules, size_t n,
                        unsigned json_max_depth)
{
    for (size_t i = 0; i < n; i++) {
        json_object *v = fields_get(obj, rules[i].name);
        if (v == NULL)
            continue;
        json_object *nv = fields_coerce_value(v, rules[i].type, json_max_depth);
        jo_replace(obj, rules[i].name, nv);   /* NULL: left as it is */
    }
}
