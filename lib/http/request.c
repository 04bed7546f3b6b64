/* request.c: CGI parameters into struct request (copied into the arena so they outlive the
 * FastCGI request record), and the bounded body read. */
#include "http/request.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/io.h"
#include "http/ctx.h"

static const char *param_copy(struct ctx *c, const char *name)
{
    const char *v = io_param(&c->io, name);
    return arena_strdup(c->core.arena, v != NULL ? v : "");
}

/* The path of a REQUEST_URI: without query or fragment, and without scheme and authority when
 * the client sent an absolute URI. */
static const char *uri_path(struct ctx *c, const char *uri)
{
    if (strncasecmp(uri, "http://", 7) == 0 || strncasecmp(uri, "https://", 8) == 0) {
        const char *p = strstr(uri, "//") + 2;
        p += strcspn(p, "/?#");
        uri = p;
    }
    return arena_strndup(c->core.arena, uri, strcspn(uri, "?#"));
}

/* The media type of a Content-Type value (case-insensitive), MEDIA_OTHER when its charset,
 * present, is not UTF-8. What req_init stores as r->media. */
static enum media_type req_media_type(const char *ct)
{
    if (ct == NULL)
        return MEDIA_NONE;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (*ct == '\0')
        return MEDIA_NONE;
    size_t n = strcspn(ct, "; \t");
    enum media_type m = MEDIA_OTHER;
    if (n == 16 && strncasecmp(ct, "application/json", n) == 0)
        m = MEDIA_JSON;
    else if (n == 33 && strncasecmp(ct, "application/x-www-form-urlencoded", n) == 0)
        m = MEDIA_FORM;
    else if (n == 19 && strncasecmp(ct, "multipart/form-data", n) == 0)
        return MEDIA_MULTIPART;   /* its charset parameter does not concern the body */
    if (m == MEDIA_OTHER)
        return m;
    /* parameters: only a UTF-8 charset (or none) is acceptable */
    const char *p = ct + n;
    while ((p = strchr(p, ';')) != NULL) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "charset=", 8) != 0)
            continue;
        p += 8;
        size_t vlen = strcspn(p, "; \t");
        const char *v = p;
        if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
            v++;
            vlen -= 2;
        }
        if (!((vlen == 5 && strncasecmp(v, "utf-8", 5) == 0) ||
              (vlen == 4 && strncasecmp(v, "utf8", 4) == 0)))
            return MEDIA_OTHER;
    }
    return m;
}

void req_init(struct ctx *c)
{
    struct request *r = &c->req;
    memset(r, 0, sizeof *r);
    r->method = param_copy(c, "REQUEST_METHOD");
    r->query = param_copy(c, "QUERY_STRING");
    r->remote_addr = param_copy(c, "REMOTE_ADDR");
    const char *ct = io_param(&c->io, "CONTENT_TYPE");
    r->content_type = ct != NULL ? arena_strdup(c->core.arena, ct) : NULL;
    r->media = req_media_type(ct);
    const char *uri = io_param(&c->io, "REQUEST_URI");
    if (uri != NULL && *uri != '\0') {
        r->path = uri_path(c, uri);
    } else {
        const char *sn = io_param(&c->io, "SCRIPT_NAME"), *pi = io_param(&c->io, "PATH_INFO");
        r->path = arena_printf(c->core.arena, "%s%s", sn ? sn : "", pi ? pi : "");
    }
    if (r->method == NULL || r->query == NULL || r->path == NULL || r->remote_addr == NULL) {
        /* out of memory: leave harmless empty values, the handler will fail to allocate too */
        r->method = r->method ? r->method : "";
        r->query = r->query ? r->query : "";
        r->path = r->path ? r->path : "";
        r->remote_addr = r->remote_addr ? r->remote_addr : "";
    }
}

const char *req_header(const struct ctx *c, const char *name)
{
    char var[128];
    size_t o = (size_t)snprintf(var, sizeof var, "HTTP_");
    for (const char *p = name; *p != '\0'; p++) {
        if (o + 1 >= sizeof var)
            return NULL;
        var[o++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    }
    var[o] = '\0';
    return io_param(&c->io, var);
}

static enum req_status read_exact(struct ctx *c, size_t len)
{
    char *body = arena_alloc(c->core.arena, len + 1);
    if (body == NULL)
        return REQ_NOMEM;
    size_t got = 0;
    while (got < len) {
        long n = io_read(&c->io, body + got, len - got);
        if (n < 0)
            return REQ_IO;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    if (got < len)
        return REQ_TRUNCATED;
    body[len] = '\0';
    c->req.body = body;
    c->req.body_len = len;
    return REQ_OK;
}

/* No CONTENT_LENGTH: read to end of input, but never more than the limit. */
static enum req_status read_to_eof(struct ctx *c, size_t max)
{
    struct buf b = { 0 };
    enum req_status st = REQ_OK;
    char chunk[16384];
    for (;;) {
        long n = io_read(&c->io, chunk, sizeof chunk);
        if (n < 0) {
            st = REQ_IO;
            goto done;
        }
        if (n == 0)
            break;
        if (b.len + (size_t)n > max) {
            st = REQ_TOO_LARGE;
            goto done;
        }
        if (buf_append(&b, chunk, (size_t)n) != 0) {
            st = REQ_NOMEM;
            goto done;
        }
    }
    c->req.body = arena_strndup(c->core.arena, b.data ? b.data : "", b.len);
    c->req.body_len = b.len;
    if (c->req.body == NULL)
        st = REQ_NOMEM;
done:
    buf_free(&b);
    return st;
}

/* CONTENT_LENGTH against the limit; *known is 0 when the header is absent (read to EOF). */
static enum req_status content_length(struct ctx *c, size_t *len, int *known)
{
    size_t max = c->core.cfg->body_max;
    const char *cl = io_param(&c->io, "CONTENT_LENGTH");
    *len = 0;
    *known = cl != NULL && *cl != '\0';
    if (!*known)
        return REQ_OK;
    for (const char *p = cl; *p != '\0'; p++) {
        if (!isdigit((unsigned char)*p))
            return REQ_BAD_LENGTH;
        if (*len > (max + 1) / 10 + 1) {
            /* far past the limit: stop before the arithmetic could overflow */
            return REQ_TOO_LARGE;
        }
        *len = *len * 10 + (size_t)(*p - '0');
    }
    return *len > max ? REQ_TOO_LARGE : REQ_OK;
}

enum req_status req_check_length(struct ctx *c)
{
    size_t len;
    int known;
    return content_length(c, &len, &known);
}

enum req_status req_read_body(struct ctx *c)
{
    size_t len;
    int known;
    enum req_status st = content_length(c, &len, &known);
    if (st != REQ_OK)
        return st;
    return known ? read_exact(c, len) : read_to_eof(c, c->core.cfg->body_max);
}
