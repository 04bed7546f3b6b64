/* msg.h: the one formatter for the error messages decoders hand back to clients. */
#ifndef PROV_MSG_H
#define PROV_MSG_H

#include <stddef.h>

/* Formats into msg (size msglen; either may be NULL/0: nothing happens). When the text is cut
 * short, a partial UTF-8 sequence at the end is dropped, so the message stays valid UTF-8 for
 * the JSON or XML encoder that will carry it. */
void msg_set(char *msg, size_t msglen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
