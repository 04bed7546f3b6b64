/* users_import.h: the background import of users, a task type of its own (tasks.h): every
 * item is either a user to create, in the core's own terms (struct bulk_user, stored as JSON
 * text that only this module writes and reads), or a user its dialect refused when the task
 * was submitted, with the message the task status shows for it. The dialect translates its
 * vendor's users before the task is stored; whoever runs the task (a worker forked after the
 * answer, `provctl tasks run`) needs no dialect. Per item, what the store refuses gets this
 * module's message (the email is taken, a role or region is unknown); the task's summary too. */
#ifndef PROV_USERS_IMPORT_H
#define PROV_USERS_IMPORT_H

#include <json-c/json.h>

#include "core/tasks.h"
#include "core/users_bulk.h"

struct core;

/* tasks.type of an import */
#define USERS_IMPORT_TYPE "bulk_user_import"

/* The stored form of one user to create, with the options it is created with (arena), or NULL
 * when out of memory. */
const char *users_import_item(struct core *c, const struct bulk_user *u,
                              const struct bulk_options *o);
/* The stored form of a user refused at submission: its item fails with message (arena), or
 * NULL when out of memory. */
const char *users_import_refused(struct core *c, const char *message);

/* An item read back: 0 with *u and *o as stored (strings borrowed from *tree, which the caller
 * releases with json_object_put whatever the result), 1 when it was refused at submission
 * (*refused its message, borrowed likewise), -1 when spec is not an item of this type. */
int users_import_read(struct core *c, const char *spec, struct bulk_user *u,
                      struct bulk_options *o, const char **refused, json_object **tree);

/* Works through the task queue holding the worker slot *slot (task_slots.h): claims and
 * completes, one after the other, at most max_tasks tasks waiting for a worker (new, or whose
 * worker's heartbeat is older than tasks.stale_seconds), and frees the slot (*slot = -1). For
 * the background worker and `provctl tasks run`. *done counts the tasks finished here; returns
 * 0, or -1 when the database failed (some tasks may be left for later). */
int users_import_drain(struct core *c, int *slot, unsigned max_tasks, unsigned *done);
/* After the answer, a detached worker for the waiting imports if one of the host's worker slots
 * is free (else the tasks wait for a running worker). */
void users_import_kick(struct core *c);
/* The same, only when some task waits for a worker (its worker died, or none was free). */
void users_import_resume_if_stale(struct core *c);

#endif
