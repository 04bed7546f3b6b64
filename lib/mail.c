/* mail.c: the mail templates and the outbox insert. Rendering substitutes placeholders only;
 * it never interprets the values, and the outbox keeps subject and body separate from any
 * header so user data cannot become a header (the deliverer encodes headers). */
#include "mail.h"

#include <stddef.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "config.h"
#include "ctx.h"
#include "db.h"
#include "tenants.h"

struct template {
    const char *kind;
    const char *subject;
    const char *body;
    int has_secret;
};

static const struct template templates[MAIL_KIND_COUNT] = {
    [MAIL_SET_PASSWORD] = {
        "set_password",
        "Set your password",
        "Hello {{name}},\n\n"
        "An account has been created for you. Set your password here:\n\n"
        "{{link}}\n\n"
        "The link can be used once and expires {{expires}}.\n",
        0,
    },
    [MAIL_INVITATION] = {
        "invitation",
        "You are invited",
        "Hello {{name}},\n\n"
        "You have been invited. Choose your password to start:\n\n"
        "{{link}}\n\n"
        "The link can be used once and expires {{expires}}.\n",
        0,
    },
    [MAIL_PIN] = {
        "pin",
        "Your login pin",
        "Hello {{name}},\n\nYour login pin is {{pin}}.\n",
        1,
    },
    [MAIL_PASSWORD] = {
        "password",
        "Your new password",
        "Hello {{name}},\n\nYour password has been reset. Your new password is:\n\n"
        "{{password}}\n\nPlease change it after you sign in.\n",
        1,
    },
};

const char *mail_subject_template(enum mail_kind kind)
{
    return templates[kind].subject;
}

const char *mail_body_template(enum mail_kind kind)
{
    return templates[kind].body;
}

const char *mail_kind_name(enum mail_kind kind)
{
    return templates[kind].kind;
}

int mail_kind_has_secret(enum mail_kind kind)
{
    return templates[kind].has_secret;
}

const char *mail_base_url(const struct ctx *c, const struct tenant *t)
{
    const char *u = t != NULL && t->base_url != NULL && *t->base_url ? t->base_url
                                                                     : c->cfg->base_url;
    return u != NULL && *u != '\0' ? u : NULL;
}

int mail_configured(const struct ctx *c, const struct tenant *t)
{
    const char *from = t != NULL && t->mail_from != NULL && *t->mail_from ? t->mail_from
                                                                         : c->cfg->mail_from;
    return mail_base_url(c, t) != NULL && from != NULL && *from != '\0';
}

char *mail_render(struct ctx *c, const char *tmpl, const struct mail_vars *v)
{
    static const struct {
        const char *name;
        size_t off;
    } vars[] = {
        { "{{name}}", offsetof(struct mail_vars, name) },
        { "{{link}}", offsetof(struct mail_vars, link) },
        { "{{pin}}", offsetof(struct mail_vars, pin) },
        { "{{password}}", offsetof(struct mail_vars, password) },
        { "{{expires}}", offsetof(struct mail_vars, expires) },
    };
    struct buf b = { 0 };
    const char *p = tmpl;
    while (*p != '\0') {
        const char *open = strstr(p, "{{");
        if (open == NULL) {
            buf_puts(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(open - p));
        size_t i;
        for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
            size_t n = strlen(vars[i].name);
            if (strncmp(open, vars[i].name, n) == 0) {
                const char *val = *(const char *const *)((const char *)v + vars[i].off);
                buf_puts(&b, val != NULL ? val : "");
                p = open + n;
                break;
            }
        }
        if (i == sizeof vars / sizeof vars[0]) {
            buf_append(&b, "{{", 2);
            p = open + 2;
        }
    }
    char *out = b.failed ? NULL : arena_strndup(c->arena, b.data ? b.data : "", b.len);
    buf_free(&b);
    return out;
}

enum mail_status mail_queue(struct ctx *c, const struct tenant *t, long long user_id,
                            const char *to, enum mail_kind kind, const struct mail_vars *v)
{
    if (!mail_configured(c, t))
        return MAIL_NOT_CONFIGURED;
    const struct template *tp = &templates[kind];
    char *subject = mail_render(c, tp->subject, v);
    char *body = mail_render(c, tp->body, v);
    if (subject == NULL || body == NULL)
        return MAIL_FAILED;
    struct db_val p[7] = {
        DBV_I(t->id), user_id > 0 ? DBV_I(user_id) : DBV_NONE, DBV_S(tp->kind), DBV_S(to),
        DBV_S(subject), DBV_S(body), DBV_I(tp->has_secret),
    };
    return db_exec(c->db, SQL_OUTBOX_INSERT, p, 7, NULL) == DB_OK ? MAIL_OK : MAIL_FAILED;
}
