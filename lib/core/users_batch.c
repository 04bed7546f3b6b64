/* users_batch.c: a batch of user creations, updates and deletions in one transaction (tx.h:
 * rerun whole on a deadlock, and when a unique index shows a concurrent request created a
 * user of the batch meanwhile). Slow or fallible work that needs no lock (role lookup,
 * password hashing, random ids) happens first (users_batch_prep.c); the transaction then locks
 * the batch's existing users in one statement, makes every check, and writes with one
 * statement per kind of change (each list a JSON parameter for JSON_TABLE), so the number of
 * round trips does not grow with the batch. Unique indexes decide races (users_batch_blame.c
 * only names the user afterwards); created users without a password are invited, and what
 * deletes and updates make stale is retired (users_batch_invite.c). Never knows a vendor's
 * field names; never logs a password. */
#include "core/users_batch_internal.h"

#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/log.h"
#include "codec/json_out.h"
#include "codec/json_text.h"
#include "core/core.h"
#include "core/mail.h"
#include "core/tenants.h"
#include "store/db.h"
#include "store/tx.h"

enum db_status batch_lock(struct batch_run *r, const char *names_json, struct db_rows *rows,
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
        if (jo_int(*map, db_cell(rows, row, 0)->s, (long long)row) != 0)
            return DB_ERROR;   /* the caller releases *map */
    return DB_OK;
}

/* Decides what happens to each user. All 400-class problems (an email missing) are reported
 * before any 409-class one (a username that exists), each in batch order. */
static enum batch_status classify(struct batch_run *r, const struct db_rows *rows, json_object *map)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < r->n; i++) {
            const struct batch_user *u = &r->u[i];
            json_object *row = NULL;
            int exists = json_object_object_get_ex(map, u->username, &row);
            if (pass == 0) {
                if (!exists && u->op != BATCH_DELETE && u->email == NULL) {
                    batch_set_problem(r->out, i, BATCH_FIELD_EMAIL, 0, NULL);
                    return BATCH_EMAIL_REQUIRED;
                }
                continue;
            }
            if (exists && u->op == BATCH_INSERT) {
                batch_set_problem(r->out, i, BATCH_FIELD_USERNAME, 0, u->username);
                return BATCH_EXISTS;
            }
            struct batch_prep *p = &r->p[i];
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

static int add_flag(json_object *o, const char *key, int v)
{
    return v != BATCH_UNSET ? jo_int(o, key, v ? 1 : 0) : 0;
}

/* The user row of an update (only what changes) or an insert (everything); NULL when out of
 * memory. */
static json_object *user_row(const struct batch_user *u, const struct batch_prep *p)
{
    json_object *o = json_object_new_object();
    int bad;
    if (p->act == ACT_UPDATE) {
        bad = jo_int(o, "id", p->id);
        bad |= jo_str_opt(o, "status",
                          u->active == BATCH_UNSET ? NULL : u->active ? "active" : "inactive");
        bad |= add_flag(o, "locked", u->locked);
    } else {
        bad = jo_str_opt(o, "oid", p->oid);
        bad |= jo_str_opt(o, "username", u->username);
        /* an invited user has no password yet: pendingNew until it sets one on the page */
        bad |= jo_str_opt(o, "status", u->active == BATCH_FALSE ? "inactive"
                                       : p->token != NULL   ? "pendingNew"
                                                            : "active");
        bad |= jo_int(o, "locked", u->locked == BATCH_TRUE);
    }
    bad |= jo_str_opt(o, "email", u->email);
    bad |= jo_str_opt(o, "first_name", u->first_name);
    bad |= jo_str_opt(o, "last_name", u->last_name);
    bad |= jo_str_opt(o, "password_hash", p->pwhash);
    if (bad) {
        json_object_put(o);
        return NULL;
    }
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

static void text_str(struct buf *b, const char *key, const char *v)
{
    if (v == NULL)
        return;
    buf_printf(b, ",\"%s\":", key);
    json_text_string(b, v);
}

static void text_flag(struct buf *b, const char *key, int v)
{
    if (v != BATCH_UNSET)
        buf_printf(b, ",\"%s\":%d", key, v ? 1 : 0);
}

/* The attributes row of a user as JSON text: what is set, nothing else. */
static void attr_row(struct json_list *l, const struct batch_user *u, long long id)
{
    json_list_next(l);
    buf_printf(&l->b, "{\"u\":%lld", id);
    text_str(&l->b, "lang", u->language_code);
    text_flag(&l->b, "mw", u->mobile_worker);
    text_str(&l->b, "dg", u->dispatch_group_id);
    text_str(&l->b, "st", u->service_team_id);
    text_str(&l->b, "sl", u->storage_location_id);
    text_flag(&l->b, "sms", u->sms_enabled);
    text_flag(&l->b, "ft", u->facetime_enabled);
    text_str(&l->b, "ws", u->work_status);
    text_str(&l->b, "ext", u->extensions_json);
    buf_puts(&l->b, "}");
}

/* The verdict of a run whose write failed with st: the status in r->bs, the runner's in the
 * return value. */
static enum tx_status write_failed(struct batch_run *r, enum db_status st)
{
    if (st == DB_DUPLICATE) {
        const char *key = db_dup_key(r->c->db);
        if (strcmp(key, "uq_users_username") == 0) {
            /* a concurrent request created a user of this batch: a new run updates it (or
             * reports an insert's username as taken) */
            r->bs = BATCH_EXISTS;
            return TX_RETRY;
        }
        if (strcmp(key, "uq_users_email") == 0) {
            /* InnoDB checks uq_users_email before uq_users_username: a user of this batch
             * created meanwhile by a concurrent request shows up as its email taken. When no
             * other user holds the email, run again: the user is then found and updated. */
            r->bs = BATCH_EMAIL_TAKEN;
            batch_blame_email(r);
            return r->out->problem.index == BATCH_NO_INDEX ? TX_RETRY : TX_UNDONE;
        }
        log_error(r->c->rid, "users_batch: unexpected duplicate on %s", key);
        r->bs = BATCH_ERROR;
        return TX_UNDONE;
    }
    r->bs = batch_from_db(st);
    return tx_from_db(st);
}

/* A run refused by a rule (or failed), r->bs saying why. */
static enum tx_status refused(struct batch_run *r, enum batch_status bs)
{
    r->bs = bs;
    return bs == BATCH_DB_UNAVAILABLE ? TX_UNAVAILABLE : TX_UNDONE;
}

/* The ids of the users just created, by username. */
static enum batch_status fetch_new_ids(struct batch_run *r, json_object *names)
{
    struct db_rows rows;
    json_object *map = NULL;
    if (json_object_array_length(names) == 0)
        return BATCH_OK;
    enum db_status st = batch_lock(r, batch_jtext(names), &rows, &map);
    if (st != DB_OK)
        return batch_from_db(st);
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

/* Runs a statement whose only parameter is a JSON list written as text, when it is not empty. */
static enum db_status exec_text(struct batch_run *r, enum sql_id id, struct json_list *l)
{
    if (l->n == 0)
        return DB_OK;
    const char *text = json_list_text(l);
    if (text == NULL)
        return DB_ERROR;
    struct db_val v = DBV_S(text);
    return db_exec(r->c->db, id, &v, 1, NULL);
}

/* Roles, phones and attributes of the created and updated users. The role and phone lists are
 * written as text: a batch may hold 10 000 users with many phones each, and as json-c trees
 * they would cost ten times their text. */
static enum db_status write_links(struct batch_run *r)
{
    enum db_status st;
    struct json_list rclear = { 0 }, radd = { 0 }, pclear = { 0 }, padd = { 0 }, attrs = { 0 };
    for (size_t i = 0; i < r->n; i++) {
        const struct batch_user *u = &r->u[i];
        const struct batch_prep *p = &r->p[i];
        if (p->act != ACT_INSERT && p->act != ACT_UPDATE)
            continue;
        if (u->set_roles) {
            if (p->act == ACT_UPDATE) {
                json_list_next(&rclear);
                json_text_int(&rclear.b, p->id);
            }
            for (size_t k = 0; k < p->nrole_ids; k++) {
                json_list_next(&radd);
                buf_printf(&radd.b, "[%lld,%lld]", p->id, p->role_ids[k]);
            }
        }
        if (u->set_phones) {
            if (p->act == ACT_UPDATE) {
                json_list_next(&pclear);
                json_text_int(&pclear.b, p->id);
            }
            for (size_t k = 0; k < u->nphones; k++) {
                json_list_next(&padd);
                buf_printf(&padd.b, "[%lld,%zu,", p->id, k);
                json_text_string(&padd.b, u->phones[k].number);
                buf_puts(&padd.b, ",");
                json_text_string(&padd.b, u->phones[k].type);
                buf_puts(&padd.b, "]");
            }
        }
        if (has_attributes(u))
            attr_row(&attrs, u, p->id);
    }
    if ((st = exec_text(r, SQL_BATCH_ROLES_CLEAR, &rclear)) != DB_OK ||
        (st = exec_text(r, SQL_BATCH_ROLES_ADD, &radd)) != DB_OK ||
        (st = exec_text(r, SQL_BATCH_PHONES_CLEAR, &pclear)) != DB_OK ||
        (st = exec_text(r, SQL_BATCH_PHONES_ADD, &padd)) != DB_OK ||
        (st = exec_text(r, SQL_BATCH_ATTRS_UPSERT, &attrs)) != DB_OK)
        goto done;
    st = DB_OK;
done:
    json_list_free(&rclear);
    json_list_free(&radd);
    json_list_free(&pclear);
    json_list_free(&padd);
    json_list_free(&attrs);
    return st;
}

/* A generated password goes out by mail in the same transaction as its hash. */
static enum batch_status queue_passwords(struct batch_run *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct batch_user *u = &r->u[i];
        const struct batch_prep *p = &r->p[i];
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
            batch_set_problem(r->out, i, BATCH_FIELD_NONE, 0, NULL);
            return BATCH_NO_MAIL;
        }
        if (ms == MAIL_DB_UNAVAILABLE)
            return BATCH_DB_UNAVAILABLE;
        if (ms != MAIL_OK)
            return BATCH_ERROR;
    }
    return BATCH_OK;
}

/* One run of the whole transaction (tx_body). */
static enum tx_status run_once(struct db *db, void *arg)
{
    struct batch_run *r = arg;
    enum tx_status ts = TX_UNDONE;
    enum batch_status bs;
    enum db_status st;
    struct db_rows rows;
    json_object *map = NULL, *dels = NULL, *upds = NULL, *ins = NULL, *new_names = NULL;
    struct batch_result *out = r->out;

    r->bs = BATCH_ERROR;
    out->inserted = out->updated = out->deleted = out->nmissing = 0;
    out->problem = (struct batch_problem){ .index = BATCH_NO_INDEX };
    if ((st = batch_lock(r, r->names_json, &rows, &map)) != DB_OK) {
        ts = write_failed(r, st);
        goto done;
    }
    if ((bs = classify(r, &rows, map)) != BATCH_OK) {
        ts = refused(r, bs);
        goto done;
    }
    dels = json_object_new_array();
    upds = json_object_new_array();
    ins = json_object_new_array();
    new_names = json_object_new_array();
    if (dels == NULL || upds == NULL || ins == NULL || new_names == NULL)
        goto done;
    for (size_t k = 0; k < r->n; k++) {
        size_t i = r->order[k];
        const struct batch_prep *p = &r->p[i];
        switch (p->act) {
        case ACT_DELETE:
            if (ja_int(dels, p->id) != 0)
                goto done;
            out->deleted++;
            break;
        case ACT_UPDATE:
            if (ja_add(upds, user_row(&r->u[i], p)) != 0)
                goto done;
            out->updated++;
            break;
        case ACT_INSERT:
            if (ja_add(ins, user_row(&r->u[i], p)) != 0 ||
                ja_str(new_names, r->u[i].username) != 0)
                goto done;
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
        /* the mail of a user goes before the user (its outbox rows lose their user_id) */
        struct db_val v[2] = { DBV_S(batch_jtext(dels)), DBV_I(r->t->id) };
        if ((st = batch_retire_deleted(r)) != DB_OK ||
            (st = db_exec(db, SQL_BATCH_DELETE, v, 2, NULL)) != DB_OK) {
            ts = write_failed(r, st);
            goto done;
        }
    }
    if (json_object_array_length(upds) > 0) {
        struct db_val v[2] = { DBV_S(batch_jtext(upds)), DBV_I(r->t->id) };
        if ((st = db_exec(db, SQL_BATCH_UPDATE, v, 2, NULL)) != DB_OK ||
            (st = batch_retire_updated(r)) != DB_OK) {
            ts = write_failed(r, st);
            goto done;
        }
    }
    if (json_object_array_length(ins) > 0) {
        struct db_val v[3] = { DBV_I(r->t->id), DBV_S(r->origin), DBV_S(batch_jtext(ins)) };
        if ((st = db_exec(db, SQL_BATCH_INSERT, v, 3, NULL)) != DB_OK) {
            ts = write_failed(r, st);
            goto done;
        }
    }
    if ((bs = fetch_new_ids(r, new_names)) != BATCH_OK) {
        ts = refused(r, bs);
        goto done;
    }
    if ((st = write_links(r)) != DB_OK) {
        ts = write_failed(r, st);
        goto done;
    }
    if ((bs = queue_passwords(r)) != BATCH_OK) {
        ts = refused(r, bs);
        goto done;
    }
    if ((st = batch_invite_queue(r)) != DB_OK) {
        ts = write_failed(r, st);
        goto done;
    }
    r->bs = BATCH_OK;
    ts = TX_OK;
done:
    json_object_put(map);
    json_object_put(dels);
    json_object_put(upds);
    json_object_put(ins);
    json_object_put(new_names);
    return ts;
}

enum batch_status users_batch_apply(struct core *c, const struct tenant *t, const char *origin,
                                    const struct batch_user *users, size_t n,
                                    struct batch_result *out)
{
    enum batch_status bs = BATCH_ERROR;
    struct batch_run r = { .c = c, .t = t, .origin = origin, .u = users, .n = n, .out = out };

    memset(out, 0, sizeof *out);
    out->problem.index = BATCH_NO_INDEX;
    out->missing = arena_calloc(c->arena, n ? n : 1, sizeof *out->missing);
    if (out->missing == NULL || (bs = batch_prepare(&r)) != BATCH_OK)
        goto done;
    switch (tx_run(c->db, run_once, &r)) {
    case TX_OK: bs = BATCH_OK; break;
    case TX_UNDONE: bs = r.bs; break;
    case TX_RETRY:
        /* the same race on every run names its user below; deadlocks on every run: the
         * database is too busy now, as when it cannot be reached */
        bs = r.bs == BATCH_EXISTS || r.bs == BATCH_EMAIL_TAKEN ? r.bs : BATCH_DB_UNAVAILABLE;
        break;
    case TX_UNAVAILABLE: bs = BATCH_DB_UNAVAILABLE; break;
    case TX_ERROR: bs = BATCH_ERROR; break;
    }
    if (bs == BATCH_ERROR)
        log_error(c->rid, "users_batch: the batch of %zu users was not applied", n);
    if (bs == BATCH_EXISTS && out->problem.index == BATCH_NO_INDEX)
        batch_blame_username(&r);
done:
    if (bs != BATCH_OK)
        out->inserted = out->updated = out->deleted = out->nmissing = 0;
    for (size_t i = 0; r.p != NULL && i < n; i++)
        if (r.p[i].new_password != NULL)
            explicit_bzero(r.p[i].new_password, strlen(r.p[i].new_password));
    batch_invite_wipe(&r);
    return bs;
}
