/* skedulo_file.c: POST /onboarding/provision/standalone/users/file (API.md sections 2 and 5):
 * multipart/form-data with exactly one file part, either a JSON array of users (like the POST
 * body) or CSV with a header row naming at least FirstName, LastName and Email. The file
 * becomes the same array of user objects as a JSON body (skedulo_file_decode.c), then the same
 * envelope checks and background task as POST .../bulk. Never touches SQL. */
#include <stdio.h>

#include "config.h"
#include "ctx.h"
#include "multipart.h"
#include "skedulo.h"
#include "skedulo_int.h"

enum { MAX_PARTS = 16 };

void skedulo_file_post(struct ctx *c)
{
    if (sk_authenticate(c, SK_SCOPE_WRITE) != 0)
        return;
    struct mp_part *parts = NULL;
    size_t nparts = 0, nfiles = 0;
    const struct mp_part *file = NULL;
    char msg[256];
    if (multipart_parse(c->arena, c->req.content_type, c->req.body, c->req.body_len, MAX_PARTS,
                        &parts, &nparts, msg, sizeof msg) != MP_OK) {
        sk_fail_error(c, SK_ERR_BAD_REQUEST, msg);
        return;
    }
    for (size_t i = 0; i < nparts; i++) {
        if (parts[i].filename != NULL) {
            nfiles++;
            file = &parts[i];
        }
    }
    if (nfiles != 1) {
        snprintf(msg, sizeof msg, "Exactly one file part is expected; the request has %zu",
                 nfiles);
        sk_fail_error(c, SK_ERR_BAD_REQUEST, msg);
        return;
    }
    json_object *users = sk_file_users(c, file->data, file->len);
    if (users == NULL)
        return;
    /* owned by the request from here on: released when it ends */
    c->input = users;
    if (json_object_is_type(users, json_type_array) && json_object_array_length(users) == 0) {
        sk_fail_error(c, SK_ERR_BAD_REQUEST, "The file holds no users");
        return;
    }
    users = sk_user_array(c, users, c->cfg->file_max_users);
    if (users == NULL || sk_check_resource_roles(c, users) != 0)
        return;
    sk_start_task(c, users);
}
