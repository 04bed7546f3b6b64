/* users_reinvite.c: new invitations after an email change (users_reinvite.h). Two statements
 * per user (the token, the mail): email changes are rare and one at a time. The clear token
 * exists only here and in the mail; it is wiped once the mail is queued. */
#include "core/users_reinvite.h"

#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/crypto.h"
#include "base/log.h"
#include "core/core.h"
#include "core/mail.h"
#include "store/db.h"

static enum db_status one(struct core *c, const struct tenant *t, const struct retire_invitee *w,
                          int kind, const char *base, long long expires, const char *when)
{
    char token[UUID_STR_LEN + 1], hash[2 * SHA256_LEN + 1];
    enum db_status st = DB_ERROR;
    if (crypto_uuid_v4(token) != 0) {
        log_error(c->rid, "reinvite: no randomness for a token");
        return DB_ERROR;
    }
    crypto_secret_hash(token, strlen(token), hash);
    struct db_val v[4] = { DBV_I(w->id), DBV_S("set_password"), DBV_S(hash), DBV_I(expires) };
    if ((st = db_exec(c->db, SQL_TOKEN_INSERT, v, 4, NULL)) != DB_OK)
        goto done;
    st = DB_ERROR;
    char *link = mail_join_link(c, base, token);
    if (link == NULL)
        goto done;
    struct mail_vars mv = {
        .name = mail_greeting(w->name, NULL, w->email),
        .link = link,
        .expires = when,
    };
    switch (mail_queue(c, t, w->id, w->email, (enum mail_kind)kind, &mv)) {
    case MAIL_OK: st = DB_OK; break;
    case MAIL_DB_UNAVAILABLE: st = DB_UNAVAILABLE; break;
    default: st = DB_ERROR; break;
    }
    explicit_bzero(link, strlen(link));
done:
    explicit_bzero(token, sizeof token);
    return st;
}

enum db_status users_reinvite(struct core *c, const struct tenant *t,
                              const struct retire_invitee *w, size_t n, int kind)
{
    const char *base = mail_base_url(c, t);
    if (n == 0 || base == NULL || !mail_configured(c, t))
        return DB_OK;
    long long expires = (long long)time(NULL) + (long long)c->cfg->token_ttl_hours * 3600;
    char when[MAIL_EXPIRY_LEN];
    mail_expiry_text(expires, when);
    for (size_t i = 0; i < n; i++) {
        enum db_status st = one(c, t, &w[i], kind, base, expires, when);
        if (st != DB_OK)
            return st;
    }
    return DB_OK;
}
