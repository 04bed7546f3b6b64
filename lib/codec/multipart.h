/* multipart.h: multipart/form-data bodies (RFC 7578) split into parts. Strict: the boundary
 * comes from the Content-Type parameter (1..70 chars, quoted or not), every part has a
 * Content-Disposition of form-data with a name, the closing delimiter must be present.
 * Part data is borrowed from the body buffer (not copied); names, filenames and content types
 * are copied into the arena. */
#ifndef PROV_MULTIPART_H
#define PROV_MULTIPART_H

#include <stddef.h>
#include <json-c/json.h>

struct arena;

struct mp_part {
    const char *name;          /* the form field name (UTF-8 checked) */
    const char *filename;      /* NULL when the part is not a file */
    const char *content_type;  /* NULL when the part has no Content-Type header */
    const char *data;          /* borrowed from the body */
    size_t len;
};

enum mp_status {
    MP_OK = 0,
    MP_NO_BOUNDARY,   /* Content-Type without a usable boundary parameter */
    MP_MALFORMED,     /* delimiter, header or structure error; truncated body */
    MP_BAD_HEADER,    /* a part without form-data disposition or name, or an over-long header */
    MP_BAD_UTF8,      /* a name or filename that is not valid UTF-8 or holds control chars */
    MP_TOO_MANY,      /* more parts than allowed */
    MP_NOMEM
};

/* Parses body (len bytes) sent with the given Content-Type header value. At most max_parts
 * parts. On MP_OK *parts (arena) and *nparts are set; otherwise msg names the problem.
 * Details: a Content-Type other than multipart/form-data is MP_NO_BOUNDARY too. A preamble
 * before the first boundary line, spaces/tabs after boundary lines and an epilogue after
 * CRLF following the closing one are allowed; a body with only the closing delimiter has no
 * parts (*parts NULL, *nparts 0). A delimiter followed by anything but "--" or CRLF, even
 * inside part data, is MP_MALFORMED. Each part may have at most 16 header lines of at most
 * 1024 bytes (MP_BAD_HEADER), header names are case-insensitive, folded lines are
 * MP_MALFORMED, headers other than Content-Disposition and Content-Type are ignored (no
 * Content-Transfer-Encoding decoding). In quoted parameter values a backslash takes the next
 * byte literally; unknown parameters (e.g. filename*) are ignored, a repeated name or
 * filename is MP_BAD_HEADER. A part with a filename parameter, even filename="", is a file. */
enum mp_status multipart_parse(struct arena *a, const char *content_type, const char *body,
                               size_t len, size_t max_parts, struct mp_part **parts,
                               size_t *nparts, char *msg, size_t msglen);

/* The non-file parts as a form-like object (same conventions as form_decode: repeated names
 * and "k[]" make arrays, "k[sub]" objects). File parts are skipped. Values must be valid UTF-8
 * without NUL, else NULL is returned with msg set. New reference on success. */
json_object *multipart_fields(const struct mp_part *parts, size_t nparts, char *msg,
                              size_t msglen);

#endif
