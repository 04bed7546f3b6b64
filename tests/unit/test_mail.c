/* test_mail.c: the template side of lib/core/mail.c: rendering every placeholder, unknown ones left
 * as written, NULL values as "", the kinds' names and key placeholders, and the built-in
 * templates using only documented placeholders (docs/MAIL.md). The test compiles mail.c itself
 * to reach mail_render, which nothing outside the module may call. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/arena.h"
#include "core/core.h"
/* the module itself, compiled into the test: mail_render is static to it */
#include "core/mail.c"

static const char *const documented[] = {
    "{{name}}", "{{email}}", "{{tenant}}", "{{link}}", "{{expires}}", "{{pin}}", "{{password}}",
};

static void test_render(void **state)
{
    (void)state;
    struct core c;
    memset(&c, 0, sizeof c);
    c.arena = arena_new();
    struct mail_vars v = {
        .name = "Zo\xc3\xab", .link = "https://x.example/urac/join?token=t", .pin = "1234",
        .password = "pw{{name}}", .expires = "2030-01-01 00:00 UTC", .email = "z@example.com",
        .tenant = "Acme",
    };
    char *s = mail_render(&c, "{{name}}|{{email}}|{{tenant}}|{{link}}|{{expires}}|{{pin}}|"
                              "{{password}}|{{other}}|{{|}}|{{name", &v);
    assert_string_equal(s, "Zo\xc3\xab|z@example.com|Acme|https://x.example/urac/join?token=t|"
                           "2030-01-01 00:00 UTC|1234|pw{{name}}|{{other}}|{{|}}|{{name");
    struct mail_vars none = { 0 };
    assert_string_equal(mail_render(&c, "a{{name}}b{{pin}}c", &none), "abc");
    assert_string_equal(mail_render(&c, "", &none), "");
    arena_free(c.arena);
}

static void test_render_as_given(void **state)
{
    (void)state;
    struct core c;
    memset(&c, 0, sizeof c);
    c.arena = arena_new();
    assert_non_null(c.arena);
    struct mail_vars v = { .name = "Zoë", .link = "https://x/j?token=t", .pin = NULL };
    char *s = mail_render(&c, "Hi {{name}}: {{link}} [{{pin}}] {{unknown}} {{", &v);
    assert_string_equal(s, "Hi Zoë: https://x/j?token=t [] {{unknown}} {{");
    /* values are inserted as they are, never re-expanded */
    struct mail_vars v2 = { .name = "{{link}}", .link = "L" };
    assert_string_equal(mail_render(&c, "{{name}}/{{link}}", &v2), "{{link}}/L");
    arena_free(c.arena);
}

static void test_kinds(void **state)
{
    (void)state;
    static const char *const names[] = { "set_password", "invitation", "pin", "password" };
    static const char *const keys[] = { "{{link}}", "{{link}}", "{{pin}}", "{{password}}" };
    for (int k = 0; k < MAIL_KIND_COUNT; k++) {
        enum mail_kind kind = MAIL_KIND_COUNT;
        assert_string_equal(mail_kind_name((enum mail_kind)k), names[k]);
        assert_int_equal(mail_kind_from_name(names[k], &kind), 0);
        assert_int_equal(kind, k);
        assert_string_equal(mail_key_placeholder((enum mail_kind)k), keys[k]);
        /* the built-in body holds its key, and every placeholder it uses is documented */
        const char *body = mail_body_template((enum mail_kind)k);
        assert_non_null(strstr(body, keys[k]));
        for (const char *p = body; (p = strstr(p, "{{")) != NULL; p += 2) {
            int known = 0;
            for (size_t i = 0; i < sizeof documented / sizeof documented[0]; i++)
                known |= strncmp(p, documented[i], strlen(documented[i])) == 0;
            assert_true(known);
        }
        assert_non_null(mail_subject_template((enum mail_kind)k));
    }
    enum mail_kind kind;
    assert_int_equal(mail_kind_from_name("fax", &kind), -1);
    assert_int_equal(mail_kind_from_name(NULL, &kind), -1);
    assert_null(mail_kind_name(MAIL_KIND_COUNT));
    assert_null(mail_body_template(MAIL_KIND_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_render_as_given),
        cmocka_unit_test(test_kinds),
    };
    return cmocka_run_group_tests_name("mail", tests, NULL, NULL);
}
