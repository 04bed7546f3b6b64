/* fuzz.h: what the libFuzzer harnesses in tests/fuzz share: an assertion that aborts (so
 * libFuzzer records the input as a crash), a check that a decoded tree holds only clean
 * strings, and a request context without a server or database for the dialect decoders. */
#ifndef PROV_FUZZ_H
#define PROV_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/utf8.h"
#include "http/ctx.h"

#define FUZZ_ASSERT(cond)                                                                    \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: harness assertion failed: %s\n", __FILE__, __LINE__,     \
                    #cond);                                                                  \
            abort();                                                                         \
        }                                                                                    \
    } while (0)

/* 1 when every string (values, and keys unless keys_may_be_any) in the tree is valid UTF-8
 * without NUL: what every decoder promises its callers. */
static inline int fuzz_strings_clean(json_object *o, int depth)
{
    if (depth > 1000)
        return 0;
    switch (json_object_get_type(o)) {
    case json_type_string: {
        const char *s = json_object_get_string(o);
        size_t n = (size_t)json_object_get_string_len(o);
        return strlen(s) == n && utf8_valid(s, n);
    }
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(o); i++)
            if (!fuzz_strings_clean(json_object_array_get_idx(o, i), depth + 1))
                return 0;
        return 1;
    case json_type_object: {
        json_object_object_foreach(o, k, v)
        {
            if (!utf8_valid(k, strlen(k)) || !fuzz_strings_clean(v, depth + 1))
                return 0;
        }
        return 1;
    }
    default:
        return 1;
    }
}

/* A context as the accept loop would build it, minus the server and the database: the
 * configuration's defaults (limits as in docs/CONTRACT.md) and a process-lifetime arena. Decoders
 * use c->core.arena and c->core.cfg; error answers go to c->resp (never sent). */
static inline struct ctx *fuzz_ctx(void)
{
    static struct ctx c;
    static struct config cfg;
    if (c.core.arena == NULL) {
        char err[128];
        /* no file, no environment override matters here: the defaults */
        config_load(&cfg, "/nonexistent/provision.conf", err, sizeof err);
        c.core.cfg = &cfg;
        c.core.arena = arena_new();
        if (c.core.arena == NULL)
            abort();
        snprintf(c.core.rid, sizeof c.core.rid, "fuzz000000000000");
    }
    return &c;
}

/* Forgets what one input left in the context. */
static inline void fuzz_ctx_reset(struct ctx *c)
{
    json_object_put(c->input);
    c->input = NULL;
    c->resp.status = 0;
    buf_free(&c->resp.body);
    arena_reset(c->core.arena);
}

#endif
