/* skedulo_status.c: GET /onboarding/provision/standalone/users/bulk/{taskId} (seed 000): the
 * task and one entry per submitted user, in submission order, exactly the seed's shape plus
 * "userId" for each created user. The taskId is the task's number, looked up within the
 * caller's tenant only (lib/base/pubid.h): an unknown number and another tenant's task are the same
 * 404. Never touches SQL. */
#include <string.h>

#include "base/valid.h"
#include "core/tasks.h"
#include "core/tenants.h"
#include "core/users_import.h"
#include "dialect/skedulo/skedulo.h"
#include "dialect/skedulo/skedulo_internal.h"
#include "http/ctx.h"
#include "http/route.h"

static json_object *opt_string(const char *s)
{
    return s != NULL ? json_object_new_string(s) : NULL;
}

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
        sk_fail_error(c, SK_ERR_DB, NULL);
        return;
    default:
        sk_fail_error(c, SK_ERR_INTERNAL, "reading the task failed");
        return;
    }
    json_object *o = json_object_new_object(), *r = json_object_new_object(),
                *task = sk_task_json(&ti), *users = json_object_new_array_ext((int)n);
    if (o == NULL || r == NULL || task == NULL || users == NULL) {
        json_object_put(o);
        json_object_put(r);
        json_object_put(task);
        json_object_put(users);
        sk_fail_error(c, SK_ERR_INTERNAL, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_object *u = json_object_new_object();
        json_object_object_add(u, "email", opt_string(items[i].email));
        json_object_object_add(u, "taskId", json_object_new_int64(ti.number));
        json_object_object_add(u, "firstName", opt_string(items[i].first_name));
        json_object_object_add(u, "lastName", opt_string(items[i].last_name));
        json_object_object_add(u, "success", json_object_new_boolean(items[i].success));
        json_object_object_add(u, "errorMsg", opt_string(items[i].error_msg));
        if (items[i].success && items[i].user_oid != NULL)
            json_object_object_add(u, "userId", json_object_new_string(items[i].user_oid));
        json_object_array_add(users, u);
    }
    json_object_object_add(r, "task", task);
    json_object_object_add(r, "users", users);
    json_object_object_add(o, "result", r);
    resp_json(c, 200, o);
    users_import_resume_if_stale(&c->core);
}
