/* test_arena.c: the per-request bump allocator: alignment, zeroed memory (also when a block
 * is reused after reset), allocations larger than a block, reset cycles, overflow refusals and
 * the string helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdalign.h>
#include <string.h>

#include "base/arena.h"

static int setup(void **state)
{
    *state = arena_new();
    return *state == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    arena_free(*state);
    return 0;
}

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

static void test_alignment(void **state)
{
    struct arena *a = *state;
    static const size_t sizes[] = { 1, 3, 7, 8, 15, 16, 17, 31, 33, 100, 1000, 4095, 70000, 0 };
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            unsigned char *p = arena_alloc(a, sizes[i]);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
            memset(p, 0xA5, sizes[i]);
        }
    }
}

static void test_distinct_and_used(void **state)
{
    struct arena *a = *state;
    assert_int_equal(arena_used(a), 0);
    unsigned char *p = arena_alloc(a, 0), *q = arena_alloc(a, 0);
    assert_non_null(p);
    assert_non_null(q);
    assert_ptr_not_equal(p, q);
    unsigned char *r = arena_alloc(a, 10), *s = arena_alloc(a, 10);
    assert_non_null(r);
    assert_non_null(s);
    /* no overlap: writing one leaves the other intact */
    memset(r, 1, 10);
    memset(s, 2, 10);
    for (int i = 0; i < 10; i++)
        assert_int_equal(r[i], 1);
    size_t used = arena_used(a);
    assert_true(used >= 20);
    assert_non_null(arena_alloc(a, 100));
    assert_true(arena_used(a) >= used + 100);
}

static void test_zeroed_after_reset(void **state)
{
    struct arena *a = *state;
    unsigned char *p = arena_alloc(a, 4096);
    assert_non_null(p);
    assert_true(all_zero(p, 4096));
    memset(p, 0xFF, 4096);
    arena_reset(a);
    assert_int_equal(arena_used(a), 0);
    /* the first block is reused: the same memory must come back zeroed */
    unsigned char *q = arena_alloc(a, 4096);
    assert_ptr_equal(q, p);
    assert_true(all_zero(q, 4096));
    unsigned char *c = arena_calloc(a, 100, 8);
    assert_non_null(c);
    assert_true(all_zero(c, 800));
}

static void test_large(void **state)
{
    struct arena *a = *state;
    const size_t big = 3 * 1024 * 1024;
    unsigned char *small = arena_alloc(a, 16);
    assert_non_null(small);
    memset(small, 7, 16);
    unsigned char *p = arena_alloc(a, big);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
    assert_true(all_zero(p, big));
    memset(p, 0x5A, big);
    assert_true(arena_used(a) >= big + 16);
    /* more than one block's worth of small allocations after a big one */
    for (int i = 0; i < 5000; i++) {
        unsigned char *q = arena_alloc(a, 40);
        assert_non_null(q);
        assert_true(all_zero(q, 40));
        memset(q, 0x33, 40);
    }
    assert_int_equal(small[15], 7);
    assert_int_equal(p[big - 1], 0x5A);
}

static void test_reset_cycles(void **state)
{
    struct arena *a = *state;
    for (int cycle = 0; cycle < 50; cycle++) {
        /* a mix that spills into extra blocks every cycle; LSan checks they are released */
        for (int i = 0; i < 100; i++)
            assert_non_null(arena_alloc(a, 1000));
        unsigned char *big = arena_alloc(a, 200000);
        assert_non_null(big);
        assert_true(all_zero(big, 200000));
        memset(big, 1, 200000);
        char *s = arena_printf(a, "cycle %d", cycle);
        assert_non_null(s);
        arena_reset(a);
        assert_int_equal(arena_used(a), 0);
    }
    char *s = arena_strdup(a, "still works");
    assert_string_equal(s, "still works");
}

static void test_overflow(void **state)
{
    struct arena *a = *state;
    assert_null(arena_alloc(a, SIZE_MAX));
    assert_null(arena_alloc(a, SIZE_MAX - 1));
    /* sizes that pass the rounding check but overflow block header + size */
    assert_null(arena_alloc(a, SIZE_MAX - 32));
    assert_null(arena_alloc(a, SIZE_MAX - 40));
    assert_null(arena_calloc(a, SIZE_MAX / 2 + 1, 2));
    assert_null(arena_calloc(a, 2, SIZE_MAX / 2 + 1));
    assert_null(arena_calloc(a, SIZE_MAX, SIZE_MAX));
    assert_null(arena_strndup(a, "x", SIZE_MAX));
    /* the arena is unharmed */
    assert_int_equal(arena_used(a), 0);
    assert_non_null(arena_calloc(a, 0, 16));
    int *v = arena_calloc(a, 10, sizeof *v);
    assert_non_null(v);
    v[9] = 9;
    assert_int_equal(v[0], 0);
}

static void test_strings(void **state)
{
    struct arena *a = *state;
    assert_null(arena_strdup(a, NULL));
    char *s = arena_strdup(a, "h\xc3\xa9llo");
    assert_string_equal(s, "h\xc3\xa9llo");
    char *n = arena_strndup(a, "abcdef", 3);
    assert_string_equal(n, "abc");
    char *e = arena_strndup(a, "", 0);
    assert_non_null(e);
    assert_string_equal(e, "");
    /* the n bytes need no NUL of their own */
    static const char raw[4] = { 'w', 'x', 'y', 'z' };
    assert_string_equal(arena_strndup(a, raw, 4), "wxyz");
    char *p = arena_printf(a, "%s=%d;%zu", "k", -42, (size_t)7);
    assert_string_equal(p, "k=-42;7");
    char long_text[100001];
    memset(long_text, 'q', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    char *l = arena_printf(a, "<%s>", long_text);
    assert_non_null(l);
    assert_int_equal(strlen(l), 100002);
    assert_int_equal(l[0], '<');
    assert_int_equal(l[100001], '>');
}

static void test_free_null(void **state)
{
    (void)state;
    arena_free(NULL);
    struct arena *a = arena_new();
    assert_non_null(a);
    assert_non_null(arena_alloc(a, 1 << 20));
    arena_free(a);   /* frees the big block too: LSan would report it otherwise */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_alignment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_distinct_and_used, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zeroed_after_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_cycles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overflow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
        cmocka_unit_test(test_free_null),
    };
    return cmocka_run_group_tests_name("arena", tests, NULL, NULL);
}
