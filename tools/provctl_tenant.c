/* provctl_tenant.c: "provctl tenant create | api-user | mail". create prints the tenant's
 * credentials once, in the exact JSON shape of docs/CONTRACT.md section 9. */
#include "provctl.h"

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/utf8.h"
#include "base/valid.h"
#include "core/tenants.h"
#include "store/db.h"

static void check_text(const char *what, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max || text_check(s, n, TEXT_SINGLE_LINE) != TEXT_OK)
        cli_usage("invalid %s (1..%zu characters of UTF-8 text)", what, max);
}

/* One credential into the object its kind's label names (made when the first of its kinds
 * comes): the tenant's reference and the public id first, each once, then the secret, then
 * the group number ({"servicepower":{"customerid","customercode","jwtSecret"}}). -1 when an
 * allocation failed. */
static int add_cred(json_object *out, const struct tenant_secrets *s,
                    const struct tenant_cred *c)
{
    const struct cred_kind *k = c->kind;
    json_object *o;
    int bad = 0;
    if (!json_object_object_get_ex(out, k->label, &o)) {
        o = json_object_new_object();
        if (jo_add(out, k->label, o) != 0)
            return -1;
    }
    if (k->ref_label != NULL && !json_object_object_get_ex(o, k->ref_label, NULL))
        bad |= jo_str(o, k->ref_label, s->ref);
    if (k->public_label != NULL && c->public_id != NULL &&
        !json_object_object_get_ex(o, k->public_label, NULL))
        bad |= jo_str(o, k->public_label, c->public_id);
    bad |= jo_str(o, k->secret_label, c->secret);
    if (k->group_label != NULL && c->group_number > 0)
        bad |= jo_int(o, k->group_label, c->group_number);
    return bad;
}

static int tenant_create_cmd(struct cli *cli, int argc, char **argv)
{
    struct opt o[] = {
        { "--name", 1, NULL, 0 }, { "--parent", 1, NULL, 0 }, { "--code", 1, NULL, 0 },
        { "--json", 0, NULL, 0 },
    };
    cli_parse(argc, argv, 3, o, sizeof o / sizeof o[0]);
    const char *name = cli_required(&o[0]);
    check_text("name", name, 255);
    if (o[2].given) {
        const char *code = o[2].value;
        size_t n = strlen(code);
        if (n == 0 || n > 32 || code[strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
                                                 "qrstuvwxyz0123456789_-")] != '\0')
            cli_usage("invalid --code (1..32 of A-Z a-z 0-9 _ -)");
    }
    long long parent = 0;
    const struct tenant *p = NULL;
    if (o[1].given) {
        p = cli_tenant(cli, o[1].value);
        if (p->parent_id != 0)
            cli_usage("tenant %s is itself a sub-tenant; sub-tenants hang off main tenants",
                      p->oid);
        parent = p->id;
    }
    cli_open(cli);
    struct tenant_secrets s;
    switch (tenant_create(cli->db, cli->arena, name, o[2].value, parent, &s)) {
    case TENANT_OK:
        break;
    case TENANT_EXISTS:
        cli_usage("tenant code '%s' is already taken", o[2].value ? o[2].value : s.code);
    default:
        cli_fail("database unavailable (see the error log above)");
    }
    json_object *out = json_object_new_object();
    int bad = jo_str(out, "id", s.oid);
    bad |= jo_str(out, "code", s.code);
    bad |= jo_str(out, "name", name);
    bad |= jo_str(out, "parent", p ? p->oid : NULL);
    for (size_t i = 0; i < s.ncreds; i++)
        bad |= add_cred(out, &s, &s.creds[i]);
    cli_print(out, bad);
    explicit_bzero(&s, sizeof s);
    return 0;
}

static int tenant_api_user_cmd(struct cli *cli, int argc, char **argv)
{
    struct opt o[] = {
        { "--tenant", 1, NULL, 0 }, { "--email", 1, NULL, 0 }, { "--none", 0, NULL, 0 },
        { "--json", 0, NULL, 0 },
    };
    cli_parse(argc, argv, 3, o, sizeof o / sizeof o[0]);
    const char *oid = cli_required(&o[0]);
    if (o[1].given == o[2].given)
        cli_usage("give exactly one of --email EMAIL or --none");
    if (o[1].given && !valid_email(o[1].value, strlen(o[1].value)))
        cli_usage("invalid --email '%s'", o[1].value);
    const struct tenant *t = cli_tenant(cli, oid);
    struct db_val v[2] = { o[1].given ? DBV_S(o[1].value) : DBV_NONE, DBV_I(t->id) };
    if (db_exec(cli->db, SQL_TENANT_SET_API_USER, v, 2, NULL) != DB_OK)
        cli_fail("database unavailable (see the error log above)");
    json_object *out = json_object_new_object();
    int bad = jo_str(out, "id", t->oid);
    bad |= jo_str(out, "apiUser", o[1].given ? o[1].value : NULL);
    cli_print(out, bad);
    return 0;
}

static int tenant_mail_cmd(struct cli *cli, int argc, char **argv)
{
    struct opt o[] = {
        { "--tenant", 1, NULL, 0 }, { "--base-url", 1, NULL, 0 }, { "--from", 1, NULL, 0 },
        { "--json", 0, NULL, 0 },
    };
    cli_parse(argc, argv, 3, o, sizeof o / sizeof o[0]);
    const char *oid = cli_required(&o[0]);
    if (o[1].given) {
        const char *u = o[1].value;
        check_text("--base-url", u, 1000);
        if ((strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0) ||
            u[strlen(u) - 1] == '/' || strpbrk(u, " \"<>\\") != NULL)
            cli_usage("invalid --base-url (http(s)://host[/path] without a trailing slash)");
    }
    if (o[2].given && !valid_email(o[2].value, strlen(o[2].value)))
        cli_usage("invalid --from address");
    const struct tenant *t = cli_tenant(cli, oid);
    struct db_val v[3] = {
        o[1].given ? DBV_S(o[1].value) : DBV_S(t->base_url),
        o[2].given ? DBV_S(o[2].value) : DBV_S(t->mail_from), DBV_I(t->id),
    };
    if (db_exec(cli->db, SQL_TENANT_SET_MAIL, v, 3, NULL) != DB_OK)
        cli_fail("database unavailable (see the error log above)");
    json_object *out = json_object_new_object();
    int bad = jo_str(out, "id", t->oid);
    bad |= jo_str(out, "baseUrl", v[0].type == DBV_NULL ? NULL : v[0].s);
    bad |= jo_str(out, "mailFrom", v[1].type == DBV_NULL ? NULL : v[1].s);
    cli_print(out, bad);
    return 0;
}

int cmd_tenant(struct cli *cli, int argc, char **argv)
{
    const char *sub = argc > 2 ? argv[2] : "";
    if (strcmp(sub, "create") == 0)
        return tenant_create_cmd(cli, argc, argv);
    if (strcmp(sub, "api-user") == 0)
        return tenant_api_user_cmd(cli, argc, argv);
    if (strcmp(sub, "mail") == 0)
        return tenant_mail_cmd(cli, argc, argv);
    if (strcmp(sub, "password-policy") == 0)
        return cmd_tenant_password_policy(cli, argc, argv);
    cli_usage("tenant needs a subcommand: create, api-user, mail or password-policy");
}
