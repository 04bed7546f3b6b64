/* skedulo_status.c: GET /onboarding/provision/standalone/users/bulk/{taskId} (seed 000): the
 * task and one entry per submitted user, in submission order, exactly the seed's shape plus
 * "userId" for each created user. The taskId is the task's number, looked up within the
 * caller's tenant only (lib/base/pubid.h): an unknown number and another tenant's task are the same
 * 404. Never touches SQL. */
#include <string.h>

#include "base/valid.h"
#include "codec/json_out.h"
#include "core/tasks.h"
#include "core/tenants.h"
#include "core/users_import.h"
#include "dialect/skedulo/skedulo.h"
#include "dialect/skedulo/skedulo_internal.h"
#include "http/ctx.h"
#include "http/dialect.h"
#include "http/route.h"

void skedulo_task_status(struct ctx *c)
{
    char seg[32];
    long long id = 0;
    if (route_param(c->route->pattern, c->req.path, 0, seg, sizeof seg) != 0 ||
        !parse_digits(seg, strlen(seg), &id) || id <= 0) {
        sk_fail_error(c, SK_ERR_TASK_NOT_FOUND, NULL);
        return;
    }
    struct task_info ti;
    struct task_item_view *items = NULL;
    size_t n = 0;
    switch (tasks_get(&c->core, c->tenant->id, id, &ti, &items, &n)) {
    case TASKS_OK:
        break;
    case TASKS_NOT_FOUND:
        sk_fail_error(c, SK_ERR_TASK_NOT_FOUND, NULL);
        return;
    case TASKS_DB_UNAVAILABLE:
        dialect_unavailable(c);
        return;
    default:
        sk_fail_error(c, SK_ERR_INTERNAL, "reading the task failed");
        return;
    }
    json_object *o = json_object_new_object(), *r = json_object_new_object(),
                *users = json_object_new_array_ext((int)n);
    /* each add takes its value, and releases it when it fails */
    int bad = jo_add(r, "task", sk_task_json(&ti));
    for (size_t i = 0; i < n && !bad; i++) {
        json_object *u = json_object_new_object();
        bad |= jo_str(u, "email", items[i].email) || jo_int(u, "taskId", ti.number) ||
               jo_str(u, "firstName", items[i].first_name) ||
               jo_str(u, "lastName", items[i].last_name) ||
               jo_bool(u, "success", items[i].success) ||
               jo_str(u, "errorMsg", items[i].error_msg);
        if (items[i].success && items[i].user_oid != NULL)
            bad |= jo_str(u, "userId", items[i].user_oid);
        bad |= ja_add(users, u);
    }
    bad |= jo_add(r, "users", users);
    bad |= jo_add(o, "result", r);
    if (sk_send(c, o, bad) != 0)
        return;
    users_import_resume_if_stale(&c->core);
}
