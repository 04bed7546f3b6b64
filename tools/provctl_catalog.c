/* provctl_catalog.c: "provctl region|group|workflow|role add": what a tenant's users refer to. */
#include "provctl.h"

#include <string.h>

#include "base/utf8.h"
#include "core/catalog.h"
#include "core/tenants.h"

static const char *text_opt(const struct opt *o, size_t max)
{
    const char *s = cli_required(o);
    size_t n = strlen(s);
    if (n == 0 || n > max || text_check(s, n, TEXT_SINGLE_LINE) != TEXT_OK)
        cli_usage("invalid %s (1..%zu characters of UTF-8 text)", o->name, max);
    return s;
}

static void check_status(enum catalog_status cs, const char *what, const char *name)
{
    if (cs == CATALOG_EXISTS)
        cli_usage("%s '%s' already exists in this tenant", what, name);
    if (cs != CATALOG_OK)
        cli_fail("database unavailable (see the error log above)");
}

int cmd_catalog(struct cli *cli, const char *what, int argc, char **argv)
{
    enum { O_TENANT, O_NAME, O_JSON, O_CODE };
    struct opt o[] = {
        { "--tenant", 1, NULL, 0 }, { "--name", 1, NULL, 0 }, { "--json", 0, NULL, 0 },
        { "--code", 1, NULL, 0 },
    };
    if (argc < 3 || strcmp(argv[2], "add") != 0)
        cli_usage("%s needs the subcommand 'add'", what);
    int is_group = strcmp(what, "group") == 0;
    /* only groups take --code (and for them --name is optional) */
    cli_parse(argc, argv, 3, o, is_group ? 4 : 3);
    const char *oid = cli_required(&o[O_TENANT]);
    const char *code = is_group ? text_opt(&o[O_CODE], 64) : NULL;
    const char *name = !is_group || o[O_NAME].given ? text_opt(&o[O_NAME], 255) : code;
    const struct tenant *t = cli_tenant(cli, oid);
    json_object *out = json_object_new_object();
    int bad = 0;
    /* a group's or workflow's "id" is its number in the tenant (lib/base/pubid.h): what Xtracta
     * requests name it by */
    if (is_group) {
        long long number = 0;
        check_status(catalog_group_add(cli->db, t->id, code, name, &number), "group", code);
        bad |= jo_int(out, "id", number);
        bad |= jo_str(out, "code", code);
        bad |= jo_str(out, "name", name);
    } else if (strcmp(what, "workflow") == 0) {
        long long number = 0;
        check_status(catalog_workflow_add(cli->db, t->id, name, &number), "workflow", name);
        bad |= jo_int(out, "id", number);
    } else if (strcmp(what, "region") == 0) {
        char uuid[UUID_STR_LEN + 1];
        check_status(catalog_region_add(cli->db, t->id, name, uuid), "region", name);
        bad |= jo_str(out, "id", uuid);
    } else {
        char uuid[UUID_STR_LEN + 1];
        check_status(catalog_role_add(cli->db, cli->arena, t->id, name, uuid), "role", name);
        bad |= jo_str(out, "id", uuid);
    }
    cli_print(out, bad);
    return 0;
}
