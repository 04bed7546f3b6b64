/* users_bulk.c: batched user creation. The slow, per-user work (ids, tokens, mail text) is done
 * in memory; the database sees a fixed number of statements per chunk of CHUNK users, each
 * taking the chunk as one JSON array. The users insert turns a duplicate email into a no-op
 * row (the unique index uq_users_email decides a race), and every later statement joins on
 * the new users' string ids, so whatever was not inserted gets nothing attached. Never builds
 * SQL text; never knows a vendor's field names or codes. */
#include "core/users_bulk.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "codec/json_out.h"
#include "core/core.h"
#include "core/mail.h"
#include "core/refs.h"
#include "core/tenants.h"
#include "store/db.h"
#include "store/tx.h"

enum { CHUNK = 1000 };

/* What is prepared in memory for each user that goes to the database. */
struct pending {
    size_t idx;                              /* index into users[] / out[] */
    char token[UUID_STR_LEN + 1];            /* "" when not invited */
    char token_hash[2 * SHA256_LEN + 1];
};

struct batch {
    struct core *c;
    const struct tenant *t;
    const struct bulk_options *o;
    const struct bulk_user *users;
    struct bulk_result *out;
    struct refs roles, regions;
    long long expires;        /* token expiry, UTC epoch seconds */
    char expires_text[MAIL_EXPIRY_LEN];
    const char *base;         /* link base URL, NULL when mail is not configured */
    struct mail_batch mail;   /* the tenant's template of the invitation kind */
};

static enum users_bulk_status from_db(enum db_status st)
{
    static const struct db_statuses to = { USERS_BULK_OK, USERS_BULK_ERROR, USERS_BULK_RETRY, USERS_BULK_DB_UNAVAILABLE, USERS_BULK_ERROR };
    return (enum users_bulk_status)db_status_to(st, &to);
}

static enum users_bulk_status from_mail(enum mail_status ms)
{
    switch (ms) {
    case MAIL_OK: return USERS_BULK_OK;
    case MAIL_RETRY: return USERS_BULK_RETRY;
    case MAIL_DB_UNAVAILABLE: return USERS_BULK_DB_UNAVAILABLE;
    default: return USERS_BULK_ERROR;
    }
}

static enum users_bulk_status from_refs(enum refs_status rs)
{
    return rs == REFS_OK ? USERS_BULK_OK
                         : rs == REFS_DB_UNAVAILABLE ? USERS_BULK_DB_UNAVAILABLE
                                                     : USERS_BULK_ERROR;
}

static const char *plain(json_object *o)
{
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* Resolves every role and region the users name, one query per kind. */
static enum users_bulk_status resolve(struct batch *b, size_t n)
{
    size_t nr = 0, ng = 0;
    for (size_t i = 0; i < n; i++) {
        nr += b->users[i].nroles;
        ng += b->users[i].nregions + (b->users[i].resource != NULL);
    }
    const char **rk = arena_calloc(b->c->arena, nr + 1, sizeof *rk);
    const char **gk = arena_calloc(b->c->arena, ng + 1, sizeof *gk);
    if (rk == NULL || gk == NULL)
        return USERS_BULK_ERROR;
    size_t r = 0, g = 0;
    for (size_t i = 0; i < n; i++) {
        const struct bulk_user *u = &b->users[i];
        for (size_t k = 0; k < u->nroles; k++)
            rk[r++] = u->roles[k];
        for (size_t k = 0; k < u->nregions; k++)
            gk[g++] = u->regions[k];
        if (u->resource != NULL)
            gk[g++] = u->resource->f[RES_PRIMARY_REGION].s;
    }
    enum users_bulk_status us = from_refs(refs_roles(b->c, b->t, rk, r, &b->roles));
    if (us == USERS_BULK_OK)
        us = from_refs(refs_regions(b->c, b->t, gk, g, &b->regions));
    return us;
}

/* Marks users naming an unknown role or region. Returns 1 when users[i] may be created. */
static int references_ok(struct batch *b, size_t i)
{
    const struct bulk_user *u = &b->users[i];
    struct bulk_result *res = &b->out[i];
    for (size_t k = 0; k < u->nroles; k++) {
        if (refs_find(&b->roles, u->roles[k]) == 0) {
            res->outcome = BULK_UNKNOWN_ROLE;
            res->detail = u->roles[k];
            return 0;
        }
    }
    const char *pr = u->resource != NULL ? u->resource->f[RES_PRIMARY_REGION].s : NULL;
    if (pr != NULL && refs_find(&b->regions, pr) == 0) {
        res->outcome = BULK_UNKNOWN_REGION;
        res->detail = pr;
        return 0;
    }
    for (size_t k = 0; k < u->nregions; k++) {
        if (refs_find(&b->regions, u->regions[k]) == 0) {
            res->outcome = BULK_UNKNOWN_REGION;
            res->detail = u->regions[k];
            return 0;
        }
    }
    return 1;
}

struct by_email {
    const char *email;
    size_t idx;
};

/* Orders by email, case-insensitively (emails are ASCII once validated), then by position,
 * so the first of several users with one email is the one created. */
static int cmp_email(const void *a, const void *b)
{
    const struct by_email *x = a, *y = b;
    int r = strcasecmp(x->email, y->email);
    return r != 0 ? r : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Marks every user whose email repeats an earlier user's in this call as BULK_EXISTS. */
static int mark_repeated_emails(struct batch *b, const size_t *idx, size_t m)
{
    struct by_email *v = arena_calloc(b->c->arena, m + 1, sizeof *v);
    if (v == NULL)
        return -1;
    for (size_t k = 0; k < m; k++)
        v[k] = (struct by_email){ b->users[idx[k]].email, idx[k] };
    qsort(v, m, sizeof *v, cmp_email);
    for (size_t k = 1; k < m; k++)
        if (strcasecmp(v[k - 1].email, v[k].email) == 0)
            b->out[v[k].idx].outcome = BULK_EXISTS;
    return 0;
}

/* Runs one statement whose last parameter is the JSON array rows (skipped when empty). */
static enum users_bulk_status exec_rows(struct batch *b, enum sql_id id, struct db_val *v,
                                        size_t nv, json_object *rows, struct db_result *res)
{
    if (json_object_array_length(rows) == 0)
        return USERS_BULK_OK;
    v[nv - 1] = DBV_S(plain(rows));
    return from_db(db_exec(b->c->db, id, v, nv, res));
}

static int cmp_ref(const void *a, const void *b)
{
    return strcmp(((const struct ref *)a)->key, ((const struct ref *)b)->key);
}

/* After the users insert: which of the chunk's users exist now (the others lost their email
 * to an existing user). Only asked when the insert reported fewer rows than it was given. */
static enum users_bulk_status mark_not_inserted(struct batch *b, struct pending *p, size_t m)
{
    json_object *oids = json_object_new_array();
    enum users_bulk_status us = USERS_BULK_ERROR;
    if (oids == NULL)
        return us;
    for (size_t k = 0; k < m; k++)
        if (ja_str(oids, b->out[p[k].idx].oid) != 0)
            goto done;
    struct db_val v = DBV_S(plain(oids));
    struct db_rows rows;
    enum db_status st = db_query(b->c->db, b->c->arena, SQL_BULK_USERS_PRESENT, &v, 1, &rows);
    if (st != DB_OK) {
        us = from_db(st);
        goto done;
    }
    struct refs set = { arena_calloc(b->c->arena, rows.nrows + 1, sizeof(struct ref)),
                        rows.nrows };
    if (set.v == NULL)
        goto done;
    for (size_t r = 0; r < rows.nrows; r++)
        set.v[r] = (struct ref){ db_cell_str(db_cell(&rows, r, 0)), 1 };
    qsort(set.v, set.n, sizeof *set.v, cmp_ref);
    for (size_t k = 0; k < m; k++)
        if (refs_find(&set, b->out[p[k].idx].oid) == 0)
            b->out[p[k].idx].outcome = BULK_EXISTS;
    us = USERS_BULK_OK;
done:
    json_object_put(oids);
    return us;
}

/* The rows of everything attached to the created users of one chunk. */
struct attach {
    json_object *roles, *regions, *resources, *tokens, *mails;
};

static enum users_bulk_status attach_all(struct batch *b, struct pending *p, size_t m)
{
    enum users_bulk_status us = USERS_BULK_ERROR;
    struct attach a = {
        json_object_new_array(), json_object_new_array(), json_object_new_array(),
        json_object_new_array(), json_object_new_array(),
    };
    if (a.roles == NULL || a.regions == NULL || a.resources == NULL || a.tokens == NULL ||
        a.mails == NULL)
        goto done;
    for (size_t k = 0; k < m; k++) {
        const struct bulk_user *u = &b->users[p[k].idx];
        const char *oid = b->out[p[k].idx].oid;
        if (b->out[p[k].idx].outcome != BULK_CREATED)
            continue;
        if (refs_links(a.roles, oid, &b->roles, u->roles, u->nroles, NULL) != 0 ||
            refs_links(a.regions, oid, &b->regions, u->regions, u->nregions, NULL) != 0)
            goto done;
        if (u->resource != NULL) {
            json_object *row = json_object_new_object();
            if (jo_str(row, "o", oid) != 0 ||
                resources_json_fields(
                    row, u->resource,
                    refs_find(&b->regions, u->resource->f[RES_PRIMARY_REGION].s)) != 0) {
                json_object_put(row);
                goto done;
            }
            if (ja_add(a.resources, row) != 0)
                goto done;
        }
        if (u->invite) {
            json_object *row = json_object_new_object();
            if (jo_str(row, "o", oid) != 0 || jo_str(row, "h", p[k].token_hash) != 0) {
                json_object_put(row);
                goto done;
            }
            if (ja_add(a.tokens, row) != 0)
                goto done;
            size_t bytes = 0;
            if (b->base != NULL &&
                mail_batch_add_invite(b->c, &b->mail, a.mails, oid, u->email, u->first_name,
                                      p[k].token, b->expires_text, &bytes) != MAIL_OK)
                goto done;
        }
    }
    struct db_val v2[1], v3[3];
    v3[0] = DBV_S("set_password");
    v3[1] = DBV_I(b->expires);
    if ((us = exec_rows(b, SQL_BULK_ROLES_ADD, v2, 1, a.roles, NULL)) != USERS_BULK_OK ||
        (us = exec_rows(b, SQL_BULK_REGIONS_ADD, v2, 1, a.regions, NULL)) != USERS_BULK_OK ||
        (us = exec_rows(b, SQL_BULK_RESOURCES_ADD, v2, 1, a.resources, NULL)) !=
            USERS_BULK_OK ||
        (us = exec_rows(b, SQL_BULK_TOKENS_ADD, v3, 3, a.tokens, NULL)) != USERS_BULK_OK ||
        (us = from_mail(mail_batch_write(b->c, &b->mail, a.mails))) != USERS_BULK_OK)
        goto done;
    us = USERS_BULK_OK;
done:
    json_object_put(a.roles);
    json_object_put(a.regions);
    json_object_put(a.resources);
    json_object_put(a.tokens);
    json_object_put(a.mails);
    return us;
}

/* Inserts one chunk of prepared users and everything attached to them. */
static enum users_bulk_status insert_chunk(struct batch *b, struct pending *p, size_t m)
{
    enum users_bulk_status us = USERS_BULK_ERROR;
    json_object *rows = json_object_new_array();
    if (rows == NULL)
        return us;
    int bad = 0;
    for (size_t k = 0; k < m && !bad; k++) {
        const struct bulk_user *u = &b->users[p[k].idx];
        json_object *row = json_object_new_object();
        bad |= jo_str(row, "o", b->out[p[k].idx].oid);
        bad |= jo_str_opt(row, "e", u->email);
        bad |= jo_str_opt(row, "f", u->first_name);
        bad |= jo_str_opt(row, "l", u->last_name);
        bad |= jo_str(row, "s", "pendingNew");
        bad |= ja_add(rows, row);
    }
    if (bad) {
        json_object_put(rows);
        return us;
    }
    struct db_val v[3] = { DBV_I(b->t->id), DBV_S(b->o->origin), DBV_NONE };
    struct db_result res = { 0, 0 };
    us = exec_rows(b, SQL_BULK_USERS_INSERT, v, 3, rows, &res);
    json_object_put(rows);
    if (us != USERS_BULK_OK)
        return us;
    if (res.affected != m && (us = mark_not_inserted(b, p, m)) != USERS_BULK_OK)
        return us;
    return attach_all(b, p, m);
}

/* Ids, tokens and their hashes for the users that go to the database. The randomness for all
 * of them is drawn in one call: one system call per user would dominate the CPU time. */
static int prepare(struct batch *b, struct pending *p, size_t m)
{
    enum { OID_RAW = OID_HEX_LEN / 2, TOKEN_RAW = 16 };
    unsigned char *raw = arena_calloc(b->c->arena, m + 1, OID_RAW + TOKEN_RAW);
    if (raw == NULL || crypto_random(raw, m * (OID_RAW + TOKEN_RAW)) != 0)
        return -1;
    for (size_t k = 0; k < m; k++) {
        const unsigned char *r = raw + k * (OID_RAW + TOKEN_RAW);
        hex_encode(r, OID_RAW, b->out[p[k].idx].oid);
        p[k].token[0] = '\0';
        if (b->users[p[k].idx].invite) {
            crypto_uuid_v4_format(r + OID_RAW, p[k].token);
            crypto_secret_hash(p[k].token, UUID_STR_LEN, p[k].token_hash);
        }
    }
    explicit_bzero(raw, m * (OID_RAW + TOKEN_RAW));
    return 0;
}

enum users_bulk_status users_bulk_insert(struct core *c, const struct tenant *t,
                                         const struct bulk_options *o,
                                         const struct bulk_user *users, size_t n,
                                         struct bulk_result *out)
{
    struct batch b = { .c = c, .t = t, .o = o, .users = users, .out = out };
    for (size_t i = 0; i < n; i++) {
        out[i].outcome = BULK_CREATED;
        out[i].detail = NULL;
        out[i].oid[0] = '\0';
    }
    if (n == 0)
        return USERS_BULK_OK;
    enum users_bulk_status us = resolve(&b, n);
    if (us != USERS_BULK_OK)
        return us;
    size_t *idx = arena_calloc(c->arena, n, sizeof *idx);
    struct pending *p = arena_calloc(c->arena, n, sizeof *p);
    if (idx == NULL || p == NULL)
        return USERS_BULK_ERROR;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (references_ok(&b, i))
            idx[m++] = i;
    if (mark_repeated_emails(&b, idx, m) != 0)
        return USERS_BULK_ERROR;
    size_t np = 0;
    for (size_t i = 0; i < n; i++)
        if (out[i].outcome == BULK_CREATED)
            p[np++].idx = i;
    b.expires = (long long)time(NULL) + (long long)c->cfg->token_ttl_hours * 3600;
    mail_expiry_text(b.expires, b.expires_text);
    b.base = NULL;
    switch (mail_batch_begin(c, t, (enum mail_kind)b.o->mail_kind, &b.mail)) {
    case MAIL_OK:
        b.base = b.mail.base;
        break;
    case MAIL_NOT_CONFIGURED:
        break;
    case MAIL_FAILED:
    case MAIL_DB_UNAVAILABLE:
    case MAIL_RETRY:
        return USERS_BULK_DB_UNAVAILABLE;
    }
    if (prepare(&b, p, np) != 0) {
        log_error(c->rid, "users_bulk: no randomness for ids or tokens");
        return USERS_BULK_ERROR;
    }
    for (size_t k = 0; k < np; k += CHUNK) {
        size_t m2 = np - k < CHUNK ? np - k : CHUNK;
        us = insert_chunk(&b, p + k, m2);
        if (us != USERS_BULK_OK)
            return us;
    }
    return USERS_BULK_OK;
}

struct create {
    struct core *c;
    const struct tenant *t;
    const struct bulk_options *o;
    const struct bulk_user *users;
    size_t n;
    struct bulk_result *out;
    enum users_bulk_status us;   /* the body's own verdict */
};

/* One run of the transaction (tx_body): users_bulk_insert starts over each time (new ids,
 * new tokens, out[] reset). */
static enum tx_status create_once(struct db *db, void *arg)
{
    struct create *cr = arg;
    (void)db;
    switch (cr->us = users_bulk_insert(cr->c, cr->t, cr->o, cr->users, cr->n, cr->out)) {
    case USERS_BULK_OK: return TX_OK;
    case USERS_BULK_RETRY: return TX_RETRY;
    case USERS_BULK_DB_UNAVAILABLE: return TX_UNAVAILABLE;
    case USERS_BULK_ERROR: break;
    }
    return TX_UNDONE;
}

enum users_bulk_status users_bulk_create(struct core *c, const struct tenant *t,
                                         const struct bulk_options *o,
                                         const struct bulk_user *users, size_t n,
                                         struct bulk_result *out)
{
    struct create cr = { c, t, o, users, n, out, USERS_BULK_ERROR };
    switch (tx_run(c->db, create_once, &cr)) {
    case TX_OK: return USERS_BULK_OK;
    case TX_UNDONE: return cr.us;
    /* deadlocks on every run: the database is too busy now, as when it cannot be reached */
    case TX_RETRY:
    case TX_UNAVAILABLE: return USERS_BULK_DB_UNAVAILABLE;
    case TX_ERROR: break;
    }
    return USERS_BULK_ERROR;
}
