/* users.c: creating users. Slow work (password hashing, randomness) happens before the
 * transaction opens, and so does the caller's answer (spec->answer), so nothing is committed
 * that cannot be answered; inside it (tx.h: rerun whole on a deadlock) the user row, its
 * links, pin, tokens and mail are written together, and unique indexes (not read-then-write)
 * decide races between requests. */
#include "core/users.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "base/password.h"
#include "base/pubid.h"
#include "core/core.h"
#include "core/mail.h"
#include "core/tenants.h"
#include "store/db.h"
#include "store/tx.h"

enum { NUMBER_ATTEMPTS = 5 };   /* draws of a user number the tenant may already have */

void users_pin_hash(const struct tenant *t, const char *pin, char out[2 * SHA256_LEN + 1])
{
    unsigned char mac[SHA256_LEN];
    const char *salt = t->pin_salt != NULL ? t->pin_salt : "";
    crypto_hmac_sha256(salt, strlen(salt), pin, strlen(pin), mac);
    hex_encode(mac, sizeof mac, out);
}

/* The one mapping of a database status to this module's (a deadlock never gets here: the
 * transaction is rerun, tx.h). */
static enum users_status from_db(enum db_status st)
{
    static const struct db_statuses to = { USERS_OK, USERS_INSERT_FAILED, USERS_INSERT_FAILED, USERS_DB_UNAVAILABLE, USERS_INSERT_FAILED };
    return (enum users_status)db_status_to(st, &to);
}

enum users_status users_check_free(struct core *c, const struct tenant *t, const char *username,
                                   const char *email)
{
    struct db_val v[5] = {
        DBV_S(username), DBV_S(email), DBV_I(t->id), DBV_S(username), DBV_S(email),
    };
    struct db_rows rows;
    int found;
    enum db_status st = db_query_row(c->db, c->arena, SQL_USER_CONFLICT, v, 5, &rows, &found);
    if (st != DB_OK)
        return from_db(st);
    return found ? USERS_EXISTS : USERS_OK;
}

static enum users_status link_groups(struct core *c, const struct user_spec *s, long long uid)
{
    struct db_result r;
    enum db_status st;
    if (s->group_codes_json != NULL && s->ngroup_codes > 0) {
        struct db_val v[3] = { DBV_I(uid), DBV_S(s->group_codes_json), DBV_I(s->tenant->id) };
        st = db_exec(c->db, SQL_USER_GROUPS_ADD, v, 3, &r);
        if (st != DB_OK)
            return from_db(st);
        if (r.affected != s->ngroup_codes)
            return USERS_UNKNOWN_GROUP;
    }
    if (s->workflow_ids_json != NULL && s->nworkflow_ids > 0) {
        struct db_val v[3] = { DBV_I(uid), DBV_S(s->workflow_ids_json), DBV_I(s->tenant->id) };
        st = db_exec(c->db, SQL_USER_WORKFLOWS_ADD, v, 3, &r);
        if (st != DB_OK)
            return from_db(st);
        if (r.affected != s->nworkflow_ids)
            return USERS_UNKNOWN_WORKFLOW;
    }
    return USERS_OK;
}

static enum users_status add_pin(struct core *c, const struct user_spec *s, long long uid)
{
    if (s->pin_code == NULL)
        return USERS_OK;
    char hash[2 * SHA256_LEN + 1];
    users_pin_hash(s->tenant, s->pin_code, hash);
    struct db_val v[4] = { DBV_I(uid), DBV_I(s->tenant->id), DBV_S(hash), DBV_I(s->pin_allowed) };
    enum db_status st = db_exec(c->db, SQL_PIN_INSERT, v, 4, NULL);
    if (st == DB_DUPLICATE)
        return USERS_PIN_TAKEN;
    return st == DB_OK ? USERS_OK : from_db(st);
}

static enum users_status add_token(struct core *c, long long uid, const char *purpose,
                                   const char *token, long long expires)
{
    char hash[2 * SHA256_LEN + 1];
    crypto_secret_hash(token, strlen(token), hash);
    struct db_val v[4] = { DBV_I(uid), DBV_S(purpose), DBV_S(hash), DBV_I(expires) };
    static const struct db_statuses to = { USERS_OK, USERS_TOKEN_FAILED, USERS_TOKEN_FAILED,
                                           USERS_DB_UNAVAILABLE, USERS_TOKEN_FAILED };
    return (enum users_status)db_status_to(db_exec(c->db, SQL_TOKEN_INSERT, v, 4, NULL), &to);
}

static enum users_status queue_mail(struct core *c, const struct user_spec *s, long long uid,
                                    const char *token, long long expires)
{
    const char *base = mail_base_url(c, s->tenant);
    if (base == NULL || !mail_configured(c, s->tenant))
        return USERS_OK;   /* no mail configured: the caller hands the token out itself */
    char when[MAIL_EXPIRY_LEN];
    mail_expiry_text(expires, when);
    struct mail_vars v = {
        .name = mail_greeting(s->first_name, s->full_name, s->email),
        .link = mail_join_link(c, base, token),
        .expires = when,
    };
    if (v.link == NULL)
        return USERS_TOKEN_FAILED;
    enum mail_status ms = mail_queue(c, s->tenant, uid, s->email, (enum mail_kind)s->set_mail_kind,
                                     &v);
    /* a connection lost under the mail is the database being unavailable, not a failure to
     * record the token (found by the outage test, tests/harden/test_outage.py) */
    return ms == MAIL_OK               ? USERS_OK
           : ms == MAIL_DB_UNAVAILABLE ? USERS_DB_UNAVAILABLE
                                       : USERS_TOKEN_FAILED;
}

struct create {
    struct core *c;
    const struct user_spec *s;
    const char *pwhash;
    struct user_result *out;
    enum users_status us;     /* the body's own verdict */
    int number_taken;         /* the run failed on uq_users_number: draw another */
};

/* Everything but a database failure the runner handles: the body's verdict in cr->us. */
static enum tx_status verdict(struct create *cr, enum users_status us)
{
    cr->us = us;
    switch (us) {
    case USERS_OK: return TX_OK;
    case USERS_DB_UNAVAILABLE: return TX_UNAVAILABLE;
    default: return TX_UNDONE;
    }
}

/* One run of the transaction (tx_body). */
static enum tx_status insert_all(struct db *db, void *arg)
{
    struct create *cr = arg;
    struct core *c = cr->c;
    const struct user_spec *s = cr->s;
    struct user_result *out = cr->out;
    enum users_status us;
    struct db_result r;
    long long now = (long long)time(NULL);
    out->id = 0;
    cr->number_taken = 0;
    struct db_val v[13] = {
        DBV_S(out->oid), DBV_I(s->tenant->id), DBV_S(s->username), DBV_S(s->email),
        DBV_S(s->first_name), DBV_S(s->last_name), DBV_S(s->full_name), DBV_S(cr->pwhash),
        DBV_S(s->status), DBV_S(s->profile_json),
        s->primary_group_id > 0 ? DBV_I(s->primary_group_id) : DBV_NONE, DBV_S(s->origin),
        DBV_I(out->number),
    };
    enum db_status st = db_exec(db, SQL_USER_INSERT, v, 13, &r);
    if (st != DB_OK) {
        const char *key = db_dup_key(db);
        if (st == DB_DUPLICATE && strcmp(key, "uq_users_number") == 0) {
            cr->number_taken = 1;   /* taken in the tenant: users_create draws another */
            return verdict(cr, USERS_ERROR);
        }
        return verdict(cr, st == DB_DUPLICATE && (strcmp(key, "uq_users_email") == 0 ||
                                                  strcmp(key, "uq_users_username") == 0)
                               ? USERS_EXISTS
                               : from_db(st));
    }
    out->id = (long long)r.insert_id;
    if (s->primary_group_id > 0) {
        struct db_val g[2] = { DBV_I(out->id), DBV_I(s->primary_group_id) };
        if ((us = from_db(db_exec(db, SQL_USER_GROUP_ADD, g, 2, NULL))) != USERS_OK)
            return verdict(cr, us);
    }
    if ((us = link_groups(c, s, out->id)) != USERS_OK || (us = add_pin(c, s, out->id)) != USERS_OK)
        return verdict(cr, us);
    if (s->token == USER_TOKEN_SET_PASSWORD) {
        long long exp = now + (long long)c->cfg->token_ttl_hours * 3600;
        if ((us = add_token(c, out->id, "set_password", out->token, exp)) != USERS_OK ||
            (us = queue_mail(c, s, out->id, out->token, exp)) != USERS_OK)
            return verdict(cr, us);
    }
    if (s->login_token_ttl > 0) {
        if ((us = add_token(c, out->id, "login", out->login_token, out->login_expire)) !=
            USERS_OK)
            return verdict(cr, us);
    }
    return verdict(cr, USERS_OK);
}

enum users_status users_create(struct core *c, const struct user_spec *s, struct user_result *out)
{
    char pwhash[PASSWORD_HASH_MAX];
    enum users_status us = USERS_ERROR;
    memset(out, 0, sizeof *out);
    pwhash[0] = '\0';
    if (s->password != NULL &&
        password_hash(s->password, c->cfg->password_prefix, c->cfg->password_cost, pwhash) !=
            PW_OK) {
        log_error(c->rid, "users: password hashing failed");
        return USERS_ERROR;
    }
    if (crypto_oid(out->oid) != 0 ||
        (s->token == USER_TOKEN_SET_PASSWORD && crypto_uuid_v4(out->token) != 0) ||
        (s->login_token_ttl > 0 && crypto_token(32, out->login_token) != 0))
        goto done;
    if (s->login_token_ttl > 0)
        out->login_expire = (long long)time(NULL) + s->login_token_ttl;
    struct create cr = { c, s, pwhash[0] ? pwhash : NULL, out, USERS_ERROR, 0 };
    for (int attempt = 0; attempt < NUMBER_ATTEMPTS; attempt++) {
        /* a number the tenant already has is drawn again, the transaction run anew */
        if (pubid_draw(&out->number) != 0) {
            us = USERS_ERROR;
            break;
        }
        /* everything the answer shows is known: build it before anything is written */
        if (s->answer != NULL && s->answer(c, out, s->answer_arg) != 0) {
            us = USERS_ANSWER_FAILED;
            break;
        }
        switch (tx_run(c->db, insert_all, &cr)) {
        case TX_OK: us = USERS_OK; break;
        case TX_UNDONE: us = cr.us; break;
        /* deadlocks on every run: the database is too busy now, as when it cannot be reached */
        case TX_RETRY:
        case TX_UNAVAILABLE: us = USERS_DB_UNAVAILABLE; break;
        case TX_ERROR: us = USERS_INSERT_FAILED; break;
        }
        if (!cr.number_taken)
            break;
    }
    if (us != USERS_OK)
        out->id = 0;
done:
    explicit_bzero(pwhash, sizeof pwhash);
    return us;
}
