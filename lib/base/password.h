/* password.h: password hashing with crypt(3) from libxcrypt, yescrypt by default. Plaintext
 * passwords pass through here and nowhere else; they are never stored or logged. */
#ifndef PROV_PASSWORD_H
#define PROV_PASSWORD_H

#include <stddef.h>

/* PASSWORD_MAX_BYTES: the longest password any dialect accepts. libxcrypt refuses 512 bytes
 * or more; we stop well before that so an over-long password is a validation error, never an
 * internal one. */
enum { PASSWORD_HASH_MAX = 128, PASSWORD_MAX_BYTES = 256 };

enum pw_status { PW_OK = 0, PW_ERROR };

/* Hashes pw with a fresh salt for the given prefix ("$y$" for yescrypt) and cost (0 = the
 * library default) into out (PASSWORD_HASH_MAX bytes). */
enum pw_status password_hash(const char *pw, const char *prefix, unsigned long cost,
                             char out[PASSWORD_HASH_MAX]);
/* 1 when pw matches the stored hash, else 0 (also for a malformed hash). */
int password_verify(const char *pw, const char *hash);

#endif
