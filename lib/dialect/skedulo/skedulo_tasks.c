/* skedulo_tasks.c: bulk user import as a background task (docs/CONTRACT.md section 5): POST
 * .../bulk (and the file import, skedulo_file.c) validate the envelope, decode every user like a
 * POST user into the core's import items (core/users_import.h: a user to create, or one refused
 * with its message), store the task in the queue, answer the task object at once and, after the
 * response, start a detached worker if one of the host's worker slots is free (the core's import
 * runs it: core/task_worker.c drains the queue, fairly across tenants). Never touches SQL. */
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "base/utf8.h"
#include "codec/json_in.h"
#include "codec/json_out.h"
#include "core/mail.h"
#include "core/tasks.h"
#include "core/tenants.h"
#include "core/users_import.h"
#include "dialect/skedulo/skedulo.h"
#include "dialect/skedulo/skedulo_internal.h"
#include "http/ctx.h"
#include "http/dialect.h"

json_object *sk_task_json(const struct task_info *ti)
{
    json_object *o = json_object_new_object();
    /* || stops at the first failure: nothing is left to release but o */
    if (jo_int(o, "taskId", ti->number) || jo_str(o, "tenantId", ti->tenant_ref) ||
        jo_str(o, "type", ti->type) || jo_str(o, "createdAt", ti->created_at) ||
        jo_str(o, "lastCheckedInAt", ti->last_checked_in_at) ||
        jo_str(o, "completedAt", ti->completed_at) || jo_bool(o, "success", ti->success) ||
        jo_str(o, "errorMsg", ti->error_msg)) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* s when it may be copied for the status, which echoes it: text of sensible size without any
 * control character (what every name and email rule asks anyway); else NULL, and the item's
 * own errorMsg says what was wrong with it. */
static const char *echoable(struct ctx *c, const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s);
    return n <= c->core.cfg->string_max && text_check(s, n, TEXT_SINGLE_LINE) == TEXT_OK ? s : NULL;
}

/* A string member for the status copy, when it is echoable text (arena copy: the user's tree
 * does not outlive sk_task_add). */
static const char *shown(struct ctx *c, json_object *u, const char *name)
{
    json_object *v = NULL;
    if (!json_object_is_type(u, json_type_object) || !json_object_object_get_ex(u, name, &v) ||
        !json_object_is_type(v, json_type_string) ||
        (size_t)json_object_get_string_len(v) > c->core.cfg->string_max)
        return NULL;
    const char *e = echoable(c, json_object_get_string(v));
    return e != NULL ? arena_strdup(c->core.arena, e) : NULL;
}

int sk_task_add(struct ctx *c, struct sk_task_build *b, json_object *user, size_t index)
{
    if (sk_role_rule_broken(user)) {
        buf_puts(&b->broken, b->nbroken++ ? ", " : "");
        buf_puts(&b->broken, sk_user_key(c, user, index));
        return 0;
    }
    if (b->nbroken > 0)
        return 0;   /* the request fails: what the others would store no longer matters */
    if (b->n == b->cap) {
        /* arena memory cannot grow in place: double, so the copies stay within twice the
         * final array */
        size_t cap = b->cap ? 2 * b->cap : 256;
        struct task_item_in *items = arena_calloc(c->core.arena, cap, sizeof *items);
        if (items == NULL) {
            sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
            return -1;
        }
        if (b->n > 0)
            memcpy(items, b->items, b->n * sizeof *items);
        b->items = items;
        b->cap = cap;
    }
    struct task_item_in *it = &b->items[b->n];
    const char *email = sk_trimmed_email(c, user);
    struct bulk_user u;
    struct sk_problem pb = { SK_FAIL_INVALID_FIELD, "user" };
    static const struct bulk_options opt = { "skedulo", MAIL_INVITATION };
    it->spec = sk_decode_user(c, user, &u, &pb) == 0
                   ? users_import_item(&c->core, &u, &opt)
                   : users_import_refused(&c->core, sk_fail_message(c, &pb));
    it->email = echoable(c, email);
    it->first_name = shown(c, user, "firstName");
    it->last_name = shown(c, user, "lastName");
    if (it->spec == NULL) {
        sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
        return -1;
    }
    b->n++;
    return 0;
}

void sk_task_start(struct ctx *c, struct sk_task_build *b)
{
    if (b->nbroken > 0) {
        if (b->broken.failed)
            sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
        else
            sk_fail_error(c, SK_ERR_RESOURCE_ROLE, b->broken.data);
        goto done;
    }
    struct task_info ti;
    switch (tasks_create(&c->core, c->tenant, USERS_IMPORT_TYPE, b->items, b->n, &ti)) {
    case TASKS_OK:
        break;
    case TASKS_DB_UNAVAILABLE:
        dialect_unavailable(c);
        goto done;
    default:
        sk_fail_error(c, SK_ERR_INTERNAL, "storing the task failed");
        goto done;
    }
    json_object *o = json_object_new_object();
    if (sk_send(c, o, jo_add(o, "result", sk_task_json(&ti))) != 0)
        goto done;
    /* the task waits in the queue; a free worker slot (if any) gets a worker for it */
    users_import_kick(&c->core);
done:
    buf_free(&b->broken);
}

static int add_user(struct ctx *c, json_object *user, size_t index, void *arg)
{
    return sk_task_add(c, arg, user, index);   /* stored as text at once: the tree can go */
}

void skedulo_bulk_post(struct ctx *c)
{
    struct sk_task_build b = { 0 };
    if (sk_body_each_user(c, add_user, &b) < 0) {
        buf_free(&b.broken);
        return;
    }
    sk_task_start(c, &b);
}
