/* pwrule.h: the rules a new password must pass, in one function every path that sets a password
 * calls (the set-password page, the provisioning APIs, later reset and change pages). Two
 * levels: the structural rules (length in characters, not blank or invisible) for every
 * password, and the full check for a password a person chooses (or a tenant that asks for it):
 * not the account's email address or user name, and libpwquality's checks with its cracklib
 * dictionary. libpwquality is configured here, in code, never from /etc/security/pwquality.conf,
 * so the answer does not depend on the host's file. Pure apart from reading the dictionary
 * files; never stores, logs or echoes a password. */
#ifndef PROV_PWRULE_H
#define PROV_PWRULE_H

#include <stddef.h>

/* PWRULE_MIN_CHARS: the shortest password, counted in characters (Unicode code points) after
 * invisible characters and the spaces at either end are left out. The longest is
 * PASSWORD_MAX_BYTES (password.h): a byte bound, because that is what crypt(3) limits. */
enum { PWRULE_MIN_CHARS = 8 };

enum pwrule_level {
    PWRULE_STRUCTURE = 0,   /* provisioning APIs: length, not blank or invisible */
    PWRULE_FULL             /* a person's choice: also email, user name, dictionary */
};

/* The first rule a password breaks, in the order they are checked. */
enum pwrule_verdict {
    PWRULE_OK = 0,
    PWRULE_EMPTY,           /* no password, or the empty string */
    PWRULE_TOO_LONG,        /* more than PASSWORD_MAX_BYTES bytes */
    PWRULE_BAD_TEXT,        /* not UTF-8, or a control character */
    PWRULE_BLANK,           /* nothing but spaces and invisible characters */
    PWRULE_TOO_SHORT,       /* fewer than PWRULE_MIN_CHARS characters that count */
    /* PWRULE_FULL only: */
    PWRULE_IS_EMAIL,        /* the account's email address, or contains it or its local part */
    PWRULE_IS_USERNAME,     /* the account's user name, or contains it in some form */
    PWRULE_COMMON,          /* a dictionary word or a simple pattern (cracklib) */
    PWRULE_WEAK,            /* refused by libpwquality for another reason (a palindrome) */
    PWRULE_ERROR            /* could not check: the dictionary is missing, this process's uid
                             * has no passwd entry (cracklib needs one), or out of memory.
                             * Not the password's fault: the caller answers an internal error. */
};

/* What a caller logs for PWRULE_ERROR (no password in it). */
#define PWRULE_ERROR_TEXT \
    "cannot check passwords: the cracklib dictionary (password.dictionary) is missing or " \
    "unreadable, or this process's uid has no passwd entry"

/* Who the password is for; either may be NULL. Compared trimmed and case-insensitively. */
struct pwrule_account {
    const char *email;
    const char *username;
};

/* The verdict on the n bytes at pw (NULL: no password). dict_path is the cracklib dictionary
 * (the path without .pwd/.pwi; config password.dictionary), used at PWRULE_FULL only. */
enum pwrule_verdict pwrule_check(const char *pw, size_t n, enum pwrule_level level,
                                 const struct pwrule_account *acct, const char *dict_path);
/* A field-table validator: 1 when the n bytes at s pass the structural rules, else 0. */
int pwrule_structure_ok(const char *s, size_t n);
/* The verdict's name, for logs and tests ("too_short"). */
const char *pwrule_name(enum pwrule_verdict v);

#endif
