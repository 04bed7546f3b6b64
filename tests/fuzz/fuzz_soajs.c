/* fuzz_soajs.c: libFuzzer harness for the SOAJS request decoders behind the body parsers, as
 * the handlers run them: addUser (lib/dialect/soajs/soajs_add_user_decode.c: the form conversions,
 * 172/173, the profile (413), 424 and 408) and invite (lib/dialect/soajs/soajs_invite_decode.c: the
 * form conversions, then the shape rules of users). One harness for both (they share the
 * parsers), so CI's fixed fuzzing time goes further. Input: one selector byte (bit 0: a form
 * body, else JSON; bit 1: invite, else addUser), then the body. Checks beyond the
 * sanitizers: an accepted addUser request holds a valid username and email, a known status,
 * a password exactly when the status needs one, and profile and group texts that parse back
 * to an object and an array; an accepted invite has 1..100 items, each naming its user by the
 * identifier it says, with at most 100 distinct clean group codes. */
#include <stdint.h>
#include <string.h>

#include "codec/form.h"
#include "dialect/soajs/soajs_internal.h"
#include "fuzz.h"
#include "base/valid.h"
#include "codec/json_in.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void add_user(struct ctx *c, json_object *obj, int form)
{
    char msg[256];
    struct field_report rep;
    struct soajs_add_user_req req;
    enum soajs_add_user_verdict v = soajs_add_user_decode(
        obj, form, c->core.cfg->string_max, c->core.cfg->json_max_depth, c->core.arena, &rep, &req);
    if (v == SOAJS_ADD_USER_FIELDS) {
        FUZZ_ASSERT(rep.nmissing + rep.ninvalid > 0);
        return;
    }
    if (v != SOAJS_ADD_USER_OK)
        return;
    FUZZ_ASSERT(req.username && valid_username(req.username, strlen(req.username)));
    FUZZ_ASSERT(req.email && valid_email(req.email, strlen(req.email)));
    FUZZ_ASSERT(req.first_name && req.last_name && req.tid && req.tcode);
    int pending = strcmp(req.status, "pendingNew") == 0;
    FUZZ_ASSERT(pending || strcmp(req.status, "active") == 0 ||
                strcmp(req.status, "inactive") == 0);
    FUZZ_ASSERT(pending == (req.password == NULL));
    if (req.profile_json != NULL) {
        json_object *p = NULL;
        FUZZ_ASSERT(json_in_parse(req.profile_json, strlen(req.profile_json), 1000, &p, msg,
                                  sizeof msg) == JSON_IN_OK &&
                    json_object_is_type(p, json_type_object));
        json_object_put(p);
    }
    if (req.group_codes_json != NULL) {
        json_object *g = NULL;
        FUZZ_ASSERT(json_in_parse(req.group_codes_json, strlen(req.group_codes_json), 2, &g, msg,
                                  sizeof msg) == JSON_IN_OK &&
                    json_object_is_type(g, json_type_array) &&
                    json_object_array_length(g) == req.ngroup_codes && req.ngroup_codes <= 100);
        json_object_put(g);
    }
    FUZZ_ASSERT(!req.has_pin || req.pin_code != NULL);
}

static void invite(struct ctx *c, json_object *obj, int form)
{
    if (form)
        soajs_invite_coerce_form(obj, c->core.cfg->json_max_depth);
    struct soajs_invite_req req;
    if (soajs_invite_decode(obj, c->core.cfg->string_max, c->core.arena, &req) !=
        SOAJS_INVITE_DECODE_OK)
        return;
    FUZZ_ASSERT(req.n >= 1 && req.n <= SOAJS_INVITE_MAX_USERS);
    for (size_t i = 0; i < req.n; i++) {
        const struct soajs_invite_item *it = &req.items[i];
        FUZZ_ASSERT(it->ngroups <= SOAJS_INVITE_MAX_GROUPS);
        for (size_t g = 0; g < it->ngroups; g++) {
            FUZZ_ASSERT(it->groups[g] != NULL && it->groups[g][0] != '\0');
            FUZZ_ASSERT(strlen(it->groups[g]) <= SOAJS_INVITE_GROUP_MAX);
            for (size_t h = 0; h < g; h++)
                FUZZ_ASSERT(strcmp(it->groups[g], it->groups[h]) != 0);
        }
        if (it->by == SOAJS_INVITE_BY_NONE) {
            FUZZ_ASSERT(it->key == NULL);
            continue;
        }
        FUZZ_ASSERT(it->key != NULL && it->value != NULL && it->lookup != NULL);
        FUZZ_ASSERT(utf8_valid(it->value, strlen(it->value)) && it->value[0] != '\0');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ctx *c = fuzz_ctx();
    if (size < 1)
        return 0;
    int form = data[0] & 1;
    int inv = (data[0] >> 1) & 1;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    json_object *obj = NULL;
    char msg[256];
    if (form ? form_decode(body, len, &obj, msg, sizeof msg) != FORM_OK
             : json_in_parse(body, len, c->core.cfg->json_max_depth, &obj, msg, sizeof msg) !=
                   JSON_IN_OK)
        return 0;
    if (json_object_is_type(obj, json_type_object)) {
        if (inv)
            invite(c, obj, form);
        else
            add_user(c, obj, form);
    }
    json_object_put(obj);
    fuzz_ctx_reset(c);
    return 0;
}
