/* test_html.c: html_escape and html_puts: the five markup characters, control characters and
 * malformed UTF-8 replaced, valid UTF-8 and white space kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/buf.h"
#include "codec/html.h"

#define ESC(lit, want)                                                  \
    do {                                                                \
        struct buf b_ = { 0 };                                          \
        assert_int_equal(html_escape(&b_, lit, sizeof(lit) - 1), 0);    \
        assert_string_equal(b_.data ? b_.data : "", want);              \
        buf_free(&b_);                                                  \
    } while (0)

#define FFFD "\xef\xbf\xbd"

static void test_escape(void **state)
{
    (void)state;
    ESC("", "");
    ESC("plain", "plain");
    ESC("<img src=x onerror=\"alert('1')\">&amp;",
        "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;amp;");
    ESC("tab\tlf\ncr\r", "tab\tlf\ncr\r");
    ESC("nul\0bel\x07" "del\x7f" "c1\xc2\x80\xc2\x9f", "nul" FFFD "bel" FFFD "del" FFFD "c1"
        FFFD FFFD);
    ESC("Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0", "Zo\xc3\xab \xe2\x82\xac "
        "\xf0\x9f\x98\x80 \xc2\xa0");
    ESC("bad\x80\xc0\xaf\xed\xa0\x80\xe2\x82", "bad" FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD);
}

static void test_puts(void **state)
{
    (void)state;
    struct buf b = { 0 };
    assert_int_equal(html_puts(&b, NULL), 0);
    assert_int_equal(html_puts(&b, "a&b"), 0);
    assert_string_equal(b.data, "a&amp;b");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_puts),
    };
    return cmocka_run_group_tests_name("html", tests, NULL, NULL);
}
