/* setpw.c: set-password tokens. The token is checked again inside the transaction by the
 * UPDATE that spends it (used_at IS NULL AND expires_at > NOW(6)): the affected-row count, not
 * an earlier read, decides which of two concurrent requests sets the password. The password
 * set then retires the user's other links and the mail still offering one (users_retire.h). */
#include "core/setpw.h"

#include <string.h>

#include "base/config.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/password.h"
#include "base/pwrule.h"
#include "base/utf8.h"
#include "core/core.h"
#include "core/users_retire.h"
#include "store/db.h"
#include "store/tx.h"

int setpw_token_ok(const char *token, size_t n)
{
    if (token == NULL || n == 0 || n > SETPW_TOKEN_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = token[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return 0;
    }
    return 1;
}

static enum setpw_status from_db(enum db_status st)
{
    static const struct db_statuses to = { SETPW_ERROR, SETPW_ERROR, SETPW_ERROR, SETPW_DB_UNAVAILABLE, SETPW_ERROR };
    return (enum setpw_status)db_status_to(st, &to);
}

enum setpw_status setpw_check(struct core *c, const char *token, struct setpw_account *out)
{
    memset(out, 0, sizeof *out);
    if (!setpw_token_ok(token, token != NULL ? strlen(token) : 0))
        return SETPW_UNKNOWN;
    char hash[2 * SHA256_LEN + 1];
    crypto_secret_hash(token, strlen(token), hash);
    struct db_val v = DBV_S(hash);
    struct db_rows rows;
    int found;
    /* a causal read: the link may have been mailed a moment ago by a request served through
     * another node of a cluster, and must not be "unknown" here */
    db_causal(c->db, 1);
    enum db_status st = db_query_row(c->db, c->arena, SQL_SETPW_TOKEN_INFO, &v, 1, &rows, &found);
    db_causal(c->db, 0);
    if (st != DB_OK)
        return from_db(st);
    if (!found)
        return SETPW_UNKNOWN;
    out->user_id = db_cell_int(db_cell(&rows, 0, 0));
    out->email = db_cell_str(db_cell(&rows, 0, 3));
    out->name = db_cell_str(db_cell(&rows, 0, 4));
    out->username = db_cell_str(db_cell(&rows, 0, 5));
    if (db_cell_int(db_cell(&rows, 0, 1)))
        return SETPW_SPENT;
    if (db_cell_int(db_cell(&rows, 0, 2)))
        return SETPW_EXPIRED;
    return SETPW_OK;
}

enum setpw_rule setpw_rule_check(const char *password, const char *confirmation,
                                 const struct setpw_account *acct, const char *dict_path)
{
    /* a person chooses this password: the full rules, whatever the tenant says for its APIs */
    const struct pwrule_account who = { acct != NULL ? acct->email : NULL,
                                        acct != NULL ? acct->username : NULL };
    switch (pwrule_check(password, password != NULL ? strlen(password) : 0, PWRULE_FULL, &who,
                         dict_path)) {
    case PWRULE_OK: break;
    case PWRULE_EMPTY: return SETPW_RULE_EMPTY;
    case PWRULE_TOO_LONG: return SETPW_RULE_TOO_LONG;
    case PWRULE_BAD_TEXT: return SETPW_RULE_BAD_TEXT;
    case PWRULE_BLANK: return SETPW_RULE_BLANK;
    case PWRULE_TOO_SHORT: return SETPW_RULE_TOO_SHORT;
    case PWRULE_IS_EMAIL: return SETPW_RULE_IS_EMAIL;
    case PWRULE_IS_USERNAME: return SETPW_RULE_IS_USERNAME;
    case PWRULE_COMMON: return SETPW_RULE_COMMON;
    case PWRULE_WEAK: return SETPW_RULE_WEAK;
    case PWRULE_ERROR: return SETPW_RULE_UNCHECKED;
    }
    if (confirmation == NULL || strcmp(password, confirmation) != 0)
        return SETPW_RULE_MISMATCH;
    return SETPW_RULE_OK;
}

struct apply {
    struct core *c;
    const char *token_hash;
    long long user_id;
    const char *pwhash;
    int *active;
};

/* One run of the transaction (tx_body); TX_UNDONE when the token was no longer usable. */
static enum tx_status apply_once(struct db *db, void *arg)
{
    struct apply *a = arg;
    struct db_result r;
    struct db_val v = DBV_S(a->token_hash);
    enum db_status st = db_exec(db, SQL_SETPW_TOKEN_SPEND, &v, 1, &r);
    if (st == DB_OK && r.affected != 1)
        return TX_UNDONE;   /* the caller asks the store why */
    if (st == DB_OK) {
        struct db_val u[2] = { DBV_S(a->pwhash), DBV_I(a->user_id) };
        st = db_exec(db, SQL_SETPW_USER_ACTIVATE, u, 2, NULL);
    }
    if (st == DB_OK)
        st = users_retire(db, a->c->arena, &a->user_id, 1, RETIRE_PASSWORD_SET, NULL);
    if (st == DB_OK) {
        /* read under the row lock the UPDATE took: the status this transaction commits */
        struct db_val u = DBV_I(a->user_id);
        struct db_rows rows;
        int found = 0;
        st = db_query_row(db, a->c->arena, SQL_SETPW_USER_STATUS, &u, 1, &rows, &found);
        const char *status = st == DB_OK && found ? db_cell_str(db_cell(&rows, 0, 0)) : NULL;
        *a->active = status != NULL && strcmp(status, "active") == 0;
    }
    return tx_from_db(st);
}

enum setpw_status setpw_apply(struct core *c, const char *token,
                              const struct setpw_account *acct, const char *password,
                              int *active)
{
    char pwhash[PASSWORD_HASH_MAX];
    char token_hash[2 * SHA256_LEN + 1];
    enum setpw_status ss = SETPW_ERROR;
    *active = 0;
    if (!setpw_token_ok(token, strlen(token)))
        return SETPW_UNKNOWN;
    crypto_secret_hash(token, strlen(token), token_hash);
    if (password_hash(password, c->cfg->password_prefix, c->cfg->password_cost, pwhash) !=
        PW_OK) {
        log_error(c->rid, "setpw: password hashing failed");
        goto done;
    }
    struct apply a = { c, token_hash, acct->user_id, pwhash, active };
    switch (tx_run(c->db, apply_once, &a)) {
    case TX_OK: ss = SETPW_OK; break;
    case TX_UNDONE: ss = SETPW_SPENT; break;
    /* deadlocks on every run: the database is too busy now, as when it cannot be reached */
    case TX_RETRY:
    case TX_UNAVAILABLE: ss = SETPW_DB_UNAVAILABLE; break;
    case TX_ERROR: ss = SETPW_ERROR; break;
    }
    if (ss != SETPW_OK)
        *active = 0;
    if (ss == SETPW_SPENT) {
        /* another request won, or the token expired meanwhile: say which */
        struct setpw_account again;
        ss = setpw_check(c, token, &again);
        if (ss == SETPW_OK)
            ss = SETPW_ERROR;   /* cannot happen: the UPDATE saw it unusable */
    }
done:
    explicit_bzero(pwhash, sizeof pwhash);
    return ss;
}
