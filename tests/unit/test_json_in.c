/* test_json_in.c: json_in_parse and the json_* helpers: every status, exact messages for the
 * common ones, the json-c quirks documented in lib/codec/json_in.c, and the depth boundary; the
 * weight of a text, the request's allowance it is taken from, and the array walk. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/json_in.h"

/* Interposes json-c's tokener constructor so the out-of-memory path can be taken on demand. */
static int fail_tokener;

struct json_tokener *json_tokener_new_ex(int depth)
{
    if (fail_tokener)
        return NULL;
    struct json_tokener *(*real)(int);
    void *sym = dlsym(RTLD_NEXT, "json_tokener_new_ex");
    memcpy(&real, &sym, sizeof real);
    return real(depth);
}

enum { MSG = 256 };

/* Parses exactly len bytes at s and expects status want; when want_msg is given the message
 * must be exactly that. *out must be NULL on every failure. */
static void bad_n(const char *s, size_t len, unsigned depth, enum json_in_status want,
                  const char *want_msg)
{
    json_object *out = json_object_new_object();   /* must be overwritten with NULL */
    json_object *sentinel = out;
    char msg[MSG];
    memset(msg, 'x', sizeof msg);
    enum json_in_status st = json_in_parse(s, len, depth, &out, msg, sizeof msg);
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

#define BAD(lit, want, m) bad_n(lit, sizeof(lit) - 1, 32, want, m)
#define BAD_D(lit, depth, want, m) bad_n(lit, sizeof(lit) - 1, depth, want, m)

/* Parses len bytes at s and expects JSON_IN_OK and the plain serialisation want. */
static void ok_n(const char *s, size_t len, unsigned depth, const char *want)
{
    json_object *out = NULL;
    char msg[MSG] = "unchanged";
    enum json_in_status st = json_in_parse(s, len, depth, &out, msg, sizeof msg);
    if (st != JSON_IN_OK)
        print_error("input [%.*s]: status %d, message '%s'\n", (int)len, s, (int)st, msg);
    assert_int_equal(st, JSON_IN_OK);
    assert_non_null(out);
    assert_string_equal(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN), want);
    json_object_put(out);
}

#define OK(lit, want) ok_n(lit, sizeof(lit) - 1, 32, want)
#define OK_D(lit, depth, want) ok_n(lit, sizeof(lit) - 1, depth, want)

static void test_ok_values(void **state)
{
    (void)state;
    OK("{\"a\":1,\"b\":[true,false,null],\"c\":\"x\",\"d\":1.5,\"e\":{}}",
       "{\"a\":1,\"b\":[true,false,null],\"c\":\"x\",\"d\":1.5,\"e\":{}}");
    OK(" \t\r\n[ 1 , -2 ] \r\n\t ", "[1,-2]");
    OK("42", "42");
    OK("  -0  ", "0");
    OK("\"plain\"", "\"plain\"");
    OK("true", "true");
    OK("[1e5,1E-5,0.5,-0.0,1e+2]", "[1e5,1E-5,0.5,-0.0,1e+2]");
    OK("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
       "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    OK("\"tab\\there\\n\\\"q\\\"\"", "\"tab\\there\\n\\\"q\\\"\"");
}

static void test_ok_duplicate_keys_last_wins(void **state)
{
    (void)state;
    OK("{\"a\":1,\"b\":2,\"a\":3}", "{\"a\":3,\"b\":2}");
}

static void test_ok_null_top_level(void **state)
{
    (void)state;
    json_object *out = json_object_new_object();
    json_object *sentinel = out;
    char msg[MSG];
    assert_int_equal(json_in_parse("null", 4, 32, &out, msg, sizeof msg), JSON_IN_OK);
    assert_null(out);
    json_object_put(sentinel);
    assert_int_equal(json_in_parse(" null ", 6, 32, &out, msg, sizeof msg), JSON_IN_OK);
    assert_null(out);
}

static void test_ok_not_nul_terminated(void **state)
{
    (void)state;
    /* Only len bytes count: what follows in memory must not be read as part of the value. */
    ok_n("123456", 3, 32, "123");
    ok_n("[1]]]]", 3, 32, "[1]");
    ok_n("truex", 4, 32, "true");
}

static void test_surrogate_pairs_ok(void **state)
{
    (void)state;
    json_object *out = NULL;
    char msg[MSG];
    static const char in[] = "\"\\ud83d\\ude00 \\uD800\\uDC00 \\uDBFF\\uDFFF \\ufffd\"";
    assert_int_equal(json_in_parse(in, sizeof in - 1, 32, &out, msg, sizeof msg), JSON_IN_OK);
    assert_int_equal(json_object_get_string_len(out), 4 + 1 + 4 + 1 + 4 + 1 + 3);
    assert_memory_equal(json_object_get_string(out),
                        "\xf0\x9f\x98\x80 \xf0\x90\x80\x80 \xf4\x8f\xbf\xbf \xef\xbf\xbd", 18);
    json_object_put(out);
}

static void test_empty(void **state)
{
    (void)state;
    BAD("", JSON_IN_EMPTY, "empty JSON body");
    BAD(" \t\r\n  ", JSON_IN_EMPTY, "empty JSON body");
    bad_n(NULL, 0, 32, JSON_IN_EMPTY, "empty JSON body");
}

static void test_syntax(void **state)
{
    (void)state;
    BAD("{} x", JSON_IN_SYNTAX, "malformed JSON at byte 3: unexpected character");
    BAD("{}{}", JSON_IN_SYNTAX, "malformed JSON at byte 2: unexpected character");
    BAD("[1,]", JSON_IN_SYNTAX, "malformed JSON at byte 3: unexpected character");
    BAD("[1,2", JSON_IN_SYNTAX, "malformed JSON at byte 4: unexpected end of data");
    BAD("\"abc", JSON_IN_SYNTAX, "malformed JSON at byte 4: unexpected end of data");
    BAD("{\"a\":1,}", JSON_IN_SYNTAX, NULL);
    BAD("'a'", JSON_IN_SYNTAX, "malformed JSON at byte 0: unexpected character");
    BAD("[1 /* c */]", JSON_IN_SYNTAX, NULL);
    BAD("tru", JSON_IN_SYNTAX, NULL);
    BAD("TRUE", JSON_IN_SYNTAX, NULL);
    BAD("123abc", JSON_IN_SYNTAX, "malformed JSON at byte 3: unexpected character");
    BAD("12 34", JSON_IN_SYNTAX, NULL);
    BAD("{}\v", JSON_IN_SYNTAX, NULL);
    BAD("{}\f", JSON_IN_SYNTAX, NULL);
    BAD("\"\\x41\"", JSON_IN_SYNTAX, NULL);
    BAD("{a:1}", JSON_IN_SYNTAX, NULL);
    BAD("0x10", JSON_IN_SYNTAX, NULL);
    BAD("+1", JSON_IN_SYNTAX, NULL);
    BAD("\xef\xbb\xbf{}", JSON_IN_SYNTAX, "malformed JSON at byte 0: byte order mark not allowed");
}

static void test_syntax_numbers_json_c_accepts(void **state)
{
    (void)state;
    /* json-c 0.16 accepts all of these in strict mode; RFC 8259 does not. */
    BAD("-01", JSON_IN_SYNTAX, "malformed JSON at byte 0: invalid number");
    BAD("00", JSON_IN_SYNTAX, "malformed JSON at byte 0: invalid number");
    BAD("[1.]", JSON_IN_SYNTAX, "malformed JSON at byte 1: invalid number");
    BAD("{\"a\": 1.e5}", JSON_IN_SYNTAX, "malformed JSON at byte 6: invalid number");
    BAD("-.5", JSON_IN_SYNTAX, NULL);
    BAD("0.e1", JSON_IN_SYNTAX, NULL);
    BAD("01", JSON_IN_SYNTAX, NULL);
}

static void test_syntax_raw_control_in_string(void **state)
{
    (void)state;
    BAD("\"a\tb\"", JSON_IN_SYNTAX,
        "malformed JSON at byte 2: unescaped control character in string");
    BAD("[\"a\nb\"]", JSON_IN_SYNTAX, NULL);
    BAD("{\"k\x01\":1}", JSON_IN_SYNTAX, NULL);
}

static void test_depth_boundaries(void **state)
{
    (void)state;
    OK_D("1", 0, "1");
    BAD_D("[]", 0, JSON_IN_DEPTH, "JSON nested deeper than 0 levels at byte 0");
    OK_D("[]", 1, "[]");
    OK_D("[1]", 1, "[1]");
    BAD_D("[[]]", 1, JSON_IN_DEPTH, NULL);
    OK_D("[[[1]]]", 3, "[[[1]]]");
    OK_D("[[[]]]", 3, "[[[]]]");
    OK_D("{\"a\":{\"b\":[{}]}}", 4, "{\"a\":{\"b\":[{}]}}");
    /* json-c alone lets an empty innermost container one level too deep pass. */
    BAD_D("[[[[]]]]", 3, JSON_IN_DEPTH, "JSON nested deeper than 3 levels at byte 3");
    BAD_D("[[[[1]]]]", 3, JSON_IN_DEPTH, NULL);
    BAD_D("{\"a\":{\"b\":[{}]}}", 3, JSON_IN_DEPTH, NULL);
    BAD_D("[{\"a\":[{\"b\":[]}]}]", 4, JSON_IN_DEPTH, NULL);
}

static void test_depth_default_32(void **state)
{
    (void)state;
    char buf[2 * 40 + 1];
    for (unsigned d = 31; d <= 34; d++) {
        memset(buf, '[', d);
        buf[d] = '1';
        memset(buf + d + 1, ']', d);
        json_object *out = NULL;
        char msg[MSG];
        enum json_in_status st = json_in_parse(buf, 2 * d + 1, 32, &out, msg, sizeof msg);
        if (d <= 32) {
            assert_int_equal(st, JSON_IN_OK);
            assert_non_null(out);
            json_object_put(out);
        } else {
            assert_int_equal(st, JSON_IN_DEPTH);
            assert_null(out);
            assert_non_null(strstr(msg, "JSON nested deeper than 32 levels"));
        }
        /* the same with empty innermost arrays */
        memset(buf, '[', d);
        memset(buf + d, ']', d);
        st = json_in_parse(buf, 2 * d, 32, &out, msg, sizeof msg);
        assert_int_equal(st, d <= 32 ? JSON_IN_OK : JSON_IN_DEPTH);
        json_object_put(out);
    }
}

static void test_depth_huge_limit_is_capped(void **state)
{
    (void)state;
    OK_D("[[1]]", UINT_MAX, "[[1]]");
    size_t n = 1001;
    char *buf = malloc(2 * n);
    assert_non_null(buf);
    memset(buf, '[', n);
    memset(buf + n, ']', n);
    json_object *out = NULL;
    char msg[MSG];
    assert_int_equal(json_in_parse(buf, 2 * n, UINT_MAX, &out, msg, sizeof msg), JSON_IN_DEPTH);
    assert_null(out);
    assert_int_equal(json_in_parse(buf + 1, 2 * n - 2, UINT_MAX, &out, msg, sizeof msg),
                     JSON_IN_OK);
    json_object_put(out);
    free(buf);
}

static void test_utf8_raw(void **state)
{
    (void)state;
    BAD("\"\xc0\xaf\"", JSON_IN_UTF8, "invalid UTF-8 in JSON body");          /* overlong */
    BAD("\"\xe0\x80\xaf\"", JSON_IN_UTF8, "invalid UTF-8 in JSON body");      /* overlong */
    BAD("\"\xed\xa0\x80\"", JSON_IN_UTF8, "invalid UTF-8 in JSON body");      /* surrogate */
    BAD("\"\xf4\x90\x80\x80\"", JSON_IN_UTF8, "invalid UTF-8 in JSON body");  /* > U+10FFFF */
    BAD("\"\xe2\x82\"", JSON_IN_UTF8, "invalid UTF-8 in JSON body");          /* truncated */
    BAD("{\"\xff\":1}", JSON_IN_UTF8, "invalid UTF-8 in JSON body");
    BAD("[1]\x80", JSON_IN_UTF8, NULL);
}

static void test_utf8_lone_surrogate_escapes(void **state)
{
    (void)state;
    BAD("\"\\ud800\"", JSON_IN_UTF8,
        "invalid UTF-8 in JSON body: unpaired surrogate escape at byte 1");
    BAD("\"\\udc00\"", JSON_IN_UTF8, NULL);
    BAD("\"\\uDFFF\"", JSON_IN_UTF8, NULL);
    BAD("\"\\ud800x\"", JSON_IN_UTF8, NULL);
    BAD("\"\\ud800\\u0041\"", JSON_IN_UTF8, NULL);
    BAD("\"\\ud800\\n\"", JSON_IN_UTF8, NULL);
    BAD("\"ab\\ud800\\ud800\"", JSON_IN_UTF8,
        "invalid UTF-8 in JSON body: unpaired surrogate escape at byte 3");
    BAD("\"\\ud83d\\ude00\\ude00\"", JSON_IN_UTF8,
        "invalid UTF-8 in JSON body: unpaired surrogate escape at byte 13");
    BAD("{\"\\ud800\":1}", JSON_IN_UTF8, NULL);
    BAD("[\"ok\",\"\\udbff\"]", JSON_IN_UTF8, NULL);
}

static void test_nul(void **state)
{
    (void)state;
    BAD("[1,\0 2]", JSON_IN_NUL, "NUL byte in JSON body at byte 3");
    BAD("[1]\0", JSON_IN_NUL, "NUL byte in JSON body at byte 3");
    BAD("\"a\0b\"", JSON_IN_NUL, NULL);
    BAD("\"a\\u0000b\"", JSON_IN_NUL, "NUL character in JSON string at byte 2");
    BAD("\"\\u0000\"", JSON_IN_NUL, NULL);
    /* json-c truncates such a key to "a" silently; it must not get through. */
    BAD("{\"a\\u0000b\":1}", JSON_IN_NUL, "NUL character in JSON string at byte 3");
}

static void test_numbers_out_of_range(void **state)
{
    (void)state;
    BAD("99999999999999999999", JSON_IN_NUMBER, "integer out of range at byte 0");
    BAD("-99999999999999999999", JSON_IN_NUMBER, "integer out of range at byte 0");
    BAD("18446744073709551616", JSON_IN_NUMBER, NULL);
    BAD("[-9223372036854775809]", JSON_IN_NUMBER, "integer out of range at byte 1");
    BAD("{\"n\":123456789012345678901234567890}", JSON_IN_NUMBER, NULL);
    BAD("1e999", JSON_IN_NUMBER, "number out of range in JSON body");
    BAD("-1e999", JSON_IN_NUMBER, NULL);
    BAD("[1E400]", JSON_IN_NUMBER, NULL);
    BAD("1.7976931348623157e309", JSON_IN_NUMBER, NULL);
}

static void test_numbers_nan_infinity(void **state)
{
    (void)state;
    BAD("NaN", JSON_IN_NUMBER, "NaN and Infinity are not allowed in JSON (byte 0)");
    BAD("Infinity", JSON_IN_NUMBER, NULL);
    BAD("-Infinity", JSON_IN_NUMBER, "NaN and Infinity are not allowed in JSON (byte 0)");
    BAD("[1,NaN]", JSON_IN_NUMBER, "NaN and Infinity are not allowed in JSON (byte 3)");
    BAD("{\"x\":Infinity}", JSON_IN_NUMBER, NULL);
    BAD("nan", JSON_IN_SYNTAX, NULL);
}

static void test_numbers_at_the_limits(void **state)
{
    (void)state;
    OK("9223372036854775807", "9223372036854775807");
    OK("-9223372036854775808", "-9223372036854775808");
    OK("18446744073709551615", "18446744073709551615");
    OK("1e308", "1e308");
    OK("1e-999", "1e-999");   /* underflows to 0, which is finite */
    OK("123456789012345678901234567890.5", "123456789012345678901234567890.5");
}

static void test_nomem(void **state)
{
    (void)state;
    fail_tokener = 1;
    BAD("[1]", JSON_IN_NOMEM, "out of memory");
    fail_tokener = 0;
    OK("[1]", "[1]");
}

static void test_message_null_or_small(void **state)
{
    (void)state;
    json_object *out = NULL;
    assert_int_equal(json_in_parse("[", 1, 32, &out, NULL, 0), JSON_IN_SYNTAX);
    assert_null(out);
    char msg[8];
    assert_int_equal(json_in_parse("[", 1, 32, &out, msg, sizeof msg), JSON_IN_SYNTAX);
    assert_string_equal(msg, "malform");
}

static json_object *parse_ok(const char *s)
{
    json_object *out = NULL;
    char msg[MSG];
    assert_int_equal(json_in_parse(s, strlen(s), 32, &out, msg, sizeof msg), JSON_IN_OK);
    return out;
}

static void test_type_predicates(void **state)
{
    (void)state;
    json_object *o = parse_ok("{\"s\":\"x\",\"b\":false,\"o\":{},\"a\":[],\"i\":1,\"d\":1.5}");
    json_object *s = json_object_object_get(o, "s");
    json_object *b = json_object_object_get(o, "b");
    json_object *obj = json_object_object_get(o, "o");
    json_object *arr = json_object_object_get(o, "a");
    json_object *i = json_object_object_get(o, "i");
    json_object *d = json_object_object_get(o, "d");
    assert_true(json_is_string(s));
    assert_false(json_is_string(i));
    assert_false(json_is_string(NULL));
    assert_true(json_is_bool(b));
    assert_false(json_is_bool(s));
    assert_false(json_is_bool(NULL));
    assert_true(json_is_object(obj));
    assert_true(json_is_object(o));
    assert_false(json_is_object(arr));
    assert_false(json_is_object(NULL));
    assert_true(json_is_array(arr));
    assert_false(json_is_array(obj));
    assert_false(json_is_array(NULL));
    assert_false(json_is_string(d));
    json_object_put(o);
}

static void test_int_range(void **state)
{
    (void)state;
    json_object *o = parse_ok("[5,-5,1.5,1.0,1e2,\"123\",\"123abc\",true,9223372036854775807,"
                              "-9223372036854775808,9223372036854775808,18446744073709551615]");
    long long v = 77;
    assert_int_equal(json_get_int_range(json_object_array_get_idx(o, 0), 0, 10, &v), 1);
    assert_int_equal(v, 5);
    assert_int_equal(json_get_int_range(json_object_array_get_idx(o, 0), 5, 5, &v), 1);
    v = 77;
    assert_int_equal(json_get_int_range(json_object_array_get_idx(o, 0), 6, 10, &v), 0);
    assert_int_equal(json_get_int_range(json_object_array_get_idx(o, 0), 0, 4, &v), 0);
    assert_int_equal(json_get_int_range(json_object_array_get_idx(o, 1), -5, 0, &v), 1);
    assert_int_equal(v, -5);
    v = 77;
    assert_int_equal(json_get_int_range(json_object_array_get_idx(o, 1), -4, 0, &v), 0);
    for (size_t k = 2; k <= 7; k++)   /* doubles, strings, booleans: never integers */
        assert_int_equal(json_get_int_range(json_object_array_get_idx(o, k), LLONG_MIN,
                                            LLONG_MAX, &v), 0);
    assert_int_equal(v, 77);
    assert_int_equal(json_get_int_range(json_object_array_get_idx(o, 8), LLONG_MIN, LLONG_MAX,
                                        &v), 1);
    assert_true(v == LLONG_MAX);
    assert_int_equal(json_get_int_range(json_object_array_get_idx(o, 9), LLONG_MIN, LLONG_MAX,
                                        &v), 1);
    assert_true(v == LLONG_MIN);
    v = 77;
    /* kept as uint64 by json-c; json_object_get_int64 would saturate to LLONG_MAX */
    assert_int_equal(json_get_int_range(json_object_array_get_idx(o, 10), LLONG_MIN, LLONG_MAX,
                                        &v), 0);
    assert_int_equal(json_get_int_range(json_object_array_get_idx(o, 11), LLONG_MIN, LLONG_MAX,
                                        &v), 0);
    assert_int_equal(v, 77);
    assert_int_equal(json_get_int_range(NULL, LLONG_MIN, LLONG_MAX, &v), 0);
    assert_int_equal(json_get_int_range(json_object_array_get_idx(o, 0), 0, 10, NULL), 1);
    json_object_put(o);
}

#define W(lit) json_in_weight(lit, sizeof(lit) - 1, SIZE_MAX)

static void test_weight(void **state)
{
    (void)state;
    assert_int_equal(W(""), 0);
    assert_int_equal(W("  \n"), 0);
    assert_int_equal(W("1"), 1);
    assert_int_equal(W("-1.5e3"), 1);
    assert_int_equal(W("true"), 1);
    assert_int_equal(W("null"), 1);
    assert_int_equal(W("\"\""), 1);
    assert_int_equal(W("{}"), JSON_IN_WEIGHT_OBJECT);
    assert_int_equal(W("[]"), JSON_IN_WEIGHT_ARRAY);
    /* a key and its value: 1 each */
    assert_int_equal(W("{\"a\":1}"), JSON_IN_WEIGHT_OBJECT + 2);
    assert_int_equal(W("[{},[],\"x\",2]"), 3 + 8 + 3 + 1 + 1);
    /* 1 more per 64 bytes of text; escapes are counted as written */
    char s[200] = "\"";
    memset(s + 1, 'a', 128);
    s[129] = '"';
    assert_int_equal(json_in_weight(s, 130, SIZE_MAX), 1 + 2);
    assert_int_equal(W("\"\\\"\""), 1);
    /* keys past an object's tenth cost the growth of its table */
    const char *ten = "{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,\"i\":1,\"j\":1}";
    assert_int_equal(json_in_weight(ten, strlen(ten), SIZE_MAX), 8 + 10 * 2);
    const char *eleven = "{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,\"i\":1,\"j\":1,\"k\":[]}";
    assert_int_equal(json_in_weight(eleven, strlen(eleven), SIZE_MAX),
                     8 + 10 * 2 + 1 + JSON_IN_WEIGHT_TABLE_GROWTH + 3);
    /* per object: two objects of ten keys each pay nothing for growth */
    char two[256];
    snprintf(two, sizeof two, "[%s,%s]", ten, ten);
    assert_int_equal(json_in_weight(two, strlen(two), SIZE_MAX), 3 + 2 * (8 + 20));
    /* malformed text is weighed as far as it goes, and nothing is read past len */
    assert_int_equal(W("[{\"a"), 3 + 8 + 1);
    assert_int_equal(W("]]]}}}"), 0);
    assert_int_equal(json_in_weight("[[[", 1, SIZE_MAX), 3);
    /* counting stops once past stop */
    assert_true(json_in_weight("[1,1,1,1,1,1,1,1,1,1]", 21, 4) > 4);
    assert_true(json_in_weight("[1,1,1,1,1,1,1,1,1,1]", 21, 4) < 13);
    /* deeper than json-c's ceiling: still weighed, no overflow of the member counts */
    size_t n = 3000;
    char *deep = malloc(2 * n);
    assert_non_null(deep);
    for (size_t i = 0; i < n; i++) {
        deep[i] = '{';
        deep[2 * n - 1 - i] = '}';
    }
    assert_int_equal(json_in_weight(deep, 2 * n, SIZE_MAX), n * JSON_IN_WEIGHT_OBJECT);
    free(deep);
}

static void test_allowance(void **state)
{
    (void)state;
    json_object *out = NULL;
    char msg[MSG];
    assert_int_equal(json_in_allowance(), SIZE_MAX);
    json_in_set_allowance(20);
    /* within it: parsed, and its weight taken */
    assert_int_equal(json_in_parse("[1,2]", 5, 32, &out, msg, sizeof msg), JSON_IN_OK);
    json_object_put(out);
    assert_int_equal(json_in_allowance(), 15);
    /* over what is left: refused before json-c parses, nothing taken */
    assert_int_equal(json_in_parse("[{},{}]", 7, 32, &out, msg, sizeof msg), JSON_IN_TOO_MANY);
    assert_null(out);
    assert_string_equal(msg, "JSON too large to decode: more than 20 values in one request "
                             "(an object counts 8, an array 3)");
    assert_int_equal(json_in_allowance(), 15);
    /* a failed parse takes nothing */
    assert_int_equal(json_in_parse("[1,", 3, 32, &out, msg, sizeof msg), JSON_IN_SYNTAX);
    assert_int_equal(json_in_allowance(), 15);
    /* exactly what is left is fine */
    assert_int_equal(json_in_parse("[{},1,1,1,1]", 12, 32, &out, msg, sizeof msg), JSON_IN_OK);
    json_object_put(out);
    assert_int_equal(json_in_allowance(), 0);
    json_in_give_back(15);
    assert_int_equal(json_in_allowance(), 15);
    assert_int_equal(json_in_take(16), -1);
    assert_int_equal(json_in_take(15), 0);
    assert_int_equal(json_in_allowance(), 0);
    /* giving back never makes it unlimited */
    json_in_give_back(SIZE_MAX);
    assert_true(json_in_allowance() < SIZE_MAX);
    /* lifted: nothing is weighed or taken */
    json_in_set_allowance(SIZE_MAX);
    assert_int_equal(json_in_parse("[{},{}]", 7, 32, &out, msg, sizeof msg), JSON_IN_OK);
    json_object_put(out);
    assert_int_equal(json_in_take(1000), 0);
    assert_int_equal(json_in_allowance(), SIZE_MAX);
}

/* Walks lit and expects its elements to be exactly the strings in want, then st at the end. */
static void walk(const char *lit, const char *const *want, size_t n, enum json_in_status st)
{
    size_t pos = 0, s, e, k = 0;
    enum json_in_status got;
    size_t len = strlen(lit);
    while ((got = json_in_array_next(lit, len, &pos, &s, &e)) == JSON_IN_OK) {
        if (k >= n)
            print_error("[%s]: element %zu [%.*s] not expected\n", lit, k, (int)(e - s), lit + s);
        assert_true(k < n);
        assert_true(s < e && e <= len);
        if (e - s != strlen(want[k]) || memcmp(lit + s, want[k], e - s) != 0)
            print_error("element %zu of [%s]: [%.*s]\n", k, lit, (int)(e - s), lit + s);
        assert_int_equal(e - s, strlen(want[k]));
        assert_memory_equal(lit + s, want[k], e - s);
        k++;
    }
    assert_int_equal(got, st);
    if (st == JSON_IN_EMPTY)
        assert_int_equal(k, n);
}

static void test_array_walk(void **state)
{
    (void)state;
    static const char *const three[] = { "1", "{\"a\":[1,\"]\"]}", "\"x,]\\\"\"" };
    walk(" [1, {\"a\":[1,\"]\"]} ,\"x,]\\\"\"] \n", three, 3, JSON_IN_EMPTY);
    walk("[]", NULL, 0, JSON_IN_EMPTY);
    walk(" [ ] ", NULL, 0, JSON_IN_EMPTY);
    static const char *const one[] = { "[[[]]]" };
    walk("[[[[]]]]", one, 1, JSON_IN_EMPTY);
    static const char *const nul[] = { "null", "true", "-1.5e3" };
    walk("[null,true,-1.5e3]", nul, 3, JSON_IN_EMPTY);
    /* what the walk cannot split: parse the whole text for the message */
    walk("", NULL, 0, JSON_IN_SYNTAX);
    walk("{}", NULL, 0, JSON_IN_SYNTAX);
    walk("[", NULL, 0, JSON_IN_SYNTAX);
    walk("[,1]", NULL, 0, JSON_IN_SYNTAX);
    static const char *const trailing[] = { "1" };
    walk("[1,]", trailing, 1, JSON_IN_SYNTAX);
    walk("[1 2]", trailing, 1, JSON_IN_SYNTAX);
    walk("[1] x", trailing, 1, JSON_IN_SYNTAX);
    walk("[1]]", trailing, 1, JSON_IN_SYNTAX);
    walk("[\"abc", NULL, 0, JSON_IN_SYNTAX);
    static const char *const open_array[] = { "{\"a\":1}" };
    walk("[{\"a\":1}", open_array, 1, JSON_IN_SYNTAX);
    walk("[{\"a\":1", NULL, 0, JSON_IN_SYNTAX);
    walk("[}]", NULL, 0, JSON_IN_SYNTAX);
    walk("[:]", NULL, 0, JSON_IN_SYNTAX);
    /* delimited, not validated: the element's own parse refuses it */
    static const char *const garbage[] = { "{]" };
    walk("[{]]", garbage, 1, JSON_IN_EMPTY);
}

/* Walks the members of lit: want holds key, value, key, value...; st is expected at the end. */
static void walk_members(const char *lit, const char *const *want, size_t n,
                         enum json_in_status st)
{
    size_t pos = 0, ks, ke, s, e, k = 0, len = strlen(lit);
    enum json_in_status got;
    while ((got = json_in_object_next(lit, len, &pos, &ks, &ke, &s, &e)) == JSON_IN_OK) {
        assert_true(k + 1 < n);
        assert_true(ks < ke && ke <= s && s < e && e <= len);
        assert_int_equal(ke - ks, strlen(want[k]));
        assert_memory_equal(lit + ks, want[k], ke - ks);
        assert_int_equal(e - s, strlen(want[k + 1]));
        assert_memory_equal(lit + s, want[k + 1], e - s);
        k += 2;
    }
    assert_int_equal(got, st);
    if (st == JSON_IN_EMPTY)
        assert_int_equal(k, n);
}

static void test_object_walk(void **state)
{
    (void)state;
    static const char *const two[] = { "\"Users\"", "[1,{\"a\":\"}\"}]", "\"k\\\"\"", "null" };
    walk_members(" {\"Users\" : [1,{\"a\":\"}\"}] , \"k\\\"\":null } ", two, 4, JSON_IN_EMPTY);
    walk_members("{}", NULL, 0, JSON_IN_EMPTY);
    static const char *const dup[] = { "\"a\"", "1", "\"a\"", "2" };
    walk_members("{\"a\":1,\"a\":2}", dup, 4, JSON_IN_EMPTY);
    /* what the walk cannot split */
    walk_members("[]", NULL, 0, JSON_IN_SYNTAX);
    walk_members("", NULL, 0, JSON_IN_SYNTAX);
    walk_members("{\"a\"}", NULL, 0, JSON_IN_SYNTAX);
    walk_members("{\"a\":}", NULL, 0, JSON_IN_SYNTAX);
    walk_members("{a:1}", NULL, 0, JSON_IN_SYNTAX);
    walk_members("{1:1}", NULL, 0, JSON_IN_SYNTAX);
    static const char *const one[] = { "\"a\"", "1" };
    walk_members("{\"a\":1,}", one, 2, JSON_IN_SYNTAX);
    walk_members("{\"a\":1 \"b\":2}", one, 2, JSON_IN_SYNTAX);
    walk_members("{\"a\":1} x", one, 2, JSON_IN_SYNTAX);
    walk_members("{\"a\":1", one, 2, JSON_IN_SYNTAX);
    walk_members("{\"a", NULL, 0, JSON_IN_SYNTAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ok_values),
        cmocka_unit_test(test_ok_duplicate_keys_last_wins),
        cmocka_unit_test(test_ok_null_top_level),
        cmocka_unit_test(test_ok_not_nul_terminated),
        cmocka_unit_test(test_surrogate_pairs_ok),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_syntax_numbers_json_c_accepts),
        cmocka_unit_test(test_syntax_raw_control_in_string),
        cmocka_unit_test(test_depth_boundaries),
        cmocka_unit_test(test_depth_default_32),
        cmocka_unit_test(test_depth_huge_limit_is_capped),
        cmocka_unit_test(test_utf8_raw),
        cmocka_unit_test(test_utf8_lone_surrogate_escapes),
        cmocka_unit_test(test_nul),
        cmocka_unit_test(test_numbers_out_of_range),
        cmocka_unit_test(test_numbers_nan_infinity),
        cmocka_unit_test(test_numbers_at_the_limits),
        cmocka_unit_test(test_nomem),
        cmocka_unit_test(test_message_null_or_small),
        cmocka_unit_test(test_type_predicates),
        cmocka_unit_test(test_int_range),
        cmocka_unit_test(test_weight),
        cmocka_unit_test(test_allowance),
        cmocka_unit_test(test_array_walk),
        cmocka_unit_test(test_object_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
