/* test_soajs_invite_decode.c: the invite body decoder and its form conversions: every shape rule
 * of docs/CONTRACT.md section 10.5 (172 / 173 verdicts), the identifier priority, id and email
 * normalisation, group de-duplication, pin flags, the bounds (100 users, 100 groups, 64-byte
 * codes, string_max), and what form bodies turn into. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "codec/form.h"
#include "codec/json_in.h"
#include "dialect/soajs/soajs_internal.h"

enum { STRING_MAX = 1024, DEPTH = 32 };

struct fixture {
    struct arena *a;
    json_object *body;
    struct soajs_invite_req req;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->a = arena_new();
    assert_non_null(f->a);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    json_object_put(f->body);
    arena_free(f->a);
    free(f);
    return 0;
}

static enum soajs_invite_decode_status decode_json(struct fixture *f, const char *text)
{
    char msg[128];
    json_object_put(f->body);
    f->body = NULL;
    if (json_in_parse(text, strlen(text), DEPTH, &f->body, msg, sizeof msg) != JSON_IN_OK)
        fail_msg("test input is not JSON (%s): %s", msg, text);
    enum soajs_invite_decode_status st = soajs_invite_decode(f->body, STRING_MAX, f->a, &f->req);
    return st;
}

/* Decodes a form body after the form conversions; *converted receives the JSON text. */
static enum soajs_invite_decode_status decode_form(struct fixture *f, const char *form,
                                                   const char **converted)
{
    char msg[128];
    json_object_put(f->body);
    f->body = NULL;
    if (form_decode(form, strlen(form), &f->body, msg, sizeof msg) != FORM_OK)
        fail_msg("test input is not a form (%s): %s", msg, form);
    soajs_invite_coerce_form(f->body, DEPTH);
    if (converted != NULL)
        *converted = json_object_to_json_string_ext(f->body, JSON_C_TO_STRING_PLAIN);
    return soajs_invite_decode(f->body, STRING_MAX, f->a, &f->req);
}

static void expect_invalid(struct fixture *f, const char *text)
{
    enum soajs_invite_decode_status st = decode_json(f, text);
    if (st != SOAJS_INVITE_DECODE_INVALID)
        print_error("input %s: status %d\n", text, (int)st);
    assert_int_equal(st, SOAJS_INVITE_DECODE_INVALID);
}

static void expect_ok(struct fixture *f, const char *text)
{
    enum soajs_invite_decode_status st = decode_json(f, text);
    if (st != SOAJS_INVITE_DECODE_OK)
        print_error("input %s: status %d\n", text, (int)st);
    assert_int_equal(st, SOAJS_INVITE_DECODE_OK);
}

/* A JSON text: {"users":[item, item, ...]} with n copies of item. */
static char *repeat_users(const char *item, size_t n)
{
    struct buf b = { 0 };
    buf_puts(&b, "{\"users\":[");
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%s", i ? "," : "", item);
    buf_puts(&b, "]}");
    assert_false(b.failed);
    return b.data;
}

static void test_users_missing(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(decode_json(f, "{}"), SOAJS_INVITE_DECODE_MISSING);
    assert_int_equal(decode_json(f, "{\"users\":null}"), SOAJS_INVITE_DECODE_MISSING);
    assert_int_equal(decode_json(f, "{\"Users\":[]}"), SOAJS_INVITE_DECODE_MISSING);
}

static void test_users_shape_invalid(void **state)
{
    struct fixture *f = *state;
    static const char *const bad[] = {
        "{\"users\":\"x\"}",
        "{\"users\":1}",
        "{\"users\":{}}",
        "{\"users\":{\"user\":{\"id\":\"a\"}}}",
        "{\"users\":[]}",
        "{\"users\":[1]}",
        "{\"users\":[null]}",
        "{\"users\":[\"x\"]}",
        "{\"users\":[[]]}",
        "{\"users\":[{\"user\":{\"id\":\"a\"}},true]}",
        "{\"users\":[{\"extra\":1}]}",
        "{\"users\":[{\"user\":{\"id\":\"a\"},\"id\":\"a\"}]}",
        "{\"users\":[{\"user\":\"a\"}]}",
        "{\"users\":[{\"user\":[\"a\"]}]}",
        "{\"users\":[{\"user\":{\"name\":\"a\"}}]}",
        "{\"users\":[{\"user\":{\"id\":\"a\",\"x\":null}}]}",
        "{\"users\":[{\"user\":{\"id\":5}}]}",
        "{\"users\":[{\"user\":{\"id\":true}}]}",
        "{\"users\":[{\"user\":{\"id\":\"\"}}]}",
        "{\"users\":[{\"user\":{\"username\":\"\"}}]}",
        "{\"users\":[{\"user\":{\"username\":\"a\\u0001b\"}}]}",
        "{\"users\":[{\"user\":{\"username\":\"a\\nb\"}}]}",
        "{\"users\":[{\"user\":{\"email\":\"\"}}]}",
        "{\"users\":[{\"user\":{\"email\":\"  \"}}]}",
        "{\"users\":[{\"user\":{\"email\":\"nope\"}}]}",
        "{\"users\":[{\"user\":{\"email\":\"a@b\"}}]}",
        /* every identifier is checked, not only the one used */
        "{\"users\":[{\"user\":{\"id\":\"a\",\"email\":\"nope\"}}]}",
        "{\"users\":[{\"user\":{\"id\":\"a\",\"username\":7}}]}",
        "{\"users\":[{\"user\":{\"id\":\"a\"},\"groups\":\"g\"}]}",
        "{\"users\":[{\"user\":{\"id\":\"a\"},\"groups\":{\"0\":\"g\"}}]}",
        "{\"users\":[{\"user\":{\"id\":\"a\"},\"groups\":[1]}]}",
        "{\"users\":[{\"user\":{\"id\":\"a\"},\"groups\":[null]}]}",
        "{\"users\":[{\"user\":{\"id\":\"a\"},\"groups\":[\"\"]}]}",
        "{\"users\":[{\"user\":{\"id\":\"a\"},\"pin\":{}}]}",
        "{\"users\":[{\"user\":{\"id\":\"a\"},\"pin\":{\"code\":true}}]}",
        "{\"users\":[{\"user\":{\"id\":\"a\"},\"pin\":{\"allowed\":true}}]}",
        "{\"users\":[{\"user\":{\"id\":\"a\"},\"pin\":{\"code\":true,\"allowed\":null}}]}",
        "{\"users\":[{\"user\":{\"id\":\"a\"},\"pin\":{\"code\":\"true\",\"allowed\":true}}]}",
        "{\"users\":[{\"user\":{\"id\":\"a\"},\"pin\":{\"code\":1,\"allowed\":true}}]}",
        "{\"users\":[{\"user\":{\"id\":\"a\"},\"pin\":{\"code\":true,\"allowed\":true,"
        "\"x\":1}}]}",
        "{\"users\":[{\"user\":{\"id\":\"a\"},\"pin\":\"1234\"}]}",
        "{\"users\":[{\"user\":{\"id\":\"a\"},\"pin\":[true,true]}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_invalid(f, bad[i]);
}

static void test_identifiers_priority_and_normalisation(void **state)
{
    struct fixture *f = *state;
    expect_ok(f, "{\"users\":["
                 "{\"user\":{\"email\":\"c@d.io\",\"username\":\"bob\",\"id\":\"ABCdef\"}},"
                 "{\"user\":{\"email\":\"c@d.io\",\"username\":\"Bob\"}},"
                 "{\"user\":{\"id\":null,\"username\":null,\"email\":\" \\tMe@X.io  \"}},"
                 "{\"user\":{}},"
                 "{\"groups\":[]},"
                 "{\"user\":null,\"groups\":null,\"pin\":null}]}");
    assert_int_equal(f->req.n, 6);
    const struct soajs_invite_item *it = f->req.items;
    assert_int_equal(it[0].by, SOAJS_INVITE_BY_ID);
    assert_string_equal(it[0].key, "id");
    assert_string_equal(it[0].value, "ABCdef");
    assert_string_equal(it[0].lookup, "abcdef");
    assert_int_equal(it[1].by, SOAJS_INVITE_BY_USERNAME);
    assert_string_equal(it[1].key, "username");
    assert_string_equal(it[1].value, "Bob");
    assert_string_equal(it[1].lookup, "Bob");
    assert_int_equal(it[2].by, SOAJS_INVITE_BY_EMAIL);
    assert_string_equal(it[2].key, "email");
    assert_string_equal(it[2].value, " \tMe@X.io  ");
    assert_string_equal(it[2].lookup, "Me@X.io");
    for (size_t i = 3; i < 6; i++) {
        assert_int_equal(it[i].by, SOAJS_INVITE_BY_NONE);
        assert_null(it[i].key);
        assert_null(it[i].value);
        assert_int_equal(it[i].ngroups, 0);
        assert_false(it[i].pin);
    }
}

static void test_groups_and_pin(void **state)
{
    struct fixture *f = *state;
    expect_ok(f, "{\"users\":[{\"user\":{\"id\":\"a\"},\"groups\":[\"b\",\"a\",\"b\",\"\\u00e9\","
                 "\"a\"],\"pin\":{\"allowed\":false,\"code\":true}},"
                 "{\"user\":{\"id\":\"b\"},\"pin\":{\"code\":false,\"allowed\":true}}]}");
    const struct soajs_invite_item *it = f->req.items;
    assert_int_equal(it[0].ngroups, 3);
    assert_string_equal(it[0].groups[0], "b");
    assert_string_equal(it[0].groups[1], "a");
    assert_string_equal(it[0].groups[2], "\xc3\xa9");
    assert_true(it[0].pin);
    assert_false(it[0].pin_allowed);
    assert_false(it[1].pin);
    assert_true(it[1].pin_allowed);
}

static void test_bounds(void **state)
{
    struct fixture *f = *state;
    char *t = repeat_users("{\"user\":{\"id\":\"a\"}}", SOAJS_INVITE_MAX_USERS);
    expect_ok(f, t);
    assert_int_equal(f->req.n, 100);
    free(t);
    t = repeat_users("{\"user\":{\"id\":\"a\"}}", SOAJS_INVITE_MAX_USERS + 1);
    expect_invalid(f, t);
    free(t);

    /* group codes: 64 bytes, 100 per item */
    char code[SOAJS_INVITE_GROUP_MAX + 2];
    memset(code, 'g', sizeof code);
    code[SOAJS_INVITE_GROUP_MAX] = '\0';
    char text[4096];
    snprintf(text, sizeof text, "{\"users\":[{\"groups\":[\"%s\"]}]}", code);
    expect_ok(f, text);
    code[SOAJS_INVITE_GROUP_MAX] = 'g';
    code[SOAJS_INVITE_GROUP_MAX + 1] = '\0';
    snprintf(text, sizeof text, "{\"users\":[{\"groups\":[\"%s\"]}]}", code);
    expect_invalid(f, text);
    struct buf b = { 0 };
    buf_puts(&b, "{\"users\":[{\"groups\":[");
    for (int i = 0; i < SOAJS_INVITE_MAX_GROUPS; i++)
        buf_printf(&b, "%s\"g%d\"", i ? "," : "", i);
    buf_puts(&b, "]}]}");
    expect_ok(f, b.data);
    assert_int_equal(f->req.items[0].ngroups, 100);
    b.len -= 4;
    buf_puts(&b, ",\"g\"]}]}");
    expect_invalid(f, b.data);
    buf_free(&b);

    /* identifiers: string_max bytes */
    char *big = malloc(STRING_MAX + 64);
    assert_non_null(big);
    memset(big, 'u', STRING_MAX);
    big[STRING_MAX] = '\0';
    char *json = malloc(STRING_MAX + 128);
    assert_non_null(json);
    snprintf(json, STRING_MAX + 128, "{\"users\":[{\"user\":{\"username\":\"%s\"}}]}", big);
    expect_ok(f, json);
    snprintf(json, STRING_MAX + 128, "{\"users\":[{\"user\":{\"username\":\"%su\"}}]}", big);
    expect_invalid(f, json);
    free(json);
    free(big);
}

static void test_form_indexed_items(void **state)
{
    struct fixture *f = *state;
    const char *conv = NULL;
    enum soajs_invite_decode_status st = decode_form(
        f,
        "users[0][user][username]=bob&users[0][groups][]=g1&users[0][groups][]=g2"
        "&users[0][pin][code]=true&users[0][pin][allowed]=false"
        "&users[1][user][email]=a%40b.io&users[1][groups]=solo",
        &conv);
    assert_string_equal(conv, "{\"users\":[{\"user\":{\"username\":\"bob\"},\"groups\":"
                              "[\"g1\",\"g2\"],\"pin\":{\"code\":true,\"allowed\":false}},"
                              "{\"user\":{\"email\":\"a@b.io\"},\"groups\":[\"solo\"]}]}");
    assert_int_equal(st, SOAJS_INVITE_DECODE_OK);
    assert_int_equal(f->req.n, 2);
    assert_int_equal(f->req.items[0].by, SOAJS_INVITE_BY_USERNAME);
    assert_true(f->req.items[0].pin);
    assert_false(f->req.items[0].pin_allowed);
    assert_int_equal(f->req.items[1].by, SOAJS_INVITE_BY_EMAIL);
}

static void test_form_json_texts_and_single_item(void **state)
{
    struct fixture *f = *state;
    const char *conv = NULL;
    /* users as JSON text */
    assert_int_equal(decode_form(f, "users=%5B%7B%22user%22%3A%7B%22id%22%3A%22x%22%7D%7D%5D",
                                 &conv),
                     SOAJS_INVITE_DECODE_OK);
    assert_string_equal(conv, "{\"users\":[{\"user\":{\"id\":\"x\"}}]}");
    /* one object as JSON text is one item */
    assert_int_equal(decode_form(f, "users=%7B%22user%22%3A%7B%22id%22%3A%22x%22%7D%7D", &conv),
                     SOAJS_INVITE_DECODE_OK);
    assert_string_equal(conv, "{\"users\":[{\"user\":{\"id\":\"x\"}}]}");
    /* users[user][id]=x is one item; its parts may be JSON texts too */
    assert_int_equal(decode_form(f, "users[user]=%7B%22id%22%3A%22x%22%7D"
                                    "&users[groups]=%5B%22a%22%5D"
                                    "&users[pin]=%7B%22code%22%3Atrue%2C%22allowed%22%3Atrue%7D",
                                 &conv),
                     SOAJS_INVITE_DECODE_OK);
    assert_string_equal(conv, "{\"users\":[{\"user\":{\"id\":\"x\"},\"groups\":[\"a\"],"
                              "\"pin\":{\"code\":true,\"allowed\":true}}]}");
    /* an item given as JSON text inside an indexed form */
    assert_int_equal(decode_form(f, "users[0]=%7B%22user%22%3A%7B%22id%22%3A%22x%22%7D%7D",
                                 &conv),
                     SOAJS_INVITE_DECODE_OK);
    assert_string_equal(conv, "{\"users\":[{\"user\":{\"id\":\"x\"}}]}");
    /* users[][...] style arrays of JSON texts */
    assert_int_equal(decode_form(f, "users[]=%7B%22user%22%3A%7B%22id%22%3A%22x%22%7D%7D"
                                    "&users[]=%7B%7D",
                                 &conv),
                     SOAJS_INVITE_DECODE_OK);
    assert_string_equal(conv, "{\"users\":[{\"user\":{\"id\":\"x\"}},{}]}");
}

static void test_form_refusals(void **state)
{
    struct fixture *f = *state;
    /* a hole in the indexes is not a list: one item with keys "0" and "2" */
    assert_int_equal(decode_form(f, "users[0][user][id]=a&users[2][user][id]=b", NULL),
                     SOAJS_INVITE_DECODE_INVALID);
    assert_int_equal(decode_form(f, "users[0][user][id]=a&users[0][pin][code]=yes"
                                    "&users[0][pin][allowed]=true", NULL),
                     SOAJS_INVITE_DECODE_INVALID);
    assert_int_equal(decode_form(f, "users=not-json", NULL), SOAJS_INVITE_DECODE_INVALID);
    assert_int_equal(decode_form(f, "users=5", NULL), SOAJS_INVITE_DECODE_INVALID);
    assert_int_equal(decode_form(f, "users=", NULL), SOAJS_INVITE_DECODE_INVALID);
    assert_int_equal(decode_form(f, "other=1", NULL), SOAJS_INVITE_DECODE_MISSING);
}

static void test_json_bodies_are_not_converted(void **state)
{
    struct fixture *f = *state;
    /* the form conversions are for form bodies only: JSON keeps its types */
    expect_invalid(f, "{\"users\":\"[{\\\"user\\\":{\\\"id\\\":\\\"x\\\"}}]\"}");
    expect_invalid(f, "{\"users\":[{\"user\":\"{\\\"id\\\":\\\"x\\\"}\"}]}");
    expect_invalid(f, "{\"users\":[{\"user\":{\"id\":\"x\"},\"groups\":\"a\"}]}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_users_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_users_shape_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identifiers_priority_and_normalisation, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_groups_and_pin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_form_indexed_items, setup, teardown),
        cmocka_unit_test_setup_teardown(test_form_json_texts_and_single_item, setup, teardown),
        cmocka_unit_test_setup_teardown(test_form_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_bodies_are_not_converted, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
