/* test_setpw.c: the parts of lib/setpw.c that need no database: the token shape and the
 * password rules, each at its boundary and in the documented order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "password.h"
#include "setpw.h"

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

static void test_rules(void **state)
{
    (void)state;
    const char *email = "Jo.Doe@Example.com";
    char longpw[PASSWORD_MAX_BYTES + 2];
    memset(longpw, 'x', sizeof longpw);
    longpw[PASSWORD_MAX_BYTES] = '\0';
    assert_int_equal(setpw_rule_check(longpw, longpw, email), SETPW_RULE_OK);
    longpw[PASSWORD_MAX_BYTES] = 'x';
    longpw[PASSWORD_MAX_BYTES + 1] = '\0';
    assert_int_equal(setpw_rule_check(longpw, longpw, email), SETPW_RULE_TOO_LONG);
    assert_int_equal(setpw_rule_check(NULL, NULL, email), SETPW_RULE_EMPTY);
    assert_int_equal(setpw_rule_check("", "", email), SETPW_RULE_EMPTY);
    assert_int_equal(setpw_rule_check("1234567", "1234567", email), SETPW_RULE_TOO_SHORT);
    assert_int_equal(setpw_rule_check("12345678", "12345678", email), SETPW_RULE_OK);
    /* characters, not bytes: 7 two-byte characters are too short, 8 are enough */
    assert_int_equal(setpw_rule_check("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
                                      NULL, email), SETPW_RULE_TOO_SHORT);
    const char *eight = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";
    assert_int_equal(setpw_rule_check(eight, eight, email), SETPW_RULE_OK);
    assert_int_equal(setpw_rule_check("tab\there!", "tab\there!", email), SETPW_RULE_BAD_TEXT);
    assert_int_equal(setpw_rule_check("bad\xff utf8", "bad\xff utf8", email),
                     SETPW_RULE_BAD_TEXT);
    assert_int_equal(setpw_rule_check("jo.doe@example.COM", "jo.doe@example.COM", email),
                     SETPW_RULE_IS_EMAIL);
    assert_int_equal(setpw_rule_check(" jo.doe@example.com", " jo.doe@example.com", email),
                     SETPW_RULE_OK);
    assert_int_equal(setpw_rule_check("long enough", "long enough ", email),
                     SETPW_RULE_MISMATCH);
    assert_int_equal(setpw_rule_check("long enough", NULL, email), SETPW_RULE_MISMATCH);
    /* the order: a short password equal to nothing is reported as short, not as a mismatch */
    assert_int_equal(setpw_rule_check("short", "other", email), SETPW_RULE_TOO_SHORT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_shape),
        cmocka_unit_test(test_rules),
    };
    return cmocka_run_group_tests_name("setpw", tests, NULL, NULL);
}
