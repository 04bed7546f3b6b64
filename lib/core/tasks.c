/* tasks.c: the task store and the batch loop. Every batch is one transaction (tx.h: rerun
 * whole on a deadlock) that starts by
 * re-asserting the claim (TASK_BEAT: the heartbeat, which also locks the task row so no other
 * worker can take the task over mid-batch), reads the next items not done, lets the handler
 * write, marks the items done and commits. A killed worker's open batch rolls back with its
 * connection; its committed batches are never redone. Never builds SQL text. */
#include "core/tasks.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/pubid.h"
#include "codec/json_out.h"
#include "core/core.h"
#include "core/tenants.h"
#include "store/db.h"
#include "store/tx.h"

/* BATCH_LOST_*: how often and how far apart a batch that lost its connection is run again
 * (about 15 s in all) before the task is left to go stale */
enum { ITEMS_CHUNK = 1000, NUMBER_ATTEMPTS = 5, BATCH_LOST_TRIES = 30, BATCH_LOST_PAUSE_MS = 500 };

static void pause_ms(unsigned ms)
{
    struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static enum tasks_status from_db(enum db_status st)
{
    static const struct db_statuses to = { TASKS_OK, TASKS_ERROR, TASKS_RETRY, TASKS_DB_UNAVAILABLE, TASKS_ERROR };
    return (enum tasks_status)db_status_to(st, &to);
}

/* A body's verdict as the runner's: the status itself stays in *slot. */
static enum tx_status as_tx(enum tasks_status ts, enum tasks_status *slot)
{
    *slot = ts;
    switch (ts) {
    case TASKS_OK: return TX_OK;
    case TASKS_RETRY: return TX_RETRY;
    case TASKS_DB_UNAVAILABLE: return TX_UNAVAILABLE;
    default: return TX_UNDONE;
    }
}

/* The runner's outcome as this module's status; slot holds the body's own verdict. */
static enum tasks_status from_tx(enum tx_status xs, enum tasks_status slot)
{
    switch (xs) {
    case TX_OK: return TASKS_OK;
    case TX_UNDONE: return slot;
    /* deadlocks on every run: the database is too busy now; the work waits, as when the
     * database cannot be reached (a task goes stale and is resumed) */
    case TX_RETRY:
    case TX_UNAVAILABLE: return TASKS_DB_UNAVAILABLE;
    case TX_ERROR: break;
    }
    return TASKS_ERROR;
}

static const char *plain(json_object *o)
{
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void info_from_row(const struct db_rows *rows, struct task_info *out)
{
    out->id = db_cell_int(db_cell(rows, 0, 0));
    out->type = db_cell_str(db_cell(rows, 0, 1));
    out->tenant_ref = db_cell_str(db_cell(rows, 0, 2));
    out->created_at = db_cell_str(db_cell(rows, 0, 3));
    out->last_checked_in_at = db_cell_str(db_cell(rows, 0, 4));
    out->completed_at = db_cell_str(db_cell(rows, 0, 5));
    out->success = db_cell_int(db_cell(rows, 0, 6)) != 0;
    out->error_msg = db_cell_str(db_cell(rows, 0, 7));
    out->number = db_cell_int(db_cell(rows, 0, 8));
}

static enum tasks_status insert_items(struct core *c, long long task_id,
                                      const struct task_item_in *items, size_t n)
{
    for (size_t k = 0; k < n; k += ITEMS_CHUNK) {
        size_t m = n - k < ITEMS_CHUNK ? n - k : ITEMS_CHUNK;
        json_object *rows = json_object_new_array();
        int bad = rows == NULL;
        for (size_t i = k; i < k + m && !bad; i++) {
            json_object *row = json_object_new_object();
            bad |= jo_int(row, "n", (long long)i + 1);
            bad |= jo_str_opt(row, "e", items[i].email);
            bad |= jo_str_opt(row, "f", items[i].first_name);
            bad |= jo_str_opt(row, "l", items[i].last_name);
            bad |= jo_str_opt(row, "s", items[i].spec);
            bad |= ja_add(rows, row);
        }
        if (bad) {
            json_object_put(rows);
            return TASKS_ERROR;
        }
        struct db_val v[2] = { DBV_I(task_id), DBV_S(plain(rows)) };
        enum db_status st = db_exec(c->db, SQL_TASK_ITEMS_INSERT, v, 2, NULL);
        json_object_put(rows);
        if (st != DB_OK)
            return from_db(st);
    }
    return TASKS_OK;
}

struct create {
    struct core *c;
    const struct tenant *t;
    const char *type;
    const struct task_item_in *items;
    size_t n;
    struct task_info *out;
    enum tasks_status ts;
};

static enum tx_status create_once(struct db *db, void *arg)
{
    struct create *cr = arg;
    struct core *c = cr->c;
    struct db_result res;
    struct db_rows rows;
    int found;
    enum tasks_status ts;
    /* a number already taken in the tenant fails only that statement: draw again */
    long long number = 0;
    enum db_status st = DB_ERROR;
    for (int attempt = 0; attempt < NUMBER_ATTEMPTS; attempt++) {
        if (pubid_draw(&number) != 0)
            break;
        struct db_val tv[4] = { DBV_I(cr->t->id), DBV_S(cr->type), DBV_I((long long)cr->n),
                                DBV_I(number) };
        st = db_exec(db, SQL_TASK_INSERT, tv, 4, &res);
        if (st != DB_DUPLICATE || strcmp(db_dup_key(db), "uq_tasks_number") != 0)
            break;
    }
    if ((ts = from_db(st)) != TASKS_OK)
        return as_tx(ts, &cr->ts);
    long long id = (long long)res.insert_id;
    if ((ts = insert_items(c, id, cr->items, cr->n)) != TASKS_OK)
        return as_tx(ts, &cr->ts);
    struct db_val gv[2] = { DBV_I(number), DBV_I(cr->t->id) };
    ts = from_db(db_query_row(db, c->arena, SQL_TASK_GET, gv, 2, &rows, &found));
    if (ts == TASKS_OK && !found)
        ts = TASKS_ERROR;
    if (ts == TASKS_OK)
        info_from_row(&rows, cr->out);
    return as_tx(ts, &cr->ts);
}

enum tasks_status tasks_create(struct core *c, const struct tenant *t, const char *type,
                               const struct task_item_in *items, size_t n,
                               struct task_info *out)
{
    struct create cr = { c, t, type, items, n, out, TASKS_ERROR };
    memset(out, 0, sizeof *out);
    enum tx_status xs = tx_run(c->db, create_once, &cr);
    return from_tx(xs, cr.ts);
}

enum tasks_status tasks_get(struct core *c, long long tenant_id, long long number,
                            struct task_info *info, struct task_item_view **items, size_t *n)
{
    struct db_rows rows;
    int found;
    *items = NULL;
    *n = 0;
    struct db_val gv[2] = { DBV_I(number), DBV_I(tenant_id) };
    /* causal reads: the task (or its last batch) may have been committed through another
     * node of a cluster a moment ago; its status must not be missing or older than that */
    db_causal(c->db, 1);
    enum tasks_status ts =
        from_db(db_query_row(c->db, c->arena, SQL_TASK_GET, gv, 2, &rows, &found));
    if (ts == TASKS_OK && found) {
        info_from_row(&rows, info);
        struct db_val iv = DBV_I(info->id);
        ts = from_db(db_query(c->db, c->arena, SQL_TASK_ITEMS_LIST, &iv, 1, &rows));
    }
    db_causal(c->db, 0);
    if (ts != TASKS_OK)
        return ts;
    if (!found)
        return TASKS_NOT_FOUND;
    struct task_item_view *v = arena_calloc(c->arena, rows.nrows + 1, sizeof *v);
    if (v == NULL)
        return TASKS_ERROR;
    for (size_t r = 0; r < rows.nrows; r++) {
        v[r].email = db_cell_str(db_cell(&rows, r, 0));
        v[r].first_name = db_cell_str(db_cell(&rows, r, 1));
        v[r].last_name = db_cell_str(db_cell(&rows, r, 2));
        v[r].success = db_cell_int(db_cell(&rows, r, 3)) != 0;
        v[r].error_msg = db_cell_str(db_cell(&rows, r, 4));
        v[r].user_oid = db_cell_str(db_cell(&rows, r, 5));
    }
    *items = v;
    *n = rows.nrows;
    return TASKS_OK;
}

int tasks_worker_name(char out[48])
{
    unsigned char raw[8];
    char hex[17];
    if (crypto_random(raw, sizeof raw) != 0)
        return -1;
    hex_encode(raw, sizeof raw, hex);
    snprintf(out, 48, "%ld-%s", (long)getpid(), hex);
    return 0;
}

static enum tasks_status mark_items(struct core *c, long long task_id,
                                    const struct task_batch_item *items, size_t n,
                                    const struct task_outcome *out)
{
    json_object *rows = json_object_new_array();
    int bad = rows == NULL;
    for (size_t i = 0; i < n && !bad; i++) {
        json_object *row = json_object_new_object();
        bad |= jo_int(row, "n", items[i].seq);
        bad |= jo_int(row, "k", out[i].ok ? 1 : 0);
        bad |= jo_str_opt(row, "m", out[i].error_msg);
        bad |= jo_str_opt(row, "o", out[i].user_oid);
        bad |= ja_add(rows, row);
    }
    if (bad) {
        json_object_put(rows);
        return TASKS_ERROR;
    }
    struct db_val v[2] = { DBV_S(plain(rows)), DBV_I(task_id) };
    enum tasks_status ts = from_db(db_exec(c->db, SQL_TASK_ITEMS_MARK, v, 2, NULL));
    json_object_put(rows);
    return ts;
}

/* Ends the task: success when no item failed (failed == -1: ended by an internal error). */
static enum tasks_status complete(struct core *c, long long task_id, const char *worker,
                                  const struct task_handler *h, int internal_error)
{
    long long failed = -1, total = 0;
    if (!internal_error) {
        struct db_val v = DBV_I(task_id);
        struct db_rows rows;
        int found;
        enum tasks_status ts =
            from_db(db_query_row(c->db, c->arena, SQL_TASK_ITEMS_COUNT, &v, 1, &rows, &found));
        if (ts != TASKS_OK)
            return ts;
        if (found) {
            total = db_cell_int(db_cell(&rows, 0, 0));
            failed = db_cell_int(db_cell(&rows, 0, 1));
        }
    }
    const char *msg = h->summary(c, failed, total);
    struct db_val cv[4] = { DBV_I(failed == 0), DBV_S(msg), DBV_I(task_id), DBV_S(worker) };
    struct db_result res;
    enum tasks_status ts = from_db(db_exec(c->db, SQL_TASK_COMPLETE, cv, 4, &res));
    if (ts == TASKS_OK && res.affected != 1)
        ts = TASKS_LOST;
    return ts;
}

struct batch {
    struct core *c;
    const struct tenant *t;
    long long task_id;
    const char *worker;
    size_t batch;
    const struct task_handler *h;
    int finished;
    enum tasks_status ts;
};

/* One run of one batch (tx_body). */
static enum tx_status batch_once(struct db *db, void *arg)
{
    struct batch *b = arg;
    struct core *c = b->c;
    struct db_result res;
    struct db_rows rows;
    enum tasks_status ts;
    b->finished = 0;
    struct db_val bv[2] = { DBV_I(b->task_id), DBV_S(b->worker) };
    if ((ts = from_db(db_exec(db, SQL_TASK_BEAT, bv, 2, &res))) != TASKS_OK)
        return as_tx(ts, &b->ts);
    if (res.affected != 1)
        return as_tx(TASKS_LOST, &b->ts);
    struct db_val tv[2] = { DBV_I(b->task_id), DBV_I((long long)b->batch) };
    if ((ts = from_db(db_query(db, c->arena, SQL_TASK_ITEMS_TODO, tv, 2, &rows))) != TASKS_OK)
        return as_tx(ts, &b->ts);
    if (rows.nrows == 0) {
        if ((ts = complete(c, b->task_id, b->worker, b->h, 0)) == TASKS_OK)
            b->finished = 1;
        return as_tx(ts, &b->ts);
    }
    size_t n = rows.nrows;
    struct task_batch_item *items = arena_calloc(c->arena, n, sizeof *items);
    struct task_outcome *out = arena_calloc(c->arena, n, sizeof *out);
    if (items == NULL || out == NULL)
        return as_tx(TASKS_ERROR, &b->ts);
    for (size_t i = 0; i < n; i++) {
        items[i].seq = db_cell_int(db_cell(&rows, i, 0));
        items[i].spec = db_cell_str(db_cell(&rows, i, 1));
    }
    if ((ts = b->h->batch(c, b->t, items, n, out)) == TASKS_OK)
        ts = mark_items(c, b->task_id, items, n, out);
    return as_tx(ts, &b->ts);
}

/* One batch in one transaction. *finished is set when the task has been completed. */
static enum tasks_status run_batch(struct core *c, const struct tenant *t, long long task_id,
                                   const char *worker, size_t batch,
                                   const struct task_handler *h, int *finished)
{
    struct batch b = { c, t, task_id, worker, batch, h, 0, TASKS_ERROR };
    enum tx_status xs = tx_run(c->db, batch_once, &b);
    enum tasks_status ts = from_tx(xs, b.ts);
    *finished = ts == TASKS_OK && b.finished;
    return ts;
}

/* A batch that failed for a reason retrying cannot fix: end the task as failed, so it is not
 * resumed forever. */
static enum tasks_status abandon(struct core *c, long long task_id, const char *worker,
                                 const struct task_handler *h)
{
    log_error(c->rid, "task %lld: ended after an internal error", task_id);
    return complete(c, task_id, worker, h, 1);
}

enum tasks_status tasks_run(struct core *c, long long task_id, const char *worker, size_t batch,
                            const struct task_handler *h)
{
    struct db_rows rows;
    int found;
    struct tenant *t = NULL;
    struct db_val v = DBV_I(task_id);
    enum tasks_status ts =
        from_db(db_query_row(c->db, c->arena, SQL_TASK_TENANT, &v, 1, &rows, &found));
    if (ts != TASKS_OK)
        return ts;
    if (!found)
        return TASKS_NOT_FOUND;
    switch (tenant_by_id(c->db, c->arena, db_cell_int(db_cell(&rows, 0, 0)), &t)) {
    case TENANT_OK: break;
    case TENANT_NOT_FOUND: return TASKS_NOT_FOUND;
    default: return TASKS_DB_UNAVAILABLE;
    }
    /* each batch's memory is released before the next; the tenant stays in the caller's */
    struct arena *outer = c->arena, *inner = arena_new();
    if (inner == NULL)
        return TASKS_ERROR;
    c->arena = inner;
    int finished = 0;
    unsigned lost = 0;
    for (;;) {
        ts = run_batch(c, t, task_id, worker, batch, h, &finished);
        arena_reset(inner);
        if (ts == TASKS_OK) {
            lost = 0;
            if (finished)
                break;
            continue;
        }
        /* the connection was lost (a database node went away): the batch is run again on
         * the next connection (db.hosts), still under this worker's claim, for a while. A
         * batch whose COMMIT went through unseen is not redone: its items are marked done */
        if (ts == TASKS_DB_UNAVAILABLE && ++lost < BATCH_LOST_TRIES) {
            log_error(c->rid, "task %lld: database unavailable, batch run again (%u)", task_id,
                      lost);
            pause_ms(BATCH_LOST_PAUSE_MS);
            continue;
        }
        /* TASKS_LOST and TASKS_DB_UNAVAILABLE (deadlocks on every run included) leave the
         * task to the next worker */
        if (ts == TASKS_ERROR)
            ts = abandon(c, task_id, worker, h);
        break;
    }
    c->arena = outer;
    arena_free(inner);
    return ts;
}
