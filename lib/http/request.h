/* request.h: what the web server told us about one request, and its body read under hard
 * limits. CONTENT_LENGTH is validated before anything is allocated, the bytes read are checked
 * against it, and a body over the limit is refused without being read. */
#ifndef PROV_REQUEST_H
#define PROV_REQUEST_H

#include <stddef.h>

struct ctx;

enum media_type {
    MEDIA_NONE = 0,      /* no Content-Type */
    MEDIA_JSON,          /* application/json */
    MEDIA_FORM,          /* application/x-www-form-urlencoded */
    MEDIA_MULTIPART,     /* multipart/form-data */
    MEDIA_OTHER          /* anything else, or a charset other than UTF-8 */
};

struct request {
    const char *method;        /* REQUEST_METHOD, "" when missing */
    const char *path;          /* the request path without query (arena) */
    const char *query;         /* QUERY_STRING, "" when missing */
    const char *content_type;  /* raw CONTENT_TYPE header, NULL when missing */
    enum media_type media;
    const char *body;          /* arena; NULL until req_read_body */
    size_t body_len;
    const char *remote_addr;
};

enum req_status {
    REQ_OK = 0,
    REQ_TOO_LARGE,     /* CONTENT_LENGTH (or the bytes sent) over the body limit: 413 */
    REQ_BAD_LENGTH,    /* CONTENT_LENGTH not a plain decimal number: 400 */
    REQ_TRUNCATED,     /* fewer bytes than CONTENT_LENGTH: 400 */
    REQ_NOMEM,
    REQ_IO
};

/* Fills c->req from the CGI parameters (method, path, query, content type). The path is
 * REQUEST_URI without its query when the server sets it (it is the URL the client used, also
 * behind rewrite rules), else SCRIPT_NAME + PATH_INFO. */
void req_init(struct ctx *c);
/* Reads the body into the arena under c->cfg->body_max. */
enum req_status req_read_body(struct ctx *c);
/* What CONTENT_LENGTH alone says, before a byte of the body is read: REQ_OK (also when the
 * header is absent: the read then stops at the limit), REQ_TOO_LARGE or REQ_BAD_LENGTH. */
enum req_status req_check_length(struct ctx *c);
/* An HTTP request header (e.g. "Authorization", "x-access-token", "key"), or NULL. */
const char *req_header(const struct ctx *c, const char *name);

#endif
