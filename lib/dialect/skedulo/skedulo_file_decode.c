/* skedulo_file_decode.c: the file of POST /onboarding/provision/standalone/users/file
 * (docs/CONTRACT.md sections 2 and 5) into the same user objects as a JSON body, handed over one
 * at a time: a JSON array as it is, or CSV with a header row naming at least FirstName, LastName
 * and Email (never a tree of the whole file: a CSV row is a user object only while it is handed
 * over, and the file's cells are capped by limits.csv_cells). CSV values are carried as text
 * except where a column has a type (lists, booleans, numbers); a cell that does not fit its type
 * stays text, so the user's decoder reports the field. Needs no database: the fuzz harness
 * (tests/fuzz/fuzz_skedulo.c) calls it as the handler does. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/utf8.h"
#include "codec/csv.h"
#include "codec/fields.h"
#include "codec/json_in.h"
#include "codec/json_out.h"
#include "dialect/skedulo/skedulo_internal.h"
#include "http/ctx.h"

enum { CUSTOM_PREFIX_LEN = 9 };

enum col_kind { C_STR, C_LIST, C_BOOL, C_NUM };

static const struct col {
    const char *header;    /* matched case-insensitively */
    int resource;          /* a field of the user's resource object */
    const char *key;       /* the JSON name */
    enum col_kind kind;
} cols[] = {
    { "Email", 0, "email", C_STR },
    { "FirstName", 0, "firstName", C_STR },
    { "LastName", 0, "lastName", C_STR },
    { "Roles", 0, "roles", C_LIST },
    { "Regions", 0, "regions", C_LIST },
    { "SendInvitation", 0, "sendInvitation", C_BOOL },
    { "PrimaryRegionId", 1, "primaryRegionId", C_STR },
    { "RegionId", 1, "primaryRegionId", C_STR },
    { "IsActive", 1, "isActive", C_BOOL },
    { "ResourceType", 1, "resourceType", C_STR },
    { "EmploymentType", 1, "employmentType", C_STR },
    { "Category", 1, "category", C_STR },
    { "HomeAddress", 1, "homeAddress", C_STR },
    { "MobilePhone", 1, "mobilePhone", C_STR },
    { "CountryCode", 1, "countryCode", C_STR },
    { "NotificationType", 1, "notificationType", C_STR },
    { "WorkingHourType", 1, "workingHourType", C_STR },
    { "GeoLatitude", 1, "geoLatitude", C_NUM },
    { "GeoLongitude", 1, "geoLongitude", C_NUM },
};
enum { NCOLS = sizeof cols / sizeof cols[0] };

/* One header column: where its cells go. */
struct target {
    int resource;
    const char *key;
    enum col_kind kind;
};

static int bad(struct ctx *c, const char *msg)
{
    sk_fail_error(c, SK_ERR_BAD_REQUEST, msg);
    return -1;
}

static int badf(struct ctx *c, const char *fmt, size_t a, size_t b, size_t d)
{
    char msg[160];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(msg, sizeof msg, fmt, a, b, d);
#pragma GCC diagnostic pop
    return bad(c, msg);
}

/* Maps the header row to targets. Returns 0, or -1 after answering 400. */
static int read_header(struct ctx *c, const struct csv *r, struct target *t)
{
    int have_email = 0, have_first = 0, have_last = 0;
    for (size_t i = 0; i < r->nfields; i++) {
        const char *h = r->fields[i];
        size_t n = r->lens[i];
        fields_trim_span(&h, &n);
        if (n == 0 || text_check(h, n, TEXT_SINGLE_LINE) != TEXT_OK || n > 80)
            return badf(c, "Invalid CSV header: column %zu has no usable name", i + 1, 0, 0);
        const char *name = arena_strndup(c->core.arena, h, n);
        if (name == NULL)
            return bad(c, "out of memory");
        t[i].key = NULL;
        for (size_t k = 0; k < NCOLS; k++) {
            if (strcasecmp(cols[k].header, name) == 0) {
                t[i] = (struct target){ cols[k].resource, cols[k].key, cols[k].kind };
                break;
            }
        }
        if (t[i].key == NULL && n > CUSTOM_PREFIX_LEN &&
            strncasecmp(name, "resource.", CUSTOM_PREFIX_LEN) == 0)
            t[i] = (struct target){ 1, name + CUSTOM_PREFIX_LEN, C_STR };
        if (t[i].key == NULL) {
            const char *m =
                arena_printf(c->core.arena, "Unknown column in the CSV header: %s", name);
            return bad(c, m ? m : "Unknown column in the CSV header");
        }
        for (size_t k = 0; k < i; k++) {
            if (t[k].resource == t[i].resource && strcmp(t[k].key, t[i].key) == 0) {
                const char *m =
                    arena_printf(c->core.arena, "Duplicate column in the CSV header: %s", name);
                return bad(c, m ? m : "Duplicate column in the CSV header");
            }
        }
        if (!t[i].resource) {
            have_email |= strcmp(t[i].key, "email") == 0;
            have_first |= strcmp(t[i].key, "firstName") == 0;
            have_last |= strcmp(t[i].key, "lastName") == 0;
        }
    }
    if (!have_email || !have_first || !have_last)
        return bad(c, "The CSV header must name at least the columns FirstName, LastName and "
                      "Email");
    return 0;
}

/* "a; b;c" -> ["a","b","c"] (pieces trimmed, empty pieces dropped). */
static json_object *split_list(const char *s)
{
    json_object *arr = json_object_new_array();
    while (arr != NULL && *s != '\0') {
        size_t k = strcspn(s, ";");
        const char *a = s;
        size_t n = k;
        fields_trim_span(&a, &n);
        if (n > 0 && ja_strn(arr, a, n) != 0) {
            json_object_put(arr);
            return NULL;
        }
        s += k;
        if (*s == ';')
            s++;
    }
    return arr;
}

static json_object *typed(const char *s, size_t n, enum col_kind kind)
{
    switch (kind) {
    case C_LIST:
        return split_list(s);
    case C_BOOL:
        if (strcasecmp(s, "true") == 0)
            return json_object_new_boolean(1);
        if (strcasecmp(s, "false") == 0)
            return json_object_new_boolean(0);
        break;
    case C_NUM: {
        /* plain decimal only: no hex, no inf/nan, nothing after the number */
        if (strspn(s, "+-0123456789.eE") == n && n > 0) {
            char *end;
            errno = 0;
            double d = strtod(s, &end);
            if (errno == 0 && *end == '\0' && isfinite(d))
                return json_object_new_double(d);
        }
        break;
    }
    case C_STR:
        break;
    }
    return json_object_new_string_len(s, (int)n);
}

/* One data record as a user object; NULL after answering 400. */
static json_object *read_row(struct ctx *c, const struct csv *r, const struct target *t,
                             size_t ncols)
{
    if (r->nfields != ncols) {
        badf(c, "CSV line %zu has %zu fields where the header has %zu", r->line, r->nfields,
             ncols);
        return NULL;
    }
    json_object *u = json_object_new_object(), *res = NULL;
    int nomem = u == NULL;
    for (size_t i = 0; i < ncols && !nomem; i++) {
        if (r->lens[i] == 0)
            continue;   /* an empty cell is an absent field */
        if (text_check(r->fields[i], r->lens[i], TEXT_MULTI_LINE) != TEXT_OK) {
            json_object_put(u);
            json_object_put(res);
            badf(c, "CSV line %zu: column %zu is not valid text", r->line, i + 1, 0);
            return NULL;
        }
        json_object *v = typed(r->fields[i], r->lens[i], t[i].kind);
        if (t[i].resource) {
            if (res == NULL && (res = json_object_new_object()) == NULL)
                nomem = 1;
            nomem |= jo_add(res, t[i].key, v) != 0;
        } else {
            nomem |= jo_add(u, t[i].key, v) != 0;
        }
    }
    if (!nomem && res != NULL) {
        nomem = jo_add(u, "resource", res) != 0;
        res = NULL;   /* u has it, or the add released it */
    }
    if (nomem) {
        json_object_put(u);
        json_object_put(res);
        bad(c, "out of memory");
        return NULL;
    }
    return u;
}

/* Each data record as a user object to fn, in order. The records' text goes to an arena of
 * its own, emptied after each record, and each user object is released once fn has seen it,
 * so a file costs what fn keeps of it, not a tree of every cell. */
static long csv_each_user(struct ctx *c, const char *data, size_t len, sk_user_fn fn, void *arg)
{
    struct csv r;
    struct target t[CSV_MAX_FIELDS];
    long count = -1;
    struct arena *rows = NULL;
    csv_init(&r, data, len);
    enum csv_status st = csv_next(&r, c->core.arena);
    if (st == CSV_END) {
        bad(c, "The file is empty");
        return -1;
    }
    if (st != CSV_OK) {
        badf(c, "Malformed CSV at line %zu", r.line, 0, 0);
        return -1;
    }
    size_t ncols = r.nfields, cells = r.nfields, max = c->core.cfg->file_max_users, n = 0;
    if (read_header(c, &r, t) != 0)
        return -1;
    rows = arena_new();
    if (rows == NULL) {
        bad(c, "out of memory");
        return -1;
    }
    while ((st = csv_next(&r, rows)) == CSV_OK) {
        if (n >= max) {
            badf(c, "Too many users in one file: more than %zu", max, 0, 0);
            goto done;
        }
        cells += r.nfields;
        if (cells > c->core.cfg->csv_cells) {
            badf(c, "Too many cells in one CSV file: more than %zu", c->core.cfg->csv_cells, 0, 0);
            goto done;
        }
        json_object *u = read_row(c, &r, t, ncols);
        if (u == NULL)
            goto done;
        int rc = fn(c, u, n, arg);
        json_object_put(u);
        if (rc != 0)
            goto done;
        n++;
        arena_reset(rows);
    }
    if (st != CSV_END) {
        char msg[160];
        snprintf(msg, sizeof msg, "Malformed CSV at line %zu: %s", r.line, csv_status_str(st));
        bad(c, msg);
        goto done;
    }
    count = (long)n;
done:
    arena_free(rows);
    return count;
}

/* The whole file as one tree, as it was parsed before files were read one user at a time: only
 * for the exact message of a file the element walk refused (or, should the walk and the
 * parser ever disagree, to decode it anyway). */
static long json_whole_file(struct ctx *c, const char *data, size_t len, sk_user_fn fn,
                            void *arg)
{
    char msg[200], full[256];
    json_object *users = NULL;
    if (json_in_parse(data, len, c->core.cfg->json_max_depth, &users, msg, sizeof msg) !=
        JSON_IN_OK) {
        snprintf(full, sizeof full, "The JSON file is invalid: %s", msg);
        bad(c, full);
        return -1;
    }
    long count = -1;
    if (json_object_is_type(users, json_type_array) && json_object_array_length(users) == 0) {
        count = 0;
        goto done;
    }
    if (sk_user_array(c, users, c->core.cfg->file_max_users) == NULL)
        goto done;
    size_t n = json_object_array_length(users);
    for (size_t i = 0; i < n; i++)
        if (fn(c, json_object_array_get_idx(users, i), i, arg) != 0)
            goto done;
    count = (long)n;
done:
    json_object_put(users);
    return count;
}

/* Parses the element [s, e) of a JSON array text (an array level less deep), NULL when it is
 * invalid. *weight receives what it took from the request's JSON allowance. */
static int parse_element(struct ctx *c, const char *data, size_t s, size_t e, json_object **out,
                         size_t *weight)
{
    char msg[8];
    unsigned depth = c->core.cfg->json_max_depth > 0 ? c->core.cfg->json_max_depth - 1 : 0;
    size_t before = json_in_allowance();
    if (json_in_parse(data + s, e - s, depth, out, msg, sizeof msg) != JSON_IN_OK)
        return -1;
    *weight = before - json_in_allowance();
    return 0;
}

long sk_json_each_user(struct ctx *c, const char *data, size_t len, size_t max,
                       sk_whole_fn whole, sk_user_fn fn, void *arg)
{
    size_t pos = 0, s, e, n = 0;
    enum json_in_status st;
    while ((st = json_in_array_next(data, len, &pos, &s, &e)) == JSON_IN_OK)
        n++;
    if (st != JSON_IN_EMPTY)
        return whole(c, data, len, fn, arg);
    if (n > max) {
        /* the whole text must be valid before its size is the problem */
        for (pos = 0; json_in_array_next(data, len, &pos, &s, &e) == JSON_IN_OK;) {
            json_object *u = NULL;
            size_t w = 0;
            if (parse_element(c, data, s, e, &u, &w) != 0)
                return whole(c, data, len, fn, arg);
            json_object_put(u);
            json_in_give_back(w);
        }
        sk_too_many_users(c, n, max);
        return -1;
    }
    size_t i = 0;
    for (pos = 0; json_in_array_next(data, len, &pos, &s, &e) == JSON_IN_OK; i++) {
        json_object *u = NULL;
        size_t w = 0;
        if (parse_element(c, data, s, e, &u, &w) != 0)
            return whole(c, data, len, fn, arg);
        int rc = fn(c, u, i, arg);
        json_object_put(u);
        json_in_give_back(w);
        if (rc != 0)
            return -1;
    }
    return (long)n;
}

long sk_file_each_user(struct ctx *c, const char *data, size_t len, sk_user_fn fn, void *arg)
{
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    size_t lead = 0;
    while (lead < len && isspace((unsigned char)data[lead]))
        lead++;
    /* a JSON array starts with '['; a CSV header cannot (it names columns) */
    return lead < len && data[lead] == '['
               ? sk_json_each_user(c, data, len, c->core.cfg->file_max_users, json_whole_file, fn,
                                   arg)
               : csv_each_user(c, data, len, fn, arg);
}

static int collect(struct ctx *c, json_object *user, size_t index, void *arg)
{
    (void)index;
    if (json_object_array_add(arg, json_object_get(user)) != 0) {
        json_object_put(user);
        return bad(c, "out of memory");
    }
    return 0;
}

json_object *sk_file_users(struct ctx *c, const char *data, size_t len)
{
    json_object *users = json_object_new_array();
    if (users == NULL) {
        bad(c, "out of memory");
        return NULL;
    }
    if (sk_file_each_user(c, data, len, collect, users) < 0) {
        json_object_put(users);
        return NULL;
    }
    return users;
}
