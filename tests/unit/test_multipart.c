/* test_multipart.c: multipart_parse and multipart_fields: boundary parameter forms, framing
 * (preamble, padding, epilogue, truncation), part headers and their bounds, every status. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "codec/multipart.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif

/* Out of memory on demand. json_object_new_object is interposed (works under ASan too); the
 * arena's malloc can only be reached by replacing malloc, which AddressSanitizer owns, so that
 * test exists only in the plain build. */
static int fail_object_at;

struct json_object *json_object_new_object(void)
{
    if (fail_object_at > 0 && --fail_object_at == 0)
        return NULL;
    struct json_object *(*real)(void);
    void *sym = dlsym(RTLD_NEXT, "json_object_new_object");
    memcpy(&real, &sym, sizeof real);
    return real();
}

#ifndef HAVE_ASAN
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);

static size_t fail_malloc_from;   /* when set, malloc of this many bytes or more fails */

void *malloc(size_t size)
{
    if (fail_malloc_from > 0 && size >= fail_malloc_from)
        return NULL;
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    return __libc_realloc(p, size);
}

void free(void *p)
{
    __libc_free(p);
}
#endif

enum { MSG = 256 };

static const char CT[] = "multipart/form-data; boundary=XyZ";

struct result {
    struct arena *a;
    struct mp_part *parts;
    size_t n;
    char msg[MSG];
};

static enum mp_status run(struct result *r, const char *ct, const char *body, size_t len,
                          size_t max)
{
    memset(r, 0, sizeof *r);
    r->a = arena_new();
    assert_non_null(r->a);
    r->parts = (struct mp_part *)r;   /* must be replaced */
    r->n = 99;
    return multipart_parse(r->a, ct, body, len, max, &r->parts, &r->n, r->msg, sizeof r->msg);
}

static void parse_ok(struct result *r, const char *ct, const char *body, size_t len,
                     size_t want_parts)
{
    enum mp_status st = run(r, ct, body, len, 10);
    if (st != MP_OK)
        print_error("status %d, message '%s'\n", (int)st, r->msg);
    assert_int_equal(st, MP_OK);
    assert_int_equal(r->n, want_parts);
    for (size_t k = 0; k < r->n; k++) {   /* data is borrowed from the body */
        assert_true(r->parts[k].data >= body);
        assert_true(r->parts[k].data + r->parts[k].len <= body + len);
    }
}

static void parse_bad(const char *ct, const char *body, size_t len, size_t max,
                      enum mp_status want, const char *want_msg)
{
    struct result r;
    enum mp_status st = run(&r, ct, body, len, max);
    if (st != want)
        print_error("status %d, message '%s'\n", (int)st, r.msg);
    assert_int_equal(st, want);
    assert_null(r.parts);
    assert_int_equal(r.n, 0);
    assert_true(strlen(r.msg) > 0);
    if (want_msg != NULL)
        assert_string_equal(r.msg, want_msg);
    arena_free(r.a);
}

#define OK(ct, lit, n, r) parse_ok(r, ct, lit, sizeof(lit) - 1, n)
#define BAD(ct, lit, want, m) parse_bad(ct, lit, sizeof(lit) - 1, 10, want, m)

static void assert_part(const struct mp_part *p, const char *name, const char *filename,
                        const char *ctype, const char *data, size_t len)
{
    assert_string_equal(p->name, name);
    if (filename == NULL)
        assert_null(p->filename);
    else
        assert_string_equal(p->filename, filename);
    if (ctype == NULL)
        assert_null(p->content_type);
    else
        assert_string_equal(p->content_type, ctype);
    assert_int_equal(p->len, len);
    assert_memory_equal(p->data, data, len);
}

static const char BASIC[] =
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"api_key\"\r\n"
    "\r\n"
    "k1\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"users.csv\"\r\n"
    "Content-Type: text/csv\r\n"
    "\r\n"
    "email,lastName\r\nx@example.com,Z\r\n"
    "\r\n"
    "--XyZ--\r\n";

static void test_basic(void **state)
{
    (void)state;
    struct result r;
    OK(CT, BASIC, 2, &r);
    assert_part(&r.parts[0], "api_key", NULL, NULL, "k1", 2);
    assert_part(&r.parts[1], "file", "users.csv", "text/csv",
                "email,lastName\r\nx@example.com,Z\r\n", 33);
    assert_string_equal(r.msg, "");
    arena_free(r.a);
}

static void test_boundary_parameter_forms(void **state)
{
    (void)state;
    static const char body[] = "--a'()+_,-./:=? b\r\n"
                               "Content-Disposition: form-data; name=x\r\n\r\n1\r\n"
                               "--a'()+_,-./:=? b--";
    struct result r;
    OK("multipart/form-data; boundary=\"a'()+_,-./:=? b\"", body, 1, &r);
    assert_part(&r.parts[0], "x", NULL, NULL, "1", 1);
    arena_free(r.a);

    static const char body2[] = "--abc\r\nContent-Disposition: form-data; name=x\r\n\r\n\r\n"
                                "--abc--";
    const char *cts[] = {
        "multipart/form-data; boundary=abc",
        "Multipart/Form-Data; BOUNDARY=abc",
        "multipart/form-data;boundary=abc",
        "  multipart/form-data ;\tboundary=\"abc\"  ",
        "multipart/form-data; charset=utf-8; boundary=abc; other=\"x;y\"",
        "multipart/form-data; boundary=\"a\\bc\"",
    };
    for (size_t k = 0; k < sizeof cts / sizeof cts[0]; k++) {
        OK(cts[k], body2, 1, &r);
        assert_part(&r.parts[0], "x", NULL, NULL, "", 0);
        arena_free(r.a);
    }
}

static void test_boundary_length_limits(void **state)
{
    (void)state;
    char b70[71], ct[128], body[256];
    memset(b70, 'b', 70);
    b70[70] = '\0';
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=%s", b70);
    int n = snprintf(body, sizeof body, "--%s\r\nContent-Disposition: form-data; name=x\r\n\r\n"
                     "v\r\n--%s--", b70, b70);
    struct result r;
    parse_ok(&r, ct, body, (size_t)n, 1);
    assert_part(&r.parts[0], "x", NULL, NULL, "v", 1);
    arena_free(r.a);
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=%sb", b70);
    parse_bad(ct, body, (size_t)n, 10, MP_NO_BOUNDARY,
              "multipart boundary longer than 70 characters");
    snprintf(ct, sizeof ct, "multipart/form-data; boundary=\"%sb\"", b70);
    parse_bad(ct, body, (size_t)n, 10, MP_NO_BOUNDARY, NULL);
    OK("multipart/form-data; boundary=b",
       "--b\r\nContent-Disposition: form-data; name=x\r\n\r\n\r\n--b--", 1, &r);
    arena_free(r.a);
}

static void test_no_boundary(void **state)
{
    (void)state;
    static const char body[] = "--abc\r\nContent-Disposition: form-data; name=x\r\n\r\n\r\n"
                               "--abc--";
    BAD(NULL, body, MP_NO_BOUNDARY, "missing Content-Type for multipart/form-data");
    BAD("multipart/form-data", body, MP_NO_BOUNDARY, "Content-Type has no boundary parameter");
    BAD("multipart/form-data; charset=utf-8", body, MP_NO_BOUNDARY, NULL);
    BAD("text/plain; boundary=abc", body, MP_NO_BOUNDARY,
        "Content-Type is not multipart/form-data");
    BAD("multipart/mixed; boundary=abc", body, MP_NO_BOUNDARY, NULL);
    BAD("multipart/form-dataX; boundary=abc", body, MP_NO_BOUNDARY, NULL);
    BAD("", body, MP_NO_BOUNDARY, NULL);
    BAD("multipart/form-data; boundary=", body, MP_NO_BOUNDARY,
        "malformed Content-Type parameters");
    BAD("multipart/form-data; boundary=\"\"", body, MP_NO_BOUNDARY,
        "empty or malformed multipart boundary");
    BAD("multipart/form-data; boundary=\"abc \"", body, MP_NO_BOUNDARY, NULL);
    BAD("multipart/form-data; boundary=\"a@bc\"", body, MP_NO_BOUNDARY,
        "invalid character in multipart boundary");
    BAD("multipart/form-data; boundary=\"abc", body, MP_NO_BOUNDARY, NULL);
    BAD("multipart/form-data; boundary", body, MP_NO_BOUNDARY, NULL);
    BAD("multipart/form-data boundary=abc", body, MP_NO_BOUNDARY, NULL);
    BAD("multipart/form-data; boundary=abc; boundary=abc", body, MP_NO_BOUNDARY,
        "more than one boundary parameter in Content-Type");
    BAD("multipart/form-data; boundary = abc", body, MP_NO_BOUNDARY, NULL);
}

static void test_framing_preamble_padding_epilogue(void **state)
{
    (void)state;
    struct result r;
    OK(CT, "This is a preamble, ignored.\r\n--XyZ  \t\r\n"
           "Content-Disposition: form-data; name=a\r\n\r\nA\r\n"
           "--XyZ \r\n"
           "Content-Disposition: form-data; name=b\r\n\r\nB\r\n"
           "--XyZ-- \t\r\nepilogue, ignored --XyZ junk", 2, &r);
    assert_part(&r.parts[0], "a", NULL, NULL, "A", 1);
    assert_part(&r.parts[1], "b", NULL, NULL, "B", 1);
    arena_free(r.a);
    OK(CT, "\r\n--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nA\r\n--XyZ--", 1, &r);
    arena_free(r.a);
}

static void test_empty_form(void **state)
{
    (void)state;
    struct result r;
    OK(CT, "--XyZ--\r\n", 0, &r);
    assert_null(r.parts);
    arena_free(r.a);
    OK(CT, "--XyZ--", 0, &r);
    arena_free(r.a);
}

static void test_data_is_opaque(void **state)
{
    (void)state;
    static const char body[] = "--XyZ\r\n"
                               "Content-Disposition: form-data; name=\"bin\"; filename=\"b\"\r\n"
                               "\r\n"
                               "\0\xff\r\n--XyY\r\n--Xy\r\n-XyZ--XyZ\n--XyZ\r--XyZ\r\n\r\n"
                               "\r\n--XyZ\r\n"
                               "Content-Disposition: form-data; name=\"empty\"\r\n"
                               "\r\n"
                               "\r\n--XyZ--";
    static const char data[] = "\0\xff\r\n--XyY\r\n--Xy\r\n-XyZ--XyZ\n--XyZ\r--XyZ\r\n\r\n";
    struct result r;
    OK(CT, body, 2, &r);
    assert_part(&r.parts[0], "bin", "b", NULL, data, sizeof data - 1);
    assert_part(&r.parts[1], "empty", NULL, NULL, "", 0);
    const char *hdr_end = memmem(body, sizeof body - 1, "\r\n\r\n", 4);
    assert_non_null(hdr_end);
    assert_true(r.parts[0].data == hdr_end + 4);
    arena_free(r.a);
}

static void test_disposition_forms(void **state)
{
    (void)state;
    struct result r;
    OK(CT, "--XyZ\r\n"
           "content-disposition:FORM-DATA;NAME=tok;FileName=\"\"\r\n"
           "CONTENT-TYPE:  application/octet-stream  \r\n"
           "Content-Transfer-Encoding: binary\r\n"
           "X-Other: anything \x01\xff goes\r\n"
           "\r\n"
           "z\r\n"
           "--XyZ\r\n"
           "Content-Disposition: form-data; name=\"a\\\"b\\\\c\"; filename*=UTF-8''x.txt\r\n"
           "\r\n"
           "q\r\n"
           "--XyZ\r\n"
           "Content-Disposition: form-data; name=\"caf\xc3\xa9[]\"; filename=\"r\xc3\xa9sum\xc3\xa9"
           " (1).csv\"\r\n"
           "\r\n"
           "\r\n"
           "--XyZ--", 3, &r);
    assert_part(&r.parts[0], "tok", "", "application/octet-stream", "z", 1);
    assert_part(&r.parts[1], "a\"b\\c", NULL, NULL, "q", 1);
    assert_part(&r.parts[2], "caf\xc3\xa9[]", "r\xc3\xa9sum\xc3\xa9 (1).csv", NULL, "", 0);
    arena_free(r.a);
}

/* A part with nh headers (the Content-Disposition first) whose lines are all linelen bytes. */
static size_t build_headers(char *out, size_t cap, int nh, size_t linelen)
{
    static const char cd[] = "Content-Disposition: form-data; name=h; x=";
    size_t o = 0;
    memcpy(out, "--XyZ\r\n", 7);
    o += 7;
    for (int h = 0; h < nh; h++) {
        const char *start = h == 0 ? cd : "X-Pad: ";
        size_t sl = strlen(start);
        assert_true(o + linelen + 2 < cap && sl <= linelen);
        memcpy(out + o, start, sl);
        memset(out + o + sl, 'p', linelen - sl);
        o += linelen;
        memcpy(out + o, "\r\n", 2);
        o += 2;
    }
    static const char tail[] = "\r\nv\r\n--XyZ--";
    assert_true(o + sizeof tail < cap);
    memcpy(out + o, tail, sizeof tail - 1);
    return o + sizeof tail - 1;
}

static void test_header_bounds(void **state)
{
    (void)state;
    size_t cap = 20 * 1100;
    char *buf = malloc(cap);
    assert_non_null(buf);
    struct result r;
    size_t n = build_headers(buf, cap, 16, 1024);
    parse_ok(&r, CT, buf, n, 1);
    assert_part(&r.parts[0], "h", NULL, NULL, "v", 1);
    arena_free(r.a);
    n = build_headers(buf, cap, 17, 100);
    parse_bad(CT, buf, n, 10, MP_BAD_HEADER, "part 1: more than 16 headers");
    n = build_headers(buf, cap, 2, 1025);
    parse_bad(CT, buf, n, 10, MP_BAD_HEADER, "part 1: header line longer than 1024 bytes");
    n = build_headers(buf, cap, 1, 5000);
    parse_bad(CT, buf, n, 10, MP_BAD_HEADER, "part 1: header line longer than 1024 bytes");
    free(buf);
}

static void test_malformed(void **state)
{
    (void)state;
    BAD(CT, "", MP_MALFORMED, "multipart body does not contain the boundary");
    parse_bad(CT, NULL, 0, 10, MP_MALFORMED, NULL);
    BAD(CT, "no boundary here\r\n", MP_MALFORMED, NULL);
    BAD(CT, "--XyZ", MP_MALFORMED, "multipart body truncated after a boundary");
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\ndata", MP_MALFORMED,
        "multipart body truncated: no closing boundary");
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\ndata\r\n--XyZ",
        MP_MALFORMED, "multipart body truncated after a boundary");
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\ndata\r\n--XyZ-",
        MP_MALFORMED, "malformed multipart boundary line");
    BAD(CT, "--XyZX\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--XyZ--",
        MP_MALFORMED, "malformed multipart boundary line");
    BAD(CT, "--XyZ\nContent-Disposition: form-data; name=a\n\ndata\n--XyZ--", MP_MALFORMED,
        NULL);
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n--XyZ--", MP_MALFORMED,
        "part 1: headers not terminated by an empty line");
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\nNoColon\r\n\r\n\r\n--XyZ--",
        MP_MALFORMED, "part 1: malformed header line");
    BAD(CT, "--XyZ\r\nX-A: b\r\n folded\r\nContent-Disposition: form-data; name=a\r\n\r\n"
            "\r\n--XyZ--", MP_MALFORMED, "part 1: malformed header line");
    BAD(CT, "--XyZ\r\nBad Name: x\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--XyZ--",
        MP_MALFORMED, NULL);
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--XyZ--junk",
        MP_MALFORMED, "unexpected data after the closing multipart boundary");
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--XyZ--\r",
        MP_MALFORMED, NULL);
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ\r\n"
            "Content-Disposition: form-data; name=b\r\n\r\n2", MP_MALFORMED,
        "multipart body truncated: no closing boundary");
}

static void test_bad_header(void **state)
{
    (void)state;
    BAD(CT, "--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--", MP_BAD_HEADER,
        "part 1: no Content-Disposition header");
    BAD(CT, "--XyZ\r\n\r\nx\r\n--XyZ--", MP_BAD_HEADER, NULL);
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ\r\n"
            "Content-Disposition: attachment; name=b\r\n\r\n2\r\n--XyZ--", MP_BAD_HEADER,
        "part 2: Content-Disposition is not form-data");
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--", MP_BAD_HEADER,
        "part 1: Content-Disposition without a name");
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; filename=\"f\"\r\n\r\nx\r\n--XyZ--",
        MP_BAD_HEADER, NULL);
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--XyZ--",
        MP_BAD_HEADER, NULL);
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\n"
            "Content-Disposition: form-data; name=b\r\n\r\nx\r\n--XyZ--", MP_BAD_HEADER,
        "part 1: more than one Content-Disposition");
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=a; NAME=b\r\n\r\nx\r\n--XyZ--",
        MP_BAD_HEADER, "part 1: more than one name in Content-Disposition");
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=a; filename=x; filename=y\r\n"
            "\r\nx\r\n--XyZ--", MP_BAD_HEADER, NULL);
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name\r\n\r\nx\r\n--XyZ--", MP_BAD_HEADER,
        "part 1: malformed Content-Disposition");
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--XyZ--",
        MP_BAD_HEADER, NULL);
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=a b\r\n\r\nx\r\n--XyZ--",
        MP_BAD_HEADER, NULL);
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data name=a\r\n\r\nx\r\n--XyZ--",
        MP_BAD_HEADER, NULL);
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Type: a/b\r\n"
            "Content-Type: c/d\r\n\r\nx\r\n--XyZ--", MP_BAD_HEADER,
        "part 1: bad or repeated Content-Type");
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Type:\r\n\r\nx\r\n"
            "--XyZ--", MP_BAD_HEADER, NULL);
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=a\r\nContent-Type: a/\x01\r\n\r\n"
            "x\r\n--XyZ--", MP_BAD_HEADER, NULL);
}

static void test_bad_utf8_names(void **state)
{
    (void)state;
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=\"\xff\"\r\n\r\nx\r\n--XyZ--",
        MP_BAD_UTF8, "part 1: invalid UTF-8 in the name");
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=\"a\tb\"\r\n\r\nx\r\n--XyZ--",
        MP_BAD_UTF8, "part 1: control character in the name");
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=a; filename=\"\xc0\xaf\"\r\n\r\n"
            "x\r\n--XyZ--", MP_BAD_UTF8, "part 1: invalid UTF-8 in the filename");
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=a; filename=\"x\xc2\x85y\"\r\n"
            "\r\nx\r\n--XyZ--", MP_BAD_UTF8, NULL);   /* C1 control U+0085 */
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=\"a\0b\"\r\n\r\nx\r\n--XyZ--",
        MP_BAD_UTF8, "part 1: NUL byte in the name");
    BAD(CT, "--XyZ\r\nContent-Disposition: form-data; name=\"\xed\xa0\x80\"\r\n\r\nx\r\n"
            "--XyZ--", MP_BAD_UTF8, NULL);
}

static void test_too_many(void **state)
{
    (void)state;
    static const char body[] = "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
                               "--XyZ\r\nContent-Disposition: form-data; name=b\r\n\r\n2\r\n"
                               "--XyZ\r\nContent-Disposition: form-data; name=c\r\n\r\n3\r\n"
                               "--XyZ--";
    struct result r;
    assert_int_equal(run(&r, CT, body, sizeof body - 1, 3), MP_OK);
    assert_int_equal(r.n, 3);
    assert_part(&r.parts[2], "c", NULL, NULL, "3", 1);
    arena_free(r.a);
    parse_bad(CT, body, sizeof body - 1, 2, MP_TOO_MANY, "more than 2 parts in multipart body");
    parse_bad(CT, body, sizeof body - 1, 0, MP_TOO_MANY, NULL);
}

static void test_many_parts_grow(void **state)
{
    (void)state;
    /* More parts than the first allocation holds, so the array is grown and copied. */
    enum { N = 100 };
    size_t cap = N * 80 + 16;
    char *body = malloc(cap);
    assert_non_null(body);
    size_t o = 0;
    for (int k = 0; k < N; k++)
        o += (size_t)snprintf(body + o, cap - o,
                              "--XyZ\r\nContent-Disposition: form-data; name=n%d\r\n\r\n%d\r\n",
                              k, k);
    o += (size_t)snprintf(body + o, cap - o, "--XyZ--");
    struct result r;
    assert_int_equal(run(&r, CT, body, o, N), MP_OK);
    assert_int_equal(r.n, N);
    for (int k = 0; k < N; k++) {
        char want[16];
        int wl = snprintf(want, sizeof want, "%d", k);
        assert_int_equal(r.parts[k].len, (size_t)wl);
        assert_memory_equal(r.parts[k].data, want, (size_t)wl);
        snprintf(want, sizeof want, "n%d", k);
        assert_string_equal(r.parts[k].name, want);
    }
    arena_free(r.a);
    parse_bad(CT, body, o, N - 1, MP_TOO_MANY, NULL);
    free(body);
}

static void test_nomem(void **state)
{
    (void)state;
#ifndef HAVE_ASAN
    struct arena *a = arena_new();
    assert_non_null(a);
    /* Fill the arena's first block, so that the parser's first allocation needs a new one. */
    assert_non_null(arena_alloc(a, 64 * 1024 - 16));
    struct mp_part *parts = NULL;
    size_t n = 9;
    char msg[MSG];
    fail_malloc_from = 64 * 1024;
    enum mp_status st = multipart_parse(a, CT, BASIC, sizeof BASIC - 1, 10, &parts, &n, msg,
                                        sizeof msg);
    fail_malloc_from = 0;
    assert_int_equal(st, MP_NOMEM);
    assert_string_equal(msg, "out of memory");
    assert_null(parts);
    assert_int_equal(n, 0);
    arena_free(a);
#else
    /* Under ASan only check that the same input parses when memory is there. */
    struct result r;
    OK(CT, BASIC, 2, &r);
    arena_free(r.a);
#endif
}

static void test_fields(void **state)
{
    (void)state;
    static const char body[] =
        "--XyZ\r\nContent-Disposition: form-data; name=\"api_key\"\r\n\r\nk1\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"groups\"\r\n\r\na\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"u.csv\"\r\n"
        "Content-Type: text/csv\r\n\r\n\xff\0binary\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"groups\"\r\n\r\nb\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"pin[code]\"\r\n\r\ntrue\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"w[]\"\r\n\r\nline1\r\nline2\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"pin[allowed]\"\r\n\r\n\r\n"
        "--XyZ--\r\n";
    struct result r;
    OK(CT, body, 7, &r);
    char msg[MSG] = "";
    json_object *o = multipart_fields(r.parts, r.n, msg, sizeof msg);
    assert_non_null(o);
    assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                        "{\"api_key\":\"k1\",\"groups\":[\"a\",\"b\"],"
                        "\"pin\":{\"code\":\"true\",\"allowed\":\"\"},"
                        "\"w\":[\"line1\\r\\nline2\"]}");
    json_object_put(o);
    arena_free(r.a);

    o = multipart_fields(NULL, 0, msg, sizeof msg);
    assert_non_null(o);
    assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), "{}");
    json_object_put(o);
}

static void fields_bad(const char *name, const char *data, size_t len, const char *want_msg)
{
    struct mp_part parts[2] = {
        { .name = "ok", .filename = NULL, .content_type = NULL, .data = "1", .len = 1 },
        { .name = name, .filename = NULL, .content_type = NULL, .data = data, .len = len },
    };
    char msg[MSG] = "";
    json_object *o = multipart_fields(parts, 2, msg, sizeof msg);
    assert_null(o);
    assert_string_equal(msg, want_msg);
}

static void test_fields_errors(void **state)
{
    (void)state;
    fields_bad("a", "\xc0\xaf", 2, "invalid UTF-8 in form field 'a'");
    fields_bad("a", "x\0y", 3, "NUL byte in form field 'a'");
    fields_bad("a[", "x", 1, "malformed form field name 'a['");
    fields_bad("ok[x]", "x", 1, "form field 'ok[x]' conflicts with an earlier field of that name");
    /* a file part is skipped even when its data would not be a valid field */
    struct mp_part file = { .name = "a[", .filename = "f", .content_type = NULL,
                            .data = "\0\xff", .len = 2 };
    char msg[MSG];
    json_object *o = multipart_fields(&file, 1, msg, sizeof msg);
    assert_non_null(o);
    assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), "{}");
    json_object_put(o);
    fail_object_at = 1;
    o = multipart_fields(&file, 1, msg, sizeof msg);
    fail_object_at = 0;
    assert_null(o);
    assert_string_equal(msg, "out of memory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_boundary_parameter_forms),
        cmocka_unit_test(test_boundary_length_limits),
        cmocka_unit_test(test_no_boundary),
        cmocka_unit_test(test_framing_preamble_padding_epilogue),
        cmocka_unit_test(test_empty_form),
        cmocka_unit_test(test_data_is_opaque),
        cmocka_unit_test(test_disposition_forms),
        cmocka_unit_test(test_header_bounds),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_bad_header),
        cmocka_unit_test(test_bad_utf8_names),
        cmocka_unit_test(test_too_many),
        cmocka_unit_test(test_many_parts_grow),
        cmocka_unit_test(test_nomem),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_fields_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
