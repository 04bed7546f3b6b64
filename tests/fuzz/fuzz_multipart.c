/* fuzz_multipart.c: libFuzzer harness for multipart/form-data bodies (lib/codec/multipart.c): the
 * boundary parameter, delimiter framing, part headers and the field object built from the
 * non-file parts. Input: the Content-Type header value, a newline, then the body (an input
 * without a newline is all Content-Type). Checks beyond the sanitizers: every part lies inside
 * the body and has a clean name. */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "codec/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct arena *a;
    if (a == NULL && (a = arena_new()) == NULL)
        return 0;
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t ctlen = nl != NULL ? (size_t)(nl - in) : size;
    if (ctlen > 1024)
        return 0;   /* a web server never passes such a header line through */
    char ct[1025];
    memcpy(ct, in, ctlen);
    ct[ctlen] = '\0';
    if (memchr(ct, '\0', ctlen) != NULL)
        return 0;   /* CGI parameters are C strings */
    /* the body in its own allocation, so reading past it is caught */
    size_t blen = nl != NULL ? size - ctlen - 1 : 0;
    char *body = malloc(blen + 1);
    if (body == NULL)
        return 0;
    memcpy(body, nl != NULL ? nl + 1 : "", blen);
    body[blen] = '\0';
    struct mp_part *parts = NULL;
    size_t n = 0;
    char msg[256];
    enum mp_status st = multipart_parse(a, ct, body, blen, 64, &parts, &n, msg, sizeof msg);
    if (st == MP_OK) {
        FUZZ_ASSERT(n <= 64);
        for (size_t i = 0; i < n; i++) {
            FUZZ_ASSERT(parts[i].data >= body && parts[i].data + parts[i].len <= body + blen);
            FUZZ_ASSERT(parts[i].name != NULL && parts[i].name[0] != '\0');
            FUZZ_ASSERT(utf8_valid(parts[i].name, strlen(parts[i].name)));
        }
        json_object *fields = multipart_fields(parts, n, msg, sizeof msg);
        if (fields != NULL)
            FUZZ_ASSERT(fuzz_strings_clean(fields, 0));
        json_object_put(fields);
    } else {
        FUZZ_ASSERT(msg[0] != '\0');
    }
    free(body);
    arena_reset(a);
    return 0;
}
