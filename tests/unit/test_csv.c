/* test_csv.c: the RFC 4180 reader: plain and quoted fields, doubled quotes, separators and line
 * breaks inside quotes, CRLF/LF/no final break, empty fields and lines, the BOM, line numbers,
 * every refusal (stray quotes, text after a closing quote, unterminated quotes, bare CR, NUL,
 * too many fields), and that nothing reads past the end of the data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "codec/csv.h"

static int setup(void **state)
{
    *state = arena_new();
    return *state == NULL;
}

static int teardown(void **state)
{
    arena_free(*state);
    return 0;
}

/* Reads the next record and checks its fields against the NULL-terminated list. */
static void expect_record(struct csv *r, struct arena *a, const char *const *want)
{
    assert_int_equal(csv_next(r, a), CSV_OK);
    size_t n = 0;
    while (want[n] != NULL)
        n++;
    assert_int_equal(r->nfields, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(r->lens[i], strlen(want[i]));
        assert_string_equal(r->fields[i], want[i]);
    }
}

/* The data copied into a heap block of exactly its size, so ASan sees any overread. */
static char *exact(const char *s, size_t n)
{
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, s, n);
    return p;
}

static void test_plain_records(void **state)
{
    struct arena *a = *state;
    const char text[] = "FirstName,LastName,Email\r\nAnn,Lee,ann@x.com\r\nBob,Ray,bob@x.com";
    char *d = exact(text, sizeof text - 1);
    struct csv r;
    csv_init(&r, d, sizeof text - 1);
    expect_record(&r, a, (const char *[]){ "FirstName", "LastName", "Email", NULL });
    assert_int_equal(r.line, 1);
    expect_record(&r, a, (const char *[]){ "Ann", "Lee", "ann@x.com", NULL });
    assert_int_equal(r.line, 2);
    expect_record(&r, a, (const char *[]){ "Bob", "Ray", "bob@x.com", NULL });
    assert_int_equal(r.line, 3);
    assert_int_equal(csv_next(&r, a), CSV_END);
    assert_int_equal(csv_next(&r, a), CSV_END);
    free(d);
}

static void test_quoted_fields(void **state)
{
    struct arena *a = *state;
    const char text[] = "\"a,b\",\"say \"\"hi\"\"\",\"line1\r\nline2\",\"\"\n"
                        "x,\"\",\"\"\"\"\n";
    char *d = exact(text, sizeof text - 1);
    struct csv r;
    csv_init(&r, d, sizeof text - 1);
    expect_record(&r, a, (const char *[]){ "a,b", "say \"hi\"", "line1\r\nline2", "", NULL });
    assert_int_equal(r.line, 1);
    expect_record(&r, a, (const char *[]){ "x", "", "\"", NULL });
    assert_int_equal(r.line, 3);   /* the quoted line break counted */
    assert_int_equal(csv_next(&r, a), CSV_END);
    free(d);
}

static void test_empty_fields_and_lines(void **state)
{
    struct arena *a = *state;
    const char text[] = "\n\r\na,,c,\n\n,\n\r\n";
    char *d = exact(text, sizeof text - 1);
    struct csv r;
    csv_init(&r, d, sizeof text - 1);
    expect_record(&r, a, (const char *[]){ "a", "", "c", "", NULL });
    assert_int_equal(r.line, 3);
    expect_record(&r, a, (const char *[]){ "", "", NULL });
    assert_int_equal(r.line, 5);
    assert_int_equal(csv_next(&r, a), CSV_END);
    free(d);
}

static void test_bom_and_utf8(void **state)
{
    struct arena *a = *state;
    const char text[] = "\xEF\xBB\xBFName\nJos\xC3\xA9\n";
    char *d = exact(text, sizeof text - 1);
    struct csv r;
    csv_init(&r, d, sizeof text - 1);
    expect_record(&r, a, (const char *[]){ "Name", NULL });
    expect_record(&r, a, (const char *[]){ "Jos\xC3\xA9", NULL });
    assert_int_equal(csv_next(&r, a), CSV_END);
    free(d);
}

static void test_empty_input(void **state)
{
    struct arena *a = *state;
    struct csv r;
    csv_init(&r, "", 0);
    assert_int_equal(csv_next(&r, a), CSV_END);
    csv_init(&r, "\xEF\xBB\xBF", 3);
    assert_int_equal(csv_next(&r, a), CSV_END);
    /* a lone quote at the very end is an unterminated field, not an overread */
    char *d = exact("\"", 1);
    csv_init(&r, d, 1);
    assert_int_equal(csv_next(&r, a), CSV_UNTERMINATED);
    free(d);
}

static void expect_error(struct arena *a, const char *text, size_t len, enum csv_status want,
                         size_t records_before, size_t line)
{
    char *d = exact(text, len);
    struct csv r;
    csv_init(&r, d, len);
    for (size_t i = 0; i < records_before; i++)
        assert_int_equal(csv_next(&r, a), CSV_OK);
    assert_int_equal(csv_next(&r, a), want);
    assert_int_equal(r.line, line);
    free(d);
}

static void test_refusals(void **state)
{
    struct arena *a = *state;
    /* a quote inside an unquoted field */
    expect_error(a, "a,b\"c\n", 6, CSV_BAD_QUOTE, 0, 1);
    /* text after a closing quote */
    expect_error(a, "h\n\"ab\"c,d\n", 10, CSV_BAD_QUOTE, 1, 2);
    expect_error(a, "\"ab\" ,d\n", 8, CSV_BAD_QUOTE, 0, 1);
    /* never closed */
    expect_error(a, "h\n\"abc,d\n", 9, CSV_UNTERMINATED, 1, 2);
    /* a bare CR, outside and after a quoted field */
    expect_error(a, "a\rb\n", 4, CSV_BAD_CHAR, 0, 1);
    expect_error(a, "a,b\r", 4, CSV_BAD_CHAR, 0, 1);
    expect_error(a, "\"a\"\rb", 5, CSV_BAD_CHAR, 0, 1);
    expect_error(a, "\r", 1, CSV_BAD_CHAR, 0, 1);
    /* NUL bytes, quoted or not */
    expect_error(a, "a\0b\n", 4, CSV_BAD_CHAR, 0, 1);
    expect_error(a, "\"a\0b\"\n", 6, CSV_BAD_CHAR, 0, 1);
}

static void test_too_many_fields(void **state)
{
    struct arena *a = *state;
    char text[2 * CSV_MAX_FIELDS + 8];
    size_t n = 0;
    for (int i = 0; i < CSV_MAX_FIELDS; i++) {
        text[n++] = 'x';
        text[n++] = i + 1 < CSV_MAX_FIELDS ? ',' : '\n';
    }
    char *d = exact(text, n);
    struct csv r;
    csv_init(&r, d, n);
    assert_int_equal(csv_next(&r, a), CSV_OK);
    assert_int_equal(r.nfields, CSV_MAX_FIELDS);
    free(d);
    text[n - 1] = ',';
    text[n++] = 'y';
    d = exact(text, n);
    csv_init(&r, d, n);
    assert_int_equal(csv_next(&r, a), CSV_TOO_MANY_FIELDS);
    free(d);
}

static void test_status_strings(void **state)
{
    (void)state;
    for (int s = CSV_OK; s <= CSV_NOMEM; s++)
        assert_true(strlen(csv_status_str((enum csv_status)s)) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plain_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quoted_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_fields_and_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bom_and_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_many_fields, setup, teardown),
        cmocka_unit_test(test_status_strings),
    };
    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
