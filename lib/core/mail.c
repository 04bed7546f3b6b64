/* mail.c: the mail templates (built in, per-tenant overrides) and the outbox insert.
 * Rendering substitutes placeholders only; it never interprets the values. The outbox keeps
 * subject, display name and body apart from any header, and the deliverer (mail_message.c)
 * encodes them, so user data cannot become a header; control characters are also turned into
 * spaces here in the one-line fields, and their length fits the columns. */
#include "core/mail.h"

#include <stddef.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "codec/json_out.h"
#include "codec/rfc2047.h"
#include "core/core.h"
#include "core/outbox.h"
#include "core/tenants.h"
#include "store/db.h"

struct template {
    const char *kind;
    const char *subject;
    const char *body;
    const char *key;        /* the placeholder the body exists for */
    int has_secret;         /* the body carries a credential: blanked once sent */
};

/* Every kind carries a credential: a pin, a password, or a single-use link whose token is
 * stored only hashed in user_tokens; the clear copy in the outbox goes once the mail is out. */
static const struct template templates[MAIL_KIND_COUNT] = {
    [MAIL_SET_PASSWORD] = {
        "set_password",
        "Set your password",
        "Hello {{name}},\n\n"
        "An account has been created for you. Set your password here:\n\n"
        "{{link}}\n\n"
        "The link can be used once and expires {{expires}}.\n",
        "{{link}}",
        1,
    },
    [MAIL_INVITATION] = {
        "invitation",
        "You are invited",
        "Hello {{name}},\n\n"
        "You have been invited. Choose your password to start:\n\n"
        "{{link}}\n\n"
        "The link can be used once and expires {{expires}}.\n",
        "{{link}}",
        1,
    },
    [MAIL_PIN] = {
        "pin",
        "Your login pin",
        "Hello {{name}},\n\nYour login pin is {{pin}}.\n",
        "{{pin}}",
        1,
    },
    [MAIL_PASSWORD] = {
        "password",
        "Your new password",
        "Hello {{name}},\n\nYour password has been reset. Your new password is:\n\n"
        "{{password}}\n\nPlease change it after you sign in.\n",
        "{{password}}",
        1,
    },
};

static int kind_ok(enum mail_kind kind)
{
    return (unsigned)kind < MAIL_KIND_COUNT;
}

const char *mail_subject_template(enum mail_kind kind)
{
    return kind_ok(kind) ? templates[kind].subject : NULL;
}

const char *mail_body_template(enum mail_kind kind)
{
    return kind_ok(kind) ? templates[kind].body : NULL;
}

const char *mail_kind_name(enum mail_kind kind)
{
    return kind_ok(kind) ? templates[kind].kind : NULL;
}

const char *mail_key_placeholder(enum mail_kind kind)
{
    return kind_ok(kind) ? templates[kind].key : NULL;
}

int mail_kind_from_name(const char *name, enum mail_kind *kind)
{
    for (int k = 0; k < MAIL_KIND_COUNT; k++)
        if (name != NULL && strcmp(name, templates[k].kind) == 0) {
            *kind = (enum mail_kind)k;
            return 0;
        }
    return -1;
}

int mail_kind_has_secret(enum mail_kind kind)
{
    return kind_ok(kind) ? templates[kind].has_secret : 1;
}

const char *mail_base_url(const struct core *c, const struct tenant *t)
{
    const char *u = t != NULL && t->base_url != NULL && *t->base_url ? t->base_url
                                                                     : c->cfg->base_url;
    return u != NULL && *u != '\0' ? u : NULL;
}

int mail_configured(const struct core *c, const struct tenant *t)
{
    const char *from = t != NULL && t->mail_from != NULL && *t->mail_from ? t->mail_from
                                                                         : c->cfg->mail_from;
    return mail_base_url(c, t) != NULL && from != NULL && *from != '\0';
}

/* Renders a template text with v into the arena. NULL on allocation failure. Unknown
 * placeholders are left as written. */
static char *mail_render(struct core *c, const char *tmpl, const struct mail_vars *v)
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
        { "{{email}}", offsetof(struct mail_vars, email) },
        { "{{tenant}}", offsetof(struct mail_vars, tenant) },
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
    if (b.data != NULL)
        explicit_bzero(b.data, b.cap);   /* a pin or password may have been rendered */
    buf_free(&b);
    return out;
}

/* s as one line (control characters as spaces, valid UTF-8) of at most max characters, in
 * the arena; NULL for NULL, or on allocation failure (*failed set). */
static const char *one_line(struct core *c, const char *s, size_t max, int *failed)
{
    if (s == NULL)
        return NULL;
    struct buf b = { 0 };
    const char *out = NULL;
    if (rfc2047_clean(&b, s, strlen(s)) == 0) {
        size_t chars = 0, i = 0;
        const char *d = b.data != NULL ? b.data : "";
        for (; i < b.len; i++)
            if (((unsigned char)d[i] & 0xC0) != 0x80 && ++chars > max)
                break;
        out = arena_strndup(c->arena, d, i);
    }
    buf_free(&b);
    if (out == NULL)
        *failed = 1;
    return out;
}

/* The tenant's override of a kind's subject and body, where it has one. */
static enum mail_status from_db(enum db_status st)
{
    static const struct db_statuses to = { MAIL_OK, MAIL_FAILED, MAIL_FAILED,
                                           MAIL_DB_UNAVAILABLE, MAIL_FAILED };
    return (enum mail_status)db_status_to(st, &to);
}

static enum db_status tenant_template(struct core *c, const struct tenant *t, enum mail_kind kind,
                                      const char **subject, const char **body)
{
    /* most tenants have no template: their lookup already said so, spare the round trip */
    if (t->no_mail_templates)
        return DB_OK;
    struct db_val v[2] = { DBV_I(t->id), DBV_S(templates[kind].kind) };
    struct db_rows rows;
    int found;
    enum db_status st = db_query_row(c->db, c->arena, SQL_MAIL_TEMPLATE_GET, v, 2, &rows, &found);
    if (st == DB_OK && found) {
        const char *s = db_cell_str(db_cell(&rows, 0, 0)), *b = db_cell_str(db_cell(&rows, 0, 1));
        if (s != NULL)
            *subject = s;
        if (b != NULL)
            *body = b;
    }
    return st;
}

enum mail_status mail_batch_begin(struct core *c, const struct tenant *t, enum mail_kind kind,
                                  struct mail_batch *mb)
{
    if (!mail_configured(c, t))
        return MAIL_NOT_CONFIGURED;
    if (!kind_ok(kind))
        return MAIL_FAILED;
    mb->tenant = t;
    mb->kind = kind;
    mb->subject_template = templates[kind].subject;
    mb->body_template = templates[kind].body;
    mb->base = mail_base_url(c, t);
    enum db_status st = tenant_template(c, t, kind, &mb->subject_template, &mb->body_template);
    return from_db(st);
}

enum mail_status mail_batch_render(struct core *c, const struct mail_batch *mb, const char *to,
                                   const struct mail_vars *v, struct mail_rendered *out)
{
    if (to == NULL)
        return MAIL_FAILED;
    struct mail_vars vv = *v;
    if (vv.email == NULL)
        vv.email = to;
    if (vv.tenant == NULL)
        vv.tenant = mb->tenant->name;
    int failed = 0;
    out->subject = one_line(c, mail_render(c, mb->subject_template, &vv), MAIL_SUBJECT_MAX,
                            &failed);
    out->name = one_line(c, vv.name, MAIL_NAME_MAX, &failed);
    out->body = mail_render(c, mb->body_template, &vv);
    return failed || out->subject == NULL || out->body == NULL ? MAIL_FAILED : MAIL_OK;
}

const char *mail_greeting(const char *first, const char *other, const char *email)
{
    if (first != NULL && *first != '\0')
        return first;
    if (other != NULL && *other != '\0')
        return other;
    return email;
}

char *mail_join_link(struct core *c, const char *base, const char *token)
{
    return arena_printf(c->arena, "%s/urac/join?token=%s", base, token);
}

void mail_expiry_text(long long expires, char out[MAIL_EXPIRY_LEN])
{
    time_t e = (time_t)expires;
    struct tm tm;
    gmtime_r(&e, &tm);
    if (strftime(out, MAIL_EXPIRY_LEN, "%Y-%m-%d %H:%M UTC", &tm) == 0)
        out[0] = '\0';
}

enum mail_status mail_batch_add_invite(struct core *c, const struct mail_batch *mb,
                                       json_object *rows, const char *oid, const char *to,
                                       const char *first, const char *token,
                                       const char *expires, size_t *bytes)
{
    struct mail_vars v = {
        .name = mail_greeting(first, NULL, to),
        .link = mail_join_link(c, mb->base, token),
        .expires = expires,
    };
    struct mail_rendered m;
    if (v.link == NULL || mail_batch_render(c, mb, to, &v, &m) != MAIL_OK)
        return MAIL_FAILED;
    enum mail_status ms = MAIL_FAILED;
    json_object *row = json_object_new_object();
    if (jo_str(row, "o", oid) != 0 || jo_str(row, "n", m.name) != 0 ||
        jo_str(row, "s", m.subject) != 0 || jo_str(row, "b", m.body) != 0) {
        json_object_put(row);
        goto done;
    }
    if (ja_add(rows, row) != 0)   /* row released by it */
        goto done;
    /* JSON escapes at most double the text of a body (its newlines) */
    *bytes += 2 * (strlen(m.body) + strlen(m.subject) + (m.name ? strlen(m.name) : 0)) + 64;
    ms = MAIL_OK;
done:
    explicit_bzero(m.body, strlen(m.body));
    return ms;
}

enum mail_status mail_batch_write(struct core *c, const struct mail_batch *mb, json_object *rows)
{
    if (json_object_array_length(rows) == 0)
        return MAIL_OK;
    const char *text = json_object_to_json_string_ext(rows, JSON_C_TO_STRING_PLAIN |
                                                                JSON_C_TO_STRING_NOSLASHESCAPE);
    if (text == NULL)
        return MAIL_FAILED;
    struct db_val v[5] = {
        DBV_I(mb->tenant->id), DBV_S(templates[mb->kind].kind),
        DBV_I(templates[mb->kind].has_secret), DBV_S(c->rid), DBV_S(text),
    };
    /* the batch's transaction is the caller's: a deadlock here is its to retry */
    static const struct db_statuses to = { MAIL_OK, MAIL_FAILED, MAIL_RETRY,
                                           MAIL_DB_UNAVAILABLE, MAIL_FAILED };
    return (enum mail_status)db_status_to(db_exec(c->db, SQL_BULK_OUTBOX_ADD, v, 5, NULL), &to);
}

enum mail_status mail_queue(struct core *c, const struct tenant *t, long long user_id,
                            const char *to, enum mail_kind kind, const struct mail_vars *v)
{
    struct mail_batch mb;
    struct mail_rendered m;
    enum mail_status ms = mail_batch_begin(c, t, kind, &mb);
    if (ms != MAIL_OK)
        return ms;
    if (mail_batch_render(c, &mb, to, v, &m) != MAIL_OK)
        return MAIL_FAILED;
    struct db_val p[9] = {
        DBV_I(t->id), user_id > 0 ? DBV_I(user_id) : DBV_NONE, DBV_S(templates[kind].kind),
        DBV_S(to), DBV_S(m.name), DBV_S(m.subject), DBV_S(m.body),
        DBV_I(templates[kind].has_secret), DBV_S(c->rid),
    };
    enum db_status st = db_exec(c->db, SQL_MAIL_OUTBOX_INSERT, p, 9, NULL);
    explicit_bzero(m.body, strlen(m.body));
    return from_db(st);
}

static void deliver_request(struct core *c, void *arg)
{
    (void)arg;
    struct outbox_filter f = {
        .request_id = c->rid,
        .limit = c->cfg->mail_after_response_limit,
    };
    struct outbox_stats stats;
    (void)outbox_deliver(c->db, c->cfg, c->rid, &f, &stats);
}

void mail_kick(struct core *c)
{
    if (!c->cfg->mail_after_response)
        return;
    if (!core_after_queued(c, deliver_request))
        (void)core_after(c, deliver_request, NULL);
}

void mail_deliver_now(struct core *c)
{
    if (c->cfg->mail_after_response)
        deliver_request(c, NULL);
}
