/* test_valid.c: the value-format validators: emails (docs/CONTRACT.md section 10.3), usernames,
 * object ids, digit strings, UUIDs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/valid.h"

#define EMAIL(s) valid_email((s), strlen(s))

static void test_email_accepts(void **state)
{
    (void)state;
    const char *ok[] = {
        "johndoe@domain.com", "a@b.co", "first.last@sub.example.org",
        "o'brien+tag@example.com", "x_y!#$%&*/=?^`{|}~-@host.io", "UPPER@EXAMPLE.COM",
        "user@[192.168.0.1]", "user@[0.0.0.0]", "user@[255.255.255.255]", "a1-b2@a-b.c-d.ef",
        "1234567890123456789012345678901234567890123456789012345678901234@x.io",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        if (!EMAIL(ok[i]))
            fail_msg("should accept %s", ok[i]);
    }
}

static void test_email_rejects(void **state)
{
    (void)state;
    const char *bad[] = {
        "", "plain", "@domain.com", "user@", "user@domain", "user@.com", "user@domain.",
        "user@domain..com", ".user@domain.com", "user.@domain.com", "us..er@domain.com",
        "user@-domain.com", "user@domain-.com", "us er@domain.com", "user@dom ain.com",
        "user@[256.1.1.1]", "user@[1.2.3]", "user@[1.2.3.4.5]", "user@[01.2.3.4]",
        "user@[1.2.3.4", "a@b@c.com", "user\"@domain.com", "user@domain.com\n",
        "12345678901234567890123456789012345678901234567890123456789012345@x.io",
        "user@domain_x.com", "ü@domain.com",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (EMAIL(bad[i]))
            fail_msg("should reject '%s'", bad[i]);
    }
}

static void test_email_length_limit(void **state)
{
    (void)state;
    char e[300];
    /* 64 + 1 + 63 + 1 + 63 + 1 + 61 = 254 exactly */
    memset(e, 'a', sizeof e);
    e[64] = '@';
    e[128] = '.';
    e[192] = '.';
    e[254] = '\0';
    assert_int_equal(strlen(e), 254);
    assert_true(EMAIL(e));
    e[254] = 'a';
    e[255] = '\0';
    assert_false(EMAIL(e));
}

static void test_email_label_63(void **state)
{
    (void)state;
    char e[100] = "u@";
    memset(e + 2, 'd', 63);
    memcpy(e + 65, ".io", 4);
    assert_true(EMAIL(e));
    memset(e + 2, 'd', 64);
    memcpy(e + 66, ".io", 4);
    assert_false(EMAIL(e));
}

static void test_username(void **state)
{
    (void)state;
    assert_true(valid_username("john", 4));
    assert_true(valid_username("A_b-9", 5));
    char fifty[51];
    memset(fifty, 'x', 50);
    fifty[50] = '\0';
    assert_true(valid_username(fifty, 50));
    assert_false(valid_username(fifty, 0));
    char more[52];
    memset(more, 'x', 51);
    more[51] = '\0';
    assert_false(valid_username(more, 51));
    assert_false(valid_username("a b", 3));
    assert_false(valid_username("a.b", 3));
    assert_false(valid_username("näme", strlen("näme")));
    assert_false(valid_username("a\0b", 3));
}

static void test_oid_digits_uuid(void **state)
{
    (void)state;
    assert_true(valid_oid("0123456789abcdefABCDEF01", 24));
    assert_false(valid_oid("0123456789abcdefABCDEF0", 23));
    assert_false(valid_oid("0123456789abcdefABCDEF0g", 24));
    assert_true(valid_digits("0", 1));
    assert_true(valid_digits("123456789012345678", 18));
    assert_false(valid_digits("1234567890123456789", 19));
    assert_false(valid_digits("", 0));
    assert_false(valid_digits("-1", 2));
    assert_false(valid_digits("+1", 2));
    assert_false(valid_digits("1a", 2));
    assert_false(valid_digits("1 ", 2));
    long long v = -1;
    assert_true(parse_digits("4092", 4, &v));
    assert_int_equal(v, 4092);
    v = 7;
    assert_false(parse_digits("12x", 3, &v));
    assert_int_equal(v, 7);
    assert_true(valid_uuid("78a74461-01c8-4db9-8239-1be00a4a1237", 36));
    assert_true(valid_uuid("78A74461-01C8-4DB9-8239-1BE00A4A1237", 36));
    assert_false(valid_uuid("78a7446101c84db982391be00a4a1237", 32));
    assert_false(valid_uuid("78a74461-01c8-4db9-8239_1be00a4a1237", 36));
    assert_false(valid_uuid("78a74461-01c8-4db9-8239-1be00a4a123z", 36));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_email_accepts),
        cmocka_unit_test(test_email_rejects),
        cmocka_unit_test(test_email_length_limit),
        cmocka_unit_test(test_email_label_63),
        cmocka_unit_test(test_username),
        cmocka_unit_test(test_oid_digits_uuid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
