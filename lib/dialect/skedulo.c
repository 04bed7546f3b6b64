/* skedulo.c: the Skedulo dialect's error envelope {"errorType","message"} (+ "errorId" for
 * 5xx, also logged). The provisioning handlers build on this file. */
#include "dialect.h"

#include <stdio.h>

#include "ctx.h"
#include "log.h"

static const char *error_type(int status)
{
    switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "conflict";
    case 413: return "payload_too_large";
    case 415: return "unsupported_media_type";
    case 503: return "service_unavailable";
    default: return status >= 500 ? "internal_error" : "bad_request";
    }
}

void skedulo_error(struct ctx *c, int status, const char *message)
{
    json_object *o = json_object_new_object();
    if (o == NULL) {
        resp_json(c, 500, NULL);
        return;
    }
    json_object_object_add(o, "errorType", json_object_new_string(error_type(status)));
    if (status >= 500) {
        log_error(c->rid, "skedulo %d: %s", status, message);
        json_object_object_add(o, "message",
                               json_object_new_string(status == 503
                                                          ? "The service is temporarily "
                                                            "unavailable, please retry"
                                                          : "Internal error"));
        json_object_object_add(o, "errorId", json_object_new_string(c->rid));
    } else {
        json_object_object_add(o, "message", json_object_new_string(message));
    }
    resp_json(c, status, o);
}
