/* provctl_credential.c: "provctl credential list | rotate | revoke | create": every kind of
 * credential can be replaced and revoked. A new secret is printed once, as JSON on stdout, in
 * the shape "tenant create" uses for that dialect; a secret going in (to revoke it) is read
 * from standard input only. Never prints or logs a stored hash, and never echoes a value that
 * could be a secret in an error message. */
#include "provctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/valid.h"
#include "core/cred_kinds.h"
#include "core/credentials.h"
#include "core/tenants.h"
#include "store/db.h"

/* A rotation that does not say --grace leaves the old secret working for a day: long enough to
 * roll the new one out, and a forgotten revocation still ends by itself. */
#define GRACE_DEFAULT 86400LL

enum { KINDS_LIST_MAX = 1024 };   /* the kinds named in an unknown-kind message */

/* The kind named name (credential_kinds), or a usage error listing the kinds there are. Opens
 * the database: the kinds are read from it. */
static const struct cred_kind *kind_named(struct cli *cli, const char *name)
{
    cli_open(cli);
    struct cred_kind *kinds;
    size_t n;
    if (cred_kinds_list(cli->db, cli->arena, &kinds, &n) != CRED_OK)
        cli_fail("database unavailable (see the error log above)");
    for (size_t i = 0; i < n; i++)
        if (strcmp(kinds[i].kind, name) == 0)
            return &kinds[i];
    char known[KINDS_LIST_MAX];
    size_t o = 0;
    known[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(known + o, sizeof known - o, "%s%s", i ? ", " : "", kinds[i].kind);
        if (w < 0 || (size_t)w >= sizeof known - o)
            break;
        o += (size_t)w;
    }
    /* the value is not shown: it may be a secret given in the wrong place */
    cli_usage("unknown --kind (one of %s)", known);
}

/* A positive decimal id, or a usage error that does not show the value. */
static long long id_arg(const struct opt *o)
{
    const char *s = o->value;
    size_t n = strlen(s);
    if (n == 0 || n > 18 || strspn(s, "0123456789") != n || s[0] == '0')
        cli_usage("invalid %s (a credential id from provctl credential list)", o->name);
    return strtoll(s, NULL, 10);
}

static void generate(const struct cred_kind *k, char out[CRED_SECRET_MAX])
{
    if (cred_secret_make(k, out) != 0)
        cli_fail("no randomness available");
}

/* {"skedulo":{"tenantId","token","scopes"}} and the like: the new secret and what a client
 * needs with it, where the kind's labels say. -1 when an allocation failed. */
static int add_secret(json_object *out, const struct cred_kind *k, const struct tenant *t,
                      const struct credential *c, const char *secret)
{
    json_object *o = json_object_new_object();
    int bad = 0;
    if (k->ref_label != NULL)
        bad |= jo_str(o, k->ref_label, t->ref);
    if (k->public_label != NULL && c->public_id != NULL)
        bad |= jo_str(o, k->public_label, c->public_id);
    bad |= jo_str(o, k->secret_label, secret);
    if (k->scopes_label != NULL)
        bad |= jo_str(o, k->scopes_label, c->scopes);
    if (k->group_label != NULL && c->group_id > 0)
        bad |= jo_int(o, k->group_label, c->group_number);
    if (bad) {
        json_object_put(o);
        return -1;
    }
    return jo_add(out, k->label, o);
}

static json_object *describe(const struct credential *c)
{
    json_object *o = json_object_new_object();
    int bad = jo_int(o, "id", c->id);
    bad |= jo_str(o, "kind", c->kind);
    bad |= jo_str(o, "publicId", c->public_id);   /* NULL: a JSON null */
    bad |= jo_str(o, "scopes", c->scopes);
    bad |= c->group_id > 0 ? jo_int(o, "groupId", c->group_number) : jo_null(o, "groupId");
    bad |= c->replaces > 0 ? jo_int(o, "replaces", c->replaces) : jo_null(o, "replaces");
    bad |= jo_str(o, "createdAt", c->created_at);
    bad |= jo_str(o, "expiresAt", c->expires_at);
    bad |= jo_str(o, "revokedAt", c->revoked_at);
    bad |= jo_bool(o, "live", c->live);
    if (bad) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* The tenant named by --tenant. A malformed value is not shown (cli_tenant would echo it): in
 * these commands it may be a secret given in the wrong place. */
static const struct tenant *tenant_arg(struct cli *cli, const char *oid)
{
    if (!valid_oid(oid, strlen(oid)))
        cli_usage("invalid --tenant (a tenant id: 24 hex digits)");
    return cli_tenant(cli, oid);
}

static _Noreturn void db_failed(void)
{
    cli_fail("database unavailable (see the error log above)");
}

static const struct tenant *tenant_of(struct cli *cli, long long tenant_id)
{
    struct tenant *t = NULL;
    if (tenant_by_id(cli->db, cli->arena, tenant_id, &t) != TENANT_OK)
        db_failed();
    return t;
}

static int list_cmd(struct cli *cli, int argc, char **argv)
{
    struct opt o[] = { { "--tenant", 1, NULL, 0 }, { "--json", 0, NULL, 0 } };
    cli_parse(argc, argv, 3, o, sizeof o / sizeof o[0]);
    const struct tenant *t = tenant_arg(cli, cli_required(&o[0]));
    struct credential *list;
    size_t n;
    if (cred_list(cli->db, cli->arena, t->id, &list, &n) != CRED_OK)
        db_failed();
    json_object *out = json_object_new_object(), *arr = json_object_new_array();
    int bad = jo_str(out, "tenant", t->oid);
    for (size_t i = 0; i < n; i++)
        bad |= ja_add(arr, describe(&list[i]));
    bad |= jo_add(out, "credentials", arr);
    cli_print(out, bad);
    return 0;
}

static int rotate_cmd(struct cli *cli, int argc, char **argv)
{
    enum { O_TENANT, O_KIND, O_ID, O_GRACE, O_JSON };
    struct opt o[] = { { "--tenant", 1, NULL, 0 }, { "--kind", 1, NULL, 0 },
                       { "--id", 1, NULL, 0 }, { "--grace", 1, NULL, 0 },
                       { "--json", 0, NULL, 0 } };
    cli_parse(argc, argv, 3, o, sizeof o / sizeof o[0]);
    if (o[O_ID].given == (o[O_TENANT].given || o[O_KIND].given))
        cli_usage("give either --id N or --tenant ID with --kind KIND");
    long long id = o[O_ID].given ? id_arg(&o[O_ID]) : 0;
    const struct cred_kind *k = NULL;
    const struct tenant *t = NULL;
    struct cred_kind kind;
    if (!o[O_ID].given) {
        k = kind_named(cli, cli_required(&o[O_KIND]));
        (void)cli_required(&o[O_TENANT]);
    }
    long long grace = GRACE_DEFAULT;
    if (o[O_GRACE].given) {
        const char *g = o[O_GRACE].value;
        size_t n = strlen(g);
        if (n > 8 || strspn(g, "0123456789") != n ||
            (grace = strtoll(g, NULL, 10)) > CRED_GRACE_MAX)
            cli_usage("invalid --grace (0..%lld seconds)", CRED_GRACE_MAX);
    }
    if (k != NULL) {
        t = tenant_arg(cli, o[O_TENANT].value);
        switch (cred_pick(cli->db, cli->arena, t->id, k->kind, &id)) {
        case CRED_OK:
            break;
        case CRED_NOT_FOUND:
            cli_usage("tenant %s has no %s credential", t->oid, k->kind);
        case CRED_AMBIGUOUS:
            cli_usage("tenant %s has several live %s credentials: give --id N (see provctl "
                      "credential list)", t->oid, k->kind);
        default:
            db_failed();
        }
    } else {
        cli_open(cli);
        struct credential c;
        switch (cred_get(cli->db, cli->arena, id, &c)) {
        case CRED_OK:
            break;
        case CRED_NOT_FOUND:
            cli_usage("no credential %lld", id);
        default:
            db_failed();
        }
        switch (cred_kind_get(cli->db, cli->arena, c.kind, &kind)) {
        case CRED_OK:
            k = &kind;
            break;
        case CRED_NOT_FOUND:
            cli_fail("credential %lld has a kind this provctl does not know", id);
        default:
            db_failed();
        }
        t = tenant_of(cli, c.tenant_id);
    }
    char secret[CRED_SECRET_MAX];
    generate(k, secret);
    long long new_id = 0;
    struct credential old;
    switch (cred_rotate(cli->db, cli->arena, id, secret, grace, &new_id, &old)) {
    case CRED_OK:
        break;
    case CRED_NOT_FOUND:
        explicit_bzero(secret, sizeof secret);
        cli_usage("no credential %lld", id);
    case CRED_TOO_MANY:
        explicit_bzero(secret, sizeof secret);
        cli_usage("%s %s already has %d live credentials: revoke one first (provctl "
                  "credential list)", k->kind, old.public_id ? old.public_id : "",
                  CRED_PUBLIC_LIVE_MAX);
    default:
        explicit_bzero(secret, sizeof secret);
        db_failed();
    }
    struct credential made;
    if (cred_get(cli->db, cli->arena, new_id, &made) != CRED_OK) {
        explicit_bzero(secret, sizeof secret);
        db_failed();
    }
    json_object *out = json_object_new_object(), *rep = json_object_new_object();
    int bad = jo_int(out, "id", new_id);
    bad |= jo_str(out, "kind", k->kind);
    bad |= jo_str(out, "tenant", t->oid);
    bad |= jo_int(rep, "id", old.id);
    bad |= jo_bool(rep, "live", old.live);
    bad |= jo_str(rep, "validUntil", old.revoked_at ? old.revoked_at : old.expires_at);
    bad |= jo_add(out, "replaces", rep);
    bad |= add_secret(out, k, t, &made, secret);
    explicit_bzero(secret, sizeof secret);
    cli_print(out, bad);
    return 0;
}

static int revoke_cmd(struct cli *cli, int argc, char **argv)
{
    struct opt o[] = { { "--id", 1, NULL, 0 }, { "--kind", 1, NULL, 0 },
                       { "--json", 0, NULL, 0 } };
    cli_parse(argc, argv, 3, o, sizeof o / sizeof o[0]);
    if (o[0].given == o[1].given)
        cli_usage("give either --id N or --kind KIND (with the secret on standard input)");
    long long id = 0;
    if (o[0].given) {
        id = id_arg(&o[0]);
        cli_open(cli);
    } else {
        const struct cred_kind *k = kind_named(cli, o[1].value);
        char line[520];
        cli_read_secret(line, sizeof line, "secret");
        cli_open(cli);
        enum cred_status cs = cred_find_secret(cli->db, cli->arena, k->kind, line, &id);
        explicit_bzero(line, sizeof line);
        if (cs == CRED_NOT_FOUND)
            cli_usage("no %s credential has this secret", k->kind);
        if (cs != CRED_OK)
            db_failed();
    }
    struct credential c;
    switch (cred_revoke(cli->db, cli->arena, id)) {
    case CRED_OK:
        break;
    case CRED_NOT_FOUND:
        cli_usage("no credential %lld", id);
    case CRED_NOT_LIVE:
        cli_usage("credential %lld is already revoked or expired", id);
    default:
        db_failed();
    }
    if (cred_get(cli->db, cli->arena, id, &c) != CRED_OK)
        db_failed();
    json_object *out = json_object_new_object();
    int bad = jo_int(out, "id", c.id);
    bad |= jo_str(out, "kind", c.kind);
    bad |= jo_str(out, "tenant", tenant_of(cli, c.tenant_id)->oid);
    bad |= jo_str(out, "revokedAt", c.revoked_at);
    cli_print(out, bad);
    return 0;
}

/* Another key of a kind bound to a group (default_group: Xtracta's), for another group of the
 * tenant (each key is scoped to one group). The other kinds are one per tenant (rotate them)
 * or have their own command (token create). */
static int create_cmd(struct cli *cli, int argc, char **argv)
{
    struct opt o[] = { { "--tenant", 1, NULL, 0 }, { "--kind", 1, NULL, 0 },
                       { "--group", 1, NULL, 0 }, { "--json", 0, NULL, 0 } };
    cli_parse(argc, argv, 3, o, sizeof o / sizeof o[0]);
    const char *oid = cli_required(&o[0]);
    const struct cred_kind *k = kind_named(cli, cli_required(&o[1]));
    if (strcmp(k->kind, TOKEN_KIND) == 0)
        cli_usage("a new Skedulo token is made by provctl token create");
    if (!k->default_group)
        cli_usage("a tenant has one %s: replace it with provctl credential rotate", k->kind);
    const char *g = cli_required(&o[2]);
    size_t gn = strlen(g);
    if (gn == 0 || gn > 18 || strspn(g, "0123456789") != gn || g[0] == '0')
        cli_usage("invalid --group (a group id of the tenant)");
    long long group = strtoll(g, NULL, 10);
    const struct tenant *t = tenant_arg(cli, oid);
    struct db_val gv[2] = { DBV_I(group), DBV_I(t->id) };
    struct db_rows rows;
    int found;
    if (db_query_row(cli->db, cli->arena, SQL_GROUP_IN_TENANT, gv, 2, &rows, &found) != DB_OK)
        db_failed();
    if (!found)
        cli_usage("tenant %s has no group %lld", t->oid, group);
    group = db_cell_int(db_cell(&rows, 0, 0));   /* the internal id the credential keeps */
    char secret[CRED_SECRET_MAX];
    generate(k, secret);
    long long id = 0;
    struct credential c;
    if (cred_add(cli->db, t->id, k->kind, NULL, secret, "", group, &id) != CRED_OK ||
        cred_get(cli->db, cli->arena, id, &c) != CRED_OK) {
        explicit_bzero(secret, sizeof secret);
        db_failed();
    }
    json_object *out = json_object_new_object();
    int bad = jo_int(out, "id", id);
    bad |= jo_str(out, "kind", k->kind);
    bad |= jo_str(out, "tenant", t->oid);
    bad |= add_secret(out, k, t, &c, secret);
    explicit_bzero(secret, sizeof secret);
    cli_print(out, bad);
    return 0;
}

int cmd_credential(struct cli *cli, int argc, char **argv)
{
    const char *sub = argc > 2 ? argv[2] : "";
    if (strcmp(sub, "list") == 0)
        return list_cmd(cli, argc, argv);
    if (strcmp(sub, "rotate") == 0)
        return rotate_cmd(cli, argc, argv);
    if (strcmp(sub, "revoke") == 0)
        return revoke_cmd(cli, argc, argv);
    if (strcmp(sub, "create") == 0)
        return create_cmd(cli, argc, argv);
    cli_usage("credential needs a subcommand: list, rotate, revoke or create");
}
