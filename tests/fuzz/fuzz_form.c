/* fuzz_form.c: libFuzzer harness for application/x-www-form-urlencoded bodies and query
 * strings (lib/form.c): percent-decoding, bracket keys, arrays and objects, the pair limit.
 * Input: the raw body. Checks beyond the sanitizers: a successful decode is an object whose
 * strings are NUL-free valid UTF-8, and a failure leaves no object and a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "fuzz.h"
#include "utf8.h"

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
    json_object_put(obj);
    return 0;
}
