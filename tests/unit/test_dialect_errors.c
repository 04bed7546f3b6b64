/* test_dialect_errors.c: every dialect's error envelope and the SOAJS catalogue, byte for byte:
 * codes, messages, HTTP statuses, 5xx messages never leaking internals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/arena.h"
#include "codec/fields.h"
#include "dialect/servicepower/servicepower.h"
#include "dialect/skedulo/skedulo.h"
#include "dialect/soajs/soajs_internal.h"
#include "dialect/xtracta/xtracta.h"
#include "http/ctx.h"
#include "http/dialect.h"

static struct ctx c;

static int setup(void **state)
{
    (void)state;
    memset(&c, 0, sizeof c);
    c.core.arena = arena_new();
    memcpy(c.core.rid, "0123456789abcdef", 17);
    return c.core.arena == NULL;
}

static int teardown(void **state)
{
    (void)state;
    buf_free(&c.resp.body);
    arena_free(c.core.arena);
    return 0;
}

static void expect(int status, const char *ctype, const char *body)
{
    assert_int_equal(c.resp.status, status);
    assert_string_equal(c.resp.content_type, ctype);
    assert_string_equal(c.resp.body.data, body);
}

#define JSON_CT "application/json; charset=utf-8"
#define XML_CT "application/xml; charset=utf-8"

static void test_soajs_catalogue(void **state)
{
    (void)state;
    static const struct {
        enum soajs_err e;
        int code;
        const char *msg;
    } want[] = {
        { SOAJS_DB_CONNECTION, 400, "Database connection error" },
        { SOAJS_USER_EXISTS, 402, "User account already exists." },
        { SOAJS_REGISTER_FAILED, 403, "Unable to register user. please try again." },
        { SOAJS_PASSWORD_MISMATCH, 408, "The password and its confirmation do not match" },
        { SOAJS_BAD_PROFILE, 413,
          "Invalid profile field provided. Profile should be a stringified object." },
        { SOAJS_ADD_FAILED, 414, "Unable to add user." },
        { SOAJS_PENDING_PASSWORD, 424, "Invalid Request, cannot add a pending user account and "
                                       "provide a password at the same time." },
        { SOAJS_BAD_TENANT, 611, "Invalid tenant id provided" },
        { SOAJS_BUSINESS_DATA, 400, "Business logic required data are missing." },
        { SOAJS_NO_USER, 520, "Unable to find user." },
        { SOAJS_MODEL, 602, "Model error: " },
    };
    assert_int_equal(sizeof want / sizeof want[0], SOAJS_ERR_COUNT);
    for (size_t i = 0; i < SOAJS_ERR_COUNT; i++) {
        assert_int_equal(soajs_err_code(want[i].e), want[i].code);
        assert_string_equal(soajs_err_message(want[i].e), want[i].msg);
    }
    soajs_fail(&c, SOAJS_USER_EXISTS);
    expect(200, JSON_CT, "{\"result\":false,\"errors\":{\"codes\":[402],\"details\":[{\"code\":402,"
                         "\"message\":\"User account already exists.\"}]}}");
    soajs_fail_model(&c, "database unavailable");
    expect(200, JSON_CT, "{\"result\":false,\"errors\":{\"codes\":[602],\"details\":[{\"code\":602,"
                         "\"message\":\"Model error: database unavailable\"}]}}");
}

static void test_soajs_fields(void **state)
{
    (void)state;
    struct field_report rep = { .missing = { "username", "tId" }, .nmissing = 2,
                                .invalid = { "email" }, .ninvalid = 1 };
    assert_int_equal(soajs_fail_fields(&c, &rep), 1);
    expect(200, JSON_CT, "{\"result\":false,\"errors\":{\"codes\":[172,173],\"details\":["
                         "{\"code\":172,\"message\":\"Missing required field: username, tId\"},"
                         "{\"code\":173,\"message\":\"Validation failed for field: email\"}]}}");
    struct field_report clean = { .nmissing = 0 };
    c.resp.status = 0;
    assert_int_equal(soajs_fail_fields(&c, &clean), 0);
    assert_int_equal(c.resp.status, 0);
}

static void test_soajs_transport(void **state)
{
    (void)state;
    soajs_error(&c, 401, "A valid key is needed to access any API.");
    expect(401, JSON_CT, "{\"result\":false,\"errors\":{\"codes\":[132],\"details\":[{\"code\":132,"
                         "\"message\":\"A valid key is needed to access any API.\"}]}}");
    soajs_error(&c, 500, "mysql said: secret internals");
    expect(500, JSON_CT, "{\"result\":false,\"errors\":{\"codes\":[500],\"details\":[{\"code\":500,"
                         "\"message\":\"Internal error, reference 0123456789abcdef\"}]}}");
    dialect_error(&c, &soajs_dialect, 405, "Method GET is not allowed here; allowed: POST");
    assert_int_equal(c.resp.status, 405);
}

static void test_xtracta(void **state)
{
    (void)state;
    xtracta_error(&c, 404, "Group not found");
    expect(404, XML_CT, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<user_response><status>404"
                        "</status><message>Group not found</message></user_response>\n");
    dialect_error(&c, &xtracta_dialect, 503, "db down: internals");
    expect(503, XML_CT, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<user_response><status>503"
                        "</status><message>The service is temporarily unavailable, reference "
                        "0123456789abcdef</message></user_response>\n");
}

static void test_skedulo_and_servicepower(void **state)
{
    (void)state;
    skedulo_error(&c, 404, "No such task");
    expect(404, JSON_CT, "{\"errorType\":\"not_found\",\"message\":\"No such task\"}");
    skedulo_error(&c, 500, "internals");
    expect(500, JSON_CT, "{\"errorType\":\"internal_error\",\"message\":\"Internal error\","
                         "\"errorId\":\"0123456789abcdef\"}");
    servicepower_error(&c, 401, "The credentials are incorrect");
    expect(401, JSON_CT, "{\"code\":401,\"detail\":{\"message\":\"The credentials are incorrect\","
                         "\"params\":{\"value\":\"\"},\"dataPath\":\"\"}}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_soajs_catalogue),
        cmocka_unit_test(test_soajs_fields),
        cmocka_unit_test(test_soajs_transport),
        cmocka_unit_test(test_xtracta),
        cmocka_unit_test(test_skedulo_and_servicepower),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
