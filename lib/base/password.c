/* password.c: crypt(3) hashing and verification. Scratch space for crypt comes from the heap
 * per call (crypt_ra), so nothing of a password survives in a static buffer. */
#include "base/password.h"

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "base/crypto.h"

enum pw_status password_hash(const char *pw, const char *prefix, unsigned long cost,
                             char out[PASSWORD_HASH_MAX])
{
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    void *scratch = NULL;
    int scratch_len = 0;
    enum pw_status st = PW_ERROR;

    if (crypt_gensalt_rn(prefix, cost, NULL, 0, salt, sizeof salt) == NULL)
        goto done;
    const char *h = crypt_ra(pw, salt, &scratch, &scratch_len);
    if (h == NULL || h[0] == '*' || strlen(h) >= PASSWORD_HASH_MAX)
        goto done;
    memcpy(out, h, strlen(h) + 1);
    st = PW_OK;
done:
    if (scratch != NULL) {
        explicit_bzero(scratch, (size_t)scratch_len);
        free(scratch);
    }
    return st;
}

int password_verify(const char *pw, const char *hash)
{
    void *scratch = NULL;
    int scratch_len = 0;
    int ok = 0;
    const char *h = crypt_ra(pw, hash, &scratch, &scratch_len);
    size_t n = strlen(hash);
    if (h != NULL && h[0] != '*' && strlen(h) == n)
        ok = crypto_equal(h, hash, n);
    if (scratch != NULL) {
        explicit_bzero(scratch, (size_t)scratch_len);
        free(scratch);
    }
    return ok;
}
