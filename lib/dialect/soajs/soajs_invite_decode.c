/* soajs_invite_decode.c: decoding the invite body (docs/CONTRACT.md section 10.5).
 * Owns the shape rules of `users` (1..100 objects with only user, groups and pin; user with
 * only id, username, email as non-empty strings; groups an array of codes; pin exactly
 * {code: bool, allowed: bool}) and the form conversions. Never touches the database or the
 * response: the framework reports any problem inside `users` as 173 on the field `users`. */
#include "dialect/soajs/soajs_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/valid.h"
#include "codec/fields.h"
#include "codec/json_in.h"
#include "codec/json_out.h"

/* Identifiers are only looked up (limits.string_bytes bounds them); a group code is one of
 * the groups' column. */
static const struct field_rule text_rule = { "value", FT_STRING, 0, 1, 0, NULL, 0 };
static const struct field_rule email_rule = { "email", FT_STRING, 0, 1, LIMIT_EMAIL_BYTES,
                                              valid_email, 0 };
static const struct field_rule group_rule = { "groups", FT_STRING, FIELD_CHARS, 1,
                                              SOAJS_INVITE_GROUP_MAX, NULL, 0 };

/* ---- form conversions ---- */

/* The JSON value held by a string, or NULL (new reference). */
static json_object *parse_text(const json_object *v, unsigned depth)
{
    if (!json_object_is_type(v, json_type_string))
        return NULL;
    json_object *out = NULL;
    char msg[8];
    if (json_in_parse(json_object_get_string((json_object *)(uintptr_t)v),
                      (size_t)json_object_get_string_len(v), depth, &out, msg,
                      sizeof msg) != JSON_IN_OK)
        return NULL;
    return out;
}

/* An object keyed exactly "0".."n-1" (what k[0][..]=... decodes to) as an array in index
 * order (new reference), or NULL when obj is not such an object. */
static json_object *indexed_to_array(const json_object *obj)
{
    size_t n = (size_t)json_object_object_length(obj);
    if (n == 0)
        return NULL;
    json_object *arr = json_object_new_array();
    if (arr == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char key[24];
        json_object *v = NULL;
        snprintf(key, sizeof key, "%zu", i);
        if (!json_object_object_get_ex(obj, key, &v) ||
            json_object_array_add(arr, json_object_get(v)) != 0) {
            json_object_put(arr);
            return NULL;
        }
    }
    return arr;
}

/* A string holding a JSON object becomes that object. */
static void object_from_text(json_object *parent, const char *name, unsigned depth)
{
    json_object *v = fields_get(parent, name);
    json_object *parsed = v != NULL ? parse_text(v, depth) : NULL;
    if (parsed == NULL)
        return;
    if (json_object_is_type(parsed, json_type_object))
        jo_replace(parent, name, parsed);
    else
        json_object_put(parsed);
}

static void coerce_item(json_object *item, unsigned depth)
{
    object_from_text(item, "user", depth);
    object_from_text(item, "pin", depth);

    json_object *g = fields_get(item, "groups");
    json_object *ng = NULL;
    if (g != NULL && json_object_is_type(g, json_type_object))
        ng = indexed_to_array(g);
    else if (g != NULL)
        ng = fields_coerce_value(g, FT_STRING_ARRAY, depth);
    if (ng != NULL)
        jo_replace(item, "groups", ng);

    json_object *pin = fields_get(item, "pin");
    if (pin != NULL && json_object_is_type(pin, json_type_object)) {
        static const char *const flags[] = { "code", "allowed" };
        for (size_t i = 0; i < 2; i++) {
            json_object *v = fields_get(pin, flags[i]);
            json_object *nv = v != NULL ? fields_coerce_value(v, FT_BOOL, depth) : NULL;
            if (nv != NULL)
                jo_replace(pin, flags[i], nv);
        }
    }
}

void soajs_invite_coerce_form(json_object *body, unsigned json_max_depth)
{
    json_object *users = fields_get(body, "users");
    if (users == NULL)
        return;
    json_object *nu = NULL;
    if (json_object_is_type(users, json_type_string)) {
        nu = parse_text(users, json_max_depth);
        if (nu != NULL && !json_object_is_type(nu, json_type_array) &&
            !json_object_is_type(nu, json_type_object)) {
            json_object_put(nu);
            nu = NULL;
        }
        if (nu != NULL)
            jo_replace(body, "users", nu);
        users = nu != NULL ? nu : users;
        nu = NULL;
    }
    /* users[0][user][id]=... makes {"0":{...}}; users[user][id]=... one item */
    if (json_object_is_type(users, json_type_object)) {
        nu = indexed_to_array(users);
        if (nu == NULL && (nu = json_object_new_array()) != NULL &&
            json_object_array_add(nu, json_object_get(users)) != 0) {
            json_object_put(nu);
            nu = NULL;
        }
        if (nu == NULL)
            return;
        jo_replace(body, "users", nu);
        users = nu;
    }
    if (!json_object_is_type(users, json_type_array))
        return;
    size_t n = json_object_array_length(users);
    for (size_t i = 0; i < n; i++) {
        json_object *item = json_object_array_get_idx(users, i);
        json_object *parsed = item != NULL ? parse_text(item, json_max_depth) : NULL;
        if (parsed != NULL && json_object_is_type(parsed, json_type_object)) {
            json_object_array_put_idx(users, i, parsed);
            item = parsed;
        } else {
            json_object_put(parsed);
        }
        if (item != NULL && json_object_is_type(item, json_type_object))
            coerce_item(item, json_max_depth);
    }
}

/* ---- decoding ---- */

/* 1 when every key of obj is one of names[0..n-1]. */
static int only_keys(const json_object *obj, const char *const *names, size_t n)
{
    /* json-c's iterator takes a non-const object but only reads it */
    json_object *o = (json_object *)(uintptr_t)obj;
    struct json_object_iterator it = json_object_iter_begin(o);
    struct json_object_iterator end = json_object_iter_end(o);
    for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
        const char *k = json_object_iter_peek_name(&it);
        size_t i;
        for (i = 0; i < n && strcmp(k, names[i]) != 0; i++)
            ;
        if (i == n)
            return 0;
    }
    return 1;
}

static int text_ok(const struct field_rule *r, const json_object *v, size_t string_max)
{
    return json_object_is_type(v, json_type_string) &&
           fields_string_ok(r, json_object_get_string((json_object *)(uintptr_t)v),
                            (size_t)json_object_get_string_len(v), string_max);
}

/* The email without surrounding blanks (docs/CONTRACT.md section 2), in the arena. */
static char *trimmed(struct arena *a, const char *s, size_t n)
{
    fields_trim_span(&s, &n);
    return arena_strndup(a, s, n);
}

static enum soajs_invite_decode_status decode_user(const json_object *u, size_t string_max,
                                                   struct arena *a,
                                                   struct soajs_invite_item *it)
{
    static const char *const names[] = { "id", "username", "email" };
    static const enum soajs_invite_by by[] = { SOAJS_INVITE_BY_ID, SOAJS_INVITE_BY_USERNAME,
                                               SOAJS_INVITE_BY_EMAIL };
    if (!json_object_is_type(u, json_type_object) || !only_keys(u, names, 3))
        return SOAJS_INVITE_DECODE_INVALID;
    for (size_t i = 0; i < 3; i++) {
        json_object *v = fields_get(u, names[i]);
        if (v == NULL)
            continue;
        if (!json_object_is_type(v, json_type_string))
            return SOAJS_INVITE_DECODE_INVALID;
        const char *s = json_object_get_string(v);
        size_t n = (size_t)json_object_get_string_len(v);
        char *look;
        if (by[i] == SOAJS_INVITE_BY_EMAIL) {
            if ((look = trimmed(a, s, n)) == NULL)
                return SOAJS_INVITE_DECODE_NOMEM;
            if (!fields_string_ok(&email_rule, look, strlen(look), string_max))
                return SOAJS_INVITE_DECODE_INVALID;
        } else {
            if (!text_ok(&text_rule, v, string_max))
                return SOAJS_INVITE_DECODE_INVALID;
            if ((look = arena_strndup(a, s, n)) == NULL)
                return SOAJS_INVITE_DECODE_NOMEM;
            /* ids are hex: an upper-case spelling names the same user */
            for (char *p = look; by[i] == SOAJS_INVITE_BY_ID && *p != '\0'; p++)
                *p = (char)tolower((unsigned char)*p);
        }
        /* every given identifier is checked; the first one names the user */
        if (it->by == SOAJS_INVITE_BY_NONE) {
            it->by = by[i];
            it->key = names[i];
            it->value = s;
            it->lookup = look;
        }
    }
    return SOAJS_INVITE_DECODE_OK;
}

static enum soajs_invite_decode_status decode_groups(const json_object *g, size_t string_max,
                                                     struct arena *a,
                                                     struct soajs_invite_item *it)
{
    if (!json_object_is_type(g, json_type_array))
        return SOAJS_INVITE_DECODE_INVALID;
    size_t n = json_object_array_length(g);
    if (n > SOAJS_INVITE_MAX_GROUPS)
        return SOAJS_INVITE_DECODE_INVALID;
    it->groups = arena_calloc(a, n ? n : 1, sizeof *it->groups);
    if (it->groups == NULL)
        return SOAJS_INVITE_DECODE_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const json_object *e = json_object_array_get_idx(g, i);
        if (!text_ok(&group_rule, e, string_max))
            return SOAJS_INVITE_DECODE_INVALID;
        const char *code = json_object_get_string((json_object *)(uintptr_t)e);
        size_t k;
        for (k = 0; k < it->ngroups && strcmp(it->groups[k], code) != 0; k++)
            ;
        if (k == it->ngroups)
            it->groups[it->ngroups++] = code;
    }
    return SOAJS_INVITE_DECODE_OK;
}

static int decode_pin(const json_object *p, struct soajs_invite_item *it)
{
    json_object *code = fields_get(p, "code"), *allowed = fields_get(p, "allowed");
    if (!json_object_is_type(p, json_type_object) || json_object_object_length(p) != 2 ||
        !json_is_bool(code) || !json_is_bool(allowed))
        return 0;
    it->pin = json_object_get_boolean(code);
    it->pin_allowed = json_object_get_boolean(allowed);
    return 1;
}

static enum soajs_invite_decode_status decode_item(const json_object *e, size_t string_max,
                                                   struct arena *a,
                                                   struct soajs_invite_item *it)
{
    static const char *const names[] = { "user", "groups", "pin" };
    enum soajs_invite_decode_status st = SOAJS_INVITE_DECODE_OK;
    if (!json_object_is_type(e, json_type_object) || !only_keys(e, names, 3))
        return SOAJS_INVITE_DECODE_INVALID;
    const json_object *u = fields_get(e, "user");
    const json_object *g = fields_get(e, "groups");
    const json_object *p = fields_get(e, "pin");
    if (u != NULL && (st = decode_user(u, string_max, a, it)) != SOAJS_INVITE_DECODE_OK)
        return st;
    if (g != NULL && (st = decode_groups(g, string_max, a, it)) != SOAJS_INVITE_DECODE_OK)
        return st;
    if (p != NULL && !decode_pin(p, it))
        return SOAJS_INVITE_DECODE_INVALID;
    return SOAJS_INVITE_DECODE_OK;
}

enum soajs_invite_decode_status soajs_invite_decode(const json_object *body, size_t string_max,
                                                    struct arena *a,
                                                    struct soajs_invite_req *out)
{
    memset(out, 0, sizeof *out);
    const json_object *users = fields_get(body, "users");
    if (users == NULL)
        return SOAJS_INVITE_DECODE_MISSING;
    if (!json_object_is_type(users, json_type_array))
        return SOAJS_INVITE_DECODE_INVALID;
    size_t n = json_object_array_length(users);
    if (n == 0 || n > SOAJS_INVITE_MAX_USERS)
        return SOAJS_INVITE_DECODE_INVALID;
    struct soajs_invite_item *items = arena_calloc(a, n, sizeof *items);
    if (items == NULL)
        return SOAJS_INVITE_DECODE_NOMEM;
    for (size_t i = 0; i < n; i++) {
        enum soajs_invite_decode_status st =
            decode_item(json_object_array_get_idx(users, i), string_max, a, &items[i]);
        if (st != SOAJS_INVITE_DECODE_OK)
            return st;
    }
    out->items = items;
    out->n = n;
    return SOAJS_INVITE_DECODE_OK;
}
