/* users_import.c: the import task type (users_import.h): the stored form of its items, the
 * batch handler that creates them through the batched store inside the batch's transaction,
 * its runner for the worker loop, and the worker started after an answer. Knows no vendor:
 * items arrive translated. */
#include "core/users_import.h"

#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "codec/json_in.h"
#include "codec/json_out.h"
#include "core/core.h"
#include "core/mail.h"
#include "core/task_queue.h"
#include "core/task_slots.h"
#include "core/task_worker.h"
#include "core/tenants.h"

/* Users per batch transaction (tasks.batch_users, default 250): small enough that a heartbeat
 * comes every fraction of a second and a killed worker loses little, large enough to keep the
 * statements batched; at most TASK_BATCH_MAX. */
enum { TASK_BATCH_MAX = 5000, NESTING = 8 };

/* What an item whose stored form cannot be read shows (a task stored by another version). */
#define UNREADABLE "Invalid value for field: user"

static json_object *string_array(const char *const *v, size_t n)
{
    json_object *a = json_object_new_array_ext((int)n);
    if (a == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (ja_str(a, v[i]) != 0) {
            json_object_put(a);
            return NULL;
        }
    }
    return a;
}

static const char *text_of(struct core *c, json_object *o)
{
    const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                          JSON_C_TO_STRING_NOSLASHESCAPE);
    const char *copy = s != NULL ? arena_strdup(c->arena, s) : NULL;
    json_object_put(o);
    return copy;
}

const char *users_import_item(struct core *c, const struct bulk_user *u,
                              const struct bulk_options *o)
{
    json_object *j = json_object_new_object();
    if (j == NULL)
        return NULL;
    if (jo_str(j, "origin", o->origin) != 0 || jo_int(j, "mail", o->mail_kind) != 0 ||
        jo_str(j, "email", u->email) != 0 ||
        (u->first_name != NULL && jo_str(j, "first", u->first_name) != 0) ||
        jo_str(j, "last", u->last_name) != 0 ||
        jo_add(j, "roles", string_array(u->roles, u->nroles)) != 0 ||
        jo_add(j, "regions", string_array(u->regions, u->nregions)) != 0 ||
        jo_bool(j, "invite", u->invite) != 0 ||
        (u->resource != NULL && jo_add(j, "resource", resources_spec_json(u->resource)) != 0)) {
        json_object_put(j);
        return NULL;
    }
    return text_of(c, j);
}

const char *users_import_refused(struct core *c, const char *message)
{
    json_object *j = json_object_new_object();
    if (jo_str(j, "refused", message) != 0) {
        json_object_put(j);
        return NULL;
    }
    return text_of(c, j);
}

static const char *str(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static int strings(struct core *c, json_object *o, const char *key, const char *const **out,
                   size_t *n)
{
    json_object *a;
    *out = NULL;
    *n = 0;
    if (!json_object_object_get_ex(o, key, &a) || !json_object_is_type(a, json_type_array))
        return -1;
    size_t len = json_object_array_length(a);
    const char **v = arena_calloc(c->arena, len ? len : 1, sizeof *v);
    if (v == NULL)
        return -1;
    for (size_t i = 0; i < len; i++) {
        json_object *s = json_object_array_get_idx(a, i);
        if (!json_object_is_type(s, json_type_string))
            return -1;
        v[i] = json_object_get_string(s);
    }
    *out = v;
    *n = len;
    return 0;
}

static int read_item(struct core *c, json_object *j, struct bulk_user *u, struct bulk_options *o,
                     const char **refused)
{
    json_object *v;
    memset(u, 0, sizeof *u);
    if (!json_object_is_type(j, json_type_object))
        return -1;
    if ((*refused = str(j, "refused")) != NULL)
        return 1;
    o->origin = str(j, "origin");
    if (!json_object_object_get_ex(j, "mail", &v) || !json_object_is_type(v, json_type_int))
        return -1;
    o->mail_kind = json_object_get_int(v);
    u->email = str(j, "email");
    u->first_name = str(j, "first");
    u->last_name = str(j, "last");
    if (o->origin == NULL || u->email == NULL || u->last_name == NULL ||
        strings(c, j, "roles", &u->roles, &u->nroles) != 0 ||
        strings(c, j, "regions", &u->regions, &u->nregions) != 0 ||
        !json_object_object_get_ex(j, "invite", &v) || !json_object_is_type(v, json_type_boolean))
        return -1;
    u->invite = json_object_get_boolean(v);
    if (json_object_object_get_ex(j, "resource", &v)) {
        struct resource_spec *r;
        if (resources_spec_parse(c->arena, v, &r) != 0)
            return -1;
        u->resource = r;
    }
    return 0;
}

int users_import_read(struct core *c, const char *spec, struct bulk_user *u,
                      struct bulk_options *o, const char **refused, json_object **tree)
{
    char msg[128];
    *tree = NULL;
    *refused = NULL;
    memset(u, 0, sizeof *u);
    if (spec == NULL ||
        json_in_parse(spec, strlen(spec), NESTING, tree, msg, sizeof msg) != JSON_IN_OK)
        return -1;
    return read_item(c, *tree, u, o, refused);
}

static enum tasks_status from_bulk(enum users_bulk_status us)
{
    switch (us) {
    case USERS_BULK_OK: return TASKS_OK;
    case USERS_BULK_RETRY: return TASKS_RETRY;
    case USERS_BULK_DB_UNAVAILABLE: return TASKS_DB_UNAVAILABLE;
    default: return TASKS_ERROR;
    }
}

static const char *result_message(struct core *c, const struct bulk_result *r)
{
    const char *d = r->detail != NULL ? r->detail : "";
    switch (r->outcome) {
    case BULK_UNKNOWN_ROLE: return arena_printf(c->arena, "Unknown role: %s", d);
    case BULK_UNKNOWN_REGION: return arena_printf(c->arena, "Unknown region: %s", d);
    default: return "A user with that email already exists";
    }
}

/* Creates the users valid[from..to) (all with the options of valid[from]) and fills their
 * outcomes. */
static enum tasks_status create_run(struct core *c, const struct tenant *t,
                                    const struct bulk_options *o, const struct bulk_user *valid,
                                    const size_t *index, size_t m, struct bulk_result *res,
                                    struct task_outcome *out)
{
    enum tasks_status ts = from_bulk(users_bulk_insert(c, t, o, valid, m, res));
    if (ts != TASKS_OK)
        return ts;
    for (size_t k = 0; k < m; k++) {
        struct task_outcome *oc = &out[index[k]];
        if (res[k].outcome == BULK_CREATED) {
            oc->ok = 1;
            oc->user_oid = arena_strdup(c->arena, res[k].oid);
        } else {
            oc->error_msg = result_message(c, &res[k]);
        }
    }
    return TASKS_OK;
}

/* The batch handler: items as users_import_item and users_import_refused stored them. Users
 * with the same options next to each other are created together. */
static enum tasks_status batch(struct core *c, const struct tenant *t,
                               const struct task_batch_item *items, size_t n,
                               struct task_outcome *out)
{
    enum tasks_status ts = TASKS_OK;
    struct bulk_user *valid = arena_calloc(c->arena, n, sizeof *valid);
    struct bulk_options *opt = arena_calloc(c->arena, n, sizeof *opt);
    struct bulk_result *res = arena_calloc(c->arena, n, sizeof *res);
    size_t *from = arena_calloc(c->arena, n, sizeof *from);
    json_object **parsed = arena_calloc(c->arena, n, sizeof *parsed);
    if (valid == NULL || opt == NULL || res == NULL || from == NULL || parsed == NULL)
        return TASKS_ERROR;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const char *refused = NULL;
        out[i] = (struct task_outcome){ 0, NULL, NULL };
        int r = users_import_read(c, items[i].spec, &valid[m], &opt[m], &refused, &parsed[i]);
        if (r != 0) {
            out[i].error_msg = r == 1 ? arena_strdup(c->arena, refused) : UNREADABLE;
            continue;
        }
        from[m++] = i;
    }
    for (size_t k = 0; k < m && ts == TASKS_OK;) {
        size_t e = k + 1;
        while (e < m && opt[e].mail_kind == opt[k].mail_kind &&
               strcmp(opt[e].origin, opt[k].origin) == 0)
            e++;
        ts = create_run(c, t, &opt[k], valid + k, from + k, e - k, res + k, out);
        k = e;
    }
    /* the users read borrowed their strings from these */
    for (size_t i = 0; i < n; i++)
        json_object_put(parsed[i]);
    return ts;
}

static const char *summary(struct core *c, long long failed, long long total)
{
    if (failed == 0)
        return NULL;
    if (failed < 0)
        return arena_printf(c->arena, "Internal error, reference %s", c->rid);
    return arena_printf(c->arena, "%lld of %lld users failed", failed, total);
}

static const struct task_handler handler = { USERS_IMPORT_TYPE, batch, summary };

/* The runner of this task type for the worker loop (task_worker.c); arg is the core. */
static enum tasks_status run_one(void *arg, long long id, const char *worker)
{
    struct core *c = arg;
    /* tasks.batch_users: the users of one transaction (one Galera write set), 1..5000 */
    size_t batch = c->cfg->task_batch_users;
    if (batch < 1)
        batch = 1;
    if (batch > TASK_BATCH_MAX)
        batch = TASK_BATCH_MAX;
    enum tasks_status ts = tasks_run(c, id, worker, batch, &handler);
    /* this already runs after the answer: deliver the task's invitations directly */
    mail_deliver_now(c);
    if (ts != TASKS_OK && ts != TASKS_LOST)
        log_error(c->rid, "task %lld stopped (status %d); it resumes when it goes stale", id,
                  (int)ts);
    return ts;
}

int users_import_drain(struct core *c, int *slot, unsigned max_tasks, unsigned *done)
{
    const struct task_runner runner = { USERS_IMPORT_TYPE, run_one, c };
    enum tasks_status ts = task_worker_drain(c->db, c->arena, c->cfg, c->rid, slot, &runner, 1,
                                             max_tasks, done);
    return ts == TASKS_OK ? 0 : -1;
}

/* The background worker, started after the answer holding the slot in arg. */
enum { WORKER_MAX_TASKS = 1000 };

struct kick {
    int slot;
};

static int take_slot(struct core *c, void *arg)
{
    struct kick *k = arg;
    /* every slot busy: a running worker takes the task when it is done with its own */
    if (task_slot_take(c->cfg, c->rid, &k->slot) != TASK_SLOT_OK)
        return -1;
    return k->slot;
}

static void worker(struct core *c, void *arg)
{
    struct kick *k = arg;
    unsigned n;
    if (users_import_drain(c, &k->slot, WORKER_MAX_TASKS, &n) != 0)
        log_error(c->rid, "background worker stopped; the tasks left resume when they go stale");
}

void users_import_kick(struct core *c)
{
    struct kick *k = arena_alloc(c->arena, sizeof *k);
    if (k != NULL)
        k->slot = -1;
    if (k == NULL || core_after_worker(c, worker, take_slot, k) != 0)
        log_error(c->rid, "no background worker started; the task waits in the queue");
}

void users_import_resume_if_stale(struct core *c)
{
    if (task_queue_waiting(c->db, c->arena, c->cfg->task_stale_seconds))
        users_import_kick(c);
}
