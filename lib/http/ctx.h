/* ctx.h: the context of one request. Everything in it is zeroed or reset at accept, except the
 * process-lifetime pieces it borrows (configuration, database handle, response buffer). Per-
 * request memory comes from the arena, released when the request ends. */
#ifndef PROV_CTX_H
#define PROV_CTX_H

#include <json-c/json.h>

#include "base/io.h"
#include "http/request.h"
#include "http/response.h"

struct arena;
struct config;
struct db;
struct route;
struct tenant;

enum { CTX_MAX_DEFERRED = 4, REQUEST_ID_LEN = 16 };

typedef void (*deferred_fn)(struct ctx *c, void *arg);

struct ctx {
    struct arena *arena;
    const struct config *cfg;
    struct db *db;
    struct io io;
    struct request req;
    struct response resp;
    json_object *input;          /* decoded JSON or form body, owned; NULL when none */
    json_object *query;          /* decoded query string, owned; NULL until req_query() */
    const struct route *route;
    const struct tenant *tenant; /* set by authentication (arena) */
    char rid[REQUEST_ID_LEN + 1];
    struct {
        deferred_fn fn;
        void *arg;
        int detached;
        int (*take)(struct ctx *c, void *arg);   /* ctx_defer_worker's slot, else NULL */
    } deferred[CTX_MAX_DEFERRED];
    unsigned ndeferred;
};

/* Runs fn(c, arg) in this process after the response has been sent to the client and before
 * the arena is reset. For short work only (a few mails): the process accepts no request until
 * fn returns. Returns 0, or -1 when the queue is full. */
int ctx_defer(struct ctx *c, deferred_fn fn, void *arg);
/* Runs fn(c, arg) after the response has been sent, in a detached grandchild process (double
 * fork: nothing to reap, no zombie) with its own database connection (c->db is replaced; the
 * parent's connection is never touched), no client or listening socket, stderr kept for logs.
 * The arena and request data are the parent's copy. For long work (bulk imports): the FastCGI
 * process goes straight back to accepting. If the fork fails, fn is not run: work that must
 * happen has to be recoverable from the database (a stale task is resumed by another worker).
 * Returns 0, or -1 when the queue is full. */
int ctx_defer_detached(struct ctx *c, deferred_fn fn, void *arg);
/* Like ctx_defer_detached, for a worker that must hold one of a bounded set of slots (task
 * workers, lib/core/task_slots.h): after the response, take(c, arg) runs in this process and returns
 * the descriptor that holds a free slot, or -1 when none is free (or it logged an error); then
 * nothing is forked and no connection is opened. The worker inherits the descriptor, and this
 * process closes its own copy as soon as the worker is forked (or the fork failed): the slot is
 * the worker's alone from then on, and the kernel frees it when the worker ends, however it
 * ends. Returns 0, or -1 when the queue is full. */
int ctx_defer_worker(struct ctx *c, deferred_fn fn, int (*take)(struct ctx *c, void *arg),
                     void *arg);
/* The decoded query string (an empty object when there is none); NULL with msg set when the
 * query is malformed. Owned by the context. */
const json_object *req_query(struct ctx *c, char *msg, size_t msglen);

#endif
