/* skedulo_body.c: the users of a Skedulo request body handed over one at a time: the array of
 * POST and /bulk, the object keyed by user id of PATCH. The route leaves a JSON body undecoded
 * (ACCEPT_JSON_WALKED), so a batch never exists as one json-c tree: each user is parsed,
 * handed to the handler's function and released, its weight given back to the request's JSON
 * allowance, which then bounds one user rather than the batch (10 000 users with 100 custom
 * resource fields each fit in limits.body_bytes and weigh nearly three times
 * limits.json_values as one tree). What the walk cannot take is answered from the whole
 * text's parse, so every answer is the one the tree would have given. Never touches SQL; the
 * handlers keep copies of what they need (docs/SECURITY.md, "Hardening II"). */
#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "codec/json_in.h"
#include "codec/json_out.h"
#include "dialect/skedulo/skedulo.h"
#include "dialect/skedulo/skedulo_internal.h"
#include "http/ctx.h"
#include "http/dialect.h"

/* The whole text as one tree in *body, or -1 after answering as decode_body (app.c) answers a
 * body json_in refuses. */
static int parse_whole(struct ctx *c, const char *data, size_t len, json_object **body)
{
    char msg[256];
    enum json_in_status js = json_in_parse(data, len, c->core.cfg->json_max_depth, body, msg,
                                           sizeof msg);
    if (js == JSON_IN_OK)
        return 0;
    dialect_error(c, &skedulo_dialect,
                  js == JSON_IN_TOO_MANY ? dialect_too_many_status(&skedulo_dialect) : 400, msg);
    return -1;
}

/* The users of a decoded array body (c->input, or the whole text's tree). */
static long tree_users(struct ctx *c, json_object *body, sk_user_fn fn, void *arg)
{
    if (sk_user_array(c, body, c->core.cfg->bulk_max_users) == NULL)
        return -1;
    size_t n = json_object_array_length(body);
    for (size_t i = 0; i < n; i++)
        if (fn(c, json_object_array_get_idx(body, i), i, arg) != 0)
            return -1;
    return (long)n;
}

static long whole_users(struct ctx *c, const char *data, size_t len, sk_user_fn fn, void *arg)
{
    json_object *body = NULL;
    if (parse_whole(c, data, len, &body) != 0)
        return -1;
    long n = tree_users(c, body, fn, arg);
    json_object_put(body);
    return n;
}

/* The body left as text for the handler (route.h), or NULL. */
static const char *walked(struct ctx *c)
{
    return c->input == NULL && c->req.media == MEDIA_JSON ? (c->req.body ? c->req.body : "")
                                                          : NULL;
}

long sk_body_each_user(struct ctx *c, sk_user_fn fn, void *arg)
{
    const char *text = walked(c);
    if (text == NULL)
        return tree_users(c, c->input, fn, arg);
    long n = sk_json_each_user(c, text, c->req.body_len, c->core.cfg->bulk_max_users, whole_users,
                               fn, arg);
    if (n == 0)
        sk_user_array(c, NULL, c->core.cfg->bulk_max_users);   /* answers: [] holds no user */
    return n > 0 ? n : -1;
}

/* ---- PATCH: an object keyed by user id ---- */

static long tree_members(struct ctx *c, json_object *body, sk_member_fn fn, void *arg)
{
    if (body == NULL || !json_object_is_type(body, json_type_object) ||
        json_object_object_length(body) == 0) {
        sk_fail_error(c, SK_ERR_BAD_REQUEST,
                      "The request body must be a non-empty JSON object keyed by user id");
        return -1;
    }
    size_t n = (size_t)json_object_object_length(body), i = 0;
    if (n > c->core.cfg->bulk_max_users) {
        sk_too_many_users(c, n, c->core.cfg->bulk_max_users);
        return -1;
    }
    json_object_object_foreach(body, id, changes) {
        const char *copy = arena_strdup(c->core.arena, id);
        if (copy == NULL) {
            sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
            return -1;
        }
        if (fn(c, copy, changes, i++, arg) != 0)
            return -1;
    }
    return (long)n;
}

/* The whole text as one tree, with the allowance the walk started from. */
static long whole_members(struct ctx *c, const char *data, size_t len, size_t allowance,
                          sk_member_fn fn, void *arg)
{
    json_object *body = NULL;
    json_in_set_allowance(allowance);
    if (parse_whole(c, data, len, &body) != 0)
        return -1;
    long n = tree_members(c, body, fn, arg);
    json_object_put(body);
    return n;
}

/* Parses [s, e) of the text, below levels under the top; 0 with *out (and *weight, what it
 * took), or -1 when json_in refuses it. */
static int parse_span(struct ctx *c, const char *data, size_t s, size_t e, unsigned below,
                      json_object **out, size_t *weight)
{
    char msg[8];
    size_t before = json_in_allowance();
    unsigned depth = c->core.cfg->json_max_depth;
    *out = NULL;
    if (depth < below ||
        json_in_parse(data + s, e - s, depth - below, out, msg, sizeof msg) != JSON_IN_OK)
        return -1;
    *weight = before - json_in_allowance();
    return 0;
}

/* Pass one: every key parsed (its weight kept, as the tree's keys would keep theirs) and
 * numbered in seen by first appearance. The count of distinct keys, or -1 when the walk or a
 * key is refused (or the keys alone weigh more than the allowance). */
static long number_keys(struct ctx *c, const char *data, size_t len, json_object *seen)
{
    size_t pos = 0, ks, ke, s, e, w;
    long n = 0;
    enum json_in_status st;
    if (json_in_take(JSON_IN_WEIGHT_OBJECT) != 0)
        return -1;
    while ((st = json_in_object_next(data, len, &pos, &ks, &ke, &s, &e)) == JSON_IN_OK) {
        json_object *key;
        if (parse_span(c, data, ks, ke, 0, &key, &w) != 0 || key == NULL) {
            json_object_put(key);
            return -1;
        }
        const char *k = json_object_get_string(key);
        int fresh = !json_object_object_get_ex(seen, k, NULL);
        int rc = fresh ? jo_int(seen, k, n) : 0;
        json_object_put(key);
        if (rc != 0)
            return -1;
        if (fresh && ++n > JSON_IN_FIRST_TABLE_KEYS &&
            json_in_take(JSON_IN_WEIGHT_TABLE_GROWTH) != 0)
            return -1;
    }
    return st == JSON_IN_EMPTY ? n : -1;
}

/* Pass two: each member's value parsed and handed over (fn NULL: only checked), then
 * released. 0, 1 when json_in refuses a value, or -1 after fn answered. */
static int hand_members(struct ctx *c, const char *data, size_t len, json_object *seen,
                        sk_member_fn fn, void *arg)
{
    size_t pos = 0, ks, ke, s, e, w, kw;
    while (json_in_object_next(data, len, &pos, &ks, &ke, &s, &e) == JSON_IN_OK) {
        json_object *key = NULL, *changes = NULL, *index = NULL;
        if (parse_span(c, data, ks, ke, 0, &key, &kw) != 0)
            return 1;
        const char *id = arena_strdup(c->core.arena, json_object_get_string(key));
        json_object_object_get_ex(seen, json_object_get_string(key), &index);
        json_object_put(key);
        json_in_give_back(kw);   /* its weight was taken by the first pass */
        if (id == NULL) {
            sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
            return -1;
        }
        if (parse_span(c, data, s, e, 1, &changes, &w) != 0)
            return 1;
        int rc = fn != NULL ? fn(c, id, changes, (size_t)json_object_get_int64(index), arg) : 0;
        json_object_put(changes);
        json_in_give_back(w);
        if (rc != 0)
            return -1;
    }
    return 0;
}

long sk_body_each_member(struct ctx *c, sk_member_fn fn, void *arg)
{
    const char *text = walked(c);
    if (text == NULL)
        return tree_members(c, c->input, fn, arg);
    size_t len = c->req.body_len, allowance = json_in_allowance();
    long n = -1;
    json_object *seen = json_object_new_object();
    if (seen == NULL) {
        sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
        return -1;
    }
    long keys = number_keys(c, text, len, seen);
    if (keys <= 0)
        goto whole;   /* refused, or {}: the tree's answer */
    if ((size_t)keys > c->core.cfg->bulk_max_users) {
        /* the whole text must be valid before its size is the problem */
        if (hand_members(c, text, len, seen, NULL, NULL) != 0)
            goto whole;
        sk_too_many_users(c, (size_t)keys, c->core.cfg->bulk_max_users);
        goto done;
    }
    int rc = hand_members(c, text, len, seen, fn, arg);
    if (rc > 0)
        goto whole;
    n = rc == 0 ? keys : -1;
    goto done;
whole:
    n = whole_members(c, text, len, allowance, fn, arg);
done:
    json_object_put(seen);
    return n;
}
