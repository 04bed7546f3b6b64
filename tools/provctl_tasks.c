/* provctl_tasks.c: "provctl tasks run": one more task worker, in this process, under the same
 * per-host bound as the web servers' (limits.task_workers slots, lib/core/task_slots.c): holding a
 * free slot, it processes to its end every task waiting in the queue (never started, or whose
 * worker's heartbeat is older than tasks.stale_seconds; PROVISION_TASKS_STALE_SECONDS
 * overrides it), one after the other. When every slot is busy it does nothing: those workers
 * drain the queue. Safe to run from cron on several hosts at once (claims are certified by
 * the row they change). Prints one line: "tasks: N resumed". */
#include "provctl.h"

#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "core/task_slots.h"
#include "core/users_import.h"

/* As many as a background worker takes before it lets go of its slot. */
enum { RESUME_MAX_TASKS = 1000 };

int cmd_tasks(struct cli *cli, int argc, char **argv)
{
    if (argc < 3 || strcmp(argv[2], "run") != 0)
        cli_usage("tasks needs the subcommand 'run'");
    cli_parse(argc, argv, 3, NULL, 0);
    cli_open(cli);
    struct core *c = &cli->core;
    core_begin(c, "provctl-tasks");
    unsigned resumed = 0;
    int slot = -1, rc = 0;
    switch (task_slot_take(&cli->cfg, c->rid, &slot)) {
    case TASK_SLOT_OK:
        rc = users_import_drain(c, &slot, RESUME_MAX_TASKS, &resumed);
        break;
    case TASK_SLOT_BUSY:
        fprintf(stderr, "provctl: all %u task worker slots are busy; their workers take the "
                        "waiting tasks\n", task_slot_count(&cli->cfg));
        break;
    case TASK_SLOT_ERROR:
        cli_fail("no task worker slot can be used (see the error above; tasks.slot_dir)");
    }
    printf("tasks: %u resumed\n", resumed);
    if (rc != 0)
        cli_fail("database unavailable (see the error log above); some tasks are left");
    return 0;
}
