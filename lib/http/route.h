/* route.h: each executable's route table, (method, path pattern) -> handler (and the
 * authentication step the lifecycle runs before the body is read), and the lookup that tells
 * 404 (no such path) from 405 (path known, method not) with its Allow list.
 * A pattern segment "{}" matches one non-empty path segment (e.g. a task id). */
#ifndef PROV_ROUTE_H
#define PROV_ROUTE_H

#include <stddef.h>

#include "http/dialect.h"

struct ctx;

enum accept_bits {
    ACCEPT_JSON = 1,
    ACCEPT_FORM = 2,
    ACCEPT_MULTIPART = 4,
    /* with ACCEPT_JSON: a JSON body is left undecoded (c->req.body) for the handler, which
     * walks it one part at a time (a batch of users one user at a time, json_in.h) */
    ACCEPT_JSON_WALKED = 8
};

struct route {
    const char *method;
    const char *pattern;
    const struct dialect *dialect;   /* who answers for it */
    unsigned accept;                 /* body media types taken; 0 for methods without body */
    void (*handler)(struct ctx *c);
    /* Checks the credential the request carries outside its body (a header, the query) and
     * sets c->tenant: 0, or -1 after answering (401, 403, 503...). The lifecycle runs it after
     * the checks the headers alone decide (404/405, 415, 413 by Content-Length) and before a
     * byte of the body is read, so an unauthenticated body costs neither memory nor decoding.
     * NULL: the dialect's own step (its descriptor's authenticate), which is NULL when the
     * credential is inside the body (Xtracta's api_key: the body's decoding is bounded
     * instead) or when the route needs none (the join page). */
    int (*authenticate)(struct ctx *c);
};

enum route_status { ROUTE_OK = 0, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD };

/* Finds the route for method and path. ROUTE_OK sets *found. ROUTE_BAD_METHOD writes the
 * allowed methods ("POST, PATCH") into allow (size allowlen) and sets *found to a route of that
 * path (for its dialect). ROUTE_NOT_FOUND sets *found to the route whose pattern shares the
 * longest prefix with path, so the 404 speaks the most likely dialect. */
enum route_status route_find(const struct route *routes, size_t n, const char *method,
                             const char *path, const struct route **found, char *allow,
                             size_t allowlen);
/* 1 when path matches pattern. */
int route_match(const char *pattern, const char *path);
/* The i-th "{}" segment of path under pattern, copied into out (size outlen); 0 or -1. */
int route_param(const char *pattern, const char *path, unsigned i, char *out, size_t outlen);

#endif
