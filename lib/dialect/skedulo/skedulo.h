/* skedulo.h: the Skedulo onboarding dialect (seed 000, API.md section 5): provisioning users
 * synchronously (POST, PATCH), as background tasks (POST .../bulk, .../file), and task status. */
#ifndef PROV_SKEDULO_H
#define PROV_SKEDULO_H

struct ctx;

void skedulo_users_post(struct ctx *c);    /* POST  /onboarding/provision/standalone/users */
void skedulo_users_patch(struct ctx *c);   /* PATCH /onboarding/provision/standalone/users */
void skedulo_bulk_post(struct ctx *c);     /* POST  .../users/bulk */
void skedulo_file_post(struct ctx *c);     /* POST  .../users/file (multipart) */
void skedulo_task_status(struct ctx *c);   /* GET   .../users/bulk/{taskId} */

/* The routes' authentication steps (route.h): the bearer token with the users:write or
 * users:read scope, then the tenant's API user. 0, or -1 after answering 401/403/400/503. */
int skedulo_authenticate_write(struct ctx *c);
int skedulo_authenticate_read(struct ctx *c);

/* Works through the task queue holding the worker slot *slot (lib/core/task_slots.h): claims and
 * completes, one after the other, every task waiting for a worker (new, or whose worker's
 * heartbeat is older than tasks.stale_seconds), and frees the slot (*slot = -1). For the
 * background worker and "provctl tasks run". Needs c->db, c->cfg, c->arena and c->rid.
 * *resumed counts the tasks finished here; returns 0, or -1 when the database failed (some
 * tasks may be left for later). */
int skedulo_tasks_resume(struct ctx *c, int *slot, unsigned *resumed);

#endif
