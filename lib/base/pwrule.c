/* pwrule.c: the password rules (pwrule.h). The structural part is ours: characters are code
 * points, and the characters that count leave out invisible ones (zero-width and other format
 * characters) and the spaces at either end, so eight spaces, eight U+200B or "password" with a
 * U+200B appended are judged by what a reader of the screen would see. The full check hands
 * that visible text to libpwquality, configured field by field below (never from the host's
 * pwquality.conf), with its cracklib dictionary. Everything derived from a password lives on
 * the stack and is wiped before returning; nothing is logged. */
#include "base/pwrule.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <pwquality.h>

#include "base/password.h"
#include "base/utf8.h"
#include "base/valid.h"

enum cp_class { CP_VISIBLE, CP_SPACE, CP_INVISIBLE };

struct cp_range {
    uint32_t lo, hi;
};

/* Characters that show as blank space: Unicode White_Space, and the fillers and blanks that
 * take room but draw nothing (Hangul fillers, the Braille blank). */
static const struct cp_range spaces[] = {
    { 0x0009, 0x000D }, { 0x0020, 0x0020 }, { 0x0085, 0x0085 }, { 0x00A0, 0x00A0 },
    { 0x115F, 0x1160 }, { 0x1680, 0x1680 }, { 0x2000, 0x200A }, { 0x2028, 0x2029 },
    { 0x202F, 0x202F }, { 0x205F, 0x205F }, { 0x2800, 0x2800 }, { 0x3000, 0x3000 },
    { 0x3164, 0x3164 }, { 0xFFA0, 0xFFA0 },
};

/* Characters that draw nothing at all: the zero-width and format characters of Unicode's
 * Default_Ignorable_Code_Point (soft hyphen, combining grapheme joiner, ZWSP/ZWNJ/ZWJ, marks
 * and embeddings of bidirectional text, word joiner and invisible operators, variation
 * selectors, the byte order mark, tags) and the unassigned code points reserved for more. */
static const struct cp_range invisibles[] = {
    { 0x00AD, 0x00AD }, { 0x034F, 0x034F }, { 0x061C, 0x061C }, { 0x17B4, 0x17B5 },
    { 0x180B, 0x180F }, { 0x200B, 0x200F }, { 0x202A, 0x202E }, { 0x2060, 0x206F },
    { 0xFE00, 0xFE0F }, { 0xFEFF, 0xFEFF }, { 0xFFF0, 0xFFF8 }, { 0x1BCA0, 0x1BCA3 },
    { 0x1D173, 0x1D17A }, { 0xE0000, 0xE0FFF },
};

static int in_ranges(uint32_t cp, const struct cp_range *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cp >= r[i].lo && cp <= r[i].hi)
            return 1;
    return 0;
}

static enum cp_class classify(uint32_t cp)
{
    if (in_ranges(cp, invisibles, sizeof invisibles / sizeof invisibles[0]))
        return CP_INVISIBLE;
    if (in_ranges(cp, spaces, sizeof spaces / sizeof spaces[0]))
        return CP_SPACE;
    return CP_VISIBLE;
}

/* The visible text of the n bytes of valid UTF-8 at pw into out (at least n + 1 bytes): without
 * invisible characters and without the spaces at either end. Returns its length in bytes;
 * *chars receives its length in code points. */
static size_t visible_text(const char *pw, size_t n, char *out, size_t *chars)
{
    size_t o = 0, end = 0, count = 0, count_at_end = 0;
    while (n > 0) {
        uint32_t cp;
        size_t k = utf8_next(pw, n, &cp);
        if (k == 0)
            break;   /* cannot happen: the caller checked the text */
        enum cp_class c = classify(cp);
        if (c == CP_VISIBLE || (c == CP_SPACE && end > 0)) {
            memcpy(out + o, pw, k);
            o += k;
            count++;
            if (c == CP_VISIBLE) {
                end = o;
                count_at_end = count;
            }
        }
        pw += k;
        n -= k;
    }
    out[end] = '\0';
    *chars = count_at_end;
    return end;
}

/* The NUL-terminated s without leading and trailing spaces and tabs, as a span. */
static void trimmed(const char *s, const char **start, size_t *len)
{
    size_t n = strlen(s);
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    *start = s;
    *len = n;
}

/* 1 when the visible text equals s (trimmed), ignoring ASCII case. */
static int same_as(const char *text, size_t len, const char *s)
{
    if (s == NULL)
        return 0;
    const char *t;
    size_t n;
    trimmed(s, &t, &n);
    return n > 0 && n == len && strncasecmp(text, t, n) == 0;
}

/* 1 when the dictionary files cracklib opens are readable. Without them cracklib would refuse
 * every password ("error loading dictionary"), which must not look like the user's fault. */
static int dictionary_present(const char *dict_path)
{
    char f[1024];
    static const char *const ext[] = { ".pwd", ".pwi" };
    if (dict_path == NULL || *dict_path == '\0')
        return 0;
    for (size_t i = 0; i < 2; i++) {
        int len = snprintf(f, sizeof f, "%s%s", dict_path, ext[i]);
        if (len < 0 || (size_t)len >= sizeof f)
            return 0;
        /* opened as cracklib will open it, not access(): that looks with the real uid and
         * without capabilities, and a server granted CAP_DAC_READ_SEARCH to reach a checkout
         * under a 0700 directory (tools/stack.sh as root) can read what access() denies */
        int fd = open(f, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return 0;
        close(fd);
    }
    return 1;
}

/* libpwquality's settings, all of them given here. The length is ours (characters, counted
 * above); the library counts bytes, which are never fewer, so its minimum never decides. No
 * composition rules (classes, credits, repeats, sequences): they push people to predictable
 * substitutions without making the password harder to guess; the dictionary does that job. No
 * GECOS check: our users are not accounts of this host, and looking them up in its passwd
 * database could only find the wrong person. */
static const struct {
    int setting, value;
} settings[] = {
    { PWQ_SETTING_MIN_LENGTH, PWRULE_MIN_CHARS },
    { PWQ_SETTING_DIFF_OK, 1 },   /* only used against the old password, which we never pass */
    { PWQ_SETTING_DIG_CREDIT, 0 },
    { PWQ_SETTING_UP_CREDIT, 0 },
    { PWQ_SETTING_LOW_CREDIT, 0 },
    { PWQ_SETTING_OTH_CREDIT, 0 },
    { PWQ_SETTING_MIN_CLASS, 0 },
    { PWQ_SETTING_MAX_REPEAT, 0 },
    { PWQ_SETTING_MAX_CLASS_REPEAT, 0 },
    { PWQ_SETTING_MAX_SEQUENCE, 0 },
    { PWQ_SETTING_GECOS_CHECK, 0 },
    { PWQ_SETTING_DICT_CHECK, 1 },
    { PWQ_SETTING_USER_CHECK, 1 },
    { PWQ_SETTING_USER_SUBSTR, 0 },   /* the whole user name, not its pieces */
};

/* The email address and its local part as libpwquality's "bad words" (space-separated; the
 * library ignores words shorter than four characters and checks the rest, reversed too). */
static void email_words(const char *email, char *out, size_t outlen)
{
    out[0] = '\0';
    if (email == NULL)
        return;
    const char *e;
    size_t n;
    trimmed(email, &e, &n);
    if (n == 0 || n > EMAIL_MAX || memchr(e, ' ', n) != NULL)
        return;
    const char *at = memchr(e, '@', n);
    size_t local = at != NULL ? (size_t)(at - e) : 0;
    snprintf(out, outlen, "%.*s %.*s", (int)n, e, (int)local, e);
}

/* 1 when cracklib's answer is about the host rather than the password: it could not open the
 * dictionary (checked above, but the files may go between the two looks), or it found no
 * passwd entry for this process's uid (it compares every password with the account the
 * program runs as, and refuses them all without one: a container's anonymous uid). Either
 * way every password would be refused; the caller must say so, not blame the user. The texts
 * are cracklib's untranslated ones: these programs never call setlocale. */
static int cracklib_failed(const char *msg)
{
    return msg != NULL && (strcmp(msg, "error loading dictionary") == 0 ||
                           strcmp(msg, "you are not registered in the password file") == 0);
}

static enum pwrule_verdict library_check(const char *text, const struct pwrule_account *acct,
                                         const char *dict_path)
{
    char words[2 * EMAIL_MAX + 4];
    enum pwrule_verdict v = PWRULE_ERROR;
    if (!dictionary_present(dict_path))
        return PWRULE_ERROR;
    pwquality_settings_t *pwq = pwquality_default_settings();
    if (pwq == NULL)
        return PWRULE_ERROR;
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        if (pwquality_set_int_value(pwq, settings[i].setting, settings[i].value) != 0)
            goto done;
    email_words(acct != NULL ? acct->email : NULL, words, sizeof words);
    if (pwquality_set_str_value(pwq, PWQ_SETTING_DICT_PATH, dict_path) != 0 ||
        pwquality_set_str_value(pwq, PWQ_SETTING_BAD_WORDS, words) != 0)
        goto done;
    const char *user = NULL;
    size_t ulen = 0;
    char ubuf[256];
    if (acct != NULL && acct->username != NULL) {
        trimmed(acct->username, &user, &ulen);
        if (ulen == 0 || ulen >= sizeof ubuf) {
            user = NULL;
        } else {
            memcpy(ubuf, user, ulen);
            ubuf[ulen] = '\0';
            user = ubuf;
        }
    }
    void *aux = NULL;
    int rc = pwquality_check(pwq, text, NULL, user, &aux);
    if (rc >= 0) {
        v = PWRULE_OK;
    } else {
        switch (rc) {
        case PWQ_ERROR_USER_CHECK: v = PWRULE_IS_USERNAME; break;
        case PWQ_ERROR_BAD_WORDS: v = PWRULE_IS_EMAIL; break;
        case PWQ_ERROR_CRACKLIB_CHECK:
            v = cracklib_failed((const char *)aux) ? PWRULE_ERROR : PWRULE_COMMON;
            break;
        case PWQ_ERROR_MEM_ALLOC:
        case PWQ_ERROR_FATAL_FAILURE:
            v = PWRULE_ERROR;
            break;
        default: v = PWRULE_WEAK; break;
        }
        char msg[PWQ_MAX_ERROR_MESSAGE_LEN];
        pwquality_strerror(msg, sizeof msg, rc, aux);   /* releases aux, whatever it holds */
    }
    explicit_bzero(ubuf, sizeof ubuf);
done:
    /* the words are personal data: release them ourselves rather than trust every version of
     * pwquality_free_settings to */
    pwquality_set_str_value(pwq, PWQ_SETTING_BAD_WORDS, NULL);
    pwquality_free_settings(pwq);
    explicit_bzero(words, sizeof words);
    return v;
}

enum pwrule_verdict pwrule_check(const char *pw, size_t n, enum pwrule_level level,
                                 const struct pwrule_account *acct, const char *dict_path)
{
    char text[PASSWORD_MAX_BYTES + 1];
    size_t chars = 0;
    enum pwrule_verdict v;
    if (pw == NULL || n == 0)
        return PWRULE_EMPTY;
    if (n > PASSWORD_MAX_BYTES)
        return PWRULE_TOO_LONG;
    if (text_check(pw, n, TEXT_SINGLE_LINE) != TEXT_OK)
        return PWRULE_BAD_TEXT;
    size_t len = visible_text(pw, n, text, &chars);
    if (len == 0)
        v = PWRULE_BLANK;
    else if (chars < PWRULE_MIN_CHARS)
        v = PWRULE_TOO_SHORT;
    else if (level == PWRULE_STRUCTURE)
        v = PWRULE_OK;
    else if (acct != NULL && same_as(text, len, acct->email))
        v = PWRULE_IS_EMAIL;
    else if (acct != NULL && same_as(text, len, acct->username))
        v = PWRULE_IS_USERNAME;
    else
        v = library_check(text, acct, dict_path);
    explicit_bzero(text, sizeof text);
    return v;
}

int pwrule_structure_ok(const char *s, size_t n)
{
    return pwrule_check(s, n, PWRULE_STRUCTURE, NULL, NULL) == PWRULE_OK;
}

const char *pwrule_name(enum pwrule_verdict v)
{
    switch (v) {
    case PWRULE_OK: return "ok";
    case PWRULE_EMPTY: return "empty";
    case PWRULE_TOO_LONG: return "too_long";
    case PWRULE_BAD_TEXT: return "bad_text";
    case PWRULE_BLANK: return "blank";
    case PWRULE_TOO_SHORT: return "too_short";
    case PWRULE_IS_EMAIL: return "is_email";
    case PWRULE_IS_USERNAME: return "is_username";
    case PWRULE_COMMON: return "common";
    case PWRULE_WEAK: return "weak";
    case PWRULE_ERROR: break;
    }
    return "error";
}
