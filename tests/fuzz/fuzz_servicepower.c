/* fuzz_servicepower.c: libFuzzer harness for the ServicePower bulk Users decoder
 * (lib/dialect/servicepower/servicepower_decode.c) behind the JSON parser, as the handler runs it:
 * the envelope, every property's type and bounds, CUD/Deleted, duplicates, warnings. Input: the
 * body. Checks beyond the sanitizers: an accepted batch has 1..limit users, each with a distinct
 * key, a known operation and a valid email when it has one (whether an insert lacks one is the
 * store's verdict); a refused one has a message and a dataPath. */
#include <stdint.h>
#include <string.h>

#include "dialect/servicepower/servicepower_internal.h"
#include "fuzz.h"
#include "base/valid.h"
#include "codec/json_in.h"
#include "core/users_batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ctx *c = fuzz_ctx();
    json_object *obj = NULL, *warnings = json_object_new_array();
    char msg[256];
    if (warnings == NULL)
        return 0;
    if (json_in_parse((const char *)data, size, c->core.cfg->json_max_depth, &obj, msg, sizeof msg)
        != JSON_IN_OK)
        goto done;
    /* a smaller user limit than the default, so the limit itself is reachable */
    struct sp_limits lim = { .max_users = 50, .string_max = c->core.cfg->string_max };
    struct batch_user *users = NULL;
    size_t n = 0;
    struct sp_problem p;
    memset(&p, 0, sizeof p);
    if (sp_decode(c->core.arena, obj, &lim, warnings, &users, &n, &p) != 0) {
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
