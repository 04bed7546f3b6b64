/* ctx.h: the context of one request. Everything in it is zeroed or reset at accept, except the
 * process-lifetime pieces it borrows (configuration, database handle, response buffer). Per-
 * request memory comes from the arena, released when the request ends. The core's share of it
 * (core/core.h) is what a handler hands the domain: &c->core. */
#ifndef PROV_CTX_H
#define PROV_CTX_H

#include <json-c/json.h>

#include "base/io.h"
#include "core/core.h"
#include "http/request.h"
#include "http/response.h"

struct route;
struct tenant;

struct ctx {
    struct core core;            /* arena, configuration, database, request id, after-work */
    struct io io;
    struct request req;
    struct response resp;
    json_object *input;          /* decoded JSON or form body, owned; NULL when none */
    json_object *query;          /* decoded query string, owned; NULL until req_query() */
    const struct route *route;
    const struct tenant *tenant; /* set by authentication (arena) */
};

/* The decoded query string (an empty object when there is none); NULL with msg set when the
 * query is malformed. Owned by the context. */
const json_object *req_query(struct ctx *c, char *msg, size_t msglen);

#endif
