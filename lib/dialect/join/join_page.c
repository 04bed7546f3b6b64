/* join_page.c: the set-password page: the request side (token and fields from the query or the
 * form), the page texts in two tables (link states, password rules), and the HTML. The store
 * work is setpw.c's. Never logs or echoes a password; echoes the token only after checking
 * its shape, and everything echoed goes through html.c. */
#include "dialect/join/join_page.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/crypto.h"
#include "base/log.h"
#include "base/password.h"
#include "base/pwrule.h"
#include "codec/html.h"
#include "core/setpw.h"
#include "http/ctx.h"
#include "http/response.h"

/* The page's only style sheet; the Content-Security-Policy allows exactly this text by its
 * hash, so no other style, script, image, frame or form target is possible. */
static const char style[] =
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5;color:#1a1a1a;background:#fff}"
    "label{display:block;font-weight:600;margin-top:1rem}"
    "input{font:inherit;width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #555;"
    "border-radius:4px}"
    "button{font:inherit;margin-top:1.5rem;padding:.6rem 1.2rem;border:0;border-radius:4px;"
    "background:#0b57d0;color:#fff;cursor:pointer}"
    "button:focus,input:focus{outline:3px solid #f9a825;outline-offset:2px}"
    ".error{border-left:4px solid #b00020;padding:.5rem 1rem;background:#fdecee}"
    ".hint{color:#444;font-size:.9rem;margin:.25rem 0 0}";

/* What a link that cannot be used shows. */
struct state_page {
    int status;
    const char *title;
    const char *text;
};

static const struct state_page page_missing = {
    400, "This link is incomplete",
    "The address you opened has no token. Open the link from your email again; if you copy it, "
    "copy the whole address.",
};
static const struct state_page page_unknown = {
    404, "This link is not valid",
    "It may have been mistyped or replaced by a newer invitation. Open the most recent email "
    "you received, or ask your administrator to send a new invitation.",
};
static const struct state_page page_spent = {
    410, "This link has already been used",
    "The password for this account has already been set with this link. Sign in with your "
    "password, or ask your administrator for a new invitation if you have lost it.",
};
static const struct state_page page_expired = {
    410, "This link has expired",
    "Links to set a password are valid for a limited time. Ask your administrator to send a new "
    "invitation.",
};
static const struct state_page page_unavailable = {
    503, "The service is unavailable",
    "Your password has not been changed. Please try again in a few minutes.",
};
static const struct state_page page_error = {
    500, "Something went wrong",
    "Your password has not been changed. Please try again later.",
};

/* Why a password was refused, indexed by enum setpw_rule (SETPW_RULE_UNCHECKED is our fault,
 * not the password's: it answers the error page). */
static const char *const rule_text[] = {
    [SETPW_RULE_OK] = "",
    [SETPW_RULE_EMPTY] = "Enter a new password.",
    [SETPW_RULE_TOO_LONG] = "The password is too long: use at most 256 bytes (fewer characters "
                            "if they are not plain letters and digits).",
    [SETPW_RULE_BAD_TEXT] = "The password contains characters that cannot be used (control "
                            "characters).",
    [SETPW_RULE_BLANK] = "A password cannot be only spaces or invisible characters.",
    [SETPW_RULE_TOO_SHORT] = "The password is too short: use at least 8 characters (spaces at "
                             "the start or end and invisible characters do not count).",
    [SETPW_RULE_IS_EMAIL] = "A password cannot be your email address, or contain it.",
    [SETPW_RULE_IS_USERNAME] = "A password cannot be your user name, or contain it.",
    [SETPW_RULE_COMMON] = "This password is too common: it is a dictionary word or an easy "
                          "pattern. A few unrelated words make a good password.",
    [SETPW_RULE_WEAK] = "This password is too easy to guess. A few unrelated words make a good "
                        "password.",
    [SETPW_RULE_MISMATCH] = "The two passwords do not match. Type the same password twice.",
    [SETPW_RULE_UNCHECKED] = "",
};

_Static_assert(PASSWORD_MAX_BYTES == 256 && PWRULE_MIN_CHARS == 8,
               "the rule texts name these limits");

static void page_begin(struct buf *b, const char *title)
{
    buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
    html_puts(b, title);
    buf_puts(b, "</title>\n<style>");
    buf_puts(b, style);
    buf_puts(b, "</style>\n</head>\n<body>\n<main>\n<h1>");
    html_puts(b, title);
    buf_puts(b, "</h1>\n");
}

static void page_end(struct buf *b)
{
    buf_puts(b, "</main>\n</body>\n</html>\n");
}

/* Status, headers and the finished body. */
static void answer(struct ctx *c, int status, struct buf *b)
{
    if (b->failed) {
        buf_free(b);
        c->resp.status = 500;
        c->resp.content_type = "text/plain; charset=utf-8";
        buf_clear(&c->resp.body);
        log_error(c->core.rid, "join: out of memory while rendering");
        return;
    }
    unsigned char digest[SHA256_LEN];
    char b64[64], csp[256];
    crypto_sha256(style, sizeof style - 1, digest);
    b64[b64_encode(digest, sizeof digest, b64)] = '\0';
    snprintf(csp, sizeof csp,
             "default-src 'none'; style-src 'sha256-%s'; form-action 'self'; "
             "frame-ancestors 'none'; base-uri 'none'", b64);
    resp_header(c, "Content-Security-Policy", csp);
    resp_header(c, "Referrer-Policy", "no-referrer");
    resp_header(c, "X-Content-Type-Options", "nosniff");
    resp_header(c, "X-Frame-Options", "DENY");
    buf_clear(&c->resp.body);
    buf_append(&c->resp.body, b->data != NULL ? b->data : "", b->len);
    buf_free(b);
    c->resp.status = status;
    c->resp.content_type = "text/html; charset=utf-8";
}

static void state_answer(struct ctx *c, const struct state_page *p)
{
    struct buf b = { 0 };
    page_begin(&b, p->title);
    buf_puts(&b, "<p>");
    html_puts(&b, p->text);
    buf_puts(&b, "</p>\n");
    if (p->status >= 500) {
        buf_puts(&b, "<p>Reference: <code>");
        html_puts(&b, c->core.rid);
        buf_puts(&b, "</code></p>\n");
    }
    page_end(&b);
    answer(c, p->status, &b);
}

static const struct state_page *page_for(enum setpw_status st)
{
    switch (st) {
    case SETPW_OK: return NULL;
    case SETPW_UNKNOWN: return &page_unknown;
    case SETPW_SPENT: return &page_spent;
    case SETPW_EXPIRED: return &page_expired;
    case SETPW_DB_UNAVAILABLE: return &page_unavailable;
    case SETPW_ERROR: break;
    }
    return &page_error;
}

static void form_answer(struct ctx *c, int status, const char *token,
                        const struct setpw_account *a, enum setpw_rule why)
{
    struct buf b = { 0 };
    page_begin(&b, "Choose your password");
    buf_puts(&b, "<p>");
    if (a->name != NULL && *a->name != '\0') {
        buf_puts(&b, "Hello ");
        html_puts(&b, a->name);
        buf_puts(&b, ", choose ");
    } else {
        buf_puts(&b, "Choose ");
    }
    buf_puts(&b, "the password for your account <strong>");
    html_puts(&b, a->email);
    buf_puts(&b, "</strong>.</p>\n");
    if (why != SETPW_RULE_OK) {
        buf_puts(&b, "<p class=\"error\" role=\"alert\" id=\"error\">");
        html_puts(&b, rule_text[why]);
        buf_puts(&b, "</p>\n");
    }
    buf_puts(&b, "<form method=\"post\" action=\"join\">\n"
                 "<input type=\"hidden\" name=\"token\" value=\"");
    html_puts(&b, token);
    buf_puts(&b, "\">\n<label for=\"password\">New password</label>\n"
                 "<input id=\"password\" name=\"password\" type=\"password\" "
                 "autocomplete=\"new-password\" required minlength=\"8\" ");
    buf_puts(&b, why != SETPW_RULE_OK ? "aria-invalid=\"true\" "
                                        "aria-describedby=\"password-hint error\">\n"
                                      : "aria-describedby=\"password-hint\">\n");
    buf_puts(&b, "<p class=\"hint\" id=\"password-hint\">At least 8 characters, not your "
                 "email address or user name, and not a common password.</p>\n"
                 "<label for=\"confirmation\">Repeat the new password</label>\n"
                 "<input id=\"confirmation\" name=\"confirmation\" type=\"password\" "
                 "autocomplete=\"new-password\" required minlength=\"8\">\n"
                 "<button type=\"submit\">Set password</button>\n</form>\n");
    page_end(&b);
    answer(c, status, &b);
}

static void success_answer(struct ctx *c, const struct setpw_account *a, int active)
{
    struct buf b = { 0 };
    page_begin(&b, "Your password is set");
    buf_puts(&b, "<p role=\"status\">The account <strong>");
    html_puts(&b, a->email);
    if (active)
        buf_puts(&b, "</strong> is now active. You can sign in with your new password.</p>\n");
    else   /* deactivated by an administrator: the password waits for its reactivation */
        buf_puts(&b, "</strong> has its new password, but it is not active: you can sign in "
                     "once your administrator activates it.</p>\n");
    page_end(&b);
    answer(c, 200, &b);
}

/* A string field of a decoded query or form; NULL when absent or not a single string. */
static const char *field(const json_object *o, const char *name)
{
    json_object *v = NULL;
    if (o == NULL || !json_object_object_get_ex(o, name, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* The token of the request, or NULL after answering the page for a missing or unusable one;
 * fills the account on success. */
static const char *usable_token(struct ctx *c, const json_object *fields,
                                struct setpw_account *a)
{
    const char *token = field(fields, "token");
    if (token == NULL || *token == '\0') {
        state_answer(c, &page_missing);
        return NULL;
    }
    enum setpw_status st = setpw_check(&c->core, token, a);
    if (st != SETPW_OK) {
        state_answer(c, page_for(st));
        return NULL;
    }
    return token;
}

void join_get(struct ctx *c)
{
    char msg[128];
    struct setpw_account a;
    const json_object *q = req_query(c, msg, sizeof msg);
    if (q == NULL) {
        state_answer(c, &page_unknown);   /* a query we cannot even decode */
        return;
    }
    const char *token = usable_token(c, q, &a);
    if (token != NULL)
        form_answer(c, 200, token, &a, SETPW_RULE_OK);
}

void join_post(struct ctx *c)
{
    struct setpw_account a;
    const char *token = usable_token(c, c->input, &a);
    if (token == NULL)
        return;
    const char *password = field(c->input, "password");
    enum setpw_rule why = setpw_rule_check(password, field(c->input, "confirmation"), &a,
                                           c->core.cfg->password_dictionary);
    if (why == SETPW_RULE_UNCHECKED) {
        log_error(c->core.rid, "join: %s (%s.pwd, .pwi; Debian: cracklib-runtime)",
                  PWRULE_ERROR_TEXT, c->core.cfg->password_dictionary);
        state_answer(c, &page_error);
        return;
    }
    if (why != SETPW_RULE_OK) {
        form_answer(c, 400, token, &a, why);
        return;
    }
    int active = 0;
    enum setpw_status st = setpw_apply(&c->core, token, &a, password, &active);
    if (st != SETPW_OK) {
        state_answer(c, page_for(st));
        return;
    }
    success_answer(c, &a, active);
}
