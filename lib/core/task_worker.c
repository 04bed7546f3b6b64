/* task_worker.c: the worker loop (task_worker.h). Why it frees its slot before its last look
 * at the queue: a request that stores a task while every slot is held starts no worker, and
 * counts on a holder to take the task. A holder whose last look came before the task was
 * stored freed its slot after that request tried the slots, so it looks again once the slot
 * is free: it sees the task and takes a slot back, or finds every slot taken by workers that
 * will see the task themselves. Without that second look the task would wait for the next
 * request or `provctl tasks run`. */
#include "core/task_worker.h"

#include <string.h>

#include "base/config.h"
#include "base/log.h"
#include "core/task_queue.h"
#include "core/task_slots.h"

static const struct task_runner *runner_for(const struct task_runner *runners, size_t n,
                                            const char *type)
{
    for (size_t i = 0; i < n; i++)
        if (type != NULL && strcmp(runners[i].type, type) == 0)
            return &runners[i];
    return NULL;
}

enum tasks_status task_worker_drain(struct db *db, struct arena *a, const struct config *cfg,
                                    const char *rid, int *slot_fd,
                                    const struct task_runner *runners, size_t nrunners,
                                    unsigned max_tasks, unsigned *done)
{
    enum tasks_status ts = TASKS_OK;
    unsigned claimed = 0;
    *done = 0;
    while (*slot_fd >= 0 && claimed < max_tasks) {
        char name[48];
        struct task_claim tc;
        if (tasks_worker_name(name) != 0) {
            ts = TASKS_ERROR;
            break;
        }
        ts = task_queue_claim(db, a, name, cfg->task_stale_seconds, &tc);
        if (ts == TASKS_NOT_FOUND) {
            ts = TASKS_OK;
            task_slot_release(slot_fd);
            if (task_queue_waiting(db, a, cfg->task_stale_seconds))
                (void)task_slot_take(cfg, rid, slot_fd);
            continue;
        }
        if (ts == TASKS_RETRY) {
            ts = TASKS_OK;   /* other workers keep winning the claims: they drain the queue */
            break;
        }
        if (ts != TASKS_OK)
            break;
        claimed++;
        const struct task_runner *r = runner_for(runners, nrunners, tc.type);
        if (r == NULL) {
            log_error(rid, "task %lld has unknown type; left alone", tc.id);
            continue;
        }
        enum tasks_status rs = r->run(r->arg, tc.id, name);
        if (rs == TASKS_OK)
            (*done)++;
        else if (rs != TASKS_LOST) {
            ts = rs;
            break;
        }
    }
    task_slot_release(slot_fd);
    return ts;
}
