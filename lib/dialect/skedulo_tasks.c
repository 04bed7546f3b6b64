/* skedulo_tasks.c: bulk user import as a background task (API.md section 5): POST .../bulk
 * (and the file import, skedulo_file.c) validate the envelope, store the task with one item
 * per user in the queue, answer the task object at once and, after the response, start a
 * detached worker if one of the host's worker slots is free (lib/task_worker.c: it drains the
 * queue, fairly across tenants); the task type's batch handler (each item decoded like a POST
 * user, created through the batched store inside the batch's transaction) and runner. Never
 * touches SQL. */
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "config.h"
#include "ctx.h"
#include "json_in.h"
#include "log.h"
#include "mail.h"
#include "skedulo.h"
#include "skedulo_int.h"
#include "task_queue.h"
#include "task_slots.h"
#include "task_worker.h"
#include "tasks.h"
#include "tenants.h"
#include "utf8.h"

/* Users per batch transaction: small enough that a heartbeat comes every fraction of a
 * second and a killed worker loses little, large enough to keep the statements batched. */
enum { TASK_BATCH_MAX = 5000, RESUME_MAX_TASKS = 1000 };

static enum tasks_status from_bulk(enum users_bulk_status us)
{
    switch (us) {
    case USERS_BULK_OK: return TASKS_OK;
    case USERS_BULK_RETRY: return TASKS_RETRY;
    case USERS_BULK_DB_UNAVAILABLE: return TASKS_DB_UNAVAILABLE;
    default: return TASKS_ERROR;
    }
}

static const char *result_message(struct ctx *c, const struct bulk_result *r)
{
    struct sk_problem pb = { SK_FAIL_EMAIL_EXISTS, r->detail };
    if (r->outcome == BULK_UNKNOWN_ROLE)
        pb.fail = SK_FAIL_UNKNOWN_ROLE;
    else if (r->outcome == BULK_UNKNOWN_REGION)
        pb.fail = SK_FAIL_UNKNOWN_REGION;
    return sk_fail_message(c, &pb);
}

/* The batch handler: items are the users as submitted (JSON text). */
static enum tasks_status batch(struct ctx *c, const struct tenant *t,
                               const struct task_batch_item *items, size_t n,
                               struct task_outcome *out)
{
    enum tasks_status ts = TASKS_ERROR;
    struct bulk_user *valid = arena_calloc(c->arena, n, sizeof *valid);
    struct bulk_result *res = arena_calloc(c->arena, n, sizeof *res);
    size_t *from = arena_calloc(c->arena, n, sizeof *from);
    json_object **parsed = arena_calloc(c->arena, n, sizeof *parsed);
    if (valid == NULL || res == NULL || from == NULL || parsed == NULL)
        return TASKS_ERROR;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        char msg[128];
        struct sk_problem pb = { SK_FAIL_INVALID_FIELD, "user" };
        out[i] = (struct task_outcome){ 0, NULL, NULL };
        if (items[i].spec == NULL ||
            json_in_parse(items[i].spec, strlen(items[i].spec), c->cfg->json_max_depth,
                          &parsed[i], msg, sizeof msg) != JSON_IN_OK ||
            sk_decode_user(c, parsed[i], &valid[m], &pb) != 0) {
            out[i].error_msg = sk_fail_message(c, &pb);
            continue;
        }
        from[m++] = i;
    }
    struct bulk_options opt = { "skedulo", MAIL_INVITATION };
    ts = from_bulk(users_bulk_insert(c, t, &opt, valid, m, res));
    if (ts == TASKS_OK) {
        for (size_t k = 0; k < m; k++) {
            struct task_outcome *o = &out[from[k]];
            if (res[k].outcome == BULK_CREATED) {
                o->ok = 1;
                o->user_oid = arena_strdup(c->arena, res[k].oid);
            } else {
                o->error_msg = result_message(c, &res[k]);
            }
        }
    }
    /* the decoded users borrowed their strings from these */
    for (size_t i = 0; i < n; i++)
        json_object_put(parsed[i]);
    return ts;
}

static const char *summary(struct ctx *c, long long failed, long long total)
{
    if (failed == 0)
        return NULL;
    if (failed < 0)
        return arena_printf(c->arena, "Internal error, reference %s", c->rid);
    return arena_printf(c->arena, "%lld of %lld users failed", failed, total);
}

static const struct task_handler handler = { SK_TASK_TYPE, batch, summary };

/* The runner of this task type for the worker loop (lib/task_worker.c); arg is the context. */
static enum tasks_status run_one(void *arg, long long id, const char *worker)
{
    struct ctx *c = arg;
    /* tasks.batch_users: the users of one transaction (one Galera write set), 1..5000 */
    size_t batch = c->cfg->task_batch_users;
    if (batch < 1)
        batch = 1;
    if (batch > TASK_BATCH_MAX)
        batch = TASK_BATCH_MAX;
    enum tasks_status ts = tasks_run(c, id, worker, batch, &handler);
    /* this already runs after the response: deliver the task's invitations directly */
    mail_deliver_now(c);
    if (ts != TASKS_OK && ts != TASKS_LOST)
        log_error(c->rid, "task %lld stopped (status %d); it resumes when it goes stale", id,
                  (int)ts);
    return ts;
}

int skedulo_tasks_resume(struct ctx *c, int *slot, unsigned *resumed)
{
    const struct task_runner runner = { SK_TASK_TYPE, run_one, c };
    enum tasks_status ts = task_worker_drain(c->db, c->arena, c->cfg, c->rid, slot, &runner, 1,
                                             RESUME_MAX_TASKS, resumed);
    return ts == TASKS_OK ? 0 : -1;
}

/* The background worker, started after the response holding the slot in arg. */
struct kick {
    int slot;
};

static int take_slot(struct ctx *c, void *arg)
{
    struct kick *k = arg;
    /* every slot busy: a running worker takes the task when it is done with its own */
    if (task_slot_take(c->cfg, c->rid, &k->slot) != TASK_SLOT_OK)
        return -1;
    return k->slot;
}

static void worker(struct ctx *c, void *arg)
{
    struct kick *k = arg;
    unsigned n;
    if (skedulo_tasks_resume(c, &k->slot, &n) != 0)
        log_error(c->rid, "background worker stopped; the tasks left resume when they go stale");
}

/* A worker after the response if a slot is free; else the task waits in the queue. */
static void kick_worker(struct ctx *c)
{
    struct kick *k = arena_alloc(c->arena, sizeof *k);
    if (k != NULL)
        k->slot = -1;
    if (k == NULL || ctx_defer_worker(c, worker, take_slot, k) != 0)
        log_error(c->rid, "no background worker started; the task waits in the queue");
}

void sk_resume_if_stale(struct ctx *c)
{
    if (task_queue_waiting(c->db, c->arena, c->cfg->task_stale_seconds))
        kick_worker(c);
}

json_object *sk_task_json(const struct task_info *ti)
{
    json_object *o = json_object_new_object();
    if (o == NULL)
        return NULL;
    json_object_object_add(o, "taskId", json_object_new_int64(ti->number));
    json_object_object_add(o, "tenantId", json_object_new_string(ti->tenant_ref));
    json_object_object_add(o, "type", json_object_new_string(ti->type));
    json_object_object_add(o, "createdAt", json_object_new_string(ti->created_at));
    json_object_object_add(o, "lastCheckedInAt", ti->last_checked_in_at
                                                     ? json_object_new_string(
                                                           ti->last_checked_in_at)
                                                     : NULL);
    json_object_object_add(o, "completedAt",
                           ti->completed_at ? json_object_new_string(ti->completed_at) : NULL);
    json_object_object_add(o, "success", json_object_new_boolean(ti->success));
    json_object_object_add(o, "errorMsg",
                           ti->error_msg ? json_object_new_string(ti->error_msg) : NULL);
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
    return n <= c->cfg->string_max && text_check(s, n, TEXT_SINGLE_LINE) == TEXT_OK ? s : NULL;
}

/* A string member for the status copy, when it is echoable text (arena copy: the user's tree
 * does not outlive sk_task_add). */
static const char *shown(struct ctx *c, json_object *u, const char *name)
{
    json_object *v = NULL;
    if (!json_object_is_type(u, json_type_object) || !json_object_object_get_ex(u, name, &v) ||
        !json_object_is_type(v, json_type_string) ||
        (size_t)json_object_get_string_len(v) > c->cfg->string_max)
        return NULL;
    const char *e = echoable(c, json_object_get_string(v));
    return e != NULL ? arena_strdup(c->arena, e) : NULL;
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
        struct task_item_in *items = arena_calloc(c->arena, cap, sizeof *items);
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
    it->spec = arena_strdup(c->arena, json_object_to_json_string_ext(
                                          user, JSON_C_TO_STRING_PLAIN |
                                                    JSON_C_TO_STRING_NOSLASHESCAPE));
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
    switch (tasks_create(c, c->tenant, SK_TASK_TYPE, b->items, b->n, &ti)) {
    case TASKS_OK:
        break;
    case TASKS_DB_UNAVAILABLE:
        sk_fail_error(c, SK_ERR_DB, NULL);
        goto done;
    default:
        sk_fail_error(c, SK_ERR_INTERNAL, "storing the task failed");
        goto done;
    }
    json_object *o = json_object_new_object(), *task = sk_task_json(&ti);
    if (o == NULL || task == NULL) {
        json_object_put(o);
        json_object_put(task);
        sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
        goto done;
    }
    json_object_object_add(o, "result", task);
    resp_json(c, 200, o);
    /* the task waits in the queue; a free worker slot (if any) gets a worker for it */
    kick_worker(c);
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
