/* task_worker.h: the life of one background worker. Holding a slot (task_slots.h), it claims
 * the next waiting task (task_queue.h) and runs it with the runner for its type, again and
 * again; when nothing waits it frees its slot and looks once more, and carries on if a task
 * came in meanwhile and a slot is free. So at most limits.task_workers workers run per host,
 * and the queue drains without new requests. Takes the database, arena and configuration, no
 * request context, no vendor names: the runners are the task types' own. */
#ifndef PROV_TASK_WORKER_H
#define PROV_TASK_WORKER_H

#include <stddef.h>

#include "core/tasks.h"

struct arena;
struct config;
struct db;

struct task_runner {
    const char *type;   /* tasks.type */
    /* Runs the claimed task to its end as worker `worker`: TASKS_OK when it completed,
     * TASKS_LOST when another worker took it over, else the status that stopped it (the task
     * then waits until its heartbeat goes stale, and is resumed). */
    enum tasks_status (*run)(void *arg, long long task_id, const char *worker);
    void *arg;
};

/* Runs waiting tasks while it holds the slot *slot_fd (>= 0), at most max_tasks of them, and
 * frees the slot before returning (*slot_fd is then -1). A task of a type no runner knows is
 * claimed and left (logged): it waits again once stale. *done counts the tasks completed.
 * Returns TASKS_OK when nothing is left to do here, or the status that stopped the worker (a
 * database failure; the tasks left are taken by the next worker). */
enum tasks_status task_worker_drain(struct db *db, struct arena *a, const struct config *cfg,
                                    const char *rid, int *slot_fd,
                                    const struct task_runner *runners, size_t nrunners,
                                    unsigned max_tasks, unsigned *done);

#endif
