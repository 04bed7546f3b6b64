/* test_invites.c: the pure part of the invitation store: the order in which pin candidates
 * are tried covers every 4-digit pin exactly once for any start and any stride coprime with
 * 10 (so a tenant with one free pin left still gets it), and pins keep their leading zeros. The
 * test compiles invites.c itself to reach invites_pin_candidate, static to the module. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

/* the module itself, compiled into the test: the pin order is static to it */
#include "core/invites.c"

enum { SPACE = 10000 };

static unsigned visits(unsigned start, unsigned stride, unsigned char seen[SPACE])
{
    unsigned distinct = 0;
    memset(seen, 0, SPACE);
    for (unsigned k = 0; k < SPACE; k++) {
        char pin[INVITES_PIN_DIGITS + 1];
        invites_pin_candidate(start, stride, k, pin);
        assert_int_equal(strlen(pin), INVITES_PIN_DIGITS);
        assert_int_equal(strspn(pin, "0123456789"), INVITES_PIN_DIGITS);
        unsigned v = (unsigned)((pin[0] - '0') * 1000 + (pin[1] - '0') * 100 +
                                (pin[2] - '0') * 10 + (pin[3] - '0'));
        distinct += seen[v] == 0;
        seen[v] = 1;
    }
    return distinct;
}

static void test_every_pin_once_for_coprime_strides(void **state)
{
    (void)state;
    static unsigned char seen[SPACE];
    static const unsigned strides[] = { 1, 3, 7, 9, 11, 1234567, 9999, 7777, 4321 };
    static const unsigned starts[] = { 0, 1, 5000, 9999 };
    for (size_t i = 0; i < sizeof strides / sizeof strides[0]; i++)
        for (size_t j = 0; j < sizeof starts / sizeof starts[0]; j++)
            assert_int_equal(visits(starts[j], strides[i], seen), SPACE);
}

static void test_strides_sharing_a_factor_with_10_would_miss_pins(void **state)
{
    (void)state;
    static unsigned char seen[SPACE];
    /* why invites_add only draws strides coprime with 10 */
    assert_int_equal(visits(0, 2, seen), SPACE / 2);
    assert_int_equal(visits(3, 5, seen), SPACE / 5);
}

static void test_leading_zeros_and_first_candidate(void **state)
{
    (void)state;
    char pin[INVITES_PIN_DIGITS + 1];
    invites_pin_candidate(7, 3, 0, pin);
    assert_string_equal(pin, "0007");
    invites_pin_candidate(9999, 3, 1, pin);
    assert_string_equal(pin, "0002");
    invites_pin_candidate(0, 9999, 9999, pin);
    assert_string_equal(pin, "0001");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_pin_once_for_coprime_strides),
        cmocka_unit_test(test_strides_sharing_a_factor_with_10_would_miss_pins),
        cmocka_unit_test(test_leading_zeros_and_first_candidate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
