/* test_request.c: request reading: the path from REQUEST_URI or SCRIPT_NAME + PATH_INFO,
 * media types and charsets, header lookup, and the body read under limits (plain-CGI stdin). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/config.h"
#include "http/ctx.h"
#include "http/request.h"

struct fixture {
    struct ctx c;
    struct config cfg;
};

static int setup(void **state)
{
    static struct fixture f;
    char err[128];
    memset(&f, 0, sizeof f);
    config_load(&f.cfg, "/nonexistent/provision.conf", err, sizeof err);
    f.cfg.body_max = 16;
    f.c.core.cfg = &f.cfg;
    f.c.core.arena = arena_new();
    *state = &f;
    return f.c.core.arena == NULL;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    arena_free(f->c.core.arena);
    config_free(&f->cfg);
    return 0;
}

static void with_env(struct ctx *c, char **envp)
{
    c->io.envp = envp;
    c->io.fcgx = NULL;
    req_init(c);
}

static void test_path_from_request_uri(void **state)
{
    struct ctx *c = &((struct fixture *)*state)->c;
    char *env1[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/urac/admin/addUser?tId=1&tCode=X",
                     "QUERY_STRING=tId=1&tCode=X", "SCRIPT_NAME=/cgi-bin/add_user.cgi", NULL };
    with_env(c, env1);
    assert_string_equal(c->req.method, "POST");
    assert_string_equal(c->req.path, "/urac/admin/addUser");
    assert_string_equal(c->req.query, "tId=1&tCode=X");
    assert_int_equal(c->req.media, MEDIA_NONE);
    char *env2[] = { "REQUEST_URI=http://host:8080/v1/user/add#frag", NULL };
    with_env(c, env2);
    assert_string_equal(c->req.path, "/v1/user/add");
    assert_string_equal(c->req.method, "");
    char *env3[] = { "SCRIPT_NAME=/onboarding", "PATH_INFO=/provision/standalone/users", NULL };
    with_env(c, env3);
    assert_string_equal(c->req.path, "/onboarding/provision/standalone/users");
}

/* The media type req_init finds in CONTENT_TYPE (NULL: no CONTENT_TYPE at all). */
static enum media_type media_of(struct ctx *c, const char *ct)
{
    char var[128];
    snprintf(var, sizeof var, "CONTENT_TYPE=%s", ct != NULL ? ct : "");
    char *env[] = { "REQUEST_METHOD=POST", ct != NULL ? var : NULL, NULL };
    with_env(c, env);
    return c->req.media;
}

static void test_media_types(void **state)
{
    struct ctx *c = &((struct fixture *)*state)->c;
    assert_int_equal(media_of(c, NULL), MEDIA_NONE);
    assert_int_equal(media_of(c, "  "), MEDIA_NONE);
    assert_int_equal(media_of(c, "application/json"), MEDIA_JSON);
    assert_int_equal(media_of(c, "Application/JSON; charset=UTF-8"), MEDIA_JSON);
    assert_int_equal(media_of(c, "application/json;charset=\"utf8\""), MEDIA_JSON);
    assert_int_equal(media_of(c, "application/json; charset=latin1"), MEDIA_OTHER);
    assert_int_equal(media_of(c, "application/x-www-form-urlencoded"), MEDIA_FORM);
    assert_int_equal(media_of(c, "multipart/form-data; boundary=x"), MEDIA_MULTIPART);
    assert_int_equal(media_of(c, "text/plain"), MEDIA_OTHER);
    assert_int_equal(media_of(c, "application/jsonx"), MEDIA_OTHER);
}

static void test_headers(void **state)
{
    struct ctx *c = &((struct fixture *)*state)->c;
    char *env[] = { "HTTP_KEY=abc", "HTTP_X_ACCESS_TOKEN=jwt", "HTTP_AUTHORIZATION=Bearer t",
                    NULL };
    with_env(c, env);
    assert_string_equal(req_header(c, "key"), "abc");
    assert_string_equal(req_header(c, "x-access-token"), "jwt");
    assert_string_equal(req_header(c, "Authorization"), "Bearer t");
    assert_null(req_header(c, "missing"));
}

/* Feeds data on stdin (plain-CGI mode) and reads the body with the given CONTENT_LENGTH. */
static enum req_status read_with(struct ctx *c, const char *data, const char *cl)
{
    int saved = dup(STDIN_FILENO), p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], data, strlen(data)), (ssize_t)strlen(data));
    close(p[1]);
    dup2(p[0], STDIN_FILENO);
    close(p[0]);
    char clv[64];
    snprintf(clv, sizeof clv, "CONTENT_LENGTH=%s", cl ? cl : "");
    char *env[] = { "REQUEST_METHOD=POST", cl ? clv : NULL, NULL };
    with_env(c, env);
    enum req_status st = req_read_body(c);
    dup2(saved, STDIN_FILENO);
    close(saved);
    return st;
}

static void test_body_limits(void **state)
{
    struct ctx *c = &((struct fixture *)*state)->c;
    assert_int_equal(read_with(c, "{\"a\":1}", "7"), REQ_OK);
    assert_int_equal(c->req.body_len, 7);
    assert_memory_equal(c->req.body, "{\"a\":1}", 7);
    assert_int_equal(read_with(c, "{\"a\":1}", "15"), REQ_TRUNCATED);
    assert_int_equal(read_with(c, "x", "17"), REQ_TOO_LARGE);            /* limit is 16 */
    assert_int_equal(read_with(c, "x", "99999999999999999999999"), REQ_TOO_LARGE);
    assert_int_equal(read_with(c, "x", "-1"), REQ_BAD_LENGTH);
    assert_int_equal(read_with(c, "x", "1e3"), REQ_BAD_LENGTH);
    assert_int_equal(read_with(c, "x", " 1"), REQ_BAD_LENGTH);
    assert_int_equal(read_with(c, "0123456789abcdef", "16"), REQ_OK);     /* exactly the limit */
    /* no CONTENT_LENGTH: read to the end, never past the limit */
    assert_int_equal(read_with(c, "short", NULL), REQ_OK);
    assert_int_equal(c->req.body_len, 5);
    assert_int_equal(read_with(c, "0123456789abcdefX", NULL), REQ_TOO_LARGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_from_request_uri),
        cmocka_unit_test(test_media_types),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_body_limits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
