/* app.c: the request lifecycle. accept -> reset the context -> route (404/405) -> check media
 * type (415) and Content-Length (413/400) -> the route's authentication step (401...) -> read
 * the body under limits (413/400) -> decode JSON or form under their value caps (413/400) ->
 * handler -> send -> log -> finish the request -> deferred work -> release everything the
 * request took. Nothing of a body is read or decoded before the credential outside it is
 * checked.
 * Process state (config, db handle, arena, response buffer) lives here and nowhere else; on
 * SIGTERM the loop ends after the current request and all of it is freed. */
#include "http/app.h"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "codec/form.h"
#include "codec/json_in.h"
#include "core/core.h"
#include "core/tenants.h"
#include "http/ctx.h"

extern char **environ;

const json_object *req_query(struct ctx *c, char *msg, size_t msglen)
{
    if (c->query != NULL)
        return c->query;
    if (form_decode_max(c->req.query, strlen(c->req.query), c->core.cfg->form_fields, &c->query,
                        msg, msglen) != FORM_OK)
        return NULL;
    return c->query;
}

/* SIGTERM (how lighttpd and mod_fcgid stop their FastCGI processes) ends the accept loop once
 * the current request is done, so the process frees what it holds and exits normally (and a
 * sanitizer build runs its leak check) instead of dying in accept(). Without SA_RESTART the
 * signal interrupts a waiting accept(); libfcgi then sees the pending shutdown and returns. */
static void on_sigterm(int sig)
{
    (void)sig;
    FCGX_ShutdownPending();
}

static void stop_on_sigterm(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigterm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int method_has_body(const char *m)
{
    return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0;
}

static int media_accepted(enum media_type m, unsigned accept)
{
    switch (m) {
    case MEDIA_JSON: return (accept & ACCEPT_JSON) != 0;
    case MEDIA_FORM: return (accept & ACCEPT_FORM) != 0;
    case MEDIA_MULTIPART: return (accept & ACCEPT_MULTIPART) != 0;
    default: return 0;
    }
}

static void answer_read_error(struct ctx *c, enum req_status st)
{
    const struct dialect *d = c->route->dialect;
    char msg[128];
    switch (st) {
    case REQ_OK:
        return;
    case REQ_TOO_LARGE:
        snprintf(msg, sizeof msg, "Request body larger than the limit of %lu bytes",
                 (unsigned long)c->core.cfg->body_max);
        dialect_error(c, d, 413, msg);
        return;
    case REQ_BAD_LENGTH:
        dialect_error(c, d, 400, "Invalid Content-Length");
        return;
    case REQ_TRUNCATED:
        dialect_error(c, d, 400, "Request body shorter than its Content-Length");
        return;
    case REQ_NOMEM:
    case REQ_IO:
        dialect_error(c, d, 500, "cannot read the request body");
        return;
    }
}

/* What the headers alone decide about the body: its media type (415) and its announced
 * length (413/400). Answers and returns -1 when the request is refused. */
static int check_body_headers(struct ctx *c)
{
    const struct route *rt = c->route;
    char msg[256];
    if (!media_accepted(c->req.media, rt->accept)) {
        /* no Content-Type and no body at all: let the handler report the missing fields */
        const char *cl = io_param(&c->io, "CONTENT_LENGTH");
        int empty = c->req.media == MEDIA_NONE && (cl == NULL || strcmp(cl, "0") == 0 ||
                                                   *cl == '\0');
        if (!empty || !(rt->accept & (ACCEPT_FORM | ACCEPT_JSON))) {
            snprintf(msg, sizeof msg, "Unsupported Content-Type%s%s",
                     c->req.content_type ? ": " : "",
                     c->req.content_type ? c->req.content_type : " (none given)");
            dialect_error(c, rt->dialect, 415, msg);
            return -1;
        }
    }
    enum req_status st = req_check_length(c);
    if (st != REQ_OK) {
        answer_read_error(c, st);
        return -1;
    }
    return 0;
}

/* Reads the body's bytes (bounded by the length checked before); answers the error itself
 * and returns -1 when it cannot. */
static int read_body(struct ctx *c)
{
    enum req_status st = req_read_body(c);
    if (st != REQ_OK) {
        answer_read_error(c, st);
        return -1;
    }
    return 0;
}

/* Decodes the body read; answers the error itself and returns -1 when it cannot. */
static int decode_body(struct ctx *c)
{
    const struct route *rt = c->route;
    char msg[256];
    if (c->req.media == MEDIA_JSON && (rt->accept & ACCEPT_JSON_WALKED))
        return 0;   /* the handler walks it (route.h) */
    if (c->req.media == MEDIA_JSON) {
        enum json_in_status js = json_in_parse(c->req.body, c->req.body_len,
                                               c->core.cfg->json_max_depth, &c->input, msg,
                                               sizeof msg);
        if (js != JSON_IN_OK) {
            dialect_error(c, rt->dialect,
                          js == JSON_IN_TOO_MANY ? dialect_too_many_status(rt->dialect) : 400,
                          msg);
            return -1;
        }
    } else if (c->req.media == MEDIA_FORM || c->req.media == MEDIA_NONE) {
        enum form_status fs = form_decode_max(c->req.body, c->req.body_len,
                                              c->core.cfg->form_fields, &c->input, msg, sizeof msg);
        if (fs != FORM_OK) {
            dialect_error(c, rt->dialect,
                          fs == FORM_TOO_LARGE ? dialect_too_many_status(rt->dialect) : 400,
                          msg);
            return -1;
        }
    }
    return 0;
}

static void dispatch(struct ctx *c, const struct route *routes, size_t nroutes)
{
    char allow[64];
    const struct route *rt = NULL;
    enum route_status rs = route_find(routes, nroutes, c->req.method, c->req.path, &rt, allow,
                                      sizeof allow);
    /* an empty table has no dialect to speak for it: dialect_error answers in plain text */
    const struct dialect *d = rt != NULL ? rt->dialect : NULL;
    if (rs == ROUTE_NOT_FOUND) {
        dialect_error(c, d, 404, "No such resource");
        return;
    }
    if (rs == ROUTE_BAD_METHOD) {
        char msg[128];
        snprintf(msg, sizeof msg, "Method %s is not allowed here; allowed: %s",
                 c->req.method[0] ? c->req.method : "(none)", allow);
        resp_header(c, "Allow", allow);
        dialect_error(c, d, 405, msg);
        return;
    }
    c->route = rt;
    int has_body = method_has_body(c->req.method);
    if (has_body && check_body_headers(c) != 0)
        return;
    /* Under FastCGI the web server has received the whole body before it involves us
     * (docs/DEPLOY.md), so the credential is checked before a byte of it is read. Plain CGI
     * hands the body over as the client sends it: there the raw bytes (bounded by the length
     * checked above) are read first, so that a slow client never holds a database connection
     * open while it trickles; they are still not decoded before the credential is checked. */
    int cgi = c->io.fcgx == NULL;
    if (has_body && cgi && read_body(c) != 0)
        return;
    int (*authenticate)(struct ctx *c) =
        rt->authenticate != NULL ? rt->authenticate : d != NULL ? d->authenticate : NULL;
    if (authenticate != NULL && authenticate(c) != 0)
        return;
    if (has_body && ((!cgi && read_body(c) != 0) || decode_body(c) != 0))
        return;
    rt->handler(c);
    if (c->resp.status == 0) {
        log_error(c->core.rid, "handler for %s %s gave no answer", rt->method, rt->pattern);
        dialect_error(c, d, 500, "no answer");
    }
}

/* Resets the per-request state. The response buffer keeps its memory across requests. */
static void ctx_begin(struct ctx *c)
{
    c->input = NULL;
    c->query = NULL;
    c->route = NULL;
    c->tenant = NULL;
    c->resp.status = 0;
    c->resp.content_type = NULL;
    c->resp.extra[0] = '\0';
    c->resp.extra_len = 0;
    buf_clear(&c->resp.body);
    /* what this request's JSON decoding may build in all (json_in.h) */
    json_in_set_allowance(c->core.cfg->json_values);
    core_begin(&c->core, NULL);
}

static void ctx_end(struct ctx *c)
{
    core_end(&c->core);
    json_object_put(c->input);
    json_object_put(c->query);
    c->input = c->query = NULL;
    c->tenant = NULL;
    /* a request that took over 1 MiB of arena (a bulk of thousands of users) also left its
     * parsed body's worth of freed malloc memory: glibc keeps the lot mapped (113 MiB per
     * bulk_users process after a 50 000-user POST, bench/), so it is handed back below */
    int big = arena_used(c->core.arena) > (1u << 20);
    arena_reset(c->core.arena);
    /* a very large response should not pin its memory for the life of the process */
    if (c->resp.body.cap > (1u << 20)) {
        buf_free(&c->resp.body);
        big = 1;
    }
    if (big)
        malloc_trim(0);
}

static void serve_one(struct ctx *c, const struct route *routes, size_t nroutes,
                      FCGX_Request *fr)
{
    double t0 = now_ms();
    ctx_begin(c);
    req_init(c);
    dispatch(c, routes, nroutes);
    resp_send(c);
    struct log_request lr = {
        .request_id = c->core.rid,
        .tenant = c->tenant ? c->tenant->oid : NULL,
        .method = c->req.method,
        .path = c->req.path,
        .status = c->resp.status,
        .duration_ms = now_ms() - t0,
    };
    log_request(&lr);
    /* let the client have its answer before any background work */
    if (fr != NULL) {
        /* a body left unread (refused before it was needed) would be taken for the next
         * request on a connection the web server keeps open: drop it unread into a small
         * buffer. Without keep-alive libfcgi discards it when it closes the connection. */
        if (fr->keepConnection) {
            char sink[4096];
            FCGX_FFlush(fr->out);
            while (FCGX_GetStr(sink, sizeof sink, fr->in) > 0)
                ;
        }
        FCGX_Finish_r(fr);
    } else {
        fflush(stdout);
        close(STDOUT_FILENO);
        /* Apache's mod_cgi sends nothing to the client until the program's stderr is closed
         * too (it reads stderr to its end for the error log): when work remains after the
         * answer, it and its background children log nowhere rather than hold the client. */
        if (c->core.nafter > 0) {
            int devnull = open("/dev/null", O_WRONLY);
            if (devnull >= 0) {
                dup2(devnull, STDERR_FILENO);
                if (devnull != STDERR_FILENO)
                    close(devnull);
            }
        }
    }
    c->io.envp = NULL;
    c->io.fcgx = NULL;
    /* background work decodes what the request has already checked (stored task items) */
    json_in_set_allowance(SIZE_MAX);
    core_run_after(&c->core);
    ctx_end(c);
}

int app_main(const char *name, const struct route *routes, size_t nroutes)
{
    struct config cfg;
    char err[256];
    int rc = 1;
    struct ctx c;

    memset(&c, 0, sizeof c);
    log_set_program(name);
    signal(SIGPIPE, SIG_IGN);
    enum config_status cs = config_load(&cfg, NULL, err, sizeof err);
    if (cs == CONFIG_BAD) {
        log_error(NULL, "configuration: %s", err);
        goto done;
    }
    if (cs == CONFIG_NO_FILE)
        log_error(NULL, "configuration: %s (using defaults)", err);
    if (core_open(&c.core, &cfg) != 0)
        goto done;

    if (FCGX_IsCGI()) {
        c.io.envp = environ;
        serve_one(&c, routes, nroutes, NULL);
        rc = 0;
        goto done;
    }
    if (FCGX_Init() != 0)
        goto done;
    FCGX_Request fr;
    if (FCGX_InitRequest(&fr, 0, 0) != 0)
        goto done;
    stop_on_sigterm();
    while (FCGX_Accept_r(&fr) >= 0) {
        c.io.fcgx = &fr;
        c.io.envp = fr.envp;
        serve_one(&c, routes, nroutes, &fr);
    }
    FCGX_Free(&fr, 1);
    rc = 0;
done:
    buf_free(&c.resp.body);
    core_close(&c.core);
    config_free(&cfg);
    return rc;
}
