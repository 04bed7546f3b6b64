/* response.h: the response of one request: status, headers and body, written in one piece
 * after the handler returns. Every response carries Content-Type, Cache-Control: no-store and
 * X-Request-Id. Header values are checked for CR/LF so user data can never add a header. */
#ifndef PROV_RESPONSE_H
#define PROV_RESPONSE_H

#include <json-c/json.h>

#include "base/buf.h"

struct ctx;
struct xml_out;

enum { RESP_EXTRA_HEADERS = 1024 };

struct response {
    int status;                 /* 0 until a handler answers */
    const char *content_type;
    struct buf body;            /* process-lifetime buffer, cleared per request */
    char extra[RESP_EXTRA_HEADERS];
    size_t extra_len;
};

/* Adds "name: value". Returns 0, or -1 (header dropped and logged) when value holds CR, LF or
 * NUL or there is no room. */
int resp_header(struct ctx *c, const char *name, const char *value);
/* Sets status and serialises obj as the JSON body. Takes ownership of obj (puts it). */
void resp_json(struct ctx *c, int status, json_object *obj);
/* Sets status and text (one line, a newline added; bytes that are not UTF-8 replaced) as a
 * text/plain body: the answer where no dialect speaks. */
void resp_text(struct ctx *c, int status, const char *text);
/* Sets status and the finished XML document as the body. Frees x. */
void resp_xml(struct ctx *c, int status, struct xml_out *x);
/* The standard reason phrase for a status. */
const char *resp_reason(int status);
/* Writes the status line, headers and body to the client. Returns 0 or -1. */
int resp_send(struct ctx *c);

#endif
