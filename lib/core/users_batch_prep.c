/* users_batch_prep.c: the part of a batch that needs no lock and may be slow, done before the
 * transaction opens: ordering the batch, resolving role names and ids (one query), hashing
 * passwords, generating reset passwords and new ids, and drawing invitation tokens
 * (users_batch_invite.c). Never writes to the database; never logs a password. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "base/password.h"
#include "codec/json_out.h"
#include "core/core.h"
#include "core/mail.h"
#include "core/tenants.h"
#include "core/users_batch_internal.h"
#include "store/db.h"

enum { GENERATED_PASSWORD_BYTES = 12 };   /* 96 bits of randomness, 16 base64url characters */

const char *batch_jtext(json_object *o)
{
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
}

enum batch_status batch_from_db(enum db_status st)
{
    static const struct db_statuses to = { BATCH_ERROR, BATCH_ERROR, BATCH_ERROR,
                                           BATCH_DB_UNAVAILABLE, BATCH_ERROR };
    return (enum batch_status)db_status_to(st, &to);
}

void batch_set_problem(struct batch_result *out, size_t i, enum batch_field f, size_t item,
                       const char *value)
{
    out->problem.index = i;
    out->problem.field = f;
    out->problem.item = item;
    out->problem.value = value;
}

/* Role names or uuids -> role ids, in one query for the whole batch. A tenant's own role
 * wins over a built-in one of the same name. */
static enum batch_status resolve_roles(struct batch_run *r)
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
            if (!json_object_object_get_ex(seen, ref, NULL) &&
                (jo_null(seen, ref) != 0 || ja_str(refs, ref) != 0))
                goto done;
        }
    }
    if (json_object_array_length(refs) > 0) {
        struct db_val v[2] = { DBV_S(batch_jtext(refs)), DBV_I(r->t->id) };
        struct db_rows rows;
        enum db_status st = db_query(r->c->db, r->c->arena, SQL_BATCH_ROLES, v, 2, &rows);
        if (st != DB_OK) {
            bs = batch_from_db(st);
            goto done;
        }
        for (size_t row = 0; row < rows.nrows; row++) {
            const char *ref = db_cell_str(db_cell(&rows, row, 0));
            if (ref != NULL && !json_object_object_get_ex(ids, ref, NULL) &&
                jo_int(ids, ref, db_cell_int(db_cell(&rows, row, 1))) != 0)
                goto done;
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
                batch_set_problem(r->out, i, BATCH_FIELD_ROLES, k, u->roles[k]);
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

/* Hashes given passwords, generates reset ones, and sets the ids of users that may be
 * created (from raw: BATCH_OID_RAW random bytes per user). The slow part of a batch (one
 * yescrypt hash per password) runs here, before any lock is taken. */
static enum batch_status hash_passwords(struct batch_run *r, const unsigned char *raw)
{
    const struct config *cfg = r->c->cfg;
    char hash[PASSWORD_HASH_MAX];
    enum batch_status bs = BATCH_ERROR;
    for (size_t i = 0; i < r->n; i++) {
        const struct batch_user *u = &r->u[i];
        struct batch_prep *p = &r->p[i];
        if (u->op == BATCH_DELETE)
            continue;
        hex_encode(raw + i * BATCH_OID_RAW, BATCH_OID_RAW, p->oid);
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

static int by_username(const void *a, const void *b, void *arg)
{
    const struct batch_user *u = arg;
    return strcmp(u[*(const size_t *)a].username, u[*(const size_t *)b].username);
}

enum batch_status batch_prepare(struct batch_run *r)
{
    struct core *c = r->c;
    enum batch_status bs = BATCH_ERROR;
    json_object *names = json_object_new_array();
    /* the ids and tokens of the whole batch from one getrandom(2): one call per user would
     * cost more than everything else done here for a user without a password */
    size_t nraw = r->n * (BATCH_OID_RAW + BATCH_TOKEN_RAW);
    unsigned char *raw = arena_alloc(c->arena, nraw + 1);
    r->p = arena_calloc(c->arena, r->n ? r->n : 1, sizeof *r->p);
    r->order = arena_calloc(c->arena, r->n ? r->n : 1, sizeof *r->order);
    if (r->p == NULL || r->order == NULL || names == NULL || raw == NULL)
        goto done;
    if (crypto_random(raw, nraw) != 0) {
        log_error(c->rid, "users_batch: no randomness for ids or tokens");
        goto done;
    }
    for (size_t i = 0; i < r->n; i++) {
        if (r->u[i].op != BATCH_DELETE && r->u[i].reset_password && !mail_configured(c, r->t)) {
            batch_set_problem(r->out, i, BATCH_FIELD_NONE, 0, NULL);
            bs = BATCH_NO_MAIL;
            goto done;
        }
        r->order[i] = i;
    }
    /* every batch locks and inserts its users in username order, so two batches over the same
     * users wait for each other instead of deadlocking */
    qsort_r(r->order, r->n, sizeof *r->order, by_username, (void *)(uintptr_t)r->u);
    for (size_t k = 0; k < r->n; k++)
        if (ja_str(names, r->u[r->order[k]].username) != 0)
            goto done;
    if ((bs = resolve_roles(r)) != BATCH_OK ||
        (bs = batch_invite_prepare(r, raw + r->n * BATCH_OID_RAW)) != BATCH_OK ||
        (bs = hash_passwords(r, raw)) != BATCH_OK)
        goto done;
    r->names_json = arena_strdup(c->arena, batch_jtext(names));
    bs = r->names_json != NULL ? BATCH_OK : BATCH_ERROR;
done:
    if (raw != NULL)
        explicit_bzero(raw, nraw);
    json_object_put(names);
    return bs;
}
