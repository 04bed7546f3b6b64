/* test_fields.c: field-rule checking (missing/invalid lists in table order, null as missing,
 * text rules, bounds, arrays) and the form-to-JSON conversions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/valid.h"
#include "codec/fields.h"

static const struct field_rule rules[] = {
    { "name", FT_STRING, FIELD_REQUIRED, 1, 10, NULL, 0 },
    { "email", FT_STRING, FIELD_REQUIRED, 1, 0, valid_email, 0 },
    { "note", FT_STRING, FIELD_MULTILINE, 0, 0, NULL, 0 },
    { "flag", FT_BOOL, 0, 0, 0, NULL, 0 },
    { "count", FT_INT, 0, 0, 0, NULL, 0 },
    { "obj", FT_OBJECT, 0, 0, 0, NULL, 0 },
    { "tags", FT_STRING_ARRAY, 0, 1, 5, NULL, 2 },
};
enum { N = sizeof rules / sizeof rules[0] };

static void report(const char *json, struct field_report *rep)
{
    json_object *o = json_tokener_parse(json);
    assert_non_null(o);
    fields_check(o, rules, N, 1024, rep);
    json_object_put(o);
}

static void test_all_good(void **state)
{
    (void)state;
    struct field_report rep;
    report("{\"name\":\"Ann\",\"email\":\"a@b.co\",\"note\":\"l1\\nl2\\tx\",\"flag\":true,"
           "\"count\":3,\"obj\":{},\"tags\":[\"a\",\"bcdef\"],\"unknown\":1}", &rep);
    assert_int_equal(rep.nmissing, 0);
    assert_int_equal(rep.ninvalid, 0);
}

static void test_missing_in_table_order_null_counts(void **state)
{
    (void)state;
    struct field_report rep;
    report("{\"email\":null}", &rep);
    assert_int_equal(rep.nmissing, 2);
    assert_string_equal(rep.missing[0], "name");
    assert_string_equal(rep.missing[1], "email");
    assert_int_equal(rep.ninvalid, 0);
}

static void test_invalid_each_kind(void **state)
{
    (void)state;
    struct field_report rep;
    report("{\"name\":\"01234567890\",\"email\":\"nope\",\"note\":\"a\\u0001\",\"flag\":\"true\","
           "\"count\":1.5,\"obj\":[],\"tags\":[\"a\",\"b\",\"c\"]}", &rep);
    assert_int_equal(rep.nmissing, 0);
    assert_int_equal(rep.ninvalid, 7);
    const char *want[] = { "name", "email", "note", "flag", "count", "obj", "tags" };
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(rep.invalid[i], want[i]);
}

static void test_string_rules(void **state)
{
    (void)state;
    struct field_report rep;
    report("{\"name\":\"\",\"email\":\"a@b.co\"}", &rep);   /* below min_bytes */
    assert_int_equal(rep.ninvalid, 1);
    report("{\"name\":\"a\\nb\",\"email\":\"a@b.co\"}", &rep);   /* single line */
    assert_int_equal(rep.ninvalid, 1);
    report("{\"name\":\"a\",\"email\":\"a@b.co\",\"tags\":[\"\"]}", &rep);
    assert_int_equal(rep.ninvalid, 1);
    report("{\"name\":\"a\",\"email\":\"a@b.co\",\"tags\":[1]}", &rep);
    assert_int_equal(rep.ninvalid, 1);
    report("{\"name\":\"a\",\"email\":\"a@b.co\",\"count\":\"3\"}", &rep);
    assert_int_equal(rep.ninvalid, 1);
    const struct field_rule r = { "x", FT_STRING, 0, 0, 0, NULL, 0 };
    assert_true(fields_string_ok(&r, "abc", 3, 3));
    assert_false(fields_string_ok(&r, "abcd", 4, 3));
    assert_false(fields_string_ok(&r, "\xc0\xaf", 2, 10));
    assert_false(fields_string_ok(&r, "a\x7f", 2, 10));
}

/* Bounds in characters under FIELD_CHARS, in bytes otherwise; limits.string_bytes (string_max)
 * caps the bytes of every string, a rule's own bound too; the validator's verdict apart. */
static void test_characters_bytes_and_verdicts(void **state)
{
    (void)state;
    const struct field_rule chars = { "n", FT_STRING, FIELD_CHARS, 1, 3, NULL, 0 };
    const struct field_rule bytes = { "n", FT_STRING, 0, 1, 3, NULL, 0 };
    assert_true(fields_string_ok(&chars, "\xc3\xa9\xc3\xa9\xc3\xa9", 6, 1024));   /* 3 chars */
    assert_false(fields_string_ok(&chars, "\xc3\xa9\xc3\xa9\xc3\xa9\x61", 7, 1024));
    assert_false(fields_string_ok(&bytes, "\xc3\xa9\xc3\xa9", 4, 1024));          /* 4 bytes */
    assert_true(fields_string_ok(&bytes, "\xc3\xa9", 2, 1024));
    assert_true(fields_string_ok(&chars, "\xf0\x9f\x98\x80", 4, 1024));           /* 1 char */
    assert_false(fields_string_ok(&chars, "", 0, 1024));                          /* min */
    assert_false(fields_string_ok(&chars, "\xc3\xa9\xc3\xa9", 4, 3));             /* 4 > 3 */
    assert_int_equal(fields_max(&chars, 1024), 3);
    assert_int_equal(fields_max(&chars, 2), 2);
    const struct field_rule any = { "n", FT_STRING, 0, 0, 0, NULL, 0 };
    assert_int_equal(fields_max(&any, 1024), 1024);
    const struct field_rule email = { "e", FT_STRING, 0, 1, 254, valid_email, 0 };
    assert_int_equal(fields_string_check(&email, "a@b.co", 6, 1024), FIELD_TEXT_OK);
    assert_int_equal(fields_string_check(&email, "nope", 4, 1024), FIELD_TEXT_FORMAT);
    assert_int_equal(fields_string_check(&email, "a\x01@b.co", 7, 1024), FIELD_TEXT_BAD);
    assert_int_equal(fields_string_check(&email, "", 0, 1024), FIELD_TEXT_BAD);
}

/* Numbers, integer ranges, object arrays, and finding a rule by name. */
static void test_numbers_arrays_find(void **state)
{
    (void)state;
    static const struct field_rule t[] = {
        { "lat", FT_NUMBER, 0, 0, 90, NULL, 0 },
        { "any", FT_NUMBER, 0, 0, 0, NULL, 0 },
        { "cud", FT_INT, 0, 1, 3, NULL, 0 },
        { "phones", FT_OBJECT_ARRAY, 0, 0, 0, NULL, 2 },
    };
    json_object *o = json_tokener_parse(
        "{\"a\":-90,\"b\":90.5,\"c\":1e300,\"d\":\"1\",\"e\":3,\"f\":4,\"g\":2.0,"
        "\"h\":[{},{}],\"i\":[{},{},{}],\"j\":[{},1]}");
    assert_non_null(o);
    assert_true(fields_value_ok(&t[0], fields_get(o, "a"), 1024));
    assert_false(fields_value_ok(&t[0], fields_get(o, "b"), 1024));
    assert_true(fields_value_ok(&t[1], fields_get(o, "c"), 1024));
    assert_false(fields_value_ok(&t[1], fields_get(o, "d"), 1024));
    assert_true(fields_value_ok(&t[2], fields_get(o, "e"), 1024));
    assert_false(fields_value_ok(&t[2], fields_get(o, "f"), 1024));
    assert_false(fields_value_ok(&t[2], fields_get(o, "g"), 1024));
    assert_true(fields_value_ok(&t[3], fields_get(o, "h"), 1024));
    assert_false(fields_value_ok(&t[3], fields_get(o, "i"), 1024));
    assert_false(fields_value_ok(&t[3], fields_get(o, "j"), 1024));
    json_object_put(o);
    assert_ptr_equal(fields_find(t, 4, "cud"), &t[2]);
    assert_null(fields_find(t, 4, "Cud"));
    assert_null(fields_find(t, 4, ""));
}

static const char *coerced(const char *json)
{
    static char out[512];
    json_object *o = json_tokener_parse(json);
    fields_coerce_form(o, rules, N, 8);
    snprintf(out, sizeof out, "%s", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return out;
}

static void test_form_coercion(void **state)
{
    (void)state;
    assert_string_equal(coerced("{\"flag\":\"true\",\"count\":\"42\",\"tags\":\"one\"}"),
                        "{\"flag\":true,\"count\":42,\"tags\":[\"one\"]}");
    assert_string_equal(coerced("{\"flag\":\"false\",\"count\":\"-7\",\"obj\":\"{\\\"a\\\":1}\"}"),
                        "{\"flag\":false,\"count\":-7,\"obj\":{\"a\":1}}");
    assert_string_equal(coerced("{\"tags\":\"[\\\"x\\\",\\\"y\\\"]\"}"),
                        "{\"tags\":[\"x\",\"y\"]}");
    /* what cannot be converted stays as it was, for fields_check to report */
    assert_string_equal(coerced("{\"flag\":\"yes\",\"count\":\"4x\",\"obj\":\"[1]\"}"),
                        "{\"flag\":\"yes\",\"count\":\"4x\",\"obj\":\"[1]\"}");
    assert_string_equal(coerced("{\"name\":\"true\"}"), "{\"name\":\"true\"}");
}

static void test_getters(void **state)
{
    (void)state;
    json_object *o = json_tokener_parse("{\"a\":\"x\",\"b\":null,\"c\":1}");
    assert_string_equal(fields_str(o, "a"), "x");
    assert_null(fields_get(o, "b"));
    assert_null(fields_str(o, "c"));
    assert_non_null(fields_get(o, "c"));
    assert_null(fields_get(o, "zzz"));
    json_object_put(o);
    assert_null(fields_get(NULL, "a"));
}

static void trims_to(const char *in, const char *want)
{
    const char *s = in;
    size_t n = strlen(in);
    fields_trim_span(&s, &n);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(s, want, n);
}

static void test_trim_span(void **state)
{
    (void)state;
    trims_to(" \t a@b.io \t", "a@b.io");
    trims_to("a b", "a b");            /* inner blanks stay */
    trims_to(" \t ", "");
    trims_to("", "");
    trims_to("\na\n", "\na\n");      /* only spaces and tabs are blanks here */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_good),
        cmocka_unit_test(test_missing_in_table_order_null_counts),
        cmocka_unit_test(test_characters_bytes_and_verdicts),
        cmocka_unit_test(test_numbers_arrays_find),
        cmocka_unit_test(test_invalid_each_kind),
        cmocka_unit_test(test_string_rules),
        cmocka_unit_test(test_form_coercion),
        cmocka_unit_test(test_getters),
        cmocka_unit_test(test_trim_span),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
