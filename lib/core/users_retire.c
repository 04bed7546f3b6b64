/* users_retire.c: the one place that retires links, login tokens and pending mail when an
 * account changes (users_retire.h has the table). Set-wise: the users go to the server as one
 * JSON array of ids, one statement per kind of row, whatever their number. Runs inside the
 * caller's transaction and never opens, commits or rolls back one; never builds SQL text;
 * never knows a dialect. */
#include "core/users_retire.h"

#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "codec/json_out.h"
#include "store/db.h"

const char *users_retire_event_name(enum retire_event ev)
{
    switch (ev) {
    case RETIRE_PASSWORD_SET: return "password set";
    case RETIRE_EMAIL_CHANGED: return "email changed";
    case RETIRE_DEACTIVATED: return "deactivated";
    case RETIRE_DELETED: return "deleted";
    }
    return "changed";
}

/* Which pending mail an event retires (the scope parameter of SQL_RETIRE_MAIL). */
static const char *mail_scope(enum retire_event ev)
{
    switch (ev) {
    case RETIRE_PASSWORD_SET: return "links";    /* the mails offering to set a password */
    case RETIRE_EMAIL_CHANGED: return "secret";  /* a credential must not reach the old address */
    case RETIRE_DEACTIVATED:
    case RETIRE_DELETED: return "all";
    }
    return "all";
}

/* The users who were waiting for their first password with a link still usable. Read before
 * the links are retired, on rows the caller has locked. */
static enum db_status waiting(struct db *db, struct arena *a, const char *ids,
                              struct retire_result *out)
{
    struct db_val v = DBV_S(ids);
    struct db_rows rows;
    enum db_status st = db_query(db, a, SQL_RETIRE_WAITING, &v, 1, &rows);
    if (st != DB_OK)
        return st;
    if (rows.nrows == 0)
        return DB_OK;
    out->reinvite = arena_calloc(a, rows.nrows, sizeof *out->reinvite);
    if (out->reinvite == NULL)
        return DB_ERROR;
    for (size_t r = 0; r < rows.nrows; r++) {
        struct retire_invitee *w = &out->reinvite[r];
        w->id = db_cell_int(db_cell(&rows, r, 0));
        w->oid = db_cell_str(db_cell(&rows, r, 1));
        w->email = db_cell_str(db_cell(&rows, r, 2));
        w->name = db_cell_str(db_cell(&rows, r, 3));
    }
    out->nreinvite = rows.nrows;
    return DB_OK;
}

enum db_status users_retire(struct db *db, struct arena *a, const long long *ids, size_t n,
                            enum retire_event ev, struct retire_result *out)
{
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (n == 0)
        return DB_OK;
    json_object *arr = json_object_new_array();
    if (arr == NULL)
        return DB_ERROR;
    enum db_status st = DB_ERROR;
    for (size_t i = 0; i < n; i++)
        if (ja_int(arr, ids[i]) != 0)
            goto done;
    const char *list = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN);
    if (list == NULL)
        goto done;
    if (ev == RETIRE_EMAIL_CHANGED && out != NULL && (st = waiting(db, a, list, out)) != DB_OK)
        goto done;
    /* a deleted user's tokens go with it (ON DELETE CASCADE) */
    if (ev != RETIRE_DELETED) {
        struct db_val t[2] = { DBV_S(list), DBV_I(ev == RETIRE_DEACTIVATED) };
        if ((st = db_exec(db, SQL_RETIRE_TOKENS, t, 2, NULL)) != DB_OK)
            goto done;
    }
    const char *reason = arena_printf(a, "retired: %s", users_retire_event_name(ev));
    if (reason == NULL) {
        st = DB_ERROR;
        goto done;
    }
    struct db_val m[3] = { DBV_S(list), DBV_S(reason), DBV_S(mail_scope(ev)) };
    st = db_exec(db, SQL_RETIRE_MAIL, m, 3, NULL);
done:
    json_object_put(arr);
    return st;
}
