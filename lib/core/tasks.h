/* tasks.h: background tasks (bulk imports) and their items: storing a task with every item in
 * one transaction, processing a claimed task's items in batches (a task belongs to the worker
 * named in it while that worker's heartbeat is fresh; claiming is task_queue.h's, running
 * workers task_worker.h's), and reading its status. A batch runs in
 * one transaction that re-asserts the claim (the heartbeat), hands the items to the task
 * type's handler (which writes its own rows in that same transaction) and marks the items
 * done: an item is never processed twice, and a worker that dies loses only its open batch.
 * The store knows nothing of what an item means; the handler decodes it. */
#ifndef PROV_TASKS_H
#define PROV_TASKS_H

#include <stddef.h>

struct core;
struct tenant;

enum tasks_status {
    TASKS_OK = 0,
    TASKS_NOT_FOUND,        /* no such task (for this tenant), or nothing to claim */
    TASKS_LOST,             /* the task is not (or no longer) this worker's */
    TASKS_RETRY,            /* deadlock or lock timeout: the transaction was rolled back */
    TASKS_DB_UNAVAILABLE,
    TASKS_ERROR             /* anything else (already logged) */
};

/* One item as submitted: its spec (opaque text for the handler, e.g. JSON) and copies of the
 * fields the status shows (NULL when the item has none). Borrowed. */
struct task_item_in {
    const char *spec;
    const char *email;
    const char *first_name;
    const char *last_name;
};

/* A task as the status shows it (strings in the arena; timestamps are UTC
 * "YYYY-MM-DDTHH:MM:SS.ffffffZ", NULL while not set). */
struct task_info {
    long long id;                  /* internal: workers, foreign keys and logs */
    long long number;              /* what the tenant is shown and asks by (lib/base/pubid.h) */
    const char *type;
    const char *tenant_ref;        /* the tenant's reference (struct tenant ref) */
    const char *created_at;
    const char *last_checked_in_at;
    const char *completed_at;
    int success;
    const char *error_msg;
};

struct task_item_view {
    const char *email, *first_name, *last_name;   /* NULL when the item had none */
    int success;
    const char *error_msg;                        /* NULL when none */
    const char *user_oid;                         /* the created user's id, or NULL */
};

/* What a handler is given and fills, per item of a batch. */
struct task_batch_item {
    long long seq;
    const char *spec;
};
struct task_outcome {
    int ok;
    const char *error_msg;   /* NULL when ok */
    const char *user_oid;    /* the created object's id when ok, else NULL */
};

struct task_handler {
    const char *type;   /* tasks.type */
    /* Processes items[0..n) inside the batch's open transaction, filling out[0..n). Returns
     * TASKS_OK, or a status that makes the batch roll back (TASKS_RETRY: it is tried again;
     * TASKS_DB_UNAVAILABLE: the worker stops and the task waits for the next one; anything
     * else: the task is ended as failed). */
    enum tasks_status (*batch)(struct core *c, const struct tenant *t,
                               const struct task_batch_item *items, size_t n,
                               struct task_outcome *out);
    /* The task's errorMsg once every item is done: NULL when nothing failed. failed == -1
     * means the task was ended by an internal error (reference: the request id). Arena. */
    const char *(*summary)(struct core *c, long long failed, long long total);
};

/* Stores a task of the given type for tenant t with items[0..n) (in that order), under a fresh
 * number, and fills *out as the status shows it at creation. One transaction. */
enum tasks_status tasks_create(struct core *c, const struct tenant *t, const char *type,
                               const struct task_item_in *items, size_t n,
                               struct task_info *out);
/* The task of tenant tenant_id whose number is number (the id the tenant was shown), and its
 * items, in submission order; TASKS_NOT_FOUND when the tenant has no such task. */
enum tasks_status tasks_get(struct core *c, long long tenant_id, long long number,
                            struct task_info *info, struct task_item_view **items, size_t *n);

/* A new worker name ("<pid>-<random hex>") into out. Returns 0 or -1. */
int tasks_worker_name(char out[48]);
/* Processes the claimed task to its end, batch items per transaction, with handler h. Returns
 * TASKS_OK when the task is complete, TASKS_LOST when another worker took it over, else the
 * status that stopped it (the task is then resumed later by someone else). */
enum tasks_status tasks_run(struct core *c, long long task_id, const char *worker, size_t batch,
                            const struct task_handler *h);

#endif
