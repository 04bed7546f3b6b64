/* test_form.c: form_decode, form_add_pair and form_unescape: the key conventions with exact
 * resulting JSON, every status, the depth and pair-count boundaries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/form.h"
#include "codec/json_in.h"

/* Interposed json-c constructors: the nth call from now fails (0: none fails). */
static int fail_object_at, fail_string_at, fail_array_at;

static void *real_fn(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

struct json_object *json_object_new_object(void)
{
    if (fail_object_at > 0 && --fail_object_at == 0)
        return NULL;
    struct json_object *(*real)(void);
    void *sym = real_fn("json_object_new_object");
    memcpy(&real, &sym, sizeof real);
    return real();
}

struct json_object *json_object_new_string_len(const char *s, const int len)
{
    if (fail_string_at > 0 && --fail_string_at == 0)
        return NULL;
    struct json_object *(*real)(const char *, int);
    void *sym = real_fn("json_object_new_string_len");
    memcpy(&real, &sym, sizeof real);
    return real(s, len);
}

struct json_object *json_object_new_array(void)
{
    if (fail_array_at > 0 && --fail_array_at == 0)
        return NULL;
    struct json_object *(*real)(void);
    void *sym = real_fn("json_object_new_array");
    memcpy(&real, &sym, sizeof real);
    return real();
}

enum { MSG = 256 };

static void ok_n(const char *s, size_t len, const char *want)
{
    json_object *out = NULL;
    char msg[MSG] = "unchanged";
    enum form_status st = form_decode(s, len, &out, msg, sizeof msg);
    if (st != FORM_OK)
        print_error("input [%.*s]: status %d, message '%s'\n", (int)len, s, (int)st, msg);
    assert_int_equal(st, FORM_OK);
    assert_non_null(out);
    assert_string_equal(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN), want);
    json_object_put(out);
}

static void bad_n(const char *s, size_t len, enum form_status want, const char *want_msg)
{
    json_object *out = json_object_new_int(0);   /* not a constructor the tests make fail */
    json_object *sentinel = out;
    char msg[MSG];
    memset(msg, 'x', sizeof msg);
    enum form_status st = form_decode(s, len, &out, msg, sizeof msg);
    json_object_put(sentinel);
    if (st != want)
        print_error("input [%.*s]: status %d, message '%s'\n", (int)len, s, (int)st, msg);
    assert_int_equal(st, want);
    assert_null(out);
    assert_non_null(memchr(msg, '\0', sizeof msg));
    assert_true(strlen(msg) > 0);
    if (want_msg != NULL)
        assert_string_equal(msg, want_msg);
}

#define OK(lit, want) ok_n(lit, sizeof(lit) - 1, want)
#define BAD(lit, want, m) bad_n(lit, sizeof(lit) - 1, want, m)

static void test_plain_pairs(void **state)
{
    (void)state;
    OK("a=1&b=2", "{\"a\":\"1\",\"b\":\"2\"}");
    OK("email=a%40example.com&name=J%C3%A9r%C3%B4me+D", "{\"email\":\"a@example.com\","
       "\"name\":\"J\xc3\xa9r\xc3\xb4me D\"}");
    OK("x=%2B%26%3D+%25", "{\"x\":\"+&= %\"}");
    OK("raw=\xc3\xa9t\xc3\xa9", "{\"raw\":\"\xc3\xa9t\xc3\xa9\"}");
    OK("profile=%7B%22a%22%3A1%7D", "{\"profile\":\"{\\\"a\\\":1}\"}");
    OK("a==b", "{\"a\":\"=b\"}");
    OK("a=]&b=[", "{\"a\":\"]\",\"b\":\"[\"}");
    OK("ml=line1%0D%0Aline2", "{\"ml\":\"line1\\r\\nline2\"}");
}

static void test_values_are_strings(void **state)
{
    (void)state;
    OK("n=123&b=true&z=null", "{\"n\":\"123\",\"b\":\"true\",\"z\":\"null\"}");
}

static void test_empty_pairs_and_missing_value(void **state)
{
    (void)state;
    OK("", "{}");
    OK("&", "{}");
    OK("&&a=1&&&b=2&", "{\"a\":\"1\",\"b\":\"2\"}");
    OK("flag&x=1", "{\"flag\":\"\",\"x\":\"1\"}");
    OK("a=", "{\"a\":\"\"}");
    ok_n(NULL, 0, "{}");
}

static void test_repeated_keys_make_arrays(void **state)
{
    (void)state;
    OK("a=1&a=2", "{\"a\":[\"1\",\"2\"]}");
    OK("a=1&b=x&a=2&a=3", "{\"a\":[\"1\",\"2\",\"3\"],\"b\":\"x\"}");
    OK("groups=a&groups=b", "{\"groups\":[\"a\",\"b\"]}");
}

static void test_brackets_make_arrays(void **state)
{
    (void)state;
    OK("a[]=1", "{\"a\":[\"1\"]}");
    OK("a[]=1&a[]=2", "{\"a\":[\"1\",\"2\"]}");
    OK("a=1&a[]=2", "{\"a\":[\"1\",\"2\"]}");
    OK("a[]=1&a=2", "{\"a\":[\"1\",\"2\"]}");
    OK("a%5B%5D=1", "{\"a\":[\"1\"]}");   /* brackets count after decoding */
}

static void test_brackets_make_objects(void **state)
{
    (void)state;
    OK("a[x]=1&a[y]=2", "{\"a\":{\"x\":\"1\",\"y\":\"2\"}}");
    OK("pin[code]=true&pin[allowed]=true", "{\"pin\":{\"code\":\"true\",\"allowed\":\"true\"}}");
    OK("a[x][y]=1", "{\"a\":{\"x\":{\"y\":\"1\"}}}");
    OK("a[x][]=1&a[x][]=2&a[z]=3", "{\"a\":{\"x\":[\"1\",\"2\"],\"z\":\"3\"}}");
    OK("a[x]=1&a[x]=2", "{\"a\":{\"x\":[\"1\",\"2\"]}}");
    OK("a[x+y]=1&a[%C3%A9]=2", "{\"a\":{\"x y\":\"1\",\"\xc3\xa9\":\"2\"}}");
}

static void test_depth_boundary(void **state)
{
    (void)state;
    assert_int_equal(FORM_MAX_DEPTH, 4);
    OK("a[b][c][d][e]=1", "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":\"1\"}}}}}");
    OK("a[b][c][d][]=1", "{\"a\":{\"b\":{\"c\":{\"d\":[\"1\"]}}}}");
    BAD("a[b][c][d][e][f]=1", FORM_BAD_KEY, "malformed form field name 'a[b][c][d][e][f]'");
    BAD("a[b][c][d][e][]=1", FORM_BAD_KEY, NULL);
}

static void test_bad_escape(void **state)
{
    (void)state;
    BAD("a=1&b=%zz", FORM_BAD_ESCAPE, "bad percent-escape in form data (pair at byte 4)");
    BAD("a=%", FORM_BAD_ESCAPE, NULL);
    BAD("a=%4", FORM_BAD_ESCAPE, NULL);
    BAD("a=%4g", FORM_BAD_ESCAPE, NULL);
    BAD("a=%%41", FORM_BAD_ESCAPE, NULL);
    BAD("%=1", FORM_BAD_ESCAPE, NULL);
    BAD("a%2=1", FORM_BAD_ESCAPE, NULL);
    BAD("a=1&b=%4", FORM_BAD_ESCAPE, NULL);
}

static void test_bad_utf8(void **state)
{
    (void)state;
    BAD("a=%C0%AF", FORM_BAD_UTF8, "invalid UTF-8 in form field 'a'");
    BAD("a=%E0%80%AF", FORM_BAD_UTF8, NULL);
    BAD("a=%ED%A0%80", FORM_BAD_UTF8, NULL);
    BAD("a=%F4%90%80%80", FORM_BAD_UTF8, NULL);
    BAD("a=%E2%82", FORM_BAD_UTF8, NULL);
    BAD("a[x]=%FF", FORM_BAD_UTF8, "invalid UTF-8 in form field 'a[x]'");
    BAD("a=\xff", FORM_BAD_UTF8, NULL);
    BAD("%FF=1", FORM_BAD_UTF8, "invalid UTF-8 in a form field name");
    BAD("a[%C0%AF]=1", FORM_BAD_UTF8, NULL);
}

static void test_nul(void **state)
{
    (void)state;
    BAD("a=%00", FORM_NUL, "NUL byte in form field 'a'");
    BAD("a=x%00y", FORM_NUL, NULL);
    BAD("a%00b=1", FORM_NUL, "NUL byte in a form field name");
    /* a raw NUL byte in the body is decoded like any other byte */
    bad_n("a=x\0y", 5, FORM_NUL, NULL);
}

static void test_bad_key(void **state)
{
    (void)state;
    BAD("=1", FORM_BAD_KEY, "empty form field name (pair at byte 0)");
    BAD("a=1&=", FORM_BAD_KEY, "empty form field name (pair at byte 4)");
    BAD("a[=1", FORM_BAD_KEY, "malformed form field name 'a['");
    BAD("a]=1", FORM_BAD_KEY, NULL);
    BAD("[x]=1", FORM_BAD_KEY, NULL);
    BAD("[]=1", FORM_BAD_KEY, NULL);
    BAD("a[x=1", FORM_BAD_KEY, NULL);
    BAD("a[x]]=1", FORM_BAD_KEY, NULL);
    BAD("a[[x]]=1", FORM_BAD_KEY, NULL);
    BAD("a[x]y=1", FORM_BAD_KEY, NULL);
    BAD("a[][x]=1", FORM_BAD_KEY, NULL);
    BAD("a[][]=1", FORM_BAD_KEY, NULL);
    BAD("%5Bx%5D=1", FORM_BAD_KEY, NULL);
    BAD("a[x", FORM_BAD_KEY, NULL);
}

static void test_conflict(void **state)
{
    (void)state;
    BAD("a=1&a[x]=2", FORM_CONFLICT,
        "form field 'a[x]' conflicts with an earlier field of that name");
    BAD("a[x]=2&a=1", FORM_CONFLICT, "form field 'a' conflicts with an earlier field of that name");
    BAD("a[]=1&a[x]=2", FORM_CONFLICT, NULL);
    BAD("a[x]=1&a[]=2", FORM_CONFLICT, NULL);
    BAD("a[x]=1&a[x][y]=2", FORM_CONFLICT, NULL);
    BAD("a[x][y]=1&a[x]=2", FORM_CONFLICT, NULL);
    BAD("a[x][y]=1&a[x][]=2", FORM_CONFLICT, NULL);
}

/* n non-empty pairs "k=v", with extra empty pairs between them when gaps is set. */
static char *many_pairs(size_t n, int gaps, size_t *len)
{
    char *s = malloc(n * 8 + 16);
    assert_non_null(s);
    size_t o = 0;
    for (size_t k = 0; k < n; k++) {
        if (k > 0)
            s[o++] = '&';
        if (gaps)
            s[o++] = '&';
        memcpy(s + o, "k=v", 3);
        o += 3;
    }
    *len = o;
    return s;
}

static void test_too_many(void **state)
{
    (void)state;
    size_t len;
    char *s = many_pairs(FORM_MAX_PAIRS, 1, &len);
    json_object *out = NULL;
    char msg[MSG];
    assert_int_equal(form_decode(s, len, &out, msg, sizeof msg), FORM_OK);
    assert_int_equal(json_object_array_length(json_object_object_get(out, "k")),
                     FORM_MAX_PAIRS);
    json_object_put(out);
    free(s);

    s = many_pairs(FORM_MAX_PAIRS + 1, 0, &len);
    bad_n(s, len, FORM_TOO_MANY, "more than 10000 form fields");
    free(s);
}

/* form_decode_max's own count, and the weight taken from the request's JSON allowance. */
static void test_max_pairs_and_weight(void **state)
{
    (void)state;
    json_object *out = NULL;
    char msg[MSG];
    assert_int_equal(form_decode_max("a=1&b=2&c=3", 11, 3, &out, msg, sizeof msg), FORM_OK);
    json_object_put(out);
    assert_int_equal(form_decode_max("a=1&b=2&&c=3&d", 14, 3, &out, msg, sizeof msg),
                     FORM_TOO_MANY);
    assert_null(out);
    assert_string_equal(msg, "more than 3 form fields");
    /* 2 per pair, an object per bracket of a key (raw or %5B), 1 per 64 bytes */
    json_in_set_allowance(1000);
    assert_int_equal(form_decode_max("a=1&b[x][y]=2&c%5Bz%5d=3", 24, 10, &out, msg, sizeof msg),
                     FORM_OK);
    json_object_put(out);
    assert_int_equal(json_in_allowance(), 1000 - (2 + 2 + 16 + 2 + 8));
    json_in_set_allowance(2 * 8 + 2 - 1);   /* one less than "a[b][c]=1" weighs */
    assert_int_equal(form_decode_max("a[b][c]=1", 9, 10, &out, msg, sizeof msg), FORM_TOO_LARGE);
    assert_null(out);
    assert_non_null(strstr(msg, "form too large to decode"));
    assert_int_equal(json_in_allowance(), 17);   /* nothing taken */
    assert_int_equal(form_decode_max("a[b]=1", 6, 10, &out, msg, sizeof msg), FORM_OK);
    json_object_put(out);
    assert_int_equal(json_in_allowance(), 7);
    json_in_set_allowance(SIZE_MAX);
}

static void test_nomem(void **state)
{
    (void)state;
    fail_object_at = 1;   /* the result object */
    BAD("a=1", FORM_NOMEM, "out of memory");
    fail_object_at = 2;   /* the object under "a" */
    BAD("a[x]=1", FORM_NOMEM, "out of memory");
    fail_string_at = 2;   /* the second value */
    BAD("a=1&a=2", FORM_NOMEM, "out of memory");
    fail_array_at = 1;   /* the array for "[]" */
    BAD("a[x][]=1", FORM_NOMEM, "out of memory");
    fail_array_at = 1;   /* the array a repeated key turns into */
    BAD("a=1&b=2&a=3", FORM_NOMEM, "out of memory");
    fail_object_at = fail_string_at = fail_array_at = 0;
    OK("a[x]=1&a[x]=2", "{\"a\":{\"x\":[\"1\",\"2\"]}}");
}

static void test_unescape(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(form_unescape("a+b%20c", 7, out), 5);
    assert_string_equal(out, "a b c");
    assert_int_equal(form_unescape("%41%4a%4A%7e", 12, out), 4);
    assert_string_equal(out, "AJJ~");
    assert_int_equal(form_unescape("", 0, out), 0);
    assert_string_equal(out, "");
    assert_int_equal(form_unescape("x%00y", 5, out), 3);
    assert_memory_equal(out, "x\0y", 4);
    assert_int_equal(form_unescape("abcdef", 3, out), 3);   /* only n bytes */
    assert_string_equal(out, "abc");
    assert_int_equal(form_unescape("%", 1, out), -1);
    assert_int_equal(form_unescape("%4", 2, out), -1);
    assert_int_equal(form_unescape("%41%4", 5, out), -1);
    assert_int_equal(form_unescape("%G1", 3, out), -1);
    assert_int_equal(form_unescape("%1G", 3, out), -1);
    assert_int_equal(form_unescape("%412", 2, out), -1);   /* the escape is cut by n */
}

static void test_add_pair(void **state)
{
    (void)state;
    json_object *o = json_object_new_object();
    char msg[MSG];
    assert_int_equal(form_add_pair(o, "a[x]", 4, "v\n1", 3, msg, sizeof msg), FORM_OK);
    assert_int_equal(form_add_pair(o, "a[x]xyz", 4, "2", 1, msg, sizeof msg), FORM_OK);
    assert_int_equal(form_add_pair(o, "b", 1, "", 0, msg, sizeof msg), FORM_OK);
    assert_int_equal(form_add_pair(o, "c", 1, NULL, 0, msg, sizeof msg), FORM_OK);
    assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                        "{\"a\":{\"x\":[\"v\\n1\",\"2\"]},\"b\":\"\",\"c\":\"\"}");
    assert_int_equal(form_add_pair(o, "", 0, "1", 1, msg, sizeof msg), FORM_BAD_KEY);
    assert_string_equal(msg, "empty form field name");
    assert_int_equal(form_add_pair(o, "k\0", 2, "1", 1, msg, sizeof msg), FORM_NUL);
    assert_int_equal(form_add_pair(o, "k", 1, "1\0", 2, msg, sizeof msg), FORM_NUL);
    assert_int_equal(form_add_pair(o, "\xc0\xaf", 2, "1", 1, msg, sizeof msg), FORM_BAD_UTF8);
    assert_int_equal(form_add_pair(o, "k", 1, "\xed\xa0\x80", 3, msg, sizeof msg),
                     FORM_BAD_UTF8);
    assert_int_equal(form_add_pair(o, "a", 1, "1", 1, msg, sizeof msg), FORM_CONFLICT);
    assert_int_equal(form_add_pair(o, "b[", 2, "1", 1, msg, sizeof msg), FORM_BAD_KEY);
    fail_string_at = 1;
    assert_int_equal(form_add_pair(o, "d", 1, "1", 1, msg, sizeof msg), FORM_NOMEM);
    fail_string_at = 0;
    /* nothing changed by the failures */
    assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                        "{\"a\":{\"x\":[\"v\\n1\",\"2\"]},\"b\":\"\",\"c\":\"\"}");
    json_object_put(o);
}

static void test_message_keeps_utf8(void **state)
{
    (void)state;
    /* A long key is shown cut to 64 bytes at a character boundary. */
    char key[2 * 100 + 8];
    size_t n = 0;
    for (int k = 0; k < 100; k++) {
        key[n++] = '\xc3';
        key[n++] = '\xa9';
    }
    json_object *o = json_object_new_object();
    char msg[MSG];
    assert_int_equal(form_add_pair(o, key, n, "1", 1, msg, sizeof msg), FORM_OK);
    memcpy(key + n, "[x]", 3);
    assert_int_equal(form_add_pair(o, key, n + 3, "1", 1, msg, sizeof msg), FORM_CONFLICT);
    char want[MSG];
    snprintf(want, sizeof want, "form field '%.64s' conflicts with an earlier field of that name",
             key);
    assert_string_equal(msg, want);
    /* A message buffer that ends inside a character loses the whole character. */
    char small[14];
    assert_int_equal(form_add_pair(o, key, n + 3, "1", 1, small, sizeof small), FORM_CONFLICT);
    assert_string_equal(small, "form field '");
    char small2[15];
    assert_int_equal(form_add_pair(o, key, n + 3, "1", 1, small2, sizeof small2),
                     FORM_CONFLICT);
    assert_string_equal(small2, "form field '\xc3\xa9");
    assert_int_equal(form_add_pair(o, key, n + 3, "1", 1, NULL, 0), FORM_CONFLICT);
    json_object_put(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_pairs),
        cmocka_unit_test(test_values_are_strings),
        cmocka_unit_test(test_empty_pairs_and_missing_value),
        cmocka_unit_test(test_repeated_keys_make_arrays),
        cmocka_unit_test(test_brackets_make_arrays),
        cmocka_unit_test(test_brackets_make_objects),
        cmocka_unit_test(test_depth_boundary),
        cmocka_unit_test(test_bad_escape),
        cmocka_unit_test(test_bad_utf8),
        cmocka_unit_test(test_nul),
        cmocka_unit_test(test_bad_key),
        cmocka_unit_test(test_conflict),
        cmocka_unit_test(test_too_many),
        cmocka_unit_test(test_nomem),
        cmocka_unit_test(test_unescape),
        cmocka_unit_test(test_max_pairs_and_weight),
        cmocka_unit_test(test_add_pair),
        cmocka_unit_test(test_message_keeps_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
