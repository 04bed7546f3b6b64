/* provctl_tasks.c: "provctl tasks run": resumes, one after the other, every bulk import task
 * whose worker's heartbeat is older than tasks.stale_seconds (PROVISION_TASKS_STALE_SECONDS
 * overrides it), and processes each to its end in this process. Safe to run from cron on
 * several hosts at once: tasks are claimed with SELECT ... FOR UPDATE SKIP LOCKED. Prints one
 * line: "tasks: N resumed". */
#include "provctl.h"

#include <stdio.h>
#include <string.h>

#include "ctx.h"
#include "db.h"
#include "dialect/skedulo.h"

int cmd_tasks(struct cli *cli, int argc, char **argv)
{
    if (argc < 3 || strcmp(argv[2], "run") != 0)
        cli_usage("tasks needs the subcommand 'run'");
    cli_parse(argc, argv, 3, NULL, 0);
    cli_open(cli);
    struct ctx c;
    memset(&c, 0, sizeof c);
    c.arena = cli->arena;
    c.cfg = &cli->cfg;
    c.db = cli->db;
    snprintf(c.rid, sizeof c.rid, "provctl-tasks");
    db_set_request_id(c.db, c.rid);
    unsigned resumed = 0;
    int rc = skedulo_tasks_resume(&c, cli->cfg.task_stale_seconds, &resumed);
    printf("tasks: %u resumed\n", resumed);
    if (rc != 0)
        cli_fail("database unavailable (see the error log above); some tasks are left");
    return 0;
}
