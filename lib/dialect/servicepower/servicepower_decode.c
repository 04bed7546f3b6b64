/* servicepower_decode.c: {"Users":[...]} -> struct batch_user[] (docs/CONTRACT.md section 6). Owns
 * the property table (names, types, bounds), the CUD/Deleted rule, and the checks that need no
 * database; reports the first problem in batch order (properties in table order) with its
 * dataPath. Never touches SQL; never echoes a password. */
#include <ctype.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/password.h"
#include "base/pwrule.h"
#include "base/utf8.h"
#include "base/valid.h"
#include "codec/fields.h"
#include "codec/json_in.h"
#include "core/limits.h"
#include "core/users_batch.h"
#include "dialect/servicepower/servicepower_internal.h"

enum {
    MAX_ROLES = 100,
    MAX_PHONES = 20,
    EXT_KEY_MAX_BYTES = 255,     /* names inside Extensions (a JSON column) */
    EXT_MAX_BYTES = 65535,       /* Extensions, serialised */
    ECHO_MAX_BYTES = 256         /* params.value echoes at most this much of a bad value */
};

/* The properties in the order problems are looked for; each is the index of its rule. */
enum slot { S_USERID, S_CUD, S_DELETED, S_FIRST, S_LAST, S_EMAIL, S_PASSWORD, S_ROLES, S_REST,
            S_RESET, S_ACTIVATED, S_LOCKED, S_MOBILE, S_LANGUAGE, S_DGROUP, S_TEAM, S_STORAGE,
            S_SMS, S_FACETIME, S_STATUS, S_PHONES, S_EXTENSIONS };
enum { NPROPS = S_EXTENSIONS + 1 };

static int valid_language(const char *s, size_t n);
static int valid_phone(const char *s, size_t n);

/* The user properties of docs/CONTRACT.md section 6. Texts that fill a column are bounded by
 * core/limits.h, in characters (an ASCII column's in bytes, which are its characters); a
 * password in bytes (it is hashed, not stored). */
static const struct field_rule props[NPROPS] = {
    [S_USERID] = { "UserID", FT_STRING, FIELD_REQUIRED | FIELD_CHARS, 1, LIMIT_USERNAME_CHARS,
                   NULL, 0 },
    [S_CUD] = { "CUD", FT_INT, 0, 1, 3, NULL, 0 },   /* insert, update or insert, delete */
    [S_DELETED] = { "Deleted", FT_BOOL, 0, 0, 0, NULL, 0 },
    [S_FIRST] = { "FirstName", FT_STRING, FIELD_CHARS, 1, LIMIT_VENDOR_NAME_CHARS, NULL, 0 },
    [S_LAST] = { "LastName", FT_STRING, FIELD_CHARS, 1, LIMIT_VENDOR_NAME_CHARS, NULL, 0 },
    [S_EMAIL] = { "Email", FT_STRING, 0, 1, LIMIT_EMAIL_BYTES, valid_email, 0 },
    [S_PASSWORD] = { "Password", FT_STRING, 0, 1, PASSWORD_MAX_BYTES, pwrule_structure_ok, 0 },
    [S_ROLES] = { "Roles", FT_STRING_ARRAY, FIELD_CHARS, 1, LIMIT_ROLE_CHARS, NULL, MAX_ROLES },
    [S_REST] = { "RestPassword", FT_BOOL, 0, 0, 0, NULL, 0 },
    [S_RESET] = { "ResetPassword", FT_BOOL, 0, 0, 0, NULL, 0 },
    [S_ACTIVATED] = { "Activated", FT_BOOL, 0, 0, 0, NULL, 0 },
    [S_LOCKED] = { "Locked", FT_BOOL, 0, 0, 0, NULL, 0 },
    [S_MOBILE] = { "IsMobileWorker", FT_BOOL, 0, 0, 0, NULL, 0 },
    /* an ASCII column: bytes are its characters, and longer text is SP_TEXT, not SP_LANGUAGE */
    [S_LANGUAGE] = { "LanguageCode", FT_STRING, 0, 1, LIMIT_LANGUAGE_CHARS, valid_language, 0 },
    [S_DGROUP] = { "DGroupID", FT_STRING, FIELD_CHARS, 1, LIMIT_ATTRIBUTE_CHARS, NULL, 0 },
    [S_TEAM] = { "ServiceTeamID", FT_STRING, FIELD_CHARS, 1, LIMIT_ATTRIBUTE_CHARS, NULL, 0 },
    [S_STORAGE] = { "StorageLocationID", FT_STRING, FIELD_CHARS, 1, LIMIT_ATTRIBUTE_CHARS, NULL,
                    0 },
    [S_SMS] = { "SMS", FT_BOOL, 0, 0, 0, NULL, 0 },
    [S_FACETIME] = { "FaceTime", FT_BOOL, 0, 0, 0, NULL, 0 },
    [S_STATUS] = { "Status", FT_STRING, FIELD_CHARS, 1, LIMIT_ATTRIBUTE_CHARS, NULL, 0 },
    [S_PHONES] = { "Phones", FT_OBJECT_ARRAY, 0, 0, 0, NULL, MAX_PHONES },
    [S_EXTENSIONS] = { "Extensions", FT_OBJECT, 0, 0, 0, NULL, 0 },
};

/* A phone's properties, and the names inside Extensions. */
enum { P_NUM, P_TYPE, NPHONE };
static const struct field_rule phone_props[NPHONE] = {
    [P_NUM] = { "PhoneNum", FT_STRING, FIELD_REQUIRED, 1, LIMIT_PHONE_CHARS, valid_phone, 0 },
    [P_TYPE] = { "PhoneType", FT_STRING, FIELD_CHARS, 1, LIMIT_PHONE_TYPE_CHARS, NULL, 0 },
};
static const struct field_rule ext_key = { "Extensions names", FT_STRING, 0, 1,
                                           EXT_KEY_MAX_BYTES, NULL, 0 };

/* The decoding of one request. */
struct dec {
    struct arena *a;
    const struct sp_limits *lim;
    json_object *warnings;
    struct sp_problem *p;
    size_t index;                /* the user being decoded */
    const char *list;            /* inside Roles or Phones: the list's name, else NULL */
    size_t item;                 /* and the item's index */
    size_t unknown;              /* unknown properties met so far */
    struct batch_user *users;    /* the batch, count of them */
    size_t count;
    json_object *ids, *emails;   /* UserIDs and lowercased Emails met so far */
};

/* Unknown properties get a warning each up to this many, then one warning with their count:
 * each warning costs ~2 KB of answer, and a body can name a million unknown properties. */
enum { SP_MAX_UNKNOWN_WARNINGS = 1000 };

/* "Users[i]", "Users[i].<list>[k]", plus ".<sub>" when sub is given. Paths are built only for
 * a problem or a warning, never for every property of every user. */
static const char *make_path(struct dec *d, const char *sub)
{
    const char *s;
    if (d->list != NULL)
        s = arena_printf(d->a, "Users[%zu].%s[%zu]%s%s", d->index, d->list, d->item,
                         sub ? "." : "", sub ? sub : "");
    else
        s = arena_printf(d->a, "Users[%zu]%s%s", d->index, sub ? "." : "", sub ? sub : "");
    return s != NULL ? s : "Users";
}

/* params.value for a bad value: a string as it is, anything else as JSON text; at most
 * ECHO_MAX_BYTES, cut on a character boundary. */
static const char *echo(struct dec *d, json_object *v)
{
    const char *s = json_object_is_type(v, json_type_string)
                        ? json_object_get_string(v)
                        : json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
                                                                JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t n = strlen(s);
    if (n <= ECHO_MAX_BYTES)
        return arena_strndup(d->a, s, n);
    n = ECHO_MAX_BYTES;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return arena_strndup(d->a, s, n);
}

/* Records the problem at make_path(sub). A NULL field inside a list names the item
 * ("Roles[2] must be a string"). Returns -1. */
static int fail(struct dec *d, enum sp_msg m, const char *field, long long n, const char *sub,
                const char *value)
{
    if (field == NULL && d->list != NULL)
        field = arena_printf(d->a, "%s[%zu]", d->list, d->item);
    d->p->msg = m;
    d->p->field = field;
    d->p->n = n;
    d->p->path = make_path(d, sub);
    d->p->value = value != NULL ? value : "";
    return -1;
}

/* The message of a text that rule r's validator refuses. */
static enum sp_msg format_msg(const struct field_rule *r)
{
    return r == &props[S_PASSWORD] ? SP_PASSWORD_RULES
           : r == &props[S_LANGUAGE] ? SP_LANGUAGE
                                     : SP_TEXT;
}

/* A string under rule r (limits.string_bytes below the rule's own bound applies). */
static int get_text(struct dec *d, json_object *v, const struct field_rule *r, const char *name,
                    const char *sub, int secret, const char **out)
{
    if (!json_object_is_type(v, json_type_string))
        return fail(d, SP_NOT_STRING, name, 0, sub, secret ? "" : echo(d, v));
    const char *s = json_object_get_string(v);
    size_t len = (size_t)json_object_get_string_len(v);
    switch (fields_string_check(r, s, len, d->lim->string_max)) {
    case FIELD_TEXT_OK:
        break;
    case FIELD_TEXT_BAD:
        return fail(d, SP_TEXT, name, (long long)fields_max(r, d->lim->string_max), sub,
                    secret ? "" : echo(d, v));
    case FIELD_TEXT_FORMAT:
        return fail(d, format_msg(r), name, 0, sub, secret ? "" : echo(d, v));
    }
    *out = arena_strndup(d->a, s, len);   /* the tree may go before the batch does */
    return *out != NULL ? 0 : fail(d, SP_INTERNAL, NULL, 0, sub, NULL);
}

static int get_bool(struct dec *d, json_object *v, const char *name, int *out)
{
    if (!json_object_is_type(v, json_type_boolean))
        return fail(d, SP_NOT_BOOL, name, 0, name, echo(d, v));
    *out = json_object_get_boolean(v) ? BATCH_TRUE : BATCH_FALSE;
    return 0;
}

/* Emails are trimmed (docs/CONTRACT.md section 2) and stored as given. */
static int get_email(struct dec *d, json_object *v, const struct field_rule *r,
                     const char **out)
{
    if (!json_object_is_type(v, json_type_string))
        return fail(d, SP_NOT_STRING, "Email", 0, "Email", echo(d, v));
    const char *s = json_object_get_string(v);
    size_t n = (size_t)json_object_get_string_len(v);
    fields_trim_span(&s, &n);
    if (!fields_string_ok(r, s, n, d->lim->string_max))
        return fail(d, SP_EMAIL, "Email", 0, "Email", echo(d, v));
    *out = arena_strndup(d->a, s, n);
    return *out != NULL ? 0 : fail(d, SP_INTERNAL, NULL, 0, "Email", NULL);
}

/* A language tag: 2-3 letters, then subtags of 1-8 letters or digits after '-' or '_'. */
static int valid_language(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && isalpha((unsigned char)s[i]))
        i++;
    if (i < 2 || i > 3)
        return 0;
    while (i < n) {
        if (s[i] != '-' && s[i] != '_')
            return 0;
        size_t start = ++i;
        while (i < n && isalnum((unsigned char)s[i]))
            i++;
        if (i == start || i - start > 8)
            return 0;
    }
    return 1;
}

static int valid_phone(const char *s, size_t n)
{
    int digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (isdigit((unsigned char)s[i]))
            digits++;
        else if (strchr(" +-().#*/xX", s[i]) == NULL || s[i] == '\0')
            return 0;
    }
    return digits > 0;
}

static void warn_unknown(struct dec *d, const char *key)
{
    if (d->unknown++ >= SP_MAX_UNKNOWN_WARNINGS)
        return;
    struct sp_problem w = { .msg = SP_W_UNKNOWN_PROPERTY, .path = make_path(d, key),
                            .value = key };
    sp_warn(d->a, d->warnings, &w);
}

/* Decodes one element of a list property into the slot at out. */
typedef int (*item_fn)(struct dec *d, json_object *e, void *out);

/* A list property (Roles, Phones): an array of at most max elements, each decoded by item into
 * a new arena array of elements of size bytes; errors name the element (d->list, d->item). */
static int get_list(struct dec *d, json_object *v, const struct field_rule *r, size_t size,
                    item_fn item, void **out, size_t *nout)
{
    const char *name = r->name;
    size_t max = r->max_items;
    if (!json_object_is_type(v, json_type_array))
        return fail(d, SP_NOT_ARRAY, name, 0, name, echo(d, v));
    size_t n = json_object_array_length(v);
    if (n > max)
        return fail(d, SP_TOO_MANY_ITEMS, name, (long long)max, name, "");
    char *items = arena_calloc(d->a, n ? n : 1, size);
    if (items == NULL)
        return fail(d, SP_INTERNAL, NULL, 0, name, NULL);
    d->list = name;
    for (size_t k = 0; k < n; k++) {
        d->item = k;
        if (item(d, json_object_array_get_idx(v, k), items + k * size) != 0)
            return -1;
    }
    d->list = NULL;
    *out = items;
    *nout = n;
    return 0;
}

static int get_role(struct dec *d, json_object *e, void *out)
{
    return get_text(d, e, &props[S_ROLES], NULL, NULL, 0, out);
}

static int get_phone(struct dec *d, json_object *e, void *out)
{
    struct batch_phone *ph = out;
    if (!json_object_is_type(e, json_type_object))
        return fail(d, SP_NOT_OBJECT, NULL, 0, NULL, echo(d, e));
    json_object_object_foreach(e, key, val) {
        (void)val;
        if (fields_find(phone_props, NPHONE, key) == NULL)
            warn_unknown(d, key);
    }
    json_object *num = fields_get(e, "PhoneNum");
    if (num == NULL)
        return fail(d, SP_REQUIRED, "PhoneNum", 0, "PhoneNum", NULL);
    if (!json_object_is_type(num, json_type_string))
        return fail(d, SP_NOT_STRING, "PhoneNum", 0, "PhoneNum", echo(d, num));
    if (!fields_string_ok(&phone_props[P_NUM], json_object_get_string(num),
                          (size_t)json_object_get_string_len(num), d->lim->string_max))
        return fail(d, SP_PHONE, "PhoneNum", 0, "PhoneNum", echo(d, num));
    ph->number = arena_strndup(d->a, json_object_get_string(num),
                               (size_t)json_object_get_string_len(num));
    if (ph->number == NULL)
        return fail(d, SP_INTERNAL, NULL, 0, "PhoneNum", NULL);
    json_object *type = fields_get(e, "PhoneType");
    if (type != NULL &&
        get_text(d, type, &phone_props[P_TYPE], "PhoneType", "PhoneType", 0, &ph->type) != 0)
        return -1;
    return 0;
}

static int get_roles(struct dec *d, json_object *v, struct batch_user *u)
{
    void *roles;
    if (get_list(d, v, &props[S_ROLES], sizeof *u->roles, get_role, &roles, &u->nroles) != 0)
        return -1;
    u->set_roles = 1;
    u->roles = roles;
    return 0;
}

static int get_phones(struct dec *d, json_object *v, struct batch_user *u)
{
    void *phones;
    if (get_list(d, v, &props[S_PHONES], sizeof *u->phones, get_phone, &phones,
                 &u->nphones) != 0)
        return -1;
    u->set_phones = 1;
    u->phones = phones;
    return 0;
}

static int get_extensions(struct dec *d, json_object *v, struct batch_user *u)
{
    if (!json_object_is_type(v, json_type_object))
        return fail(d, SP_NOT_OBJECT, "Extensions", 0, "Extensions", echo(d, v));
    json_object_object_foreach(v, key, val) {
        (void)val;
        if (!fields_string_ok(&ext_key, key, strlen(key), d->lim->string_max))
            return fail(d, SP_TEXT, ext_key.name,
                        (long long)fields_max(&ext_key, d->lim->string_max), "Extensions",
                        arena_strndup(d->a, key, strnlen(key, ECHO_MAX_BYTES)));
    }
    /* serialised through a holder of its own: json-c keeps the text's buffer in the object it
     * serialises, and the request's tree lives until the answer (10 000 users' copies) */
    json_object *holder = json_object_new_array_ext(1);
    if (holder == NULL || json_object_array_add(holder, json_object_get(v)) != 0) {
        json_object_put(holder);
        return fail(d, SP_INTERNAL, NULL, 0, "Extensions", NULL);
    }
    const char *text = json_object_to_json_string_ext(holder, JSON_C_TO_STRING_PLAIN |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE);
    size_t len = strlen(text) - 2;   /* without the holder's brackets */
    int too_big = len > EXT_MAX_BYTES;
    u->extensions_json = too_big ? NULL : arena_strndup(d->a, text + 1, len);
    json_object_put(holder);
    if (too_big)
        return fail(d, SP_TOO_BIG, "Extensions", EXT_MAX_BYTES, "Extensions", "");
    return u->extensions_json != NULL ? 0 : fail(d, SP_INTERNAL, NULL, 0, "Extensions", NULL);
}

/* One user object -> *u (op decided from CUD and Deleted). */
static int decode_user(struct dec *d, json_object *obj, struct batch_user *u)
{
    int rest = BATCH_UNSET, reset = BATCH_UNSET, deleted = BATCH_UNSET;
    long long cud = 0;
    json_object_object_foreach(obj, key, val) {
        (void)val;
        if (fields_find(props, NPROPS, key) == NULL)
            warn_unknown(d, key);
    }
    memset(u, 0, sizeof *u);
    u->active = u->locked = u->mobile_worker = u->sms_enabled = u->facetime_enabled =
        BATCH_UNSET;
    /* RestPassword / ResetPassword decide whether Password is looked at at all */
    json_object *r1 = fields_get(obj, "RestPassword");
    json_object *r2 = fields_get(obj, "ResetPassword");
    int resetting = (r1 != NULL && json_object_is_type(r1, json_type_boolean) &&
                     json_object_get_boolean(r1)) ||
                    (r2 != NULL && json_object_is_type(r2, json_type_boolean) &&
                     json_object_get_boolean(r2));
    for (size_t i = 0; i < NPROPS; i++) {
        const struct field_rule *pr = &props[i];
        enum slot slot = (enum slot)i;
        json_object *v = fields_get(obj, pr->name);
        if (v == NULL) {
            if (pr->flags & FIELD_REQUIRED)
                return fail(d, SP_REQUIRED, pr->name, 0, pr->name, NULL);
            continue;
        }
        const char *s = NULL;
        int flag = BATCH_UNSET, rc = 0;
        switch (pr->type) {
        case FT_STRING:
            if (slot == S_EMAIL)
                rc = get_email(d, v, pr, &s);
            else if (slot == S_PASSWORD && resetting)
                continue;   /* ignored, as the seed says, whatever it holds */
            else
                rc = get_text(d, v, pr, pr->name, pr->name, slot == S_PASSWORD, &s);
            break;
        case FT_BOOL:
            rc = get_bool(d, v, pr->name, &flag);
            break;
        case FT_INT:   /* CUD */
            if (!json_get_int_range(v, (long long)pr->min, (long long)pr->max, &cud))
                rc = fail(d, SP_CUD, pr->name, 0, pr->name, echo(d, v));
            break;
        case FT_STRING_ARRAY:   /* Roles */
            rc = get_roles(d, v, u);
            break;
        case FT_OBJECT_ARRAY:   /* Phones */
            rc = get_phones(d, v, u);
            break;
        case FT_OBJECT:   /* Extensions */
            rc = get_extensions(d, v, u);
            break;
        case FT_NUMBER:
            break;
        }
        if (rc != 0)
            return -1;
        switch (slot) {
        case S_USERID: u->username = s; break;
        case S_FIRST: u->first_name = s; break;
        case S_LAST: u->last_name = s; break;
        case S_EMAIL: u->email = s; break;
        case S_PASSWORD: u->password = s; break;
        case S_REST: rest = flag; break;
        case S_RESET: reset = flag; break;
        case S_ACTIVATED: u->active = flag; break;
        case S_LOCKED: u->locked = flag; break;
        case S_MOBILE: u->mobile_worker = flag; break;
        case S_LANGUAGE: u->language_code = s; break;
        case S_DGROUP: u->dispatch_group_id = s; break;
        case S_TEAM: u->service_team_id = s; break;
        case S_STORAGE: u->storage_location_id = s; break;
        case S_SMS: u->sms_enabled = flag; break;
        case S_FACETIME: u->facetime_enabled = flag; break;
        case S_STATUS: u->work_status = s; break;
        case S_DELETED: deleted = flag; break;
        case S_ROLES:
        case S_PHONES:
        case S_EXTENSIONS:
        case S_CUD:
            break;
        }
        /* CUD and Deleted must agree; Deleted alone means 3 (true) or 2 (false) */
        if (slot == S_DELETED && cud != 0 &&
            (deleted == BATCH_TRUE) != (cud == BATCH_DELETE))
            return fail(d, SP_DELETED, "Deleted", 0, "Deleted", echo(d, v));
    }
    u->reset_password = rest == BATCH_TRUE || reset == BATCH_TRUE;
    switch (cud) {
    case 1: u->op = BATCH_INSERT; break;
    case 3: u->op = BATCH_DELETE; break;
    case 2: u->op = BATCH_UPSERT; break;
    default: u->op = deleted == BATCH_TRUE ? BATCH_DELETE : BATCH_UPSERT; break;
    }
    return 0;
}

/* The top-level member key other than Users: one warning (while they are counted). */
static void warn_top(struct dec *d, const char *key)
{
    if (d->unknown++ >= SP_MAX_UNKNOWN_WARNINGS)
        return;
    struct sp_problem w = { .msg = SP_W_UNKNOWN_PROPERTY, .path = key, .value = key };
    sp_warn(d->a, d->warnings, &w);
}

/* Sets the problem of a Users list of count elements that is empty or too long; -1 then. */
static int check_count(struct dec *d, size_t count)
{
    d->p->path = "Users";
    if (count == 0) {
        d->p->msg = SP_USERS_EMPTY;
        return -1;
    }
    if (count > d->lim->max_users) {
        d->p->msg = SP_USERS_TOO_MANY;
        d->p->n = (long long)d->lim->max_users;
        d->p->value = arena_printf(d->a, "%zu", count);
        if (d->p->value == NULL)
            d->p->value = "";
        return -1;
    }
    return 0;
}

/* Room for count users and the duplicate checks; -1 with the problem set. */
static int begin_users(struct dec *d, size_t count)
{
    d->users = arena_calloc(d->a, count, sizeof *d->users);
    d->ids = json_object_new_object();
    d->emails = json_object_new_object();
    d->count = count;
    if (d->users == NULL || d->ids == NULL || d->emails == NULL) {
        d->p->msg = SP_INTERNAL;
        return -1;
    }
    return 0;
}

/* Users[i] -> d->users[i], then the checks across the batch: a UserID or an Email twice
 * would make the outcome depend on the order of writes. -1 with the problem set. */
static int decode_one(struct dec *d, size_t i, json_object *obj)
{
    struct batch_user *u = &d->users[i];
    d->index = i;
    if (!json_object_is_type(obj, json_type_object))
        return fail(d, SP_USER_TYPE, NULL, 0, NULL, obj != NULL ? echo(d, obj) : "null");
    if (decode_user(d, obj, u) != 0)
        return -1;
    if (json_object_object_get_ex(d->ids, u->username, NULL))
        return fail(d, SP_DUPLICATE, "UserID", 0, "UserID", u->username);
    if (json_object_object_add(d->ids, u->username, NULL) != 0)
        return fail(d, SP_INTERNAL, NULL, 0, NULL, NULL);
    if (u->email != NULL && u->op != BATCH_DELETE) {
        char low[EMAIL_MAX + 1];
        size_t k = 0;
        for (; u->email[k] != '\0' && k < EMAIL_MAX; k++)
            low[k] = (char)tolower((unsigned char)u->email[k]);
        low[k] = '\0';
        if (json_object_object_get_ex(d->emails, low, NULL))
            return fail(d, SP_DUPLICATE, "Email", 0, "Email", u->email);
        if (json_object_object_add(d->emails, low, NULL) != 0)
            return fail(d, SP_INTERNAL, NULL, 0, NULL, NULL);
    }
    return 0;
}

/* The batch decoded: the count of unknown properties past the warned ones, and the result. */
static int finish(struct dec *d, struct batch_user **users, size_t *n)
{
    if (d->unknown > SP_MAX_UNKNOWN_WARNINGS) {
        struct sp_problem w = { .msg = SP_W_MORE_UNKNOWN, .path = "", .value = "",
                                .n = (long long)(d->unknown - SP_MAX_UNKNOWN_WARNINGS) };
        sp_warn(d->a, d->warnings, &w);
    }
    *users = d->users;
    *n = d->count;
    return 0;
}

static void dec_init(struct dec *d, struct arena *a, const struct sp_limits *lim,
                     json_object *warnings, struct sp_problem *p)
{
    memset(d, 0, sizeof *d);
    d->a = a;
    d->lim = lim;
    d->warnings = warnings;
    d->p = p;
    memset(p, 0, sizeof *p);
    p->path = "";
    p->value = "";
}

static void dec_free(struct dec *d)
{
    json_object_put(d->ids);
    json_object_put(d->emails);
    d->ids = d->emails = NULL;
}

int sp_decode(struct arena *a, const json_object *body, const struct sp_limits *lim,
              json_object *warnings, struct batch_user **users, size_t *n,
              struct sp_problem *p)
{
    struct dec d;
    int rc = -1;
    dec_init(&d, a, lim, warnings, p);
    *users = NULL;
    *n = 0;
    if (body == NULL || !json_object_is_type(body, json_type_object)) {
        p->msg = SP_BODY_TYPE;
        return -1;
    }
    json_object_object_foreach((json_object *)(uintptr_t)body, key, val) {
        (void)val;
        if (strcmp(key, "Users") != 0)
            warn_top(&d, key);
    }
    json_object *list = fields_get(body, "Users");
    p->path = "Users";
    if (list == NULL) {
        p->msg = SP_USERS_REQUIRED;
        return -1;
    }
    if (!json_object_is_type(list, json_type_array)) {
        p->msg = SP_USERS_TYPE;
        return -1;
    }
    size_t count = json_object_array_length(list);
    if (check_count(&d, count) != 0 || begin_users(&d, count) != 0)
        goto done;
    for (size_t i = 0; i < count; i++)
        if (decode_one(&d, i, json_object_array_get_idx(list, i)) != 0)
            goto done;
    rc = finish(&d, users, n);
done:
    dec_free(&d);
    return rc;
}

/* ---- the body as text, one user at a time ---- */

/* The walk of one body text: what it may still decode, and how deep. */
struct walk {
    const char *buf;
    size_t len;
    unsigned depth;              /* limits.json_depth for the whole text */
    size_t allowance;            /* json_in's allowance before the walk */
};

/* Parses [s, e) (a part of the body, depth levels below the top) and takes its weight;
 * *out is the tree (NULL for JSON null). 0, or -1 when json_in refuses the part. */
static int parse_part(const struct walk *w, size_t s, size_t e, unsigned below,
                      json_object **out, size_t *weight)
{
    char msg[16];
    size_t before = json_in_allowance();
    *out = NULL;
    if (w->depth <= below ||
        json_in_parse(w->buf + s, e - s, w->depth - below, out, msg, sizeof msg) != JSON_IN_OK)
        return -1;
    if (weight != NULL)
        *weight = before - json_in_allowance();
    return 0;
}

/* Parses a part only to check it, keeping its weight taken (as its place in a whole tree
 * would); sets *is_null. */
static int check_part(const struct walk *w, size_t s, size_t e, unsigned below, int *is_null)
{
    json_object *v;
    if (parse_part(w, s, e, below, &v, NULL) != 0)
        return -1;
    if (is_null != NULL)
        *is_null = v == NULL;
    json_object_put(v);
    return 0;
}

/* Parses Users[i] (the span [s, e)), hands it to the decoder unless a problem was already
 * found, releases it and gives its weight back. -1 when json_in refuses the element. */
static int walk_user(struct dec *d, const struct walk *w, size_t i, size_t s, size_t e,
                     int *failed)
{
    json_object *obj;
    size_t weight = 0;
    if (parse_part(w, s, e, 2, &obj, &weight) != 0)
        return -1;
    if (!*failed && decode_one(d, i, obj) != 0)
        *failed = 1;
    json_object_put(obj);
    json_in_give_back(weight);
    return 0;
}

/* The whole text as one tree, with the allowance the walk started from: the exact message
 * of a text the walk cannot take (or, for a body that is not an object, the problem). */
static enum sp_decode_status decode_whole(struct dec *d, const struct walk *w,
                                          struct batch_user **users, size_t *n, char *msg,
                                          size_t msglen, enum json_in_status *js)
{
    json_object *tree = NULL;
    json_in_set_allowance(w->allowance);
    *js = json_in_parse(w->buf, w->len, w->depth, &tree, msg, msglen);
    if (*js != JSON_IN_OK)
        return SP_DECODE_JSON;
    size_t nw = json_object_array_length(d->warnings);
    if (nw > 0)
        json_object_array_del_idx(d->warnings, 0, nw);
    int rc = sp_decode(d->a, tree, d->lim, d->warnings, users, n, d->p);
    json_object_put(tree);   /* the users hold arena copies */
    return rc == 0 ? SP_DECODE_OK : SP_DECODE_PROBLEM;
}

enum sp_decode_status sp_decode_text(struct arena *a, const char *buf, size_t len,
                                     unsigned max_depth, const struct sp_limits *lim,
                                     json_object *warnings, struct batch_user **users,
                                     size_t *n, struct sp_problem *p, char *msg,
                                     size_t msglen, enum json_in_status *js)
{
    struct dec d;
    struct walk w = { buf, len, max_depth, json_in_allowance() };
    json_object *seen = json_object_new_object();
    size_t pos = 0, ks, ke, s, e, us = 0, ue = 0, nkeys = 0;
    int have_users = 0, failed = 0, is_null = 0;
    enum json_in_status st;
    enum sp_decode_status rc = SP_DECODE_PROBLEM;
    dec_init(&d, a, lim, warnings, p);
    *users = NULL;
    *n = 0;
    *js = JSON_IN_OK;
    if (seen == NULL) {
        p->msg = SP_INTERNAL;
        return SP_DECODE_PROBLEM;
    }
    /* the object's members: every value but Users parsed to be checked (its weight kept, as
     * its tree's would be); Users' elements come afterwards, one at a time */
    if (json_in_take(JSON_IN_WEIGHT_OBJECT) != 0)
        goto whole;
    while ((st = json_in_object_next(buf, len, &pos, &ks, &ke, &s, &e)) == JSON_IN_OK) {
        json_object *key;
        if (parse_part(&w, ks, ke, 0, &key, NULL) != 0 || key == NULL)
            goto whole;
        int is_users = strcmp(json_object_get_string(key), "Users") == 0;
        int again = json_object_object_get_ex(seen, json_object_get_string(key), NULL);
        if (!again && json_object_object_add(seen, json_object_get_string(key), NULL) != 0) {
            json_object_put(key);
            p->msg = SP_INTERNAL;
            goto done;
        }
        if (!is_users && !again)
            warn_top(&d, json_object_get_string(key));
        json_object_put(key);
        if (!again && ++nkeys > JSON_IN_FIRST_TABLE_KEYS &&
            json_in_take(JSON_IN_WEIGHT_TABLE_GROWTH) != 0)
            goto whole;
        if (is_users) {
            /* json-c keeps the last of duplicate keys: an earlier Users is only checked */
            if (have_users && check_part(&w, us, ue, 1, NULL) != 0)
                goto whole;
            have_users = 1;
            us = s;
            ue = e;
        } else if (check_part(&w, s, e, 1, NULL) != 0) {
            goto whole;
        }
    }
    if (st != JSON_IN_EMPTY)
        goto whole;
    p->path = "Users";
    if (!have_users) {
        p->msg = SP_USERS_REQUIRED;
        goto done;
    }
    if (buf[us] != '[') {
        if (check_part(&w, us, ue, 1, &is_null) != 0)
            goto whole;
        p->msg = is_null ? SP_USERS_REQUIRED : SP_USERS_TYPE;
        goto done;
    }
    /* Users: counted by its punctuation, then each element parsed, decoded and released */
    size_t count = 0, i = 0;
    pos = 0;
    while ((st = json_in_array_next(buf + us, ue - us, &pos, &s, &e)) == JSON_IN_OK)
        count++;
    if (st != JSON_IN_EMPTY || json_in_take(JSON_IN_WEIGHT_ARRAY) != 0)
        goto whole;
    if (check_count(&d, count) != 0)
        failed = 1;
    else if (begin_users(&d, count) != 0)
        goto done;
    for (pos = 0; json_in_array_next(buf + us, ue - us, &pos, &s, &e) == JSON_IN_OK; i++)
        if (walk_user(&d, &w, i, us + s, us + e, &failed) != 0)
            goto whole;   /* an element json_in refuses: the whole text's message */
    if (!failed) {
        finish(&d, users, n);
        rc = SP_DECODE_OK;
    }
    goto done;
whole:
    dec_free(&d);
    rc = decode_whole(&d, &w, users, n, msg, msglen, js);
done:
    dec_free(&d);
    json_object_put(seen);
    return rc;
}
