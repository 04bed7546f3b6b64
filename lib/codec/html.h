/* html.h: HTML escaping for the few pages this service renders (the set-password page). Any
 * text that did not come from our own templates goes through here before it reaches a page. */
#ifndef PROV_HTML_H
#define PROV_HTML_H

#include <stddef.h>

struct buf;

/* Appends the n bytes at s to b escaped for HTML element content and quoted attribute values:
 * & < > " ' become character references; malformed UTF-8, NUL and control characters other
 * than TAB, LF and CR become U+FFFD. Returns 0, or -1 after an allocation failure. */
int html_escape(struct buf *b, const char *s, size_t n);
/* html_escape of a NUL-terminated string; NULL appends nothing. */
int html_puts(struct buf *b, const char *s);

#endif
