/* test_outbox.c: the parts of lib/core/outbox.c that need no database: the backoff schedule
 * (doubling from mail.backoff_seconds, capped at mail.backoff_max_seconds, no overflow) and
 * which exit statuses of the mail command are permanent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/config.h"
#include "core/outbox.h"

static void test_backoff(void **state)
{
    (void)state;
    struct config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.mail_backoff_seconds = 60;
    cfg.mail_backoff_max_seconds = 21600;
    assert_int_equal(outbox_backoff(&cfg, 0), 60);
    assert_int_equal(outbox_backoff(&cfg, 1), 60);
    assert_int_equal(outbox_backoff(&cfg, 2), 120);
    assert_int_equal(outbox_backoff(&cfg, 3), 240);
    assert_int_equal(outbox_backoff(&cfg, 8), 7680);
    assert_int_equal(outbox_backoff(&cfg, 9), 15360);
    assert_int_equal(outbox_backoff(&cfg, 10), 21600);
    assert_int_equal(outbox_backoff(&cfg, 4000000000u), 21600);
    /* a zero base still waits a second; a cap below the base is the base */
    cfg.mail_backoff_seconds = 0;
    assert_int_equal(outbox_backoff(&cfg, 1), 1);
    cfg.mail_backoff_seconds = 100;
    cfg.mail_backoff_max_seconds = 10;
    assert_int_equal(outbox_backoff(&cfg, 5), 100);
    cfg.mail_backoff_seconds = 4000000000u;
    cfg.mail_backoff_max_seconds = 4000000000u;
    assert_int_equal(outbox_backoff(&cfg, 64), 4000000000u);
}

static void test_permanent(void **state)
{
    (void)state;
    assert_int_equal(outbox_permanent(65), 1);
    assert_int_equal(outbox_permanent(67), 1);
    assert_int_equal(outbox_permanent(68), 1);
    int temporary[] = { -1, 0, 1, 64, 66, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 127, 255 };
    for (size_t i = 0; i < sizeof temporary / sizeof temporary[0]; i++)
        assert_int_equal(outbox_permanent(temporary[i]), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_permanent),
    };
    return cmocka_run_group_tests_name("outbox", tests, NULL, NULL);
}
