/* join_page.h: the set-password page behind every mailed link (GET and POST /urac/join, the
 * cgi-bin/join executable). Plain HTML without scripts or external assets; every value that
 * is not part of our own page text is HTML-escaped. Status codes (docs/MAIL.md):
 *   200 the form, or the success page after POST;
 *   400 no token in the link, or a password that breaks a rule (the form again, with why);
 *   404 a token we never issued (or malformed);
 *   410 a token already used, or expired;
 *   503 database unavailable, 500 anything else (with the request id). */
#ifndef PROV_JOIN_PAGE_H
#define PROV_JOIN_PAGE_H

struct ctx;

void join_get(struct ctx *c);
void join_post(struct ctx *c);

#endif
