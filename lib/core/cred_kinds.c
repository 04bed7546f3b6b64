/* cred_kinds.c: reading the kinds of credential (cred_kinds.h) and making a secret of a kind.
 * Knows no kind by name: everything it does with one comes from the kind's row. Never keeps a
 * secret it made beyond the caller's buffer. */
#include "core/cred_kinds.h"

#include <string.h>

#include "base/arena.h"
#include "base/crypto.h"
#include "store/db.h"

/* The columns of SQL_CRED_KIND_COLS, in order. */
enum { K_KIND, K_PUBLIC, K_FORM, K_BYTES, K_SCOPES, K_GROUP, K_LABEL, K_SECRET_LABEL,
       K_PUBLIC_LABEL, K_REF_LABEL, K_SCOPES_LABEL, K_GROUP_LABEL, K_NCOLS };

static void from_row(const struct db_rows *rows, size_t r, struct cred_kind *k)
{
    const char *pub = db_cell_str(db_cell(rows, r, K_PUBLIC));
    const char *form = db_cell_str(db_cell(rows, r, K_FORM));
    long long bytes = db_cell_int(db_cell(rows, r, K_BYTES));
    memset(k, 0, sizeof *k);
    k->kind = db_cell_str(db_cell(rows, r, K_KIND));
    k->public_id = pub != NULL && strcmp(pub, "tenant_number") == 0 ? CRED_PUBLIC_TENANT_NUMBER
                                                                    : CRED_PUBLIC_NONE;
    k->form = form != NULL && strcmp(form, "hex") == 0 ? CRED_FORM_HEX : CRED_FORM_TOKEN;
    k->bytes = bytes > 0 ? (size_t)bytes : 0;
    k->scopes = db_cell_str(db_cell(rows, r, K_SCOPES));
    if (k->scopes == NULL)
        k->scopes = "";
    k->default_group = db_cell_int(db_cell(rows, r, K_GROUP)) == 1;
    k->label = db_cell_str(db_cell(rows, r, K_LABEL));
    k->secret_label = db_cell_str(db_cell(rows, r, K_SECRET_LABEL));
    k->public_label = db_cell_str(db_cell(rows, r, K_PUBLIC_LABEL));
    k->ref_label = db_cell_str(db_cell(rows, r, K_REF_LABEL));
    k->scopes_label = db_cell_str(db_cell(rows, r, K_SCOPES_LABEL));
    k->group_label = db_cell_str(db_cell(rows, r, K_GROUP_LABEL));
}

enum cred_status cred_kinds_list(struct db *db, struct arena *a, struct cred_kind **out,
                                 size_t *n)
{
    struct db_rows rows;
    *out = NULL;
    *n = 0;
    if (db_query(db, a, SQL_CRED_KINDS_LIST, NULL, 0, &rows) != DB_OK)
        return CRED_DB;
    if (rows.nrows == 0)
        return CRED_OK;
    struct cred_kind *list = arena_alloc(a, rows.nrows * sizeof *list);
    if (list == NULL)
        return CRED_DB;
    for (size_t i = 0; i < rows.nrows; i++)
        from_row(&rows, i, &list[i]);
    *out = list;
    *n = rows.nrows;
    return CRED_OK;
}

enum cred_status cred_kind_get(struct db *db, struct arena *a, const char *kind,
                               struct cred_kind *out)
{
    struct db_val v = DBV_S(kind);
    struct db_rows rows;
    int found;
    memset(out, 0, sizeof *out);
    if (db_query_row(db, a, SQL_CRED_KIND_GET, &v, 1, &rows, &found) != DB_OK)
        return CRED_DB;
    if (!found)
        return CRED_NOT_FOUND;
    from_row(&rows, 0, out);
    return CRED_OK;
}

int cred_secret_make(const struct cred_kind *k, char out[CRED_SECRET_MAX])
{
    out[0] = '\0';
    if (k->bytes == 0)
        return -1;
    if (k->form == CRED_FORM_TOKEN)
        return b64_encoded_len(k->bytes) < CRED_SECRET_MAX ? crypto_token(k->bytes, out) : -1;
    unsigned char raw[(CRED_SECRET_MAX - 1) / 2];
    if (k->bytes > sizeof raw || crypto_random(raw, k->bytes) != 0)
        return -1;
    hex_encode(raw, k->bytes, out);
    explicit_bzero(raw, sizeof raw);
    return 0;
}

enum cred_status cred_issue(struct db *db, long long tenant_id, const struct cred_kind *k,
                            const char *scopes, char secret[CRED_SECRET_MAX], long long *new_id)
{
    *new_id = 0;
    if (cred_secret_make(k, secret) != 0)
        return CRED_DB;
    enum cred_status cs = cred_add(db, tenant_id, k->kind, NULL, secret, scopes, 0, new_id);
    if (cs != CRED_OK)
        explicit_bzero(secret, CRED_SECRET_MAX);
    return cs;
}
