/* response.c: serialising a response (JSON with json-c, XML via xml_out) and writing it out
 * with the headers every answer carries. A JSON answer is always UTF-8, whatever its strings
 * held. Owns nothing beyond the request: the body buffer is process state that app.c clears
 * between requests. */
#include "http/response.h"

#include <stdio.h>
#include <string.h>

#include "base/io.h"
#include "base/log.h"
#include "base/utf8.h"
#include "codec/xml_out.h"
#include "http/ctx.h"

const char *resp_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

int resp_header(struct ctx *c, const char *name, const char *value)
{
    struct response *r = &c->resp;
    if (strpbrk(value, "\r\n") != NULL || strpbrk(name, "\r\n: ") != NULL) {
        log_error(c->core.rid, "response header %s dropped: line break in value", name);
        return -1;
    }
    int n = snprintf(r->extra + r->extra_len, sizeof r->extra - r->extra_len, "%s: %s\r\n",
                     name, value);
    if (n < 0 || (size_t)n >= sizeof r->extra - r->extra_len) {
        r->extra[r->extra_len] = '\0';
        log_error(c->core.rid, "response header %s dropped: no room", name);
        return -1;
    }
    r->extra_len += (size_t)n;
    return 0;
}

static void resp_fallback(struct ctx *c)
{
    /* serialisation ran out of memory: a minimal answer that needs no allocation */
    buf_clear(&c->resp.body);
    c->resp.status = 500;
    c->resp.content_type = "text/plain; charset=utf-8";
    log_error(c->core.rid, "response: out of memory while serialising");
}

/* Appends the n bytes at s with every byte that does not start a well-formed UTF-8 sequence
 * written as U+FFFD. json-c copies string bytes through unchecked; our strings are validated
 * UTF-8, but a message may quote a header (a Content-Type) that is not, and a JSON text must
 * be UTF-8 (RFC 8259 section 8.1). Outside strings json-c writes ASCII only, so the document
 * keeps its structure. */
static int append_utf8(struct buf *b, const char *s, size_t n)
{
    return buf_append_utf8(b, s, n, 0);
}

void resp_json(struct ctx *c, int status, json_object *obj)
{
    buf_clear(&c->resp.body);
    if (obj == NULL) {
        resp_fallback(c);
        return;
    }
    size_t len = 0;
    const char *s = json_object_to_json_string_length(
        obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    if (s == NULL || append_utf8(&c->resp.body, s, len) != 0) {
        json_object_put(obj);
        resp_fallback(c);
        return;
    }
    json_object_put(obj);
    c->resp.status = status;
    c->resp.content_type = "application/json; charset=utf-8";
}

void resp_text(struct ctx *c, int status, const char *text)
{
    buf_clear(&c->resp.body);
    if (append_utf8(&c->resp.body, text, strlen(text)) != 0 ||
        buf_append(&c->resp.body, "\n", 1) != 0) {
        resp_fallback(c);
        return;
    }
    c->resp.status = status;
    c->resp.content_type = "text/plain; charset=utf-8";
}

void resp_xml(struct ctx *c, int status, struct xml_out *x)
{
    buf_clear(&c->resp.body);
    if (x == NULL || xml_out_finish(x, &c->resp.body) != 0) {
        xml_out_free(x);
        resp_fallback(c);
        return;
    }
    xml_out_free(x);
    c->resp.status = status;
    c->resp.content_type = "application/xml; charset=utf-8";
}

int resp_send(struct ctx *c)
{
    struct response *r = &c->resp;
    char head[RESP_EXTRA_HEADERS + 512];
    int n = snprintf(head, sizeof head,
                     "Status: %d %s\r\nContent-Type: %s\r\nCache-Control: no-store\r\n"
                     "X-Request-Id: %s\r\nContent-Length: %lu\r\n%s\r\n",
                     r->status, resp_reason(r->status),
                     r->content_type ? r->content_type : "text/plain; charset=utf-8", c->core.rid,
                     (unsigned long)r->body.len, r->extra);
    if (n < 0 || (size_t)n >= sizeof head)
        return -1;
    if (io_write(&c->io, head, (size_t)n) != 0)
        return -1;
    if (r->body.len > 0 && io_write(&c->io, r->body.data, r->body.len) != 0)
        return -1;
    return 0;
}
