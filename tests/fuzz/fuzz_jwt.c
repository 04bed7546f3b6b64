/* fuzz_jwt.c: libFuzzer harness for the JSON Web Token parser and checks (lib/codec/jwt.c) behind
 * ServicePower's x-access-token: splitting, base64url, header and claims JSON, the pinned
 * HS256 algorithm, the signature and the time claims. Input: the token as sent. Checks beyond
 * the sanitizers: a token is never accepted under another algorithm, and a signature made
 * with a different key never verifies. */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "codec/jwt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The key the seed corpus's tokens are signed with, so the fuzzer reaches the claim checks. */
static const char key[] = "fuzz-secret-0123456789abcdef";
static const char other[] = "fuzz-secret-0123456789abcdeF";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct jwt j;
    enum jwt_status st = jwt_parse((const char *)data, size, &j);
    if (st != JWT_OK) {
        FUZZ_ASSERT(j.header == NULL && j.claims == NULL);
        return 0;
    }
    json_object *alg = NULL;
    FUZZ_ASSERT(json_object_object_get_ex(j.header, "alg", &alg));
    FUZZ_ASSERT(strcmp(json_object_get_string(alg), "HS256") == 0);
    FUZZ_ASSERT(j.signed_len < size);
    enum jwt_status good = jwt_verify_hs256(&j, key, sizeof key - 1);
    if (good == JWT_OK)
        FUZZ_ASSERT(jwt_verify_hs256(&j, other, sizeof other - 1) == JWT_BAD_SIGNATURE);
    (void)jwt_check_times(&j, 1700000000LL, JWT_LEEWAY);
    (void)jwt_claim_string(&j, "customerid");
    jwt_free(&j);
    return 0;
}
