/* provctl_pwpolicy.c: "provctl tenant password-policy": shows, or turns on and off, the full
 * password check (dictionary, the user's own names) for the passwords a tenant's provisioning
 * APIs receive (lib/core/pwpolicy.c). The set-password page always uses the full check. */
#include "provctl.h"

#include <string.h>

#include "core/pwpolicy.h"
#include "core/tenants.h"

int cmd_tenant_password_policy(struct cli *cli, int argc, char **argv)
{
    struct opt o[] = {
        { "--tenant", 1, NULL, 0 }, { "--dictionary", 1, NULL, 0 }, { "--json", 0, NULL, 0 },
    };
    cli_parse(argc, argv, 3, o, sizeof o / sizeof o[0]);
    const char *oid = cli_required(&o[0]);
    int on = 0;
    if (o[1].given) {
        if (strcmp(o[1].value, "on") == 0)
            on = 1;
        else if (strcmp(o[1].value, "off") != 0)
            cli_usage("--dictionary takes on or off");
    }
    const struct tenant *t = cli_tenant(cli, oid);
    if (o[1].given && pwpolicy_set(cli->db, t->id, on) != PWPOLICY_OK)
        cli_fail("database unavailable (see the error log above)");
    int own = 0, effective = 0;
    if (pwpolicy_get(cli->db, cli->arena, t->id, &own, &effective) != PWPOLICY_OK)
        cli_fail("database unavailable (see the error log above)");
    json_object *out = json_object_new_object();
    int bad = jo_str(out, "id", t->oid);
    bad |= jo_bool(out, "dictionary", own);
    /* a sub-tenant follows its main tenant when that one turned the check on */
    bad |= jo_bool(out, "effective", effective);
    cli_print(out, bad);
    return 0;
}
