/* fuzz_servicepower.c: libFuzzer harness for the ServicePower bulk Users decoder
 * (lib/dialect/servicepower/servicepower_decode.c) behind the JSON parser, as the handler runs it: the
 * envelope, every property's type and bounds, CUD/Deleted, duplicates, warnings. Input: the
 * body. Checks beyond the sanitizers: an accepted batch has 1..limit users, each with a
 * distinct key, a known operation and a valid email when it has one (whether an insert lacks
 * one is the store's verdict); a refused one has a message and a dataPath; and the body's text
 * decoded one user at a time (sp_decode_text, what the handler runs) gives exactly what the
 * tree gives: the same refusal of the text, the same problem or the same users and warnings. */
#include <stdint.h>
#include <string.h>

#include "dialect/servicepower/servicepower_internal.h"
#include "fuzz.h"
#include "base/valid.h"
#include "codec/json_in.h"
#include "core/users_batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* sp_decode_text on the same bytes agrees with the tree's outcome (whole_st, rc, users). */
static void same_from_text(struct ctx *c, const uint8_t *data, size_t size,
                           enum json_in_status whole_st, const struct sp_limits *lim, int rc,
                           const struct batch_user *users, size_t n,
                           const struct sp_problem *p, json_object *warnings)
{
    char msg[256];
    enum json_in_status js;
    struct batch_user *tu = NULL;
    size_t tn = 0;
    struct sp_problem tp;
    json_object *tw = json_object_new_array();
    if (tw == NULL)
        return;
    enum sp_decode_status ds = sp_decode_text(c->core.arena, (const char *)data, size,
                                              c->core.cfg->json_max_depth, lim, tw, &tu, &tn, &tp,
                                              msg, sizeof msg, &js);
    if (whole_st != JSON_IN_OK) {
        FUZZ_ASSERT(ds == SP_DECODE_JSON && js == whole_st);
    } else if (rc != 0) {
        FUZZ_ASSERT(ds == SP_DECODE_PROBLEM && tp.msg == p->msg);
        FUZZ_ASSERT(strcmp(tp.path, p->path) == 0 && strcmp(tp.value, p->value) == 0);
    } else {
        FUZZ_ASSERT(ds == SP_DECODE_OK && tn == n);
        for (size_t i = 0; i < n; i++) {
            FUZZ_ASSERT(tu[i].op == users[i].op);
            FUZZ_ASSERT(strcmp(tu[i].username, users[i].username) == 0);
            FUZZ_ASSERT(tu[i].nroles == users[i].nroles && tu[i].nphones == users[i].nphones);
        }
        FUZZ_ASSERT(strcmp(json_object_to_json_string(tw),
                           json_object_to_json_string(warnings)) == 0);
    }
    json_object_put(tw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ctx *c = fuzz_ctx();
    json_object *obj = NULL, *warnings = json_object_new_array();
    char msg[256];
    /* a smaller user limit than the default, so the limit itself is reachable */
    struct sp_limits lim = { .max_users = 50, .string_max = c->core.cfg->string_max };
    struct batch_user *users = NULL;
    size_t n = 0;
    struct sp_problem p;
    if (warnings == NULL)
        return 0;
    memset(&p, 0, sizeof p);
    enum json_in_status whole = json_in_parse((const char *)data, size,
                                              c->core.cfg->json_max_depth, &obj, msg, sizeof msg);
    if (whole != JSON_IN_OK) {
        same_from_text(c, data, size, whole, &lim, -1, NULL, 0, &p, warnings);
        goto done;
    }
    int rc = sp_decode(c->core.arena, obj, &lim, warnings, &users, &n, &p);
    same_from_text(c, data, size, whole, &lim, rc, users, n, &p, warnings);
    if (rc != 0) {
        FUZZ_ASSERT(p.path != NULL && p.value != NULL);
        FUZZ_ASSERT(sp_status(p.msg) == 400 || sp_status(p.msg) == 409);
        const char *m = sp_message(c->core.arena, &p);
        FUZZ_ASSERT(m != NULL && utf8_valid(m, strlen(m)));
        goto done;
    }
    FUZZ_ASSERT(n >= 1 && n <= lim.max_users);
    for (size_t i = 0; i < n; i++) {
        const struct batch_user *u = &users[i];
        FUZZ_ASSERT(u->username != NULL && u->username[0] != '\0');
        FUZZ_ASSERT(u->op == BATCH_INSERT || u->op == BATCH_UPSERT || u->op == BATCH_DELETE);
        if (u->email != NULL)
            FUZZ_ASSERT(valid_email(u->email, strlen(u->email)));
        for (size_t k = 0; k < i; k++)
            FUZZ_ASSERT(strcmp(users[k].username, u->username) != 0);
    }
done:
    json_object_put(warnings);
    json_object_put(obj);
    fuzz_ctx_reset(c);
    return 0;
}
