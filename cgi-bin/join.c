/* join.c: the executable behind GET and POST /urac/join, the set-password page every mailed
 * link (set_password and invitation mails of all dialects) opens. Its own executable rather
 * than a route of add_user: it serves browsers, not API clients, needs no credential, and can
 * be given its own process pool, limits and access-log format in the web server. Errors of the
 * framework level (an unknown path or method) answer in the SOAJS format, the prefix's owner. */
#include "dialect/join/join_page.h"
#include "dialect/soajs/soajs.h"
#include "http/app.h"
#include "http/dialect.h"

/* The pages' own descriptor: no credential step (the link's token is the credential, checked
 * by the handler; the form's size is bounded), the framework's errors in SOAJS's envelope. */
static const struct dialect join_dialect = {
    .name = "join",
    .error = soajs_error,
    .too_many_status = 413,
};

static const struct route routes[] = {
    { "GET", "/urac/join", &join_dialect, 0, join_get, NULL },
    { "POST", "/urac/join", &join_dialect, ACCEPT_FORM, join_post, NULL },
};

int main(void)
{
    return app_main("join", routes, sizeof routes / sizeof routes[0]);
}
