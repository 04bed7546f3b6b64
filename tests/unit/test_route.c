/* test_route.c: route matching: exact paths, "{}" segments, 404 versus 405 with the Allow list,
 * the dialect chosen for a 404, and parameter extraction. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "http/route.h"

static void h_post(struct ctx *c) { (void)c; }
static void h_patch(struct ctx *c) { (void)c; }
static void h_get(struct ctx *c) { (void)c; }

/* three dialects as the framework sees them: descriptors it tells apart by address */
static const struct dialect sk_d = { .name = "skedulo", .too_many_status = 400 },
                            so_d = { .name = "soajs", .too_many_status = 413 },
                            xt_d = { .name = "xtracta", .too_many_status = 413 };

#define SK "/onboarding/provision/standalone/users"
static const struct route routes[] = {
    { "POST", SK, &sk_d, ACCEPT_JSON, h_post, NULL },
    { "PATCH", SK, &sk_d, ACCEPT_JSON, h_patch, NULL },
    { "GET", SK "/bulk/{}", &sk_d, 0, h_get, NULL },
    { "POST", "/urac/admin/addUser", &so_d, ACCEPT_JSON | ACCEPT_FORM, h_post, NULL },
    { "POST", "/v1/user/add", &xt_d, ACCEPT_FORM, h_post, NULL },
};
enum { N = sizeof routes / sizeof routes[0] };

static enum route_status find(const char *m, const char *p, const struct route **r, char *allow)
{
    return route_find(routes, N, m, p, r, allow, 64);
}

static void test_exact_and_method(void **state)
{
    (void)state;
    const struct route *r = NULL;
    char allow[64];
    assert_int_equal(find("POST", SK, &r, allow), ROUTE_OK);
    assert_ptr_equal(r->handler, h_post);
    assert_int_equal(find("PATCH", SK, &r, allow), ROUTE_OK);
    assert_ptr_equal(r->handler, h_patch);
    assert_int_equal(find("DELETE", SK, &r, allow), ROUTE_BAD_METHOD);
    assert_string_equal(allow, "POST, PATCH");
    assert_ptr_equal(r->dialect, &sk_d);
    assert_int_equal(find("GET", "/v1/user/add", &r, allow), ROUTE_BAD_METHOD);
    assert_string_equal(allow, "POST");
    assert_ptr_equal(r->dialect, &xt_d);
}

static void test_not_found_and_dialect_guess(void **state)
{
    (void)state;
    const struct route *r = NULL;
    char allow[64];
    assert_int_equal(find("POST", "/v1/user/addx", &r, allow), ROUTE_NOT_FOUND);
    assert_ptr_equal(r->dialect, &xt_d);
    assert_int_equal(find("POST", "/urac/admin/nosuch", &r, allow), ROUTE_NOT_FOUND);
    assert_ptr_equal(r->dialect, &so_d);
    assert_int_equal(find("POST", SK "/", &r, allow), ROUTE_NOT_FOUND);
    assert_int_equal(find("POST", SK "x", &r, allow), ROUTE_NOT_FOUND);
    assert_int_equal(find("POST", "", &r, allow), ROUTE_NOT_FOUND);
    assert_int_equal(find("POST", "//urac/admin/addUser", &r, allow), ROUTE_NOT_FOUND);
    assert_int_equal(find("POST", "/urac/admin/adduser", &r, allow), ROUTE_NOT_FOUND);
}

static void test_parameter_segment(void **state)
{
    (void)state;
    const struct route *r = NULL;
    char allow[64], id[16];
    assert_int_equal(find("GET", SK "/bulk/85", &r, allow), ROUTE_OK);
    assert_ptr_equal(r->handler, h_get);
    assert_int_equal(find("GET", SK "/bulk/", &r, allow), ROUTE_NOT_FOUND);
    assert_int_equal(find("GET", SK "/bulk/85/x", &r, allow), ROUTE_NOT_FOUND);
    assert_int_equal(route_param(SK "/bulk/{}", SK "/bulk/85", 0, id, sizeof id), 0);
    assert_string_equal(id, "85");
    assert_int_equal(route_param(SK "/bulk/{}", SK "/bulk/85", 1, id, sizeof id), -1);
    assert_int_equal(route_param(SK "/bulk/{}", SK "/bulk/123456789012345678", 0, id, sizeof id),
                     -1);
    assert_true(route_match("/a/{}/b/{}", "/a/1/b/2"));
    assert_int_equal(route_param("/a/{}/b/{}", "/a/1/b/22", 1, id, sizeof id), 0);
    assert_string_equal(id, "22");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_and_method),
        cmocka_unit_test(test_not_found_and_dialect_guess),
        cmocka_unit_test(test_parameter_segment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
