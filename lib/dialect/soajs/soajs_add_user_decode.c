/* soajs_add_user_decode.c: addUser's field table and the checks of docs/CONTRACT.md section 10.4,
 * steps 1-3 (172/173, 413, 424, 408) on a decoded body. Pure: never touches the database or the
 * response, so the fuzz harness (tests/fuzz/fuzz_soajs.c) runs it as the handler does. */
#include "dialect/soajs/soajs_internal.h"

#include <string.h>

#include "base/arena.h"
#include "base/password.h"
#include "base/pwrule.h"
#include "base/valid.h"
#include "codec/json_in.h"
#include "codec/json_out.h"

enum { MAX_GROUPS = 100, PIN_CODE_MAX_BYTES = 64 /* hashed, never stored as text */ };

static int valid_status(const char *s, size_t n)
{
    (void)n;
    return strcmp(s, "active") == 0 || strcmp(s, "inactive") == 0 ||
           strcmp(s, "pendingNew") == 0;
}

/* An empty password means none (step 2 decides what that means for the status); any other
 * must pass the structural rules (pwrule.h), else 173. */
static int valid_password(const char *s, size_t n)
{
    return n == 0 || pwrule_structure_ok(s, n);
}

/* Table order is the order of 172's list: username, firstName, lastName, email, tId, tCode.
 * What fills a column is bounded by core/limits.h, in characters. */
static const struct field_rule rules[] = {
    { "username", FT_STRING, FIELD_REQUIRED | FIELD_CHARS, 1, LIMIT_VENDOR_USERNAME_CHARS,
      valid_username, 0 },
    { "firstName", FT_STRING, FIELD_REQUIRED | FIELD_CHARS, 1, LIMIT_NAME_CHARS, NULL, 0 },
    { "lastName", FT_STRING, FIELD_REQUIRED | FIELD_CHARS, 1, LIMIT_NAME_CHARS, NULL, 0 },
    { "email", FT_STRING, FIELD_REQUIRED, 1, LIMIT_EMAIL_BYTES, valid_email, 0 },
    /* the format of tId decides 611, not 173 (docs/CONTRACT.md section 10.2) */
    { "tId", FT_STRING, FIELD_REQUIRED, 0, 0, NULL, 0 },
    { "tCode", FT_STRING, FIELD_REQUIRED, 0, 0, NULL, 0 },
    { "profile", FT_OBJECT, 0, 0, 0, NULL, 0 },
    { "groups", FT_STRING_ARRAY, FIELD_CHARS, 1, LIMIT_GROUP_CODE_CHARS, NULL, MAX_GROUPS },
    { "status", FT_STRING, 0, 0, 0, valid_status, 0 },
    { "password", FT_STRING, 0, 0, PASSWORD_MAX_BYTES, valid_password, 0 },
    { "confirmation", FT_STRING, 0, 0, PASSWORD_MAX_BYTES, NULL, 0 },
    { "pin", FT_OBJECT, 0, 0, 0, NULL, 0 },
};
enum { NRULES = sizeof rules / sizeof rules[0] };

static const struct field_rule pin_code_rule = { "code", FT_STRING, 0, 1, PIN_CODE_MAX_BYTES,
                                                 NULL, 0 };

/* A profile given as a string must hold a JSON object: it is replaced by that object. Returns
 * 1 when the string does not (413 after the field checks), else 0. */
static int unwrap_profile(json_object *body, size_t string_max, unsigned json_max_depth)
{
    json_object *p = fields_get(body, "profile");
    if (p == NULL || !json_object_is_type(p, json_type_string))
        return 0;
    json_object *obj = NULL;
    char msg[128];
    size_t len = (size_t)json_object_get_string_len(p);
    if (len <= string_max &&
        json_in_parse(json_object_get_string(p), len, json_max_depth, &obj, msg, sizeof msg) ==
            JSON_IN_OK &&
        json_object_is_type(obj, json_type_object)) {
        jo_replace(body, "profile", obj);
        return 0;
    }
    json_object_put(obj);
    json_object_object_del(body, "profile");
    return 1;
}

/* pin must be exactly {code: string, allowed: boolean}. Form bodies carry "true"/"false". */
static int pin_ok(json_object *pin, int form, size_t string_max)
{
    if (form) {
        json_object *a = fields_get(pin, "allowed");
        json_object *nv = a != NULL ? fields_coerce_value(a, FT_BOOL, 1) : NULL;
        if (nv != NULL)
            jo_replace(pin, "allowed", nv);
    }
    if (json_object_object_length(pin) != 2)
        return 0;
    json_object *code = fields_get(pin, "code"), *allowed = fields_get(pin, "allowed");
    return code != NULL && allowed != NULL && json_object_is_type(code, json_type_string) &&
           json_object_is_type(allowed, json_type_boolean) &&
           fields_string_ok(&pin_code_rule, json_object_get_string(code),
                            (size_t)json_object_get_string_len(code), string_max);
}

/* Distinct group codes as a JSON array text in the arena; *count receives how many. */
static const char *group_codes(struct arena *a, json_object *groups, unsigned *count)
{
    json_object *uniq = json_object_new_array();
    const char *out = NULL;
    *count = 0;
    if (uniq == NULL)
        return NULL;
    size_t n = json_object_array_length(groups);
    for (size_t i = 0; i < n; i++) {
        const char *g = json_object_get_string(json_object_array_get_idx(groups, i));
        int seen = 0;
        for (size_t k = 0; k < json_object_array_length(uniq) && !seen; k++)
            seen = strcmp(json_object_get_string(json_object_array_get_idx(uniq, k)), g) == 0;
        if (!seen && ja_str(uniq, g) != 0) {
            json_object_put(uniq);
            return NULL;
        }
    }
    *count = (unsigned)json_object_array_length(uniq);
    out = arena_strdup(a, json_object_to_json_string_ext(uniq, JSON_C_TO_STRING_PLAIN));
    json_object_put(uniq);
    return out;
}

enum soajs_add_user_verdict soajs_add_user_decode(json_object *body, int form, size_t string_max,
                                                  unsigned json_max_depth, struct arena *a,
                                                  struct field_report *rep,
                                                  struct soajs_add_user_req *out)
{
    memset(out, 0, sizeof *out);
    if (form)
        fields_coerce_form(body, rules, NRULES, json_max_depth);
    fields_trim(body, "email");
    int bad_profile = unwrap_profile(body, string_max, json_max_depth);

    /* 1. missing (172) and invalid (173) fields */
    fields_check(body, rules, NRULES, string_max, rep);
    json_object *pin = fields_get(body, "pin");
    if (pin != NULL && json_object_is_type(pin, json_type_object) &&
        !pin_ok(pin, form, string_max) && rep->ninvalid < FIELDS_MAX_REPORT)
        rep->invalid[rep->ninvalid++] = "pin";
    if (rep->nmissing > 0 || rep->ninvalid > 0)
        return SOAJS_ADD_USER_FIELDS;
    if (bad_profile)
        return SOAJS_ADD_USER_BAD_PROFILE;

    const char *status = fields_str(body, "status");
    const char *password = fields_str(body, "password");
    const char *confirmation = fields_str(body, "confirmation");
    if (status == NULL)
        status = "pendingNew";
    int has_password = password != NULL && *password != '\0';
    /* 2. a pending account never has a password; an active or inactive one always has */
    if (strcmp(status, "pendingNew") == 0 ? has_password : !has_password)
        return SOAJS_ADD_USER_PENDING_PASSWORD;
    /* 3. the confirmation must repeat the password */
    if (has_password && (confirmation == NULL || strcmp(password, confirmation) != 0))
        return SOAJS_ADD_USER_PASSWORD_MISMATCH;

    out->username = fields_str(body, "username");
    out->email = fields_str(body, "email");
    out->first_name = fields_str(body, "firstName");
    out->last_name = fields_str(body, "lastName");
    out->tid = fields_str(body, "tId");
    out->tcode = fields_str(body, "tCode");
    out->status = status;
    out->password = has_password ? password : NULL;
    json_object *profile = fields_get(body, "profile");
    if (profile != NULL &&
        (out->profile_json = arena_strdup(
             a, json_object_to_json_string_ext(profile, JSON_C_TO_STRING_PLAIN))) == NULL)
        return SOAJS_ADD_USER_NOMEM;
    json_object *groups = fields_get(body, "groups");
    if (groups != NULL &&
        (out->group_codes_json = group_codes(a, groups, &out->ngroup_codes)) == NULL)
        return SOAJS_ADD_USER_NOMEM;
    if (pin != NULL) {
        out->has_pin = 1;
        out->pin_code = fields_str(pin, "code");
        out->pin_allowed = json_object_get_boolean(fields_get(pin, "allowed"));
    }
    return SOAJS_ADD_USER_OK;
}
