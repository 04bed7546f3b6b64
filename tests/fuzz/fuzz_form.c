/* fuzz_form.c: libFuzzer harness for application/x-www-form-urlencoded bodies and query
 * strings (lib/codec/form.c): percent-decoding, bracket keys, arrays and objects, the pair limit,
 * and the weight a form takes from the request's JSON allowance. Input: the raw body (its
 * first byte also chooses a pair limit and an allowance for a second decode). Checks beyond
 * the sanitizers: a successful decode is an object whose strings are NUL-free valid UTF-8, and
 * a failure leaves no object and a message; under a limit and an allowance the decode gives
 * the same result or refuses for the limit or the weight, taking weight only when it decodes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec/form.h"
#include "fuzz.h"
#include "base/utf8.h"
#include "codec/json_in.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_object *obj = NULL;
    char msg[256];
    enum form_status st = form_decode((const char *)data, size, &obj, msg, sizeof msg);
    if (st == FORM_OK) {
        FUZZ_ASSERT(json_object_is_type(obj, json_type_object));
        FUZZ_ASSERT(fuzz_strings_clean(obj, 0));
    } else {
        FUZZ_ASSERT(obj == NULL);
        FUZZ_ASSERT(msg[0] != '\0');
        FUZZ_ASSERT(utf8_valid(msg, strlen(msg)));
    }
    /* again under a pair limit and an allowance chosen by the first byte */
    size_t max_pairs = size > 0 ? data[0] % 8 : 0, left = size > 0 ? (size_t)data[0] * 4 : 0;
    json_object *again = NULL;
    json_in_set_allowance(left);
    enum form_status st2 = form_decode_max((const char *)data, size, max_pairs, &again, msg,
                                           sizeof msg);
    if (st2 == FORM_TOO_MANY || st2 == FORM_TOO_LARGE) {
        FUZZ_ASSERT(again == NULL && json_in_allowance() == left);
    } else {
        FUZZ_ASSERT(st2 == st);
        if (st2 == FORM_OK) {
            FUZZ_ASSERT(json_in_allowance() <= left);
            FUZZ_ASSERT(json_object_equal(obj, again));
        }
    }
    json_in_set_allowance(SIZE_MAX);
    json_object_put(again);
    json_object_put(obj);
    return 0;
}
