/* provctl.c: the admin CLI's entry point: configuration (PROVISION_CONF or
 * /etc/provision.conf), the command table, option parsing and exit conventions. Secrets are
 * printed once and never accepted on the command line. */
#include "provctl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/valid.h"
#include "core/tenants.h"
#include "store/db.h"
#include "store/migrate.h"

static const char usage[] =
    "usage: provctl COMMAND [options]\n"
    "  migrate\n"
    "  tenant create --name NAME [--parent TENANT_ID] [--code CODE] --json\n"
    "  tenant api-user --tenant ID (--email EMAIL | --none)\n"
    "  tenant mail --tenant ID [--base-url URL] [--from ADDRESS]\n"
    "  tenant password-policy --tenant ID [--dictionary on|off] [--json]\n"
    "  region add --tenant ID --name NAME --json\n"
    "  group add --tenant ID --code CODE [--name NAME] --json\n"
    "  workflow add --tenant ID --name NAME --json\n"
    "  role add --tenant ID --name NAME --json\n"
    "  token create --tenant ID --scope SCOPES --json\n"
    "  token revoke            (reads the token from standard input)\n"
    "  credential list --tenant ID --json\n"
    "  credential rotate (--tenant ID --kind KIND | --id N) [--grace SECONDS] --json\n"
    "  credential revoke --id N | credential revoke --kind KIND  (the secret on stdin)\n"
    "  credential create --tenant ID --kind xtracta_key --group GROUP_ID --json\n"
    "      KIND: skedulo_token, sp_customer, sp_jwt, soajs_key, xtracta_key\n"
    "  tasks run               (resume bulk tasks whose worker stopped)\n"
    "  mail deliver [--tenant ID] [--limit N] [--json]   (send the due mail of the outbox)\n"
    "  mail template --tenant ID --kind KIND [--subject TEXT] [--body-file FILE|-] [--reset]\n"
    "Configuration: PROVISION_CONF (default /etc/provision.conf), PROVISION_* overrides.\n";

_Noreturn void cli_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("provctl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(EXIT_USAGE);
}

_Noreturn void cli_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("provctl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(EXIT_FAIL);
}

void cli_parse(int argc, char **argv, int first, struct opt *opts, size_t n)
{
    for (int i = first; i < argc; i++) {
        size_t k;
        for (k = 0; k < n; k++)
            if (strcmp(argv[i], opts[k].name) == 0)
                break;
        if (k == n) {
            /* only what looks like an option name is shown: a secret pasted onto the
             * command line by mistake must not be copied into a terminal log or cron mail */
            size_t len = strlen(argv[i]);
            if (len > 2 && len <= 24 && strncmp(argv[i], "--", 2) == 0 &&
                strspn(argv[i] + 2, "abcdefghijklmnopqrstuvwxyz0123456789-") == len - 2)
                cli_usage("unknown argument '%s' (see provctl --help)", argv[i]);
            cli_usage("unexpected argument %d (not shown: secrets are read from standard "
                      "input; see provctl --help)", i - first + 1);
        }
        if (opts[k].given)
            cli_usage("%s given twice", opts[k].name);
        opts[k].given = 1;
        if (opts[k].takes_value) {
            if (i + 1 >= argc || argv[i + 1][0] == '\0')
                cli_usage("%s needs a value", opts[k].name);
            opts[k].value = argv[++i];
        }
    }
}

const char *cli_required(const struct opt *o)
{
    if (!o->given)
        cli_usage("%s is required", o->name);
    return o->value;
}

void cli_open(struct cli *cli)
{
    char err[256];
    if (cli->db != NULL)
        return;
    if (config_load(&cli->cfg, NULL, err, sizeof err) != CONFIG_OK)
        cli_fail("configuration: %s", err);
    cli->db = db_new(&cli->cfg);
    if (cli->db == NULL)
        cli_fail("out of memory");
    cli->core.arena = cli->arena;
    cli->core.cfg = &cli->cfg;
    cli->core.db = cli->db;
    cli->opened = 1;
}

const struct tenant *cli_tenant(struct cli *cli, const char *oid)
{
    if (!valid_oid(oid, strlen(oid)))
        cli_usage("invalid tenant id '%s' (24 hex digits expected)", oid);
    cli_open(cli);
    char lower[25];
    for (size_t i = 0; i < 25; i++)
        lower[i] = (char)(oid[i] >= 'A' && oid[i] <= 'F' ? oid[i] + 32 : oid[i]);
    struct tenant *t = NULL;
    switch (tenant_by_oid(&cli->core, lower, &t)) {
    case TENANT_OK:
        return t;
    case TENANT_NOT_FOUND:
        cli_usage("no tenant with id %s", lower);
    default:
        cli_fail("database unavailable (see the error log above)");
    }
}

void cli_read_secret(char *buf, size_t n, const char *what)
{
    if (fgets(buf, (int)n, stdin) == NULL)
        cli_usage("the %s is read from standard input, and none came", what);
    size_t len = strlen(buf);
    if (len == n - 1 && buf[len - 1] != '\n') {
        explicit_bzero(buf, n);
        cli_usage("the %s on standard input is too long", what);
    }
    while (len > 0 && strchr(" \t\r\n", buf[len - 1]) != NULL)
        buf[--len] = '\0';
    size_t lead = strspn(buf, " \t");
    memmove(buf, buf + lead, len - lead + 1);
    if (buf[0] == '\0')
        cli_usage("empty %s on standard input", what);
}

void cli_print(json_object *obj, int bad)
{
    if (obj == NULL || bad) {
        json_object_put(obj);
        cli_fail("out of memory");
    }
    puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(obj);
}

int cmd_migrate(struct cli *cli, int argc, char **argv)
{
    cli_parse(argc, argv, 2, NULL, 0);
    cli_open(cli);
    unsigned applied = 0;
    char name[128];
    switch (migrate_apply(cli->db, &applied, name, sizeof name)) {
    case MIGRATE_OK:
        printf("migrate: %u applied, schema at %s\n", applied,
               migrations_count ? migrations[migrations_count - 1].name : "-");
        return 0;
    case MIGRATE_FAILED:
        cli_fail("migration %s failed (%u applied before it)", name, applied);
    case MIGRATE_DB:
        break;
    }
    cli_fail("database unavailable (see the error log above)");
}

int main(int argc, char **argv)
{
    struct cli cli;
    memset(&cli, 0, sizeof cli);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    const char *cmd = argv[1];
    int known = strcmp(cmd, "migrate") == 0 || strcmp(cmd, "tenant") == 0 ||
                strcmp(cmd, "region") == 0 || strcmp(cmd, "group") == 0 ||
                strcmp(cmd, "workflow") == 0 || strcmp(cmd, "role") == 0 ||
                strcmp(cmd, "token") == 0 || strcmp(cmd, "tasks") == 0 ||
                strcmp(cmd, "mail") == 0 || strcmp(cmd, "credential") == 0;
    if (!known)
        cli_usage("unknown command '%s' (see provctl --help)", cmd);
    cli.arena = arena_new();
    if (cli.arena == NULL)
        cli_fail("out of memory");
    int rc;
    if (strcmp(cmd, "migrate") == 0)
        rc = cmd_migrate(&cli, argc, argv);
    else if (strcmp(cmd, "tenant") == 0)
        rc = cmd_tenant(&cli, argc, argv);
    else if (strcmp(cmd, "token") == 0)
        rc = cmd_token(&cli, argc, argv);
    else if (strcmp(cmd, "tasks") == 0)
        rc = cmd_tasks(&cli, argc, argv);
    else if (strcmp(cmd, "mail") == 0)
        rc = cmd_mail(&cli, argc, argv);
    else if (strcmp(cmd, "credential") == 0)
        rc = cmd_credential(&cli, argc, argv);
    else
        rc = cmd_catalog(&cli, cmd, argc, argv);
    db_free(cli.db);
    arena_free(cli.arena);
    if (cli.opened)
        config_free(&cli.cfg);
    return rc;
}
