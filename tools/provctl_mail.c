/* provctl_mail.c: "provctl mail deliver" (send the due mail of the outbox; made for cron, any
 * number may run at once) and "provctl mail template" (a tenant's subject and body overrides).
 * Never prints a mail body: it may hold a pin, a password or a link token. */
#include "provctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/utf8.h"
#include "base/valid.h"
#include "core/mail.h"
#include "core/outbox.h"
#include "core/tenants.h"
#include "store/db.h"

enum { TEMPLATE_BODY_MAX = 65536, TEMPLATE_SUBJECT_MAX = 200 };

static int mail_deliver_cmd(struct cli *cli, int argc, char **argv)
{
    struct opt o[] = {
        { "--tenant", 1, NULL, 0 }, { "--limit", 1, NULL, 0 }, { "--json", 0, NULL, 0 },
    };
    cli_parse(argc, argv, 3, o, sizeof o / sizeof o[0]);
    struct outbox_filter f = { 0 };
    if (o[1].given) {
        long long n;
        if (!parse_digits(o[1].value, strlen(o[1].value), &n) || n < 1 || n > 100000000)
            cli_usage("invalid --limit '%s' (a number from 1)", o[1].value);
        f.limit = (unsigned)n;
    }
    if (o[0].given)
        f.tenant_id = cli_tenant(cli, o[0].value)->id;
    cli_open(cli);
    struct outbox_stats st;
    enum outbox_status os = outbox_deliver(cli->db, &cli->cfg, NULL, &f, &st);
    if (o[2].given) {
        json_object *out = json_object_new_object();
        int bad = jo_int(out, "sent", st.sent);
        bad |= jo_int(out, "retried", st.retried);
        bad |= jo_int(out, "dead", st.dead);
        cli_print(out, bad);
    } else {
        printf("mail: %u sent, %u to retry, %u dead\n", st.sent, st.retried, st.dead);
    }
    if (os != OUTBOX_OK)
        cli_fail("database unavailable (see the error log above)");
    return 0;
}

/* The whole file as a NUL-terminated string in the arena; exits 2 when it cannot be used. */
static char *read_body_file(struct cli *cli, const char *path)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (fp == NULL)
        cli_usage("cannot read --body-file %s: %s", path, strerror(errno));
    char *text = arena_alloc(cli->arena, TEMPLATE_BODY_MAX + 2);
    if (text == NULL)
        cli_fail("out of memory");
    size_t n = fread(text, 1, TEMPLATE_BODY_MAX + 1, fp);
    int bad = ferror(fp);
    if (fp != stdin)
        fclose(fp);
    if (bad)
        cli_usage("cannot read --body-file %s", path);
    if (n == 0 || n > TEMPLATE_BODY_MAX)
        cli_usage("--body-file must hold 1..%d bytes", TEMPLATE_BODY_MAX);
    text[n] = '\0';
    if (text_check(text, n, TEXT_MULTI_LINE) != TEXT_OK)
        cli_usage("--body-file must be UTF-8 text (TAB, CR and LF are the only control "
                  "characters allowed)");
    return text;
}

static json_object *template_json(struct cli *cli, const struct tenant *t, enum mail_kind kind)
{
    struct db_val v[2] = { DBV_I(t->id), DBV_S(mail_kind_name(kind)) };
    struct db_rows rows;
    int found;
    if (db_query_row(cli->db, cli->arena, SQL_MAIL_TEMPLATE_GET, v, 2, &rows, &found) != DB_OK)
        cli_fail("database unavailable (see the error log above)");
    const char *subject = found ? db_cell_str(db_cell(&rows, 0, 0)) : NULL;
    const char *body = found ? db_cell_str(db_cell(&rows, 0, 1)) : NULL;
    json_object *out = json_object_new_object();
    int bad = jo_str(out, "tenant", t->oid);
    bad |= jo_str(out, "kind", mail_kind_name(kind));
    bad |= jo_str(out, "subject", subject ? subject : mail_subject_template(kind));
    bad |= jo_str(out, "body", body ? body : mail_body_template(kind));
    bad |= jo_bool(out, "subjectOverridden", subject != NULL);
    bad |= jo_bool(out, "bodyOverridden", body != NULL);
    if (bad) {
        json_object_put(out);
        return NULL;
    }
    return out;
}

static int mail_template_cmd(struct cli *cli, int argc, char **argv)
{
    struct opt o[] = {
        { "--tenant", 1, NULL, 0 }, { "--kind", 1, NULL, 0 }, { "--subject", 1, NULL, 0 },
        { "--body-file", 1, NULL, 0 }, { "--reset", 0, NULL, 0 }, { "--json", 0, NULL, 0 },
    };
    cli_parse(argc, argv, 3, o, sizeof o / sizeof o[0]);
    const char *oid = cli_required(&o[0]);
    enum mail_kind kind;
    if (mail_kind_from_name(cli_required(&o[1]), &kind) != 0)
        cli_usage("invalid --kind '%s' (set_password, invitation, pin or password)", o[1].value);
    if (o[4].given && (o[2].given || o[3].given))
        cli_usage("--reset cannot be combined with --subject or --body-file");
    const char *subject = o[2].value;
    if (subject != NULL) {
        size_t n = strlen(subject);
        if (n > TEMPLATE_SUBJECT_MAX || text_check(subject, n, TEXT_SINGLE_LINE) != TEXT_OK)
            cli_usage("invalid --subject (1..%d bytes of UTF-8 text on one line)",
                      TEMPLATE_SUBJECT_MAX);
    }
    cli_open(cli);
    const char *body = o[3].given ? read_body_file(cli, o[3].value) : NULL;
    if (body != NULL && strstr(body, mail_key_placeholder(kind)) == NULL)
        cli_usage("the body of a %s mail must contain %s", mail_kind_name(kind),
                  mail_key_placeholder(kind));
    const struct tenant *t = cli_tenant(cli, oid);
    enum db_status st = DB_OK;
    if (o[4].given) {
        struct db_val v[2] = { DBV_I(t->id), DBV_S(mail_kind_name(kind)) };
        st = db_exec(cli->db, SQL_MAIL_TEMPLATE_DELETE, v, 2, NULL);
    }
    if (st == DB_OK && subject != NULL) {
        struct db_val v[3] = { DBV_I(t->id), DBV_S(mail_kind_name(kind)), DBV_S(subject) };
        st = db_exec(cli->db, SQL_MAIL_TEMPLATE_SET_SUBJECT, v, 3, NULL);
    }
    if (st == DB_OK && body != NULL) {
        struct db_val v[3] = { DBV_I(t->id), DBV_S(mail_kind_name(kind)), DBV_S(body) };
        st = db_exec(cli->db, SQL_MAIL_TEMPLATE_SET_BODY, v, 3, NULL);
    }
    if (st != DB_OK)
        cli_fail("database unavailable (see the error log above)");
    cli_print(template_json(cli, t, kind), 0);
    return 0;
}

int cmd_mail(struct cli *cli, int argc, char **argv)
{
    if (argc < 3)
        cli_usage("mail needs a subcommand: deliver or template");
    if (strcmp(argv[2], "deliver") == 0)
        return mail_deliver_cmd(cli, argc, argv);
    if (strcmp(argv[2], "template") == 0)
        return mail_template_cmd(cli, argc, argv);
    cli_usage("unknown mail subcommand '%s' (deliver or template)", argv[2]);
}
