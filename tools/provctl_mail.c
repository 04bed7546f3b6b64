/* provctl_mail.c: "provctl mail deliver" (placeholder until outbox delivery exists). */
#include "provctl.h"

int cmd_mail(struct cli *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    cli_usage("mail: not implemented yet");
}
