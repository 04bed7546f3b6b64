/* tenants.c: tenant lookups and creation with their credentials, one of every kind read from
 * credential_kinds (made as its row says: no kind is named here). Secrets are generated from
 * getrandom(2), stored as SHA-256 hex, and never kept beyond the caller's struct. */
#include "core/tenants.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/pubid.h"
#include "core/core.h"
#include "core/cred_kinds.h"
#include "store/db.h"
#include "store/tx.h"

void tenant_from_row(const struct db_rows *rows, size_t row, size_t col, struct tenant *t)
{
    memset(t, 0, sizeof *t);
    t->id = db_cell_int(db_cell(rows, row, col + 0));
    t->oid = db_cell_str(db_cell(rows, row, col + 1));
    t->code = db_cell_str(db_cell(rows, row, col + 2));
    t->name = db_cell_str(db_cell(rows, row, col + 3));
    t->parent_id = db_cell_int(db_cell(rows, row, col + 4));
    t->ref = db_cell_str(db_cell(rows, row, col + 5));
    t->api_user_email = db_cell_str(db_cell(rows, row, col + 6));
    t->base_url = db_cell_str(db_cell(rows, row, col + 7));
    t->mail_from = db_cell_str(db_cell(rows, row, col + 8));
    t->pin_salt = db_cell_str(db_cell(rows, row, col + 9));
    t->parent_oid = db_cell_str(db_cell(rows, row, col + 10));
    t->no_mail_templates = db_cell_int(db_cell(rows, row, col + 11)) == 1;
}

static enum tenant_status lookup(struct db *db, struct arena *a, enum sql_id id,
                                 struct db_val v, struct tenant **out)
{
    struct db_rows rows;
    int found;
    *out = NULL;
    if (db_query_row(db, a, id, &v, 1, &rows, &found) != DB_OK)
        return TENANT_DB;
    if (!found)
        return TENANT_NOT_FOUND;
    struct tenant *t = arena_alloc(a, sizeof *t);
    if (t == NULL)
        return TENANT_DB;
    tenant_from_row(&rows, 0, 0, t);
    *out = t;
    return TENANT_OK;
}

enum tenant_status tenant_by_id(struct db *db, struct arena *a, long long id,
                                struct tenant **out)
{
    return lookup(db, a, SQL_TENANT_BY_ID, DBV_I(id), out);
}

enum tenant_status tenant_by_oid(struct core *c, const char *oid, struct tenant **out)
{
    return lookup(c->db, c->arena, SQL_TENANT_BY_OID, DBV_S(oid), out);
}

/* Upper-case letters and digits of the name, at most 8; "TENANT" when none. */
static void code_from_name(const char *name, char *out, size_t outlen)
{
    size_t o = 0;
    for (const char *p = name; *p != '\0' && o + 1 < outlen && o < 8; p++)
        if (isalnum((unsigned char)*p) && !((unsigned char)*p & 0x80))
            out[o++] = (char)toupper((unsigned char)*p);
    if (o == 0)
        o = (size_t)snprintf(out, outlen, "TENANT");
    out[o] = '\0';
}

static enum tenant_status choose_code(struct db *db, struct arena *a, const char *name,
                                      const char *given, char *code, size_t codelen)
{
    struct db_rows rows;
    int found;
    if (given != NULL) {
        snprintf(code, codelen, "%s", given);
        struct db_val v = DBV_S(code);
        if (db_query_row(db, a, SQL_TENANT_CODE_TAKEN, &v, 1, &rows, &found) != DB_OK)
            return TENANT_DB;
        return found ? TENANT_EXISTS : TENANT_OK;
    }
    char base[16];
    code_from_name(name, base, sizeof base);
    snprintf(code, codelen, "%s", base);
    for (int attempt = 0; attempt < 20; attempt++) {
        struct db_val v = DBV_S(code);
        if (db_query_row(db, a, SQL_TENANT_CODE_TAKEN, &v, 1, &rows, &found) != DB_OK)
            return TENANT_DB;
        if (!found)
            return TENANT_OK;
        unsigned char r[2];
        if (crypto_random(r, sizeof r) != 0)
            return TENANT_DB;
        snprintf(code, codelen, "%s%u", base, (unsigned)(r[0] << 8 | r[1]) % 10000);
    }
    return TENANT_EXISTS;
}

static enum tenant_status add_cred(struct db *db, long long tenant_id, const char *kind,
                                   const char *public_id, const char *secret,
                                   const char *scopes, long long group_id)
{
    char hash[2 * SHA256_LEN + 1];
    crypto_secret_hash(secret, strlen(secret), hash);
    struct db_val v[6] = {
        DBV_I(tenant_id), DBV_S(kind), DBV_S(public_id), DBV_S(hash), DBV_S(scopes),
        group_id > 0 ? DBV_I(group_id) : DBV_NONE,
    };
    static const struct db_statuses to = { TENANT_OK, TENANT_EXISTS, TENANT_DB, TENANT_DB,
                                           TENANT_DB };
    enum tenant_status ts = (enum tenant_status)db_status_to(db_exec(db, SQL_CRED_INSERT, v, 6,
                                                                     NULL), &to);
    explicit_bzero(hash, sizeof hash);
    return ts;
}

/* The kinds of credential and a secret of each (public ids and group numbers are filled in
 * once the numbers are drawn). */
static enum tenant_status make_creds(struct db *db, struct arena *a, struct tenant_secrets *s)
{
    struct cred_kind *kinds;
    size_t n;
    if (cred_kinds_list(db, a, &kinds, &n) != CRED_OK)
        return TENANT_DB;
    if (n > TENANT_CREDS_MAX) {
        log_error(NULL, "credential_kinds has %zu rows; tenants are made with at most %d", n,
                  (int)TENANT_CREDS_MAX);
        return TENANT_DB;
    }
    for (size_t i = 0; i < n; i++) {
        s->creds[i].kind = &kinds[i];
        s->creds[i].public_id = kinds[i].public_id == CRED_PUBLIC_TENANT_NUMBER ? s->number
                                                                               : NULL;
        if (cred_secret_make(&kinds[i], s->creds[i].secret) != 0) {
            log_error(NULL, "credential kind %s: no secret made (randomness, or its length)",
                      kinds[i].kind);
            return TENANT_DB;
        }
    }
    s->ncreds = n;
    return TENANT_OK;
}

/* The tenant's ids: its oid, its reference, its customer number and its pin salt. */
static int make_ids(struct tenant_secrets *s, char *salt, size_t saltlen)
{
    unsigned char raw[16], cid[4], p[32];
    if (crypto_oid(s->oid) != 0 || crypto_random(raw, sizeof raw) != 0 ||
        crypto_random(cid, sizeof cid) != 0 || crypto_random(p, sizeof p) != 0 ||
        saltlen < 2 * sizeof p + 1)
        return -1;
    /* the reference keeps the form every existing tenant has (tenants.sk_tenant_id) */
    memcpy(s->ref, "sk_", 3);
    hex_encode(raw, sizeof raw, s->ref + 3);
    /* customer numbers are 9 decimal digits, never starting with 0 */
    unsigned long n = ((unsigned long)cid[0] << 24 | (unsigned long)cid[1] << 16 |
                       (unsigned long)cid[2] << 8 | cid[3]) % 900000000ul + 100000000ul;
    snprintf(s->number, sizeof s->number, "%lu", n);
    hex_encode(p, sizeof p, salt);
    return 0;
}

struct create {
    const char *name;
    long long parent_id;
    const char *salt;
    struct tenant_secrets *out;
    enum tenant_status ts;
};

/* One run of the tenant's rows (tx_body): the tenant, its default group, its credentials. */
static enum tx_status create_once(struct db *db, void *arg)
{
    struct create *cr = arg;
    struct tenant_secrets *out = cr->out;
    struct db_result res;
    char api_user[128];
    cr->ts = TENANT_DB;
    snprintf(api_user, sizeof api_user, "api-user@%s.tenant.invalid", out->oid);
    struct db_val tv[7] = {
        DBV_S(out->oid), DBV_S(out->code), DBV_S(cr->name),
        cr->parent_id > 0 ? DBV_I(cr->parent_id) : DBV_NONE, DBV_S(out->ref),
        DBV_S(api_user), DBV_S(cr->salt),
    };
    enum db_status st = db_exec(db, SQL_TENANT_INSERT, tv, 7, &res);
    if (st == DB_DUPLICATE) {
        cr->ts = TENANT_EXISTS;
        return TX_UNDONE;
    }
    if (st != DB_OK)
        return tx_from_db(st);
    out->id = (long long)res.insert_id;
    /* the tenant is new: no number of its own can be taken yet, so no draw is repeated */
    if (pubid_draw(&out->group_number) != 0)
        return TX_ERROR;
    struct db_val gv[4] = {
        DBV_I(out->id), DBV_S("default"), DBV_S("Default group"), DBV_I(out->group_number),
    };
    if ((st = db_exec(db, SQL_GROUP_INSERT, gv, 4, &res)) != DB_OK)
        return tx_from_db(st);
    long long group_id = (long long)res.insert_id;
    for (size_t i = 0; i < out->ncreds; i++) {
        struct tenant_cred *tc = &out->creds[i];
        enum tenant_status ts;
        tc->group_number = tc->kind->default_group ? out->group_number : 0;
        if ((ts = add_cred(db, out->id, tc->kind->kind, tc->public_id, tc->secret,
                           tc->kind->scopes, tc->kind->default_group ? group_id : 0)) !=
            TENANT_OK) {
            cr->ts = ts;
            return TX_UNDONE;   /* a deadlock among them is rerun by tx_run all the same */
        }
    }
    cr->ts = TENANT_OK;
    return TX_OK;
}

enum tenant_status tenant_create(struct db *db, struct arena *a, const char *name,
                                 const char *code, long long parent_id,
                                 struct tenant_secrets *out)
{
    char salt[65];
    enum tenant_status ts;
    memset(out, 0, sizeof *out);
    if (make_ids(out, salt, sizeof salt) != 0)
        return TENANT_DB;
    if ((ts = make_creds(db, a, out)) != TENANT_OK)
        return ts;
    ts = choose_code(db, a, name, code, out->code, sizeof out->code);
    if (ts != TENANT_OK)
        return ts;
    struct create cr = { name, parent_id, salt, out, TENANT_DB };
    switch (tx_run(db, create_once, &cr)) {
    case TX_OK: return TENANT_OK;
    case TX_UNDONE: return cr.ts == TENANT_OK ? TENANT_DB : cr.ts;
    default: return TENANT_DB;
    }
}
