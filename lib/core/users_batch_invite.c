/* users_batch_invite.c: the set-password invitations of a batch. A user the batch creates
 * without a password (and without a reset) could never sign in, so when the tenant has mail
 * it gets a single-use set-password token (only its SHA-256 is stored, in user_tokens, valid
 * token.ttl_hours) and a set_password mail with the /urac/join link, in the batch's own
 * transaction: the tokens of the whole batch in one statement, the mails in one statement
 * (more only for bodies past MAIL_FLUSH_BYTES). Also retires what deletes and updates make
 * stale (users_retire.h), and invites an updated user again only when its email changed while
 * it still waited for its first password. Never logs a token. */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "codec/json_out.h"
#include "core/core.h"
#include "core/tenants.h"
#include "core/users_batch_internal.h"
#include "core/users_reinvite.h"
#include "core/users_retire.h"
#include "store/db.h"

/* The rows of one outbox statement stay well below max_allowed_packet (16 MiB by default):
 * 10 000 mails of the built-in template take about 6 MiB, so a default batch needs one
 * statement; a tenant template of 64 KiB would need a few. */
enum { MAIL_FLUSH_BYTES = 8 * 1024 * 1024 };

static int may_be_invited(const struct batch_user *u)
{
    return u->op != BATCH_DELETE && u->password == NULL && !u->reset_password;
}

enum batch_status batch_invite_prepare(struct batch_run *r, const unsigned char *raw)
{
    struct core *c = r->c;
    size_t i = 0;
    r->inviting = 0;
    while (i < r->n && !may_be_invited(&r->u[i]))
        i++;
    if (i == r->n)
        return BATCH_OK;
    switch (mail_batch_begin(c, r->t, MAIL_SET_PASSWORD, &r->invite_mail)) {
    case MAIL_OK:
        break;
    case MAIL_NOT_CONFIGURED:
        return BATCH_OK;   /* no mail, no link: such users are created without a password */
    case MAIL_FAILED:
    case MAIL_DB_UNAVAILABLE:
    case MAIL_RETRY:
    default:
        /* the template lookup is the batch's first query when no role is named */
        log_error(c->rid, "users_batch: the set_password template could not be read");
        return BATCH_DB_UNAVAILABLE;
    }
    r->expires = (long long)time(NULL) + (long long)c->cfg->token_ttl_hours * 3600;
    mail_expiry_text(r->expires, r->expires_text);
    for (; i < r->n; i++) {
        struct batch_prep *p = &r->p[i];
        if (!may_be_invited(&r->u[i]))
            continue;
        p->token = arena_alloc(c->arena, UUID_STR_LEN + 1);
        p->token_hash = arena_alloc(c->arena, 2 * SHA256_LEN + 1);
        if (p->token == NULL || p->token_hash == NULL)
            return BATCH_ERROR;
        crypto_uuid_v4_format(raw + i * BATCH_TOKEN_RAW, p->token);
        crypto_secret_hash(p->token, UUID_STR_LEN, p->token_hash);
    }
    r->inviting = 1;
    return BATCH_OK;
}

/* Writes the mails collected so far and empties the list. */
static enum db_status flush_mails(struct batch_run *r, json_object **mails)
{
    enum mail_status ms = mail_batch_write(r->c, &r->invite_mail, *mails);
    json_object_put(*mails);
    *mails = json_object_new_array();
    enum db_status st = ms == MAIL_OK               ? DB_OK
                        : ms == MAIL_RETRY          ? DB_RETRY
                        : ms == MAIL_DB_UNAVAILABLE ? DB_UNAVAILABLE
                                                    : DB_ERROR;
    return *mails == NULL && st == DB_OK ? DB_ERROR : st;
}

enum db_status batch_invite_queue(struct batch_run *r)
{
    enum db_status st = DB_ERROR;
    size_t bytes = 0;
    json_object *tokens = NULL, *mails = NULL;
    if (!r->inviting)
        return DB_OK;
    if ((tokens = json_object_new_array()) == NULL || (mails = json_object_new_array()) == NULL)
        goto done;
    for (size_t i = 0; i < r->n; i++) {
        const struct batch_prep *p = &r->p[i];
        if (p->act != ACT_INSERT || p->token == NULL)
            continue;
        json_object *row = json_object_new_object();
        if (jo_str(row, "o", p->oid) != 0 || jo_str(row, "h", p->token_hash) != 0) {
            json_object_put(row);
            goto done;
        }
        if (ja_add(tokens, row) != 0)
            goto done;
        if (mail_batch_add_invite(r->c, &r->invite_mail, mails, p->oid, r->u[i].email,
                                  r->u[i].first_name, p->token, r->expires_text,
                                  &bytes) != MAIL_OK) {
            log_error(r->c->rid, "users_batch: an invitation mail could not be rendered");
            goto done;
        }
        if (bytes >= MAIL_FLUSH_BYTES) {
            if ((st = flush_mails(r, &mails)) != DB_OK)
                goto done;
            bytes = 0;
        }
    }
    if ((st = flush_mails(r, &mails)) != DB_OK)
        goto done;
    if (json_object_array_length(tokens) > 0) {
        struct db_val v[3] = { DBV_S("set_password"), DBV_I(r->expires),
                               DBV_S(batch_jtext(tokens)) };
        st = db_exec(r->c->db, SQL_BULK_TOKENS_ADD, v, 3, NULL);
    }
done:
    json_object_put(tokens);
    json_object_put(mails);
    return st;
}

/* The ids of the users (batch order) for which pick says yes. */
static long long *pick_ids(struct batch_run *r, int (*pick)(const struct batch_user *,
                                                            const struct batch_prep *),
                           size_t *n)
{
    long long *ids = arena_calloc(r->c->arena, r->n + 1, sizeof *ids);
    *n = 0;
    for (size_t k = 0; ids != NULL && k < r->n; k++) {
        size_t i = r->order[k];
        if (pick(&r->u[i], &r->p[i]))
            ids[(*n)++] = r->p[i].id;
    }
    return ids;
}

static int deleted(const struct batch_user *u, const struct batch_prep *p)
{
    (void)u;
    return p->act == ACT_DELETE;
}

static int deactivated(const struct batch_user *u, const struct batch_prep *p)
{
    return p->act == ACT_UPDATE && u->active == BATCH_FALSE;
}

/* emails are ASCII once validated: strcasecmp compares them as users.email_norm does */
static int moved(const struct batch_user *u, const struct batch_prep *p)
{
    return p->act == ACT_UPDATE && u->email != NULL && p->stored_email != NULL &&
           strcasecmp(u->email, p->stored_email) != 0;
}

static int password_set(const struct batch_user *u, const struct batch_prep *p)
{
    (void)u;
    return p->act == ACT_UPDATE && p->pwhash != NULL;
}

enum db_status batch_retire_deleted(struct batch_run *r)
{
    size_t n;
    long long *ids = pick_ids(r, deleted, &n);
    if (ids == NULL)
        return DB_ERROR;
    return users_retire(r->c->db, r->c->arena, ids, n, RETIRE_DELETED, NULL);
}

enum db_status batch_retire_updated(struct batch_run *r)
{
    static const struct {
        int (*pick)(const struct batch_user *, const struct batch_prep *);
        enum retire_event ev;
    } events[] = {
        { deactivated, RETIRE_DEACTIVATED },
        { moved, RETIRE_EMAIL_CHANGED },
        { password_set, RETIRE_PASSWORD_SET },
    };
    for (size_t e = 0; e < sizeof events / sizeof events[0]; e++) {
        size_t n;
        struct retire_result again;
        long long *ids = pick_ids(r, events[e].pick, &n);
        if (ids == NULL)
            return DB_ERROR;
        enum db_status st = users_retire(r->c->db, r->c->arena, ids, n, events[e].ev, &again);
        if (st == DB_OK)
            st = users_reinvite(r->c, r->t, again.reinvite, again.nreinvite, MAIL_SET_PASSWORD);
        if (st != DB_OK)
            return st;
    }
    return DB_OK;
}

void batch_invite_wipe(struct batch_run *r)
{
    for (size_t i = 0; r->p != NULL && i < r->n; i++)
        if (r->p[i].token != NULL)
            explicit_bzero(r->p[i].token, UUID_STR_LEN);
}
