/* xtracta_decode.c: the field table of POST /v1/user/add and the checks that need no database,
 * first problem first, as the dialect's 400 messages; and the writer of the 200 document.
 * Pure: never touches the database or the response, so the fuzz harness
 * (tests/fuzz/fuzz_xtracta.c) runs both as the handler does. */
#include "dialect/xtracta/xtracta_internal.h"

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/password.h"
#include "base/pwrule.h"
#include "base/utf8.h"
#include "base/valid.h"
#include "codec/fields.h"
#include "codec/xml_out.h"
#include "core/limits.h"

static const char ok_message[] = "The request has been successfully processed";

/* What fills a column is bounded by core/limits.h, in characters; the password in bytes (it is
 * hashed), the numbers by their digits. */
static const struct field_rule rules[] = {
    { "name", FT_STRING, FIELD_REQUIRED | FIELD_CHARS, 1, LIMIT_NAME_CHARS, NULL, 0 },
    { "email_address", FT_STRING, FIELD_REQUIRED, 1, LIMIT_EMAIL_BYTES, valid_email, 0 },
    { "password", FT_STRING, 0, 1, PASSWORD_MAX_BYTES, pwrule_structure_ok, 0 },
    { "group_id", FT_STRING, 0, 1, 18, valid_digits, 0 },
    { "token_expire", FT_STRING, 0, 1, 18, valid_digits, 0 },
};
enum { NRULES = sizeof rules / sizeof rules[0] };

/* The fields the answer echoes (<name>, <email_address>, <password>). Each must be text an XML
 * 1.0 document can carry, by the XML writer's own rule (utf8_xml_chars): the rules above
 * already refuse control characters, this also refuses U+FFFE and U+FFFF, so a request the
 * decoder accepts is always one the answer can be written for (tests/fuzz/fuzz_xtracta.c
 * checks it), and nothing is stored for a user who could not be answered. */
static const char *const echoed[] = { "name", "email_address", "password" };
enum { NECHOED = sizeof echoed / sizeof echoed[0] };

/* workflow_ids: "12,13" (spaces allowed) or repeated/array values. Builds the distinct ids, in
 * ascending order, as a JSON array text. Returns 0, or -1 when an id is not a positive
 * integer. */
static int parse_workflows(struct arena *a, json_object *v, const char **json, unsigned *count)
{
    long long ids[XTRACTA_MAX_WORKFLOWS];
    unsigned n = 0;
    size_t items = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 1;
    for (size_t i = 0; i < items; i++) {
        json_object *e = json_object_is_type(v, json_type_array) ? json_object_array_get_idx(v, i)
                                                                 : v;
        if (!json_object_is_type(e, json_type_string))
            return -1;
        const char *s = json_object_get_string(e);
        while (*s != '\0') {
            s += strspn(s, " ");
            size_t k = strcspn(s, ", ");
            long long id;
            if (!parse_digits(s, k, &id) || id <= 0)
                return -1;
            int seen = 0;
            for (unsigned j = 0; j < n && !seen; j++)
                seen = ids[j] == id;
            if (!seen) {
                if (n == XTRACTA_MAX_WORKFLOWS)
                    return -1;
                ids[n++] = id;
            }
            s += k;
            s += strspn(s, " ");
            if (*s == ',') {
                s++;
                if (s[strspn(s, " ")] == '\0')
                    return -1;   /* trailing comma */
            } else if (*s != '\0') {
                return -1;
            }
        }
    }
    /* ascending, so <assigned_workflows> does not depend on the order they were sent in */
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
            long long tmp = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = tmp;
        }
    size_t cap = (size_t)n * 21 + 3, o = 0;
    char *out = arena_alloc(a, cap);
    if (out == NULL)
        return -1;
    out[o++] = '[';
    for (unsigned j = 0; j < n; j++)
        o += (size_t)snprintf(out + o, cap - o, "%s%lld", j ? "," : "", ids[j]);
    snprintf(out + o, cap - o, "]");
    *json = out;
    *count = n;
    return 0;
}

int xtracta_decode(json_object *fields, size_t string_max, struct arena *a,
                   struct xtracta_req *out, char *msg, size_t msglen)
{
    memset(out, 0, sizeof *out);
    fields_trim(fields, "email_address");
    struct field_report rep;
    fields_check(fields, rules, NRULES, string_max, &rep);
    if (rep.nmissing > 0) {
        snprintf(msg, msglen, "Missing required parameter: %s", rep.missing[0]);
        return -1;
    }
    if (rep.ninvalid > 0) {
        snprintf(msg, msglen, "Invalid value for parameter: %s", rep.invalid[0]);
        return -1;
    }
    for (size_t i = 0; i < NECHOED; i++) {
        json_object *v = fields_get(fields, echoed[i]);
        if (v != NULL && json_object_is_type(v, json_type_string) &&
            !utf8_xml_chars(json_object_get_string(v), (size_t)json_object_get_string_len(v))) {
            snprintf(msg, msglen, "Invalid value for parameter: %s", echoed[i]);
            return -1;
        }
    }
    json_object *wf = fields_get(fields, "workflow_ids");
    if (wf != NULL && parse_workflows(a, wf, &out->workflows_json, &out->nworkflows) != 0) {
        snprintf(msg, msglen, "Invalid value for parameter: workflow_ids");
        return -1;
    }
    const char *te = fields_str(fields, "token_expire"), *gid = fields_str(fields, "group_id");
    if (te != NULL && (!parse_digits(te, strlen(te), &out->token_ttl) ||
                       out->token_ttl < XTRACTA_TOKEN_EXPIRE_MIN ||
                       out->token_ttl > XTRACTA_TOKEN_EXPIRE_MAX)) {
        snprintf(msg, msglen, "Invalid value for parameter: token_expire (60 to 86400 seconds)");
        return -1;
    }
    if (gid != NULL) {
        if (!parse_digits(gid, strlen(gid), &out->group_id)) {
            snprintf(msg, msglen, "Invalid value for parameter: group_id");
            return -1;
        }
        out->has_group = 1;
    }
    out->name = fields_str(fields, "name");
    out->email = fields_str(fields, "email_address");
    out->password = fields_str(fields, "password");
    return 0;
}

int xtracta_answer_write(struct xml_out *x, const struct xtracta_answer *a)
{
    /* the writer is sticky: one failure anywhere makes every later call and the result fail */
    xml_out_open(x, "user_response");
    xml_out_int(x, "status", 200);
    xml_out_text(x, "message", ok_message);
    xml_out_open(x, "user");
    xml_out_int(x, "user_id", a->user_id);
    xml_out_text(x, "name", a->name);
    xml_out_text(x, "email_address", a->email);
    xml_out_int(x, "primary_group_id", a->group_id);
    if (a->workflows_text != NULL && *a->workflows_text != '\0')
        xml_out_text(x, "assigned_workflows", a->workflows_text);
    else
        xml_out_empty(x, "assigned_workflows");
    if (a->password != NULL)
        xml_out_text(x, "password", a->password);
    if (a->token != NULL) {
        xml_out_text(x, "token", a->token);
        xml_out_text(x, "qrcode", a->qrcode);
        xml_out_int(x, "expire", a->expire);
    }
    return xml_out_close(x) == 0 && xml_out_close(x) == 0 ? 0 : -1;
}
