/* servicepower.c: the ServicePower error envelope
 * {"code":N,"detail":{"message","params":{"value"},"dataPath"}}. The bulk handler builds on
 * this file. */
#include "dialect.h"

#include <stdio.h>

#include "ctx.h"
#include "log.h"

void servicepower_error(struct ctx *c, int status, const char *message)
{
    char msg[256];
    if (status >= 500) {
        log_error(c->rid, "servicepower %d: %s", status, message);
        snprintf(msg, sizeof msg, "An error has occurred within the service, reference %s",
                 c->rid);
        message = msg;
    }
    json_object *o = json_object_new_object(), *d = json_object_new_object(),
                *p = json_object_new_object();
    if (o == NULL || d == NULL || p == NULL) {
        json_object_put(o);
        json_object_put(d);
        json_object_put(p);
        resp_json(c, 500, NULL);
        return;
    }
    json_object_object_add(p, "value", json_object_new_string(""));
    json_object_object_add(d, "message", json_object_new_string(message));
    json_object_object_add(d, "params", p);
    json_object_object_add(d, "dataPath", json_object_new_string(""));
    json_object_object_add(o, "code", json_object_new_int(status));
    json_object_object_add(o, "detail", d);
    resp_json(c, status, o);
}
