/* skedulo_file.c: POST /onboarding/provision/standalone/users/file (docs/CONTRACT.md sections 2
 * and 5): multipart/form-data with exactly one file part, either a JSON array of users (like the
 * POST body) or CSV with a header row naming at least FirstName, LastName and Email. The file's
 * users come one at a time as the same user objects as a JSON body (skedulo_file_decode.c) and go
 * straight into the task being built: the same envelope checks and background task as POST
 * .../bulk, without a tree of the whole file. Never touches SQL. */
#include <stdio.h>

#include "base/config.h"
#include "codec/multipart.h"
#include "dialect/skedulo/skedulo.h"
#include "dialect/skedulo/skedulo_internal.h"
#include "http/ctx.h"

enum { MAX_PARTS = 16 };

static int add_user(struct ctx *c, json_object *user, size_t index, void *arg)
{
    return sk_task_add(c, arg, user, index);
}

void skedulo_file_post(struct ctx *c)
{
    struct mp_part *parts = NULL;
    size_t nparts = 0, nfiles = 0;
    const struct mp_part *file = NULL;
    char msg[256];
    size_t max_parts = c->core.cfg->multipart_parts < MAX_PARTS ? c->core.cfg->multipart_parts
                                                                : MAX_PARTS;
    if (multipart_parse(c->core.arena, c->req.content_type, c->req.body, c->req.body_len, max_parts,
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
    /* each user becomes the text its task item stores as soon as it is read */
    struct sk_task_build b = { 0 };
    long n = sk_file_each_user(c, file->data, file->len, add_user, &b);
    if (n == 0)
        sk_fail_error(c, SK_ERR_BAD_REQUEST, "The file holds no users");
    if (n <= 0) {
        buf_free(&b.broken);
        return;
    }
    sk_task_start(c, &b);
}
