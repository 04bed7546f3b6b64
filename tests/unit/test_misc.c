/* test_misc.c: small pure helpers: log escaping (no control character or quote reaches a log
 * line unescaped, long text is cut), mail configuration, scope lists (template rendering:
 * test_mail.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "core/auth.h"
#include "core/core.h"
#include "core/mail.h"
#include "core/tenants.h"

static void test_log_escape(void **state)
{
    (void)state;
    char out[64];
    log_escape("a\"b\\c\nd\x01\xc3\xa9", 10, out, sizeof out);
    assert_string_equal(out, "a\\\"b\\\\c\\x0ad\\x01\\xc3\\xa9");
    char big[200];
    memset(big, 'x', sizeof big);
    log_escape(big, sizeof big, out, sizeof out);
    assert_true(strlen(out) < sizeof out);
    assert_string_equal(out + strlen(out) - 3, "...");
    log_escape("", 0, out, sizeof out);
    assert_string_equal(out, "");
}

static void test_scopes(void **state)
{
    (void)state;
    assert_true(auth_has_scope("users:read users:write", "users:write"));
    assert_true(auth_has_scope("users:write,users:read", "users:read"));
    assert_false(auth_has_scope("users:read", "users:write"));
    assert_false(auth_has_scope("users:writer", "users:write"));
    assert_false(auth_has_scope("", "users:write"));
}

static void test_mail_config(void **state)
{
    (void)state;
    struct config cfg;
    char err[128];
    config_load(&cfg, "/nonexistent/provision.conf", err, sizeof err);
    struct core c;
    memset(&c, 0, sizeof c);
    c.cfg = &cfg;
    c.arena = arena_new();
    assert_non_null(c.arena);
    struct tenant t = { .id = 1 };
    assert_false(mail_configured(&c, &t));               /* nothing configured */
    assert_null(mail_base_url(&c, &t));
    t.base_url = "https://tenant.example";
    assert_false(mail_configured(&c, &t));               /* no sender yet */
    t.mail_from = "no-reply@tenant.example";
    assert_true(mail_configured(&c, &t));
    assert_string_equal(mail_base_url(&c, &t), "https://tenant.example");
    struct tenant t2 = { .id = 2 };
    free(cfg.base_url);
    cfg.base_url = strdup("https://default.example");
    free(cfg.mail_from);
    cfg.mail_from = strdup("ops@default.example");
    assert_true(mail_configured(&c, &t2));               /* the configured defaults */
    assert_string_equal(mail_base_url(&c, &t2), "https://default.example");
    arena_free(c.arena);
    config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_escape),
        cmocka_unit_test(test_scopes),
        cmocka_unit_test(test_mail_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
