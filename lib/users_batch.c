/* users_batch.c: a batch of user creations, updates and deletions in one transaction. Slow or
 * fallible work that needs no lock (role lookup, password hashing, random ids) happens first;
 * the transaction then locks the batch's existing users in one statement, makes every check,
 * and writes with one statement per kind of change (each list a JSON parameter for
 * JSON_TABLE), so the number of round trips does not grow with the batch. Unique indexes
 * decide races; reads after a failed write only say which user to blame. Never knows a
 * vendor's field names; never logs a password. */
#include "users_batch.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "config.h"
#include "crypto.h"
#include "ctx.h"
#include "db.h"
#include "log.h"
#include "mail.h"
#include "password.h"
#include "tenants.h"

enum {
    BATCH_ATTEMPTS = 4,          /* deadlocks and usernames taken concurrently are retried */
    GENERATED_PASSWORD_BYTES = 12 /* 96 bits of randomness, 16 base64url characters */
};

enum act { ACT_NONE = 0, ACT_INSERT, ACT_UPDATE, ACT_DELETE, ACT_MISSING };

/* What the batch works out per user (arena). */
struct prep {
    char oid[OID_HEX_LEN + 1];   /* the id a created user gets */
    char *pwhash;                /* NULL: password unchanged */
    char *new_password;          /* a generated password to mail, wiped at the end */
    long long *role_ids;         /* distinct, when set_roles */
    size_t nrole_ids;
    /* set inside the transaction */
    enum act act;
    long long id;
    const char *stored_email;
    const char *stored_first;
};

struct run {
    struct ctx *c;
    const struct tenant *t;
    const char *origin;
    const struct batch_user *u;
    size_t n;
    struct prep *p;
    size_t *order;               /* indexes sorted by username: the order rows are locked in */
    const char *names_json;      /* every username of the batch, in that order */
    struct batch_result *out;
};

static const char *jtext(json_object *o)
{
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
}

static enum batch_status from_db(enum db_status st)
{
    return st == DB_UNAVAILABLE ? BATCH_DB_UNAVAILABLE : BATCH_ERROR;
}

static void set_problem(struct batch_result *out, size_t i, enum batch_field f, size_t item,
                        const char *value)
{
    out->problem.index = i;
    out->problem.field = f;
    out->problem.item = item;
    out->problem.value = value;
}

/* ---- before the transaction ---- */

/* Role names or uuids -> role ids, in one query for the whole batch. A tenant's own role
 * wins over a built-in one of the same name. */
static enum batch_status resolve_roles(struct run *r)
{
    enum batch_status bs = BATCH_ERROR;
    json_object *seen = json_object_new_object(), *refs = json_object_new_array();
    json_object *ids = json_object_new_object();
    if (seen == NULL || refs == NULL || ids == NULL)
        goto done;
    for (size_t i = 0; i < r->n; i++) {
        if (r->u[i].op == BATCH_DELETE || !r->u[i].set_roles)
            continue;
        for (size_t k = 0; k < r->u[i].nroles; k++) {
            const char *ref = r->u[i].roles[k];
            if (!json_object_object_get_ex(seen, ref, NULL)) {
                json_object_object_add(seen, ref, NULL);
                json_object_array_add(refs, json_object_new_string(ref));
            }
        }
    }
    if (json_object_array_length(refs) > 0) {
        struct db_val v[2] = { DBV_S(jtext(refs)), DBV_I(r->t->id) };
        struct db_rows rows;
        enum db_status st = db_query(r->c->db, r->c->arena, SQL_BATCH_ROLES, v, 2, &rows);
        if (st != DB_OK) {
            bs = from_db(st);
            goto done;
        }
        for (size_t row = 0; row < rows.nrows; row++) {
            const char *ref = db_cell_str(db_cell(&rows, row, 0));
            if (ref != NULL && !json_object_object_get_ex(ids, ref, NULL))
                json_object_object_add(ids, ref,
                                       json_object_new_int64(db_cell_int(db_cell(&rows, row, 1))));
        }
    }
    for (size_t i = 0; i < r->n; i++) {
        const struct batch_user *u = &r->u[i];
        if (u->op == BATCH_DELETE || !u->set_roles)
            continue;
        r->p[i].role_ids = arena_calloc(r->c->arena, u->nroles ? u->nroles : 1,
                                        sizeof *r->p[i].role_ids);
        if (r->p[i].role_ids == NULL)
            goto done;
        for (size_t k = 0; k < u->nroles; k++) {
            json_object *id = NULL;
            if (!json_object_object_get_ex(ids, u->roles[k], &id)) {
                set_problem(r->out, i, BATCH_FIELD_ROLES, k, u->roles[k]);
                bs = BATCH_UNKNOWN_ROLE;
                goto done;
            }
            long long v = json_object_get_int64(id);
            size_t m = 0;
            while (m < r->p[i].nrole_ids && r->p[i].role_ids[m] != v)
                m++;
            if (m == r->p[i].nrole_ids)
                r->p[i].role_ids[r->p[i].nrole_ids++] = v;
        }
    }
    bs = BATCH_OK;
done:
    json_object_put(seen);
    json_object_put(refs);
    json_object_put(ids);
    return bs;
}

/* Hashes given passwords, generates reset ones, and draws the ids of users that may be
 * created. The slow part of a batch (one yescrypt hash per password) runs here, before any
 * lock is taken. */
static enum batch_status prepare(struct run *r)
{
    const struct config *cfg = r->c->cfg;
    char hash[PASSWORD_HASH_MAX];
    enum batch_status bs = BATCH_ERROR;
    /* the same as crypto_oid() per user, with one getrandom(2) for the whole batch */
    unsigned char *raw = arena_alloc(r->c->arena, r->n * (OID_HEX_LEN / 2) + 1);
    if (raw == NULL || crypto_random(raw, r->n * (OID_HEX_LEN / 2)) != 0)
        goto done;
    for (size_t i = 0; i < r->n; i++) {
        const struct batch_user *u = &r->u[i];
        struct prep *p = &r->p[i];
        if (u->op == BATCH_DELETE)
            continue;
        hex_encode(raw + i * (OID_HEX_LEN / 2), OID_HEX_LEN / 2, p->oid);
        const char *pw = u->password;
        if (u->reset_password) {
            p->new_password = arena_alloc(r->c->arena,
                                          b64_encoded_len(GENERATED_PASSWORD_BYTES) + 1);
            if (p->new_password == NULL ||
                crypto_token(GENERATED_PASSWORD_BYTES, p->new_password) != 0)
                goto done;
            pw = p->new_password;
        }
        if (pw == NULL)
            continue;
        if (password_hash(pw, cfg->password_prefix, cfg->password_cost, hash) != PW_OK) {
            log_error(r->c->rid, "users_batch: password hashing failed");
            goto done;
        }
        if ((p->pwhash = arena_strdup(r->c->arena, hash)) == NULL)
            goto done;
    }
    bs = BATCH_OK;
done:
    explicit_bzero(hash, sizeof hash);
    return bs;
}

/* ---- inside the transaction ---- */

/* Locks the rows of the usernames in names_json and returns a username -> row map (put it). */
static enum db_status lock_users(struct run *r, const char *names_json, struct db_rows *rows,
                                 json_object **map)
{
    struct db_val v[2] = { DBV_S(names_json), DBV_I(r->t->id) };
    enum db_status st = db_query(r->c->db, r->c->arena, SQL_BATCH_LOCK, v, 2, rows);
    *map = NULL;
    if (st != DB_OK)
        return st;
    *map = json_object_new_object();
    if (*map == NULL)
        return DB_ERROR;
    for (size_t row = 0; row < rows->nrows; row++)
        json_object_object_add(*map, db_cell(rows, row, 0)->s,
                               json_object_new_int64((long long)row));
    return DB_OK;
}

/* Decides what happens to each user. All 400-class problems (an email missing) are reported
 * before any 409-class one (a username that exists), each in batch order. */
static enum batch_status classify(struct run *r, const struct db_rows *rows, json_object *map)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < r->n; i++) {
            const struct batch_user *u = &r->u[i];
            json_object *row = NULL;
            int exists = json_object_object_get_ex(map, u->username, &row);
            if (pass == 0) {
                if (!exists && u->op != BATCH_DELETE && u->email == NULL) {
                    set_problem(r->out, i, BATCH_FIELD_EMAIL, 0, NULL);
                    return BATCH_EMAIL_REQUIRED;
                }
                continue;
            }
            if (exists && u->op == BATCH_INSERT) {
                set_problem(r->out, i, BATCH_FIELD_USERNAME, 0, u->username);
                return BATCH_EXISTS;
            }
            struct prep *p = &r->p[i];
            p->act = u->op == BATCH_DELETE ? (exists ? ACT_DELETE : ACT_MISSING)
                                           : (exists ? ACT_UPDATE : ACT_INSERT);
            p->id = 0;
            p->stored_email = p->stored_first = NULL;
            if (exists) {
                size_t k = (size_t)json_object_get_int64(row);
                p->id = db_cell_int(db_cell(rows, k, 1));
                p->stored_email = db_cell_str(db_cell(rows, k, 2));
                p->stored_first = db_cell_str(db_cell(rows, k, 3));
            }
        }
    }
    return BATCH_OK;
}

static void add_str(json_object *o, const char *key, const char *v)
{
    if (v != NULL)
        json_object_object_add(o, key, json_object_new_string(v));
}

static void add_flag(json_object *o, const char *key, int v)
{
    if (v != BATCH_UNSET)
        json_object_object_add(o, key, json_object_new_int(v ? 1 : 0));
}

/* The user row of an update (only what changes) or an insert (everything). */
static json_object *user_row(const struct batch_user *u, const struct prep *p)
{
    json_object *o = json_object_new_object();
    if (o == NULL)
        return NULL;
    if (p->act == ACT_UPDATE) {
        json_object_object_add(o, "id", json_object_new_int64(p->id));
        add_str(o, "status", u->active == BATCH_UNSET ? NULL : u->active ? "active" : "inactive");
        add_flag(o, "locked", u->locked);
    } else {
        add_str(o, "oid", p->oid);
        add_str(o, "username", u->username);
        add_str(o, "status", u->active == BATCH_FALSE ? "inactive" : "active");
        json_object_object_add(o, "locked", json_object_new_int(u->locked == BATCH_TRUE));
    }
    add_str(o, "email", u->email);
    add_str(o, "first_name", u->first_name);
    add_str(o, "last_name", u->last_name);
    add_str(o, "password_hash", p->pwhash);
    return o;
}

static int has_attributes(const struct batch_user *u)
{
    return u->language_code != NULL || u->mobile_worker != BATCH_UNSET ||
           u->dispatch_group_id != NULL || u->service_team_id != NULL ||
           u->storage_location_id != NULL || u->sms_enabled != BATCH_UNSET ||
           u->facetime_enabled != BATCH_UNSET || u->work_status != NULL ||
           u->extensions_json != NULL;
}

static json_object *attr_row(const struct batch_user *u, long long id)
{
    json_object *o = json_object_new_object();
    if (o == NULL)
        return NULL;
    json_object_object_add(o, "u", json_object_new_int64(id));
    add_str(o, "lang", u->language_code);
    add_flag(o, "mw", u->mobile_worker);
    add_str(o, "dg", u->dispatch_group_id);
    add_str(o, "st", u->service_team_id);
    add_str(o, "sl", u->storage_location_id);
    add_flag(o, "sms", u->sms_enabled);
    add_flag(o, "ft", u->facetime_enabled);
    add_str(o, "ws", u->work_status);
    add_str(o, "ext", u->extensions_json);
    return o;
}

/* Runs a statement whose only parameter is a JSON list, when the list is not empty. */
static enum db_status exec_list(struct run *r, enum sql_id id, json_object *list)
{
    if (json_object_array_length(list) == 0)
        return DB_OK;
    struct db_val v = DBV_S(jtext(list));
    return db_exec(r->c->db, id, &v, 1, NULL);
}

/* Finds the user to blame for a duplicate email: the first one (batch order) whose email
 * belongs to a user of another username that this batch does not delete. Runs after the
 * rollback: the unique index has already decided. */
static void blame_email(struct run *r)
{
    json_object *emails = json_object_new_array(), *owners = json_object_new_object();
    json_object *deleted = json_object_new_object();
    set_problem(r->out, BATCH_NO_INDEX, BATCH_FIELD_EMAIL, 0, NULL);
    if (emails == NULL || owners == NULL || deleted == NULL)
        goto done;
    for (size_t i = 0; i < r->n; i++) {
        if (r->p[i].act == ACT_DELETE)
            json_object_object_add(deleted, r->u[i].username, NULL);
        if (r->u[i].op == BATCH_DELETE || r->u[i].email == NULL)
            continue;
        char *low = arena_strdup(r->c->arena, r->u[i].email);
        if (low == NULL)
            goto done;
        for (char *q = low; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        json_object_array_add(emails, json_object_new_string(low));
    }
    struct db_val v[2] = { DBV_S(jtext(emails)), DBV_I(r->t->id) };
    struct db_rows rows;
    if (json_object_array_length(emails) == 0 ||
        db_query(r->c->db, r->c->arena, SQL_BATCH_EMAIL_OWNERS, v, 2, &rows) != DB_OK)
        goto done;
    for (size_t row = 0; row < rows.nrows; row++) {
        const char *owner = db_cell_str(db_cell(&rows, row, 1));
        json_object_object_add(owners, db_cell(&rows, row, 0)->s,
                               owner ? json_object_new_string(owner) : NULL);
    }
    for (size_t i = 0; i < r->n; i++) {
        const struct batch_user *u = &r->u[i];
        if (u->op == BATCH_DELETE || u->email == NULL)
            continue;
        char low[256];
        size_t k = 0;
        for (; u->email[k] != '\0' && k + 1 < sizeof low; k++)
            low[k] = (char)tolower((unsigned char)u->email[k]);
        low[k] = '\0';
        json_object *o = NULL;
        if (!json_object_object_get_ex(owners, low, &o))
            continue;
        const char *owner = o != NULL ? json_object_get_string(o) : NULL;
        if (owner != NULL && (strcmp(owner, u->username) == 0 ||
                              json_object_object_get_ex(deleted, owner, NULL)))
            continue;
        set_problem(r->out, i, BATCH_FIELD_EMAIL, 0, u->email);
        break;
    }
done:
    json_object_put(emails);
    json_object_put(owners);
    json_object_put(deleted);
}

/* The first user (batch order) to create whose username now exists: the one a concurrent
 * request took. */
static void blame_username(struct run *r)
{
    struct db_rows rows;
    json_object *map = NULL;
    set_problem(r->out, BATCH_NO_INDEX, BATCH_FIELD_USERNAME, 0, NULL);
    if (lock_users(r, r->names_json, &rows, &map) == DB_OK) {
        for (size_t i = 0; i < r->n; i++)
            if (r->p[i].act == ACT_INSERT &&
                json_object_object_get_ex(map, r->u[i].username, NULL)) {
                set_problem(r->out, i, BATCH_FIELD_USERNAME, 0, r->u[i].username);
                break;
            }
    }
    json_object_put(map);
}

/* Outcome of one write inside the transaction. */
static enum batch_status write_failed(struct run *r, enum db_status st, int *retry)
{
    if (st == DB_RETRY) {
        *retry = 1;
        return BATCH_ERROR;
    }
    if (st == DB_DUPLICATE) {
        const char *key = db_dup_key(r->c->db);
        if (strcmp(key, "uq_users_username") == 0) {
            *retry = 1;
            return BATCH_EXISTS;
        }
        if (strcmp(key, "uq_users_email") == 0)
            return BATCH_EMAIL_TAKEN;
        log_error(r->c->rid, "users_batch: unexpected duplicate on %s", key);
        return BATCH_ERROR;
    }
    return from_db(st);
}

/* The ids of the users just created, by username. */
static enum batch_status fetch_new_ids(struct run *r, json_object *names)
{
    struct db_rows rows;
    json_object *map = NULL;
    if (json_object_array_length(names) == 0)
        return BATCH_OK;
    enum db_status st = lock_users(r, jtext(names), &rows, &map);
    if (st != DB_OK)
        return from_db(st);
    enum batch_status bs = BATCH_OK;
    for (size_t i = 0; i < r->n && bs == BATCH_OK; i++) {
        json_object *row = NULL;
        if (r->p[i].act != ACT_INSERT)
            continue;
        if (!json_object_object_get_ex(map, r->u[i].username, &row)) {
            log_error(r->c->rid, "users_batch: a created user was not found again");
            bs = BATCH_ERROR;
            break;
        }
        r->p[i].id = db_cell_int(db_cell(&rows, (size_t)json_object_get_int64(row), 1));
    }
    json_object_put(map);
    return bs;
}

/* Roles, phones and attributes of the created and updated users. */
static enum db_status write_links(struct run *r)
{
    enum db_status st = DB_ERROR;
    json_object *rclear = json_object_new_array(), *radd = json_object_new_array();
    json_object *pclear = json_object_new_array(), *padd = json_object_new_array();
    json_object *attrs = json_object_new_array();
    if (rclear == NULL || radd == NULL || pclear == NULL || padd == NULL || attrs == NULL)
        goto done;
    for (size_t i = 0; i < r->n; i++) {
        const struct batch_user *u = &r->u[i];
        const struct prep *p = &r->p[i];
        if (p->act != ACT_INSERT && p->act != ACT_UPDATE)
            continue;
        if (u->set_roles) {
            if (p->act == ACT_UPDATE)
                json_object_array_add(rclear, json_object_new_int64(p->id));
            for (size_t k = 0; k < p->nrole_ids; k++) {
                json_object *pair = json_object_new_array();
                json_object_array_add(pair, json_object_new_int64(p->id));
                json_object_array_add(pair, json_object_new_int64(p->role_ids[k]));
                json_object_array_add(radd, pair);
            }
        }
        if (u->set_phones) {
            if (p->act == ACT_UPDATE)
                json_object_array_add(pclear, json_object_new_int64(p->id));
            for (size_t k = 0; k < u->nphones; k++) {
                json_object *ph = json_object_new_array();
                json_object_array_add(ph, json_object_new_int64(p->id));
                json_object_array_add(ph, json_object_new_int64((long long)k));
                json_object_array_add(ph, json_object_new_string(u->phones[k].number));
                json_object_array_add(ph, u->phones[k].type != NULL
                                              ? json_object_new_string(u->phones[k].type)
                                              : NULL);
                json_object_array_add(padd, ph);
            }
        }
        if (has_attributes(u))
            json_object_array_add(attrs, attr_row(u, p->id));
    }
    if ((st = exec_list(r, SQL_BATCH_ROLES_CLEAR, rclear)) != DB_OK ||
        (st = exec_list(r, SQL_BATCH_ROLES_ADD, radd)) != DB_OK ||
        (st = exec_list(r, SQL_BATCH_PHONES_CLEAR, pclear)) != DB_OK ||
        (st = exec_list(r, SQL_BATCH_PHONES_ADD, padd)) != DB_OK ||
        (st = exec_list(r, SQL_BATCH_ATTRS_UPSERT, attrs)) != DB_OK)
        goto done;
    st = DB_OK;
done:
    json_object_put(rclear);
    json_object_put(radd);
    json_object_put(pclear);
    json_object_put(padd);
    json_object_put(attrs);
    return st;
}

/* A generated password goes out by mail in the same transaction as its hash. */
static enum batch_status queue_passwords(struct run *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct batch_user *u = &r->u[i];
        const struct prep *p = &r->p[i];
        if (p->new_password == NULL || (p->act != ACT_INSERT && p->act != ACT_UPDATE))
            continue;
        const char *to = u->email != NULL ? u->email : p->stored_email;
        const char *first = u->first_name != NULL ? u->first_name : p->stored_first;
        struct mail_vars v = {
            .name = first != NULL && *first != '\0' ? first : u->username,
            .password = p->new_password,
        };
        enum mail_status ms = mail_queue(r->c, r->t, p->id, to, MAIL_PASSWORD, &v);
        if (ms == MAIL_NOT_CONFIGURED) {
            set_problem(r->out, i, BATCH_FIELD_NONE, 0, NULL);
            return BATCH_NO_MAIL;
        }
        if (ms != MAIL_OK)
            return BATCH_ERROR;
    }
    return BATCH_OK;
}

/* One attempt at the whole transaction. *retry is set when it may succeed if run again. */
static enum batch_status run_once(struct run *r, int *retry)
{
    enum batch_status bs = BATCH_ERROR;
    enum db_status st;
    struct db_rows rows;
    json_object *map = NULL, *dels = NULL, *upds = NULL, *ins = NULL, *new_names = NULL;
    struct batch_result *out = r->out;

    *retry = 0;
    out->inserted = out->updated = out->deleted = out->nmissing = 0;
    if ((st = db_begin(r->c->db)) != DB_OK)
        return from_db(st);
    if ((st = lock_users(r, r->names_json, &rows, &map)) != DB_OK) {
        bs = write_failed(r, st, retry);
        goto fail;
    }
    if ((bs = classify(r, &rows, map)) != BATCH_OK)
        goto fail;
    bs = BATCH_ERROR;
    dels = json_object_new_array();
    upds = json_object_new_array();
    ins = json_object_new_array();
    new_names = json_object_new_array();
    if (dels == NULL || upds == NULL || ins == NULL || new_names == NULL)
        goto fail;
    for (size_t k = 0; k < r->n; k++) {
        size_t i = r->order[k];
        const struct prep *p = &r->p[i];
        switch (p->act) {
        case ACT_DELETE:
            json_object_array_add(dels, json_object_new_int64(p->id));
            out->deleted++;
            break;
        case ACT_UPDATE:
            json_object_array_add(upds, user_row(&r->u[i], p));
            out->updated++;
            break;
        case ACT_INSERT:
            json_object_array_add(ins, user_row(&r->u[i], p));
            json_object_array_add(new_names, json_object_new_string(r->u[i].username));
            out->inserted++;
            break;
        case ACT_MISSING:
        case ACT_NONE:
            break;
        }
    }
    for (size_t i = 0; i < r->n; i++)
        if (r->p[i].act == ACT_MISSING)
            out->missing[out->nmissing++] = i;
    if (json_object_array_length(dels) > 0) {
        struct db_val v[2] = { DBV_S(jtext(dels)), DBV_I(r->t->id) };
        if ((st = db_exec(r->c->db, SQL_BATCH_DELETE, v, 2, NULL)) != DB_OK) {
            bs = write_failed(r, st, retry);
            goto fail;
        }
    }
    if (json_object_array_length(upds) > 0) {
        struct db_val v[2] = { DBV_S(jtext(upds)), DBV_I(r->t->id) };
        if ((st = db_exec(r->c->db, SQL_BATCH_UPDATE, v, 2, NULL)) != DB_OK) {
            bs = write_failed(r, st, retry);
            goto fail;
        }
    }
    if (json_object_array_length(ins) > 0) {
        struct db_val v[3] = { DBV_I(r->t->id), DBV_S(r->origin), DBV_S(jtext(ins)) };
        if ((st = db_exec(r->c->db, SQL_BATCH_INSERT, v, 3, NULL)) != DB_OK) {
            bs = write_failed(r, st, retry);
            goto fail;
        }
    }
    if ((bs = fetch_new_ids(r, new_names)) != BATCH_OK)
        goto fail;
    if ((st = write_links(r)) != DB_OK) {
        bs = write_failed(r, st, retry);
        goto fail;
    }
    if ((bs = queue_passwords(r)) != BATCH_OK)
        goto fail;
    if ((st = db_commit(r->c->db)) != DB_OK) {
        bs = write_failed(r, st, retry);
        goto fail;
    }
    bs = BATCH_OK;
    goto done;
fail:
    db_rollback(r->c->db);
done:
    json_object_put(map);
    json_object_put(dels);
    json_object_put(upds);
    json_object_put(ins);
    json_object_put(new_names);
    return bs;
}

static int by_username(const void *a, const void *b, void *arg)
{
    const struct batch_user *u = arg;
    return strcmp(u[*(const size_t *)a].username, u[*(const size_t *)b].username);
}

enum batch_status users_batch_apply(struct ctx *c, const struct tenant *t, const char *origin,
                                    const struct batch_user *users, size_t n,
                                    struct batch_result *out)
{
    enum batch_status bs = BATCH_ERROR;
    json_object *names = NULL;
    struct run r = { .c = c, .t = t, .origin = origin, .u = users, .n = n, .out = out };

    memset(out, 0, sizeof *out);
    out->problem.index = BATCH_NO_INDEX;
    r.p = arena_calloc(c->arena, n ? n : 1, sizeof *r.p);
    r.order = arena_calloc(c->arena, n ? n : 1, sizeof *r.order);
    out->missing = arena_calloc(c->arena, n ? n : 1, sizeof *out->missing);
    names = json_object_new_array();
    if (r.p == NULL || r.order == NULL || out->missing == NULL || names == NULL)
        goto done;
    for (size_t i = 0; i < n; i++) {
        if (users[i].op != BATCH_DELETE && users[i].reset_password && !mail_configured(c, t)) {
            set_problem(out, i, BATCH_FIELD_NONE, 0, NULL);
            bs = BATCH_NO_MAIL;
            goto done;
        }
        r.order[i] = i;
    }
    /* every batch locks and inserts its users in username order, so two batches over the same
     * users wait for each other instead of deadlocking */
    qsort_r(r.order, n, sizeof *r.order, by_username, (void *)(uintptr_t)users);
    for (size_t k = 0; k < n; k++)
        json_object_array_add(names, json_object_new_string(users[r.order[k]].username));
    if ((bs = resolve_roles(&r)) != BATCH_OK || (bs = prepare(&r)) != BATCH_OK)
        goto done;
    r.names_json = arena_strdup(c->arena, jtext(names));
    if (r.names_json == NULL) {
        bs = BATCH_ERROR;
        goto done;
    }
    for (int attempt = 0; attempt < BATCH_ATTEMPTS; attempt++) {
        int retry = 0;
        bs = run_once(&r, &retry);
        if (!retry)
            break;
    }
    if (bs == BATCH_ERROR)
        log_error(c->rid, "users_batch: the batch of %zu users was not applied", n);
    if (bs == BATCH_EMAIL_TAKEN)
        blame_email(&r);
    else if (bs == BATCH_EXISTS && out->problem.index == BATCH_NO_INDEX)
        blame_username(&r);
    if (bs != BATCH_OK)
        out->inserted = out->updated = out->deleted = out->nmissing = 0;
done:
    json_object_put(names);
    for (size_t i = 0; r.p != NULL && i < n; i++)
        if (r.p[i].new_password != NULL)
            explicit_bzero(r.p[i].new_password, strlen(r.p[i].new_password));
    return bs;
}
