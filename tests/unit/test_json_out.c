/* test_json_out.c: the checked adds of codec/json_out.h: the exact JSON they build, and that a
 * failed allocation or add (interposed json-c functions made to fail, a NULL container or
 * value) is reported as -1 and leaves no member behind, never a JSON null. The values released
 * on failure are checked by the run under LeakSanitizer (tests/run.sh). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <string.h>

#include "codec/json_out.h"

/* Interposed json-c functions: the nth call from now fails (0: none fails). */
static int fail_string_at, fail_int_at, fail_bool_at, fail_add_at;

static void *real_fn(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

static int fails(int *at)
{
    return *at > 0 && --*at == 0;
}

struct json_object *json_object_new_string(const char *s)
{
    if (fails(&fail_string_at))
        return NULL;
    struct json_object *(*real)(const char *);
    void *sym = real_fn("json_object_new_string");
    memcpy(&real, &sym, sizeof real);
    return real(s);
}

struct json_object *json_object_new_string_len(const char *s, const int len)
{
    if (fails(&fail_string_at))
        return NULL;
    struct json_object *(*real)(const char *, int);
    void *sym = real_fn("json_object_new_string_len");
    memcpy(&real, &sym, sizeof real);
    return real(s, len);
}

struct json_object *json_object_new_int64(const int64_t i)
{
    if (fails(&fail_int_at))
        return NULL;
    struct json_object *(*real)(int64_t);
    void *sym = real_fn("json_object_new_int64");
    memcpy(&real, &sym, sizeof real);
    return real(i);
}

struct json_object *json_object_new_boolean(json_bool b)
{
    if (fails(&fail_bool_at))
        return NULL;
    struct json_object *(*real)(json_bool);
    void *sym = real_fn("json_object_new_boolean");
    memcpy(&real, &sym, sizeof real);
    return real(b);
}

/* The add fails as json-c's does when its table cannot grow: -1, the value not taken. */
int json_object_object_add(struct json_object *o, const char *key, struct json_object *v)
{
    if (fails(&fail_add_at))
        return -1;
    int (*real)(struct json_object *, const char *, struct json_object *);
    void *sym = real_fn("json_object_object_add");
    memcpy(&real, &sym, sizeof real);
    return real(o, key, v);
}

int json_object_array_add(struct json_object *a, struct json_object *v)
{
    if (fails(&fail_add_at))
        return -1;
    int (*real)(struct json_object *, struct json_object *);
    void *sym = real_fn("json_object_array_add");
    memcpy(&real, &sym, sizeof real);
    return real(a, v);
}

static int reset(void **state)
{
    (void)state;
    fail_string_at = fail_int_at = fail_bool_at = fail_add_at = 0;
    return 0;
}

static const char *text(json_object *o)
{
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

static void test_builds_exact_json(void **state)
{
    (void)state;
    json_object *o = json_object_new_object(), *a = json_object_new_array();
    assert_int_equal(jo_str(o, "s", "x\"y"), 0);
    assert_int_equal(jo_strn(o, "n", "abc", 2), 0);
    assert_int_equal(jo_int(o, "i", -5), 0);
    assert_int_equal(jo_int(o, "big", INT64_MAX), 0);
    assert_int_equal(jo_bool(o, "t", 7), 0);
    assert_int_equal(jo_bool(o, "f", 0), 0);
    assert_int_equal(jo_null(o, "z"), 0);
    assert_int_equal(jo_str(o, "nul", NULL), 0);        /* NULL string: a JSON null */
    assert_int_equal(jo_str_opt(o, "absent", NULL), 0); /* ... or nothing at all */
    assert_int_equal(jo_str_opt(o, "opt", "o"), 0);
    assert_int_equal(ja_str(a, "x"), 0);
    assert_int_equal(ja_strn(a, "yzw", 2), 0);
    assert_int_equal(ja_int(a, 7), 0);
    assert_int_equal(ja_add(a, json_object_new_object()), 0);
    assert_int_equal(jo_add(o, "a", a), 0);
    assert_string_equal(text(o), "{\"s\":\"x\\\"y\",\"n\":\"ab\",\"i\":-5,"
                                 "\"big\":9223372036854775807,\"t\":true,\"f\":false,"
                                 "\"z\":null,\"nul\":null,\"opt\":\"o\",\"a\":[\"x\",\"yz\",7,{}]}");
    json_object_put(o);
}

/* The container's own allocation failed: every add reports it, and releases its value. */
static void test_null_container(void **state)
{
    (void)state;
    assert_int_equal(jo_str(NULL, "k", "v"), -1);
    assert_int_equal(jo_str(NULL, "k", NULL), -1);
    assert_int_equal(jo_str_opt(NULL, "k", NULL), -1);
    assert_int_equal(jo_null(NULL, "k"), -1);
    assert_int_equal(jo_int(NULL, "k", 1), -1);
    assert_int_equal(jo_bool(NULL, "k", 1), -1);
    assert_int_equal(jo_add(NULL, "k", json_object_new_array()), -1);   /* released */
    assert_int_equal(ja_str(NULL, "v"), -1);
    assert_int_equal(ja_int(NULL, 1), -1);
    assert_int_equal(ja_add(NULL, json_object_new_object()), -1);      /* released */
}

/* A value whose allocation failed (NULL) is a failure, never added as a null. */
static void test_null_value(void **state)
{
    (void)state;
    json_object *o = json_object_new_object(), *a = json_object_new_array();
    assert_int_equal(jo_add(o, "k", NULL), -1);
    assert_int_equal(ja_add(a, NULL), -1);
    assert_int_equal(ja_str(a, NULL), -1);
    assert_int_equal(jo_strn(o, "s", NULL, 0), -1);
    assert_string_equal(text(o), "{}");
    assert_string_equal(text(a), "[]");
    json_object_put(o);
    json_object_put(a);
}

/* Each constructor made to fail in turn: the add reports -1 and the container stays as it
 * was (before this fix, `json_object_object_add(o, "k", json_object_new_string(v))` wrote
 * "k":null and went on). */
static void test_failed_allocation(void **state)
{
    (void)state;
    json_object *o = json_object_new_object(), *a = json_object_new_array();
    assert_int_equal(jo_str(o, "before", "ok"), 0);
    fail_string_at = 1;
    assert_int_equal(jo_str(o, "s", "v"), -1);
    fail_string_at = 1;
    assert_int_equal(jo_strn(o, "n", "v", 1), -1);
    fail_string_at = 1;
    assert_int_equal(jo_str_opt(o, "o", "v"), -1);
    fail_int_at = 1;
    assert_int_equal(jo_int(o, "i", 1), -1);
    fail_bool_at = 1;
    assert_int_equal(jo_bool(o, "b", 1), -1);
    fail_string_at = 1;
    assert_int_equal(ja_str(a, "v"), -1);
    fail_string_at = 1;
    assert_int_equal(ja_strn(a, "v", 1), -1);
    fail_int_at = 1;
    assert_int_equal(ja_int(a, 1), -1);
    assert_int_equal(jo_str(o, "after", "ok"), 0);   /* the next allocation works again */
    assert_string_equal(text(o), "{\"before\":\"ok\",\"after\":\"ok\"}");
    assert_string_equal(text(a), "[]");
    json_object_put(o);
    json_object_put(a);
}

/* The add itself fails (json-c returns -1 and keeps no reference): -1, the value released
 * (LeakSanitizer would report it otherwise), nothing added. */
static void test_failed_add(void **state)
{
    (void)state;
    json_object *o = json_object_new_object(), *a = json_object_new_array();
    fail_add_at = 1;
    assert_int_equal(jo_str(o, "s", "v"), -1);
    fail_add_at = 1;
    assert_int_equal(jo_add(o, "o", json_object_new_object()), -1);
    fail_add_at = 1;
    assert_int_equal(jo_null(o, "z"), -1);
    fail_add_at = 1;
    assert_int_equal(ja_int(a, 1), -1);
    fail_add_at = 1;
    assert_int_equal(ja_add(a, json_object_new_array()), -1);
    assert_string_equal(text(o), "{}");
    assert_string_equal(text(a), "[]");
    json_object_put(o);
    json_object_put(a);
}

/* The pattern every builder follows: the results ORed, one failure among many is enough. */
static void test_sticky_result(void **state)
{
    (void)state;
    json_object *o = json_object_new_object();
    fail_int_at = 2;   /* the second number */
    int bad = jo_int(o, "a", 1);
    bad |= jo_int(o, "b", 2);
    bad |= jo_str(o, "c", "3");
    assert_int_not_equal(bad, 0);
    assert_string_equal(text(o), "{\"a\":1,\"c\":\"3\"}");   /* what a builder now drops */
    json_object_put(o);
}

static void test_replace(void **state)
{
    (void)state;
    json_object *o = json_object_new_object();
    assert_int_equal(jo_str(o, "k", " v "), 0);
    jo_replace(o, "k", json_object_new_string("v"));
    jo_replace(o, "k", NULL);                            /* allocation failed: kept */
    jo_replace(o, "missing", json_object_new_int(1));   /* no such member: released */
    jo_replace(NULL, "k", json_object_new_int(1));      /* released */
    assert_string_equal(text(o), "{\"k\":\"v\"}");
    json_object_put(o);
}

static void test_failed_mark(void **state)
{
    (void)state;
    json_object *a = json_object_new_array();
    assert_int_equal(jo_failed(NULL), 1);
    assert_int_equal(jo_failed(a), 0);
    assert_int_equal(ja_int(a, 1), 0);
    jo_mark_failed(a);
    jo_mark_failed(NULL);
    assert_int_equal(jo_failed(a), 1);
    assert_string_equal(text(a), "[1]");   /* the mark is never written out */
    json_object_put(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_builds_exact_json, reset),
        cmocka_unit_test_setup(test_null_container, reset),
        cmocka_unit_test_setup(test_null_value, reset),
        cmocka_unit_test_setup(test_failed_allocation, reset),
        cmocka_unit_test_setup(test_failed_add, reset),
        cmocka_unit_test_setup(test_sticky_result, reset),
        cmocka_unit_test_setup(test_replace, reset),
        cmocka_unit_test_setup(test_failed_mark, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
