/* fuzz_skedulo.c: libFuzzer harness for the Skedulo request decoders
 * (lib/dialect/skedulo/skedulo_decode.c, skedulo_file_decode.c) as the handlers run them. Input: one
 * selector byte, then the body or file. Selector % 4 == 0: a POST/bulk body (the array and
 * count checks, the Resource role rule, every user decoded, and each user once more from the
 * text a task stores for it); 1: a PATCH body (every entry decoded); 2: an uploaded file (CSV
 * or JSON into user objects, then as a POST body; a JSON file, read one element at a time,
 * gives exactly the users of the file parsed whole; with selector bit 2 the CSV cell cap is
 * tiny); 3: the file through the strict RFC 4180
 * reader alone (lib/codec/csv.c), record by record (folded in here rather than a harness of its own
 * so CI's fixed fuzzing time goes further). Checks beyond the sanitizers: a decoded user has a
 * valid email and a last name, a user decodes the same from its stored text; CSV fields are
 * NUL-terminated at their length, counts stay in bounds, line numbers only grow, the reader
 * always ends; a POST or PATCH body read one user at a time gives exactly the users of the body
 * parsed whole, and the same refusal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "codec/csv.h"
#include "core/mail.h"
#include "core/users_import.h"
#include "dialect/skedulo/skedulo_internal.h"
#include "fuzz.h"
#include "base/valid.h"
#include "codec/json_in.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_str(const char *a, const char *b)
{
    return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* What sk_task_add stores per user (the core's import item), read back as the background
 * worker does: the same user, or the same refusal. */
static void same_from_task_item(struct ctx *c, const struct bulk_user *bu, const char *refusal)
{
    static const struct bulk_options opt = { "skedulo", MAIL_INVITATION };
    const char *item = bu != NULL ? users_import_item(&c->core, bu, &opt)
                                  : users_import_refused(&c->core, refusal);
    FUZZ_ASSERT(item != NULL);
    struct bulk_user u;
    struct bulk_options o;
    const char *refused;
    json_object *tree;
    int r = users_import_read(&c->core, item, &u, &o, &refused, &tree);
    if (bu == NULL) {
        FUZZ_ASSERT(r == 1 && strcmp(refused, refusal) == 0);
        json_object_put(tree);
        return;
    }
    FUZZ_ASSERT(r == 0);
    FUZZ_ASSERT(strcmp(o.origin, opt.origin) == 0 && o.mail_kind == opt.mail_kind);
    FUZZ_ASSERT(same_str(u.email, bu->email) && same_str(u.first_name, bu->first_name) &&
                same_str(u.last_name, bu->last_name) && u.invite == bu->invite);
    FUZZ_ASSERT(u.nroles == bu->nroles && u.nregions == bu->nregions);
    for (size_t i = 0; i < u.nroles; i++)
        FUZZ_ASSERT(strcmp(u.roles[i], bu->roles[i]) == 0);
    for (size_t i = 0; i < u.nregions; i++)
        FUZZ_ASSERT(strcmp(u.regions[i], bu->regions[i]) == 0);
    FUZZ_ASSERT((u.resource == NULL) == (bu->resource == NULL));
    if (u.resource != NULL) {
        FUZZ_ASSERT(same_str(u.resource->custom_json, bu->resource->custom_json));
        for (int i = 0; i < RES_FIELD_COUNT; i++) {
            const struct res_value *x = &u.resource->f[i], *y = &bu->resource->f[i];
            FUZZ_ASSERT(x->state == y->state);
            if (x->state == RES_SET)
                FUZZ_ASSERT(same_str(x->s, y->s) && x->d == y->d && x->b == y->b);
        }
    }
    json_object_put(tree);
}

static void post_body(struct ctx *c, json_object *body, unsigned max)
{
    json_object *users = sk_user_array(c, body, max);
    if (users == NULL) {
        FUZZ_ASSERT(c->resp.status == 400);
        return;
    }
    if (sk_check_resource_roles(c, users) != 0) {
        FUZZ_ASSERT(c->resp.status == 400);
        return;
    }
    size_t n = json_object_array_length(users);
    for (size_t i = 0; i < n; i++) {
        json_object *u = json_object_array_get_idx(users, i);
        struct bulk_user bu;
        struct sk_problem pb;
        FUZZ_ASSERT(sk_user_key(c, u, i) != NULL);
        int ok = sk_decode_user(c, u, &bu, &pb) == 0;
        if (ok) {
            FUZZ_ASSERT(bu.email != NULL && valid_email(bu.email, strlen(bu.email)));
            FUZZ_ASSERT(bu.last_name != NULL);
        } else {
            FUZZ_ASSERT(sk_fail_message(c, &pb) != NULL);
        }
        same_from_task_item(c, ok ? &bu : NULL, ok ? NULL : sk_fail_message(c, &pb));
    }
}

static void patch_body(struct ctx *c, json_object *body)
{
    if (!json_object_is_type(body, json_type_object))
        return;
    json_object_object_foreach(body, id, changes)
    {
        struct user_patch p;
        struct sk_problem pb;
        if (sk_decode_patch(c, id, changes, &p, &pb) != 0)
            FUZZ_ASSERT(sk_fail_message(c, &pb) != NULL);
        else if (p.email != NULL)
            FUZZ_ASSERT(valid_email(p.email, strlen(p.email)));
    }
}

/* A JSON file is read one element at a time (json_in_array_next): the users are exactly
 * those of the file parsed whole, and it is refused exactly when the whole file is invalid. */
static void same_as_whole_file(struct ctx *c, const char *file, size_t len, json_object *users)
{
    size_t lead = 0;
    if (len >= 3 && memcmp(file, "\xEF\xBB\xBF", 3) == 0)
        lead = 3;
    size_t k = lead;
    while (k < len && (file[k] == ' ' || file[k] == '\t' || file[k] == '\n' ||
                       file[k] == '\r' || file[k] == '\v' || file[k] == '\f'))
        k++;
    if (k >= len || file[k] != '[')
        return;   /* CSV */
    json_object *whole = NULL;
    char msg[64];
    if (json_in_parse(file + lead, len - lead, c->core.cfg->json_max_depth, &whole, msg,
                      sizeof msg) != JSON_IN_OK) {
        FUZZ_ASSERT(users == NULL);
        return;
    }
    if (json_object_is_type(whole, json_type_array) &&
        json_object_array_length(whole) <= c->core.cfg->file_max_users) {
        FUZZ_ASSERT(users != NULL);
        FUZZ_ASSERT(json_object_equal(whole, users));
    }
    json_object_put(whole);
}

static int collect_user(struct ctx *c, json_object *user, size_t index, void *arg)
{
    (void)c;
    /* handed over again from 0 should the walk fall back on the whole text */
    if (index == 0 && json_object_array_length(arg) > 0)
        json_object_array_del_idx(arg, 0, json_object_array_length(arg));
    FUZZ_ASSERT(index == json_object_array_length(arg));
    return json_object_array_add(arg, json_object_get(user));
}

static int collect_member(struct ctx *c, const char *id, json_object *changes, size_t index,
                          void *arg)
{
    (void)c;
    (void)index;
    return json_object_object_add(arg, id, json_object_get(changes));
}

/* The handlers read a body one user at a time from its text (skedulo_body.c): they get
 * exactly the users (or the PATCH members, a repeated id's last changes replacing its first)
 * of the body parsed whole, and a refusal (400) exactly where the tree path refuses. whole
 * is the tree (NULL when json_in refused the text). */
static void same_from_walk(struct ctx *c, const char *body, size_t len, unsigned mode,
                           json_object *whole)
{
    char *text = malloc(len ? len : 1);   /* its own allocation: overreads are caught */
    json_object *got = mode == 0 ? json_object_new_array() : json_object_new_object();
    if (text == NULL || got == NULL) {
        free(text);
        json_object_put(got);
        return;
    }
    memcpy(text, body, len);
    json_object *saved = c->input;
    c->input = NULL;
    c->req.body = text;
    c->req.body_len = len;
    c->req.media = MEDIA_JSON;
    c->resp.status = 0;
    long n = mode == 0 ? sk_body_each_user(c, collect_user, got)
                       : sk_body_each_member(c, collect_member, got);
    size_t max = c->core.cfg->bulk_max_users;
    int valid = whole != NULL &&
                (mode == 0 ? json_object_is_type(whole, json_type_array) &&
                                 json_object_array_length(whole) > 0 &&
                                 json_object_array_length(whole) <= max
                           : json_object_is_type(whole, json_type_object) &&
                                 json_object_object_length(whole) > 0 &&
                                 (size_t)json_object_object_length(whole) <= max);
    if (valid) {
        FUZZ_ASSERT(n >= 1 && c->resp.status == 0);
        FUZZ_ASSERT(json_object_equal(whole, got));
    } else {
        FUZZ_ASSERT(n == -1 && c->resp.status == 400);
    }
    c->input = saved;
    c->req.body = NULL;
    c->req.body_len = 0;
    c->resp.status = 0;
    buf_free(&c->resp.body);
    json_object_put(got);
    free(text);
}

/* The CSV reader alone over the file's bytes (in their own allocation, so reading one byte
 * past them is caught). */
static void csv_records(struct ctx *c, const char *file, size_t size)
{
    struct csv r;
    csv_init(&r, file, size);
    size_t last_line = 0, records = 0;
    enum csv_status st;
    while ((st = csv_next(&r, c->core.arena)) == CSV_OK) {
        FUZZ_ASSERT(r.nfields >= 1 && r.nfields <= CSV_MAX_FIELDS);
        FUZZ_ASSERT(r.line > last_line);
        last_line = r.line;
        for (size_t i = 0; i < r.nfields; i++)
            FUZZ_ASSERT(r.fields[i][r.lens[i]] == '\0' &&
                        memchr(r.fields[i], '\0', r.lens[i]) == NULL);
        FUZZ_ASSERT(++records <= size + 1);
    }
    FUZZ_ASSERT(csv_status_str(st) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ctx *c = fuzz_ctx();
    if (size < 1)
        return 0;
    unsigned mode = data[0] % 4;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    char msg[256];
    if (mode == 3) {
        char *file = malloc(len ? len : 1);
        if (file == NULL)
            return 0;
        memcpy(file, body, len);
        csv_records(c, file, len);
        free(file);
    } else if (mode == 2) {
        /* the file part's bytes, in their own allocation so overreads are caught */
        char *file = malloc(len ? len : 1);
        if (file == NULL)
            return 0;
        memcpy(file, body, len);
        /* a few cells only, one input in two: the cap on a CSV file's cells */
        struct config *cfg = (struct config *)(uintptr_t)c->core.cfg;
        size_t cells = cfg->csv_cells;
        if (data[0] & 4)
            cfg->csv_cells = 12;
        json_object *users = sk_file_users(c, file, len);
        cfg->csv_cells = cells;
        same_as_whole_file(c, file, len, users);
        if (users == NULL) {
            FUZZ_ASSERT(c->resp.status == 400);
        } else {
            c->input = users;
            if (!json_object_is_type(users, json_type_array) ||
                json_object_array_length(users) > 0)
                post_body(c, users, c->core.cfg->file_max_users);
        }
        free(file);
    } else if (json_in_parse(body, len, c->core.cfg->json_max_depth, &c->input, msg, sizeof msg) ==
               JSON_IN_OK) {
        same_from_walk(c, body, len, mode, c->input);
        if (mode == 0)
            post_body(c, c->input, c->core.cfg->bulk_max_users);
        else
            patch_body(c, c->input);
    } else {
        same_from_walk(c, body, len, mode, NULL);
    }
    fuzz_ctx_reset(c);
    return 0;
}
