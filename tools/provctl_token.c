/* provctl_token.c: "provctl token create | revoke" for Skedulo API tokens (rotation and the
 * other kinds: provctl_credential.c). A token to revoke is read from standard input so it
 * never appears in a process list or shell history, and is never echoed. */
#include "provctl.h"

#include <stdio.h>
#include <string.h>

#include "core/cred_kinds.h"
#include "core/credentials.h"
#include "core/tenants.h"
#include "store/db.h"

static const char *const known_scopes[] = { "users:read", "users:write" };

/* "users:read,users:write" or "users:read users:write" -> space-separated, each known. */
static void normalise_scopes(const char *in, char *out, size_t outlen)
{
    size_t o = 0;
    out[0] = '\0';
    const char *p = in;
    while (*p != '\0') {
        p += strspn(p, " ,");
        size_t k = strcspn(p, " ,");
        if (k == 0)
            break;
        size_t i;
        for (i = 0; i < sizeof known_scopes / sizeof known_scopes[0]; i++)
            if (strlen(known_scopes[i]) == k && memcmp(known_scopes[i], p, k) == 0)
                break;
        if (i == sizeof known_scopes / sizeof known_scopes[0])
            cli_usage("unknown scope '%.*s' (known: users:read, users:write)", (int)k, p);
        if (strstr(out, known_scopes[i]) == NULL) {
            int n = snprintf(out + o, outlen - o, "%s%s", o ? " " : "", known_scopes[i]);
            if (n < 0 || (size_t)n >= outlen - o)
                cli_usage("too many scopes");
            o += (size_t)n;
        }
        p += k;
    }
    if (o == 0)
        cli_usage("--scope needs at least one scope");
}

static int token_create(struct cli *cli, int argc, char **argv)
{
    struct opt o[] = { { "--tenant", 1, NULL, 0 }, { "--scope", 1, NULL, 0 },
                       { "--json", 0, NULL, 0 } };
    cli_parse(argc, argv, 3, o, sizeof o / sizeof o[0]);
    const char *oid = cli_required(&o[0]);
    char scopes[128];
    normalise_scopes(cli_required(&o[1]), scopes, sizeof scopes);
    const struct tenant *t = cli_tenant(cli, oid);
    struct cred_kind k;
    char token[CRED_SECRET_MAX];
    long long id;
    if (cred_kind_get(cli->db, cli->arena, TOKEN_KIND, &k) != CRED_OK ||
        cred_issue(cli->db, t->id, &k, scopes, token, &id) != CRED_OK)
        cli_fail("database unavailable (see the error log above)");
    json_object *out = json_object_new_object();
    int bad = jo_str(out, "token", token);
    bad |= jo_str(out, "scopes", scopes);
    bad |= jo_str(out, "tenantId", t->ref);
    cli_print(out, bad);
    explicit_bzero(token, sizeof token);
    return 0;
}

/* The same revocation as "provctl credential revoke --kind skedulo_token", kept for scripts
 * written against it. A stray argument (a token pasted onto the command line) is refused by
 * cli_parse without being shown. */
static int token_revoke(struct cli *cli, int argc, char **argv)
{
    cli_parse(argc, argv, 3, NULL, 0);
    char line[520];
    cli_read_secret(line, sizeof line, "token");
    cli_open(cli);
    long long id = 0;
    enum cred_status cs = cred_find_secret(cli->db, cli->arena, TOKEN_KIND, line, &id);
    explicit_bzero(line, sizeof line);
    if (cs == CRED_OK)
        cs = cred_revoke(cli->db, cli->arena, id);
    if (cs == CRED_NOT_FOUND || cs == CRED_NOT_LIVE)
        cli_usage("no active token matches");
    if (cs != CRED_OK)
        cli_fail("database unavailable (see the error log above)");
    puts("{\"revoked\":true}");
    return 0;
}

int cmd_token(struct cli *cli, int argc, char **argv)
{
    const char *sub = argc > 2 ? argv[2] : "";
    if (strcmp(sub, "create") == 0)
        return token_create(cli, argc, argv);
    if (strcmp(sub, "revoke") == 0)
        return token_revoke(cli, argc, argv);
    cli_usage("token needs a subcommand: create or revoke");
}
