/* setpw.h: the store side of the set-password link (GET/POST /urac/join): looking a token up,
 * the page's password rules (pwrule.c's full check, plus the confirmation), and spending the
 * token while setting the password. A token (the clear
 * value from the mailed link) is known here only long enough to hash it (SHA-256 hex, as
 * user_tokens stores it); it is never logged. Serves every dialect's set-password and
 * invitation links (user_tokens.purpose 'set_password'). */
#ifndef PROV_SETPW_H
#define PROV_SETPW_H

#include <stddef.h>

struct core;

enum { SETPW_TOKEN_MAX = 128 };

enum setpw_status {
    SETPW_OK = 0,
    SETPW_UNKNOWN,          /* no such token (or malformed) */
    SETPW_SPENT,            /* the token was used already */
    SETPW_EXPIRED,          /* the token is past its expiry */
    SETPW_DB_UNAVAILABLE,
    SETPW_ERROR             /* hashing or an unexpected database error (logged) */
};

/* The account a valid token belongs to (strings in the request arena). */
struct setpw_account {
    long long user_id;
    const char *email;
    const char *name;       /* first name, else full name, else NULL */
    const char *username;   /* SOAJS username, ServicePower UserID, else NULL */
};

/* The rules in the order they are checked (pwrule.h says what each one means). */
enum setpw_rule {
    SETPW_RULE_OK = 0,
    SETPW_RULE_EMPTY,       /* no password given */
    SETPW_RULE_TOO_LONG,    /* more than PASSWORD_MAX_BYTES bytes */
    SETPW_RULE_BAD_TEXT,    /* not UTF-8, or a control character */
    SETPW_RULE_BLANK,       /* nothing but spaces and invisible characters */
    SETPW_RULE_TOO_SHORT,   /* fewer than PWRULE_MIN_CHARS characters that count */
    SETPW_RULE_IS_EMAIL,    /* the account's email address (trimmed, any case), or contains it */
    SETPW_RULE_IS_USERNAME, /* the account's user name, or contains it */
    SETPW_RULE_COMMON,      /* in the dictionary, or a simple pattern */
    SETPW_RULE_WEAK,        /* refused by libpwquality for another reason */
    SETPW_RULE_MISMATCH,    /* the confirmation differs */
    SETPW_RULE_UNCHECKED    /* the rules could not be checked (no dictionary): our error */
};

/* 1 when token has the shape of a token we issue (1..SETPW_TOKEN_MAX of [A-Za-z0-9_-]). */
int setpw_token_ok(const char *token, size_t n);
/* Looks the token up without changing anything. */
enum setpw_status setpw_check(struct core *c, const char *token, struct setpw_account *out);
/* The first rule the password breaks for the account (its email and user name), in the order
 * of the enum; confirmation NULL counts as different. dict_path: config password.dictionary. */
enum setpw_rule setpw_rule_check(const char *password, const char *confirmation,
                                 const struct setpw_account *acct, const char *dict_path);
/* Hashes the password (before any lock is taken), then in one transaction spends the token
 * (only if still unused and unexpired: exactly one of concurrent requests wins), sets the
 * hash, makes the account active unless it is inactive (an administrator deactivated it: it
 * stays so), and retires what a password set takes back (users_retire.h: the user's other
 * links, its pending set_password and invitation mail). *active tells whether the account is
 * active afterwards. On a lost race the status says why the token no longer works. */
enum setpw_status setpw_apply(struct core *c, const char *token,
                              const struct setpw_account *acct, const char *password,
                              int *active);

#endif
