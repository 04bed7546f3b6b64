/* provctl_tasks.c: "provctl tasks run" (placeholder until background tasks exist). */
#include "provctl.h"

int cmd_tasks(struct cli *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    cli_usage("tasks: not implemented yet");
}
