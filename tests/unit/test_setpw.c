/* test_setpw.c: the parts of lib/core/setpw.c that need no database: the token shape and the
 * password rules, each at its boundary and in the documented order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/password.h"
#include "core/setpw.h"

static void test_token_shape(void **state)
{
    (void)state;
    char t[SETPW_TOKEN_MAX + 2];
    assert_int_equal(setpw_token_ok("6f1c2b7e-0d3a-4b5c-8d9e-0123456789ab", 36), 1);
    assert_int_equal(setpw_token_ok("AZaz09-_", 8), 1);
    memset(t, 'a', sizeof t);
    assert_int_equal(setpw_token_ok(t, SETPW_TOKEN_MAX), 1);
    assert_int_equal(setpw_token_ok(t, SETPW_TOKEN_MAX + 1), 0);
    assert_int_equal(setpw_token_ok("", 0), 0);
    assert_int_equal(setpw_token_ok(NULL, 0), 0);
    assert_int_equal(setpw_token_ok("a b", 3), 0);
    assert_int_equal(setpw_token_ok("a.b", 3), 0);
    assert_int_equal(setpw_token_ok("a\0b", 3), 0);
    assert_int_equal(setpw_token_ok("<script>", 8), 0);
}

static const char *const dict = "/var/cache/cracklib/cracklib_dict";

static enum setpw_rule rule(const char *pw, const char *conf)
{
    static const struct setpw_account a = { 1, "Jo.Doe@Example.com", "Jo", "jodoe" };
    return setpw_rule_check(pw, conf, &a, dict);
}

static void test_rules(void **state)
{
    (void)state;
    char longpw[PASSWORD_MAX_BYTES + 2];
    for (size_t i = 0; i < sizeof longpw; i++)
        longpw[i] = (char)('a' + (i * 7) % 26);
    longpw[PASSWORD_MAX_BYTES] = '\0';
    assert_int_equal(rule(longpw, longpw), SETPW_RULE_OK);
    longpw[PASSWORD_MAX_BYTES] = 'x';
    longpw[PASSWORD_MAX_BYTES + 1] = '\0';
    assert_int_equal(rule(longpw, longpw), SETPW_RULE_TOO_LONG);
    assert_int_equal(rule(NULL, NULL), SETPW_RULE_EMPTY);
    assert_int_equal(rule("", ""), SETPW_RULE_EMPTY);
    assert_int_equal(rule("1234567", "1234567"), SETPW_RULE_TOO_SHORT);
    /* what the page accepted before issue 13: blank, invisible, common, the address padded */
    assert_int_equal(rule("        ", "        "), SETPW_RULE_BLANK);
    const char *zw = "\xe2\x80\x8b\xe2\x80\x8b\xe2\x80\x8b\xe2\x80\x8b\xe2\x80\x8b\xe2\x80\x8b"
                     "\xe2\x80\x8b\xe2\x80\x8b";
    assert_int_equal(rule(zw, zw), SETPW_RULE_BLANK);
    assert_int_equal(rule("12345678", "12345678"), SETPW_RULE_COMMON);
    assert_int_equal(rule("password", "password"), SETPW_RULE_COMMON);
    assert_int_equal(rule(" jo.doe@example.com ", " jo.doe@example.com "), SETPW_RULE_IS_EMAIL);
    assert_int_equal(rule("jo.doe@example.COM", "jo.doe@example.COM"), SETPW_RULE_IS_EMAIL);
    assert_int_equal(rule("the jodoe account", NULL), SETPW_RULE_IS_USERNAME);
    assert_int_equal(rule("step on no pets", NULL), SETPW_RULE_WEAK);
    /* characters, not bytes: 7 two-byte characters are too short, 8 different ones are enough */
    assert_int_equal(rule("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", NULL),
                     SETPW_RULE_TOO_SHORT);
    const char *eight = "\xc3\x85\xc3\xa4\xc3\x96\xc3\xbc\xc3\x9f\xc3\xa9\xc3\xa7\xc3\xb1";
    assert_int_equal(rule(eight, eight), SETPW_RULE_OK);
    assert_int_equal(rule("tab\there!", "tab\there!"), SETPW_RULE_BAD_TEXT);
    assert_int_equal(rule("bad\xff utf8", "bad\xff utf8"), SETPW_RULE_BAD_TEXT);
    assert_int_equal(rule("long enough", "long enough "), SETPW_RULE_MISMATCH);
    assert_int_equal(rule("long enough", NULL), SETPW_RULE_MISMATCH);
    /* the order: a short password equal to nothing is reported as short, not as a mismatch */
    assert_int_equal(rule("short", "other"), SETPW_RULE_TOO_SHORT);
    /* no dictionary: the rules cannot be checked, which is not the password's fault */
    static const struct setpw_account a = { 1, "jo@example.com", NULL, NULL };
    assert_int_equal(setpw_rule_check("long enough", "long enough", &a, "/nonexistent/dict"),
                     SETPW_RULE_UNCHECKED);
    assert_int_equal(setpw_rule_check("long enough", "long enough", &a, dict), SETPW_RULE_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_shape),
        cmocka_unit_test(test_rules),
    };
    return cmocka_run_group_tests_name("setpw", tests, NULL, NULL);
}
