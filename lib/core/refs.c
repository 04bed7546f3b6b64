/* refs.c: resolving role names and region ids for a whole batch in one query each. Keys are
 * de-duplicated here and sent as one JSON array; nothing is spliced into SQL. */
#include "core/refs.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/valid.h"
#include "codec/json_out.h"
#include "core/core.h"
#include "core/tenants.h"
#include "store/db.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_ref(const void *a, const void *b)
{
    return strcmp(((const struct ref *)a)->key, ((const struct ref *)b)->key);
}

const char **refs_distinct(struct core *c, const char *const *keys, size_t n, size_t *count)
{
    *count = 0;
    if (n == 0)
        return NULL;
    const char **v = arena_calloc(c->arena, n, sizeof *v);
    if (v == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (keys[i] != NULL)
            v[k++] = keys[i];
    qsort(v, k, sizeof *v, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (u == 0 || strcmp(v[u - 1], v[i]) != 0)
            v[u++] = v[i];
    *count = u;
    return v;
}

typedef int (*plausible_fn)(const char *s, size_t n);

static enum refs_status resolve(struct core *c, enum sql_id q, const struct tenant *t,
                                const char *const *keys, size_t n, plausible_fn plausible,
                                struct refs *out)
{
    enum refs_status rs = REFS_ERROR;
    json_object *arr = NULL;
    size_t nd = 0;
    out->v = NULL;
    out->n = 0;
    const char **d = refs_distinct(c, keys, n, &nd);
    if (nd == 0)
        return REFS_OK;
    if (d == NULL || (arr = json_object_new_array()) == NULL)
        goto done;
    size_t sent = 0;
    for (size_t i = 0; i < nd; i++) {
        if (plausible != NULL && !plausible(d[i], strlen(d[i])))
            continue;
        if (ja_str(arr, d[i]) != 0)
            goto done;
        sent++;
    }
    if (sent == 0) {
        rs = REFS_OK;
        goto done;
    }
    const char *text = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN);
    struct db_val v[2] = { DBV_S(text), DBV_I(t->id) };
    struct db_rows rows;
    enum db_status st = db_query(c->db, c->arena, q, v, 2, &rows);
    if (st != DB_OK) {
        static const struct db_statuses to = { REFS_ERROR, REFS_ERROR, REFS_ERROR,
                                               REFS_DB_UNAVAILABLE, REFS_ERROR };
        rs = (enum refs_status)db_status_to(st, &to);
        goto done;
    }
    if (rows.nrows > 0) {
        out->v = arena_calloc(c->arena, rows.nrows, sizeof *out->v);
        if (out->v == NULL)
            goto done;
        for (size_t r = 0; r < rows.nrows; r++) {
            out->v[r].id = db_cell_int(db_cell(&rows, r, 0));
            out->v[r].key = db_cell_str(db_cell(&rows, r, 1));
        }
        out->n = rows.nrows;
        qsort(out->v, out->n, sizeof *out->v, cmp_ref);
    }
    rs = REFS_OK;
done:
    json_object_put(arr);
    return rs;
}

/* Role names are at most 128 characters; longer ones cannot exist (and would not fit the
 * statement's column). Counts UTF-8 characters (bytes that are not continuation bytes). */
static int plausible_role(const char *s, size_t n)
{
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    return chars > 0 && chars <= 128;
}

enum refs_status refs_roles(struct core *c, const struct tenant *t, const char *const *keys,
                            size_t n, struct refs *out)
{
    return resolve(c, SQL_REFS_ROLES_BY_NAMES, t, keys, n, plausible_role, out);
}

enum refs_status refs_regions(struct core *c, const struct tenant *t, const char *const *keys,
                              size_t n, struct refs *out)
{
    return resolve(c, SQL_REFS_REGIONS_BY_IDS, t, keys, n, valid_uuid, out);
}

long long refs_find(const struct refs *r, const char *key)
{
    if (key == NULL || r->n == 0)
        return 0;
    struct ref probe = { key, 0 };
    const struct ref *hit = bsearch(&probe, r->v, r->n, sizeof *r->v, cmp_ref);
    return hit != NULL ? hit->id : 0;
}

int refs_links(json_object *rows, const char *oid, const struct refs *r,
               const char *const *keys, size_t n, const char *extra)
{
    for (size_t k = 0; k <= n; k++) {
        const char *key = k < n ? keys[k] : extra;
        if (key == NULL)
            continue;
        long long id = refs_find(r, key);
        int dup = 0;
        for (size_t j = 0; j < k && !dup; j++)
            dup = refs_find(r, keys[j]) == id;
        if (dup)
            continue;
        json_object *row = json_object_new_object();
        if (jo_str(row, "o", oid) != 0 || jo_int(row, "r", id) != 0) {
            json_object_put(row);
            return -1;
        }
        if (ja_add(rows, row) != 0)   /* row released by it */
            return -1;
    }
    return 0;
}
