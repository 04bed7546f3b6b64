/* users_batch_blame.c: after a batch write was refused by a unique index and rolled back,
 * finds which user of the batch to name in the error. The index has already decided; these
 * reads only explain the decision, so a row that changed meanwhile at worst leaves the
 * problem without an index. Never writes. */
#include <ctype.h>
#include <string.h>

#include "base/arena.h"
#include "codec/json_out.h"
#include "core/core.h"
#include "core/tenants.h"
#include "core/users_batch_internal.h"
#include "store/db.h"

/* Finds the user to blame for a duplicate email: the first one (batch order) whose email
 * belongs to a user of another username that this batch does not delete. Runs after the
 * rollback: the unique index has already decided. */
void batch_blame_email(struct batch_run *r)
{
    json_object *emails = json_object_new_array(), *owners = json_object_new_object();
    json_object *deleted = json_object_new_object();
    batch_set_problem(r->out, BATCH_NO_INDEX, BATCH_FIELD_EMAIL, 0, NULL);
    if (emails == NULL || owners == NULL || deleted == NULL)
        goto done;
    for (size_t i = 0; i < r->n; i++) {
        if (r->p[i].act == ACT_DELETE && jo_null(deleted, r->u[i].username) != 0)
            goto done;
        if (r->u[i].op == BATCH_DELETE || r->u[i].email == NULL)
            continue;
        char *low = arena_strdup(r->c->arena, r->u[i].email);
        if (low == NULL)
            goto done;
        for (char *q = low; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        if (ja_str(emails, low) != 0)
            goto done;
    }
    struct db_val v[2] = { DBV_S(batch_jtext(emails)), DBV_I(r->t->id) };
    struct db_rows rows;
    if (json_object_array_length(emails) == 0 ||
        db_query(r->c->db, r->c->arena, SQL_BATCH_EMAIL_OWNERS, v, 2, &rows) != DB_OK)
        goto done;
    for (size_t row = 0; row < rows.nrows; row++) {
        /* a NULL owner is a JSON null */
        if (jo_str(owners, db_cell(&rows, row, 0)->s, db_cell_str(db_cell(&rows, row, 1))) != 0)
            goto done;
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
        batch_set_problem(r->out, i, BATCH_FIELD_EMAIL, 0, u->email);
        break;
    }
done:
    json_object_put(emails);
    json_object_put(owners);
    json_object_put(deleted);
}

/* The first user (batch order) to create whose username now exists: the one a concurrent
 * request took. */
void batch_blame_username(struct batch_run *r)
{
    struct db_rows rows;
    json_object *map = NULL;
    batch_set_problem(r->out, BATCH_NO_INDEX, BATCH_FIELD_USERNAME, 0, NULL);
    if (batch_lock(r, r->names_json, &rows, &map) == DB_OK) {
        for (size_t i = 0; i < r->n; i++)
            if (r->p[i].act == ACT_INSERT &&
                json_object_object_get_ex(map, r->u[i].username, NULL)) {
                batch_set_problem(r->out, i, BATCH_FIELD_USERNAME, 0, r->u[i].username);
                break;
            }
    }
    json_object_put(map);
}

