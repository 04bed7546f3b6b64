/* test_country.c: ISO 3166-1 alpha-2 lookup: assigned codes (first, last, a few in between),
 * unassigned and reserved ones, case, length and non-letters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/country.h"

static int ok(const char *s)
{
    return country_alpha2_valid(s, strlen(s));
}

static void test_assigned(void **state)
{
    (void)state;
    static const char *const good[] = { "AD", "AU", "GB", "US", "NZ", "SS", "ZW" };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_true(ok(good[i]));
}

static void test_refused(void **state)
{
    (void)state;
    /* XK (Kosovo) is user-assigned, UK and EU exceptionally reserved: none is assigned */
    static const char *const bad[] = { "XK", "UK", "EU", "AA", "ZZ", "au", "Au", "A", "AUS", "",
                                       "1A", "A1", "A ", " A" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(ok(bad[i]));
    assert_false(country_alpha2_valid("AUX", 2) == 0);   /* only n bytes are looked at */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assigned),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests_name("country", tests, NULL, NULL);
}
