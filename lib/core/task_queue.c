/* task_queue.c: choosing and claiming the next waiting task (task_queue.h). The choice is a
 * plain read (TASK_NEXT) and the claim a conditional UPDATE of that one row (TASK_CLAIM) in
 * autocommit: the row changes only if the task still waits, so the affected-row count says
 * whether this worker won it. Losing (another worker claimed the same task in between, or a
 * Galera certification conflict reported as a deadlock) means choosing again. No SELECT ...
 * FOR UPDATE SKIP LOCKED: row locks are not shared between Galera nodes, the claim itself
 * must be what decides. Never builds SQL text. */
#include "core/task_queue.h"

#include "store/db.h"

/* choose-and-claim rounds lost to other workers before giving up for now */
enum { CLAIM_ATTEMPTS = 8 };

static enum tasks_status from_db(enum db_status st)
{
    static const struct db_statuses to = { TASKS_OK, TASKS_ERROR, TASKS_RETRY, TASKS_DB_UNAVAILABLE, TASKS_ERROR };
    return (enum tasks_status)db_status_to(st, &to);
}

enum tasks_status task_queue_claim(struct db *db, struct arena *a, const char *worker,
                                   unsigned stale_seconds, struct task_claim *out)
{
    if (db_in_transaction(db))
        return TASKS_ERROR;   /* the claim must be committed before the work starts */
    for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
        struct db_rows rows;
        int found;
        struct db_val nv[2] = { DBV_I(stale_seconds), DBV_I(stale_seconds) };
        enum tasks_status ts =
            from_db(db_query_row(db, a, SQL_TASK_NEXT, nv, 2, &rows, &found));
        if (ts != TASKS_OK)
            return ts;
        if (!found)
            return TASKS_NOT_FOUND;
        long long id = db_cell_int(db_cell(&rows, 0, 0));
        struct db_val cv[4] = { DBV_S(worker), DBV_I(id), DBV_S(worker),
                                DBV_I(stale_seconds) };
        struct db_result res;
        ts = from_db(db_exec(db, SQL_TASK_CLAIM, cv, 4, &res));
        if (ts == TASKS_RETRY)
            continue;   /* a conflicting claim: choose again */
        if (ts != TASKS_OK)
            return ts;
        if (res.affected != 1)
            continue;   /* another worker claimed it first */
        out->id = id;
        out->type = db_cell_str(db_cell(&rows, 0, 1));
        out->tenant_id = db_cell_int(db_cell(&rows, 0, 2));
        return TASKS_OK;
    }
    return TASKS_RETRY;
}

int task_queue_waiting(struct db *db, struct arena *a, unsigned stale_seconds)
{
    struct db_val v = DBV_I(stale_seconds);
    struct db_rows rows;
    int found;
    return db_query_row(db, a, SQL_TASK_WAITING, &v, 1, &rows, &found) == DB_OK && found;
}
