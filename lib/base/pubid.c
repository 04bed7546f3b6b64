/* pubid.c: drawing public numbers (pubid.h). No state, no database: uniqueness within the
 * tenant is the unique index's job, and a caller whose insert hits it draws again. */
#include "base/pubid.h"

#include <stdint.h>

#include "base/crypto.h"

int pubid_draw(long long *out)
{
    /* 53 random bits, redrawn below 2^32 (one chance in two million): uniform, no modulo */
    for (int i = 0; i < 64; i++) {
        unsigned char r[8];
        if (crypto_random(r, sizeof r) != 0)
            return -1;
        uint64_t v = 0;
        for (int k = 0; k < 8; k++)
            v = v << 8 | r[k];
        v &= (UINT64_C(1) << 53) - 1;
        if (v >= (uint64_t)PUBID_MIN) {
            *out = (long long)v;
            return 0;
        }
    }
    return -1;
}
