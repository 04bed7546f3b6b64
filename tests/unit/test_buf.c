/* test_buf.c: the growable byte buffer: appends, NUL termination, embedded NULs, growth,
 * clear/free/reuse, the sticky failure after an impossible size, and UTF-8 repair. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "base/buf.h"

static void test_zeroed_is_empty(void **state)
{
    (void)state;
    struct buf b = {0};
    assert_null(b.data);
    buf_free(&b);             /* no-op on a zeroed buffer */
    buf_clear(&b);            /* and so is clear */
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_append(&b, NULL, 0), 0);
    assert_non_null(b.data);  /* an empty append still yields a NUL-terminated string */
    assert_string_equal(b.data, "");
    buf_free(&b);
}

static void test_append_puts_printf(void **state)
{
    (void)state;
    struct buf b = {0};
    assert_int_equal(buf_puts(&b, "abc"), 0);
    assert_int_equal(buf_append(&b, "defXXX", 3), 0);
    assert_int_equal(buf_printf(&b, "-%d-%s-%zu", 42, "x", (size_t)0), 0);
    assert_int_equal(buf_printf(&b, "%s", ""), 0);
    assert_string_equal(b.data, "abcdef-42-x-0");
    assert_int_equal(b.len, 13);
    assert_true(b.cap > b.len);
    assert_int_equal(b.failed, 0);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
}

static void test_embedded_nul(void **state)
{
    (void)state;
    struct buf b = {0};
    static const char bin[] = { 'a', '\0', 'b', '\0' };
    assert_int_equal(buf_append(&b, bin, sizeof bin), 0);
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, bin, 4);
    assert_int_equal(b.data[4], '\0');
    assert_int_equal(buf_printf(&b, "%c", 0), 0);   /* printf output may hold a NUL too */
    assert_int_equal(b.len, 5);
    assert_int_equal(b.data[4], '\0');
    assert_int_equal(b.data[5], '\0');
    buf_free(&b);
}

static void test_growth(void **state)
{
    (void)state;
    struct buf b = {0};
    char chunk[251];
    for (size_t i = 0; i < sizeof chunk; i++)
        chunk[i] = (char)('a' + i % 26);
    for (int i = 0; i < 2000; i++) {
        assert_int_equal(buf_append(&b, chunk, sizeof chunk), 0);
        assert_true(b.cap > b.len);
        assert_int_equal(b.data[b.len], '\0');
    }
    assert_int_equal(b.len, 2000 * sizeof chunk);
    for (int i = 0; i < 2000; i++)
        assert_memory_equal(b.data + (size_t)i * sizeof chunk, chunk, sizeof chunk);
    /* one printf longer than the whole capacity so far */
    size_t len = b.len, cap = b.cap;
    assert_int_equal(buf_printf(&b, "%*s|", (int)cap, "end"), 0);
    assert_int_equal(b.len, len + cap + 1);
    assert_int_equal(b.data[b.len - 1], '|');
    assert_int_equal(b.data[b.len - 2], 'd');
    assert_int_equal(b.data[len], ' ');
    buf_free(&b);
}

static void test_clear_keeps_memory(void **state)
{
    (void)state;
    struct buf b = {0};
    assert_int_equal(buf_puts(&b, "some text that will be cleared"), 0);
    char *data = b.data;
    size_t cap = b.cap;
    buf_clear(&b);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.data, data);
    assert_int_equal(b.cap, cap);
    assert_string_equal(b.data, "");
    assert_int_equal(buf_puts(&b, "new"), 0);
    assert_string_equal(b.data, "new");
    buf_free(&b);
    /* reusable after free */
    assert_int_equal(buf_puts(&b, "again"), 0);
    assert_string_equal(b.data, "again");
    buf_free(&b);
}

static void test_sticky_failure(void **state)
{
    (void)state;
    struct buf b = {0};
    assert_int_equal(buf_puts(&b, "keep"), 0);
    /* a size that cannot be reserved fails before touching the (bogus) source */
    assert_int_equal(buf_append(&b, "x", SIZE_MAX), -1);
    assert_int_equal(b.failed, 1);
    assert_int_equal(buf_append(&b, "x", SIZE_MAX - 4), -1);
    /* later appends are ignored, and the bytes so far are intact */
    assert_int_equal(buf_puts(&b, "more"), -1);
    assert_int_equal(buf_append(&b, "", 0), -1);
    assert_int_equal(buf_printf(&b, "%d", 1), -1);
    assert_int_equal(b.len, 4);
    assert_string_equal(b.data, "keep");
    /* clear starts over */
    buf_clear(&b);
    assert_int_equal(b.failed, 0);
    assert_int_equal(buf_puts(&b, "ok"), 0);
    assert_string_equal(b.data, "ok");
    buf_free(&b);
    assert_int_equal(b.failed, 0);

    /* a zeroed buffer that is asked for too much */
    struct buf z = {0};
    assert_int_equal(buf_append(&z, "x", SIZE_MAX), -1);
    assert_int_equal(z.failed, 1);
    assert_null(z.data);
    buf_free(&z);
}

static void test_append_utf8(void **state)
{
    (void)state;
    struct buf b = {0};
    /* well-formed text is copied as it is, controls included, unless asked otherwise */
    assert_int_equal(buf_append_utf8(&b, "a\tb\xc3\xa9", 5, 0), 0);
    assert_memory_equal(b.data, "a\tb\xc3\xa9", 5);
    assert_int_equal(b.len, 5);
    buf_clear(&b);
    /* a stray continuation byte, a truncated sequence and an overlong form: U+FFFD each byte */
    assert_int_equal(buf_append_utf8(&b, "x\x80y\xc3", 4, 0), 0);
    assert_string_equal(b.data, "x\xef\xbf\xbdy\xef\xbf\xbd");
    buf_clear(&b);
    assert_int_equal(buf_append_utf8(&b, "\xc0\xaf", 2, 0), 0);
    assert_string_equal(b.data, "\xef\xbf\xbd\xef\xbf\xbd");
    buf_clear(&b);
    /* controls as spaces: C0, DEL, C1 (U+0085) and U+2028, and bad bytes still replaced */
    const char in[] = "a\r\nb\x7f" "c\xc2\x85" "d\xe2\x80\xa8" "e\xff";
    assert_int_equal(buf_append_utf8(&b, in, sizeof in - 1, BUF_UTF8_CONTROLS_AS_SPACE), 0);
    assert_string_equal(b.data, "a  b c d e\xef\xbf\xbd");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zeroed_is_empty),
        cmocka_unit_test(test_append_puts_printf),
        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_clear_keeps_memory),
        cmocka_unit_test(test_sticky_failure),
        cmocka_unit_test(test_append_utf8),
    };
    return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
