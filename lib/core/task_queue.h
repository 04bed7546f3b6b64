/* task_queue.h: the queue of background tasks waiting for a worker, in the database. A task
 * waits from its creation until a worker claims it, and again when its worker's heartbeat is
 * older than tasks.stale_seconds (the worker died). A free worker claims the next task, chosen
 * fairly across tenants (sql.h, TASK_NEXT): one tenant's many imports do not hold back another
 * tenant's one. Knows nothing of what a task does, of HTTP or of any vendor. */
#ifndef PROV_TASK_QUEUE_H
#define PROV_TASK_QUEUE_H

#include "core/tasks.h"

struct arena;
struct db;

struct task_claim {
    long long id;
    const char *type;      /* tasks.type, in the arena */
    long long tenant_id;
};

/* Claims the next waiting task for worker (a tasks_worker_name()) and fills *out. The claim is
 * one UPDATE, committed on its own before the caller does any work, that only succeeds while
 * the task still waits (checked by its affected rows): several workers on any number of
 * hosts (a Galera cluster too, where a conflicting claim fails its certification) never get
 * the same task, and none waits on another's locks. Must not be called inside a transaction.
 * TASKS_NOT_FOUND when nothing waits; TASKS_RETRY when other workers kept taking the chosen
 * tasks first (try later); TASKS_DB_UNAVAILABLE, TASKS_ERROR. */
enum tasks_status task_queue_claim(struct db *db, struct arena *a, const char *worker,
                                   unsigned stale_seconds, struct task_claim *out);
/* 1 when some task waits for a worker, 0 when none does or the database cannot say. */
int task_queue_waiting(struct db *db, struct arena *a, unsigned stale_seconds);

#endif
