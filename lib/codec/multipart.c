/* multipart.c: multipart/form-data (RFC 7578, framing of RFC 2046 section 5.1) split into
 * parts. Owns the boundary parameter, the delimiter framing and the part headers; never copies
 * or interprets part data (it stays borrowed from the body) and never decodes
 * Content-Transfer-Encoding, which RFC 7578 deprecates. */
#include "codec/multipart.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/msg.h"
#include "base/utf8.h"
#include "codec/form.h"

enum {
    MP_BOUNDARY_MAX = 70,   /* RFC 2046 */
    MP_MAX_HEADERS = 16,    /* per part */
    MP_HEADER_MAX = 1024,   /* bytes per header line, CRLF excluded */
    MP_PARTS_START = 8
};

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* RFC 7230 tchar. */
static int is_tchar(char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* RFC 2046 bchars (space allowed, but not as the last character). */
static int is_bchar(char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    return c != '\0' && strchr("'()+_,-./:=? ", c) != NULL;
}

/* 1 when the n bytes at s equal the lowercase literal lit, ignoring ASCII case. */
static int token_eq(const char *s, size_t n, const char *lit)
{
    return n == strlen(lit) && strncasecmp(s, lit, n) == 0;
}

/* One "; name=value" parameter: on success *pos is past it, the name is [*name, +*nlen) and
 * the value, unquoted, is in out (*vlen bytes). Returns 0, -1 on a syntax error, or -2 (with
 * *pos still advanced) when the value is longer than outcap. A quoted value takes "\x" as x. */
static int next_param(const char *s, size_t n, size_t *pos, const char **name, size_t *nlen,
                      char *out, size_t outcap, size_t *vlen)
{
    size_t i = *pos;
    while (i < n && is_ows(s[i]))
        i++;
    if (i >= n || s[i] != ';')
        return -1;
    i++;
    while (i < n && is_ows(s[i]))
        i++;
    size_t start = i;
    while (i < n && is_tchar(s[i]))
        i++;
    if (i == start || i >= n || s[i] != '=')
        return -1;
    *name = s + start;
    *nlen = i - start;
    i++;
    size_t o = 0;
    int quoted = i < n && s[i] == '"';
    if (quoted)
        i++;
    for (;;) {
        if (i >= n) {
            if (quoted)
                return -1;   /* unterminated */
            break;
        }
        char c = s[i];
        if (quoted) {
            i++;
            if (c == '"')
                break;
            if (c == '\\') {
                if (i >= n)
                    return -1;
                c = s[i++];
            }
        } else {
            if (!is_tchar(c))
                break;
            i++;
        }
        if (o < outcap)
            out[o] = c;
        o++;
    }
    if (!quoted && o == 0)
        return -1;
    *pos = i;
    *vlen = o < outcap ? o : outcap;
    return o > outcap ? -2 : 0;
}

/* Finds the boundary in a Content-Type value "multipart/form-data; boundary=...". */
static enum mp_status get_boundary(const char *ct, char *b, size_t *blen, char *msg,
                                   size_t msglen)
{
    static const char type[] = "multipart/form-data";
    enum mp_status st = MP_NO_BOUNDARY;
    if (ct == NULL) {
        msg_set(msg, msglen, "missing Content-Type for multipart/form-data");
        return st;
    }
    size_t n = strlen(ct), i = 0;
    while (i < n && is_ows(ct[i]))
        i++;
    if (n - i < sizeof type - 1 || strncasecmp(ct + i, type, sizeof type - 1) != 0
        || (n - i > sizeof type - 1 && !is_ows(ct[i + sizeof type - 1])
            && ct[i + sizeof type - 1] != ';')) {
        msg_set(msg, msglen, "Content-Type is not multipart/form-data");
        return st;
    }
    i += sizeof type - 1;
    int found = 0;
    for (;;) {
        while (i < n && is_ows(ct[i]))
            i++;
        if (i >= n)
            break;
        const char *name;
        size_t nlen, vlen;
        char value[MP_BOUNDARY_MAX];
        int r = next_param(ct, n, &i, &name, &nlen, value, sizeof value, &vlen);
        if (r == -1) {
            msg_set(msg, msglen, "malformed Content-Type parameters");
            return st;
        }
        if (!token_eq(name, nlen, "boundary"))
            continue;   /* a long unknown parameter (r == -2) is skipped as well */
        if (found) {
            msg_set(msg, msglen, "more than one boundary parameter in Content-Type");
            return st;
        }
        if (r == -2) {
            msg_set(msg, msglen, "multipart boundary longer than %d characters",
                    MP_BOUNDARY_MAX);
            return st;
        }
        if (vlen == 0 || value[vlen - 1] == ' ') {
            msg_set(msg, msglen, "empty or malformed multipart boundary");
            return st;
        }
        for (size_t k = 0; k < vlen; k++) {
            if (!is_bchar(value[k])) {
                msg_set(msg, msglen, "invalid character in multipart boundary");
                return st;
            }
        }
        memcpy(b, value, vlen);
        *blen = vlen;
        found = 1;
    }
    if (!found) {
        msg_set(msg, msglen, "Content-Type has no boundary parameter");
        return st;
    }
    return MP_OK;
}

/* Content-Disposition: form-data; name="..."[; filename="..."]. */
static enum mp_status parse_disposition(struct arena *a, const char *v, size_t n, size_t idx,
                                        struct mp_part *part, char *msg, size_t msglen)
{
    size_t i = 0;
    while (i < n && is_tchar(v[i]))
        i++;
    if (!token_eq(v, i, "form-data")) {
        msg_set(msg, msglen, "part %zu: Content-Disposition is not form-data", idx);
        return MP_BAD_HEADER;
    }
    /* Decoded values are never longer than the header value. */
    char *buf = arena_alloc(a, n + 1);
    if (buf == NULL) {
        msg_set(msg, msglen, "out of memory");
        return MP_NOMEM;
    }
    int have_name = 0;
    while (i < n) {
        const char *pname;
        size_t nlen, vlen;
        if (next_param(v, n, &i, &pname, &nlen, buf, n, &vlen) != 0) {
            msg_set(msg, msglen, "part %zu: malformed Content-Disposition", idx);
            return MP_BAD_HEADER;
        }
        while (i < n && is_ows(v[i]))
            i++;
        const char **slot;
        const char *what;
        if (token_eq(pname, nlen, "name")) {
            slot = &part->name;
            what = "name";
            if (have_name)
                goto duplicate;
            have_name = 1;
        } else if (token_eq(pname, nlen, "filename")) {
            slot = &part->filename;
            what = "filename";
            if (part->filename != NULL)
                goto duplicate;
        } else {
            continue;   /* e.g. filename*, which RFC 7578 says not to use */
        }
        enum text_status ts = text_check(buf, vlen, TEXT_SINGLE_LINE);
        if (ts != TEXT_OK) {
            msg_set(msg, msglen, "part %zu: %s in the %s", idx, text_status_str(ts), what);
            return MP_BAD_UTF8;
        }
        *slot = arena_strndup(a, buf, vlen);
        if (*slot == NULL) {
            msg_set(msg, msglen, "out of memory");
            return MP_NOMEM;
        }
        continue;
duplicate:
        msg_set(msg, msglen, "part %zu: more than one %s in Content-Disposition", idx, what);
        return MP_BAD_HEADER;
    }
    if (part->name == NULL || part->name[0] == '\0') {
        msg_set(msg, msglen, "part %zu: Content-Disposition without a name", idx);
        return MP_BAD_HEADER;
    }
    return MP_OK;
}

/* One part: the n bytes between the CRLF after a boundary line and the next delimiter. */
static enum mp_status parse_part(struct arena *a, const char *p, size_t n, size_t idx,
                                 struct mp_part *part, char *msg, size_t msglen)
{
    size_t i = 0;
    int headers = 0, have_cd = 0;
    for (;;) {
        size_t window = n - i < MP_HEADER_MAX + 2 ? n - i : MP_HEADER_MAX + 2;
        const char *crlf = memmem(p + i, window, "\r\n", 2);
        if (crlf == NULL) {
            if (window < n - i) {
                msg_set(msg, msglen, "part %zu: header line longer than %d bytes", idx,
                        MP_HEADER_MAX);
                return MP_BAD_HEADER;
            }
            msg_set(msg, msglen, "part %zu: headers not terminated by an empty line", idx);
            return MP_MALFORMED;
        }
        size_t ll = (size_t)(crlf - (p + i));
        const char *line = p + i;
        i += ll + 2;
        if (ll == 0)
            break;
        if (ll > MP_HEADER_MAX) {
            msg_set(msg, msglen, "part %zu: header line longer than %d bytes", idx,
                    MP_HEADER_MAX);
            return MP_BAD_HEADER;
        }
        if (++headers > MP_MAX_HEADERS) {
            msg_set(msg, msglen, "part %zu: more than %d headers", idx, MP_MAX_HEADERS);
            return MP_BAD_HEADER;
        }
        size_t nl = 0;
        while (nl < ll && is_tchar(line[nl]))
            nl++;
        if (nl == 0 || nl >= ll || line[nl] != ':') {
            msg_set(msg, msglen, "part %zu: malformed header line", idx);
            return MP_MALFORMED;
        }
        size_t vs = nl + 1, ve = ll;
        while (vs < ve && is_ows(line[vs]))
            vs++;
        while (ve > vs && is_ows(line[ve - 1]))
            ve--;
        if (token_eq(line, nl, "content-disposition")) {
            if (have_cd) {
                msg_set(msg, msglen, "part %zu: more than one Content-Disposition", idx);
                return MP_BAD_HEADER;
            }
            have_cd = 1;
            enum mp_status st = parse_disposition(a, line + vs, ve - vs, idx, part, msg,
                                                  msglen);
            if (st != MP_OK)
                return st;
        } else if (token_eq(line, nl, "content-type")) {
            if (part->content_type != NULL || ve == vs
                || text_check(line + vs, ve - vs, TEXT_SINGLE_LINE) != TEXT_OK) {
                msg_set(msg, msglen, "part %zu: bad or repeated Content-Type", idx);
                return MP_BAD_HEADER;
            }
            part->content_type = arena_strndup(a, line + vs, ve - vs);
            if (part->content_type == NULL) {
                msg_set(msg, msglen, "out of memory");
                return MP_NOMEM;
            }
        }
    }
    if (!have_cd) {
        msg_set(msg, msglen, "part %zu: no Content-Disposition header", idx);
        return MP_BAD_HEADER;
    }
    part->data = p + i;
    part->len = n - i;
    return MP_OK;
}

enum mp_status multipart_parse(struct arena *a, const char *content_type, const char *body,
                               size_t len, size_t max_parts, struct mp_part **parts,
                               size_t *nparts, char *msg, size_t msglen)
{
    enum mp_status st;
    struct mp_part *list = NULL;
    size_t count = 0, cap = 0;
    *parts = NULL;
    *nparts = 0;
    if (msg != NULL && msglen > 0)
        msg[0] = '\0';

    /* delim is CRLF "--" boundary; the first boundary line may lack the CRLF. */
    char delim[4 + MP_BOUNDARY_MAX];
    size_t blen = 0;
    memcpy(delim, "\r\n--", 4);
    st = get_boundary(content_type, delim + 4, &blen, msg, msglen);
    if (st != MP_OK)
        goto done;
    size_t dlen = 4 + blen;

    size_t pos;
    if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
        pos = dlen - 2;
    } else {
        const char *first = len > 0 ? memmem(body, len, delim, dlen) : NULL;
        if (first == NULL) {
            msg_set(msg, msglen, "multipart body does not contain the boundary");
            st = MP_MALFORMED;
            goto done;
        }
        pos = (size_t)(first - body) + dlen;   /* after a preamble */
    }
    for (;;) {
        /* pos is just after a "--boundary" */
        if (len - pos >= 2 && body[pos] == '-' && body[pos + 1] == '-') {
            pos += 2;
            while (pos < len && is_ows(body[pos]))
                pos++;
            if (pos < len && (len - pos < 2 || body[pos] != '\r' || body[pos + 1] != '\n')) {
                msg_set(msg, msglen, "unexpected data after the closing multipart boundary");
                st = MP_MALFORMED;
                goto done;
            }
            break;   /* anything after that CRLF is the epilogue */
        }
        while (pos < len && is_ows(body[pos]))
            pos++;
        if (len - pos < 2 || body[pos] != '\r' || body[pos + 1] != '\n') {
            msg_set(msg, msglen, pos >= len ? "multipart body truncated after a boundary"
                                            : "malformed multipart boundary line");
            st = MP_MALFORMED;
            goto done;
        }
        pos += 2;
        const char *next = memmem(body + pos, len - pos, delim, dlen);
        if (next == NULL) {
            msg_set(msg, msglen, "multipart body truncated: no closing boundary");
            st = MP_MALFORMED;
            goto done;
        }
        if (count >= max_parts) {
            msg_set(msg, msglen, "more than %zu parts in multipart body", max_parts);
            st = MP_TOO_MANY;
            goto done;
        }
        if (count == cap) {
            size_t ncap = cap == 0 ? MP_PARTS_START : cap * 2;
            struct mp_part *grown = arena_calloc(a, ncap, sizeof *grown);
            if (grown == NULL) {
                msg_set(msg, msglen, "out of memory");
                st = MP_NOMEM;
                goto done;
            }
            if (count > 0)
                memcpy(grown, list, count * sizeof *list);
            list = grown;
            cap = ncap;
        }
        size_t end = (size_t)(next - body);
        st = parse_part(a, body + pos, end - pos, count + 1, &list[count], msg, msglen);
        if (st != MP_OK)
            goto done;
        count++;
        pos = end + dlen;
    }
    *parts = list;
    *nparts = count;
    st = MP_OK;
done:
    return st;
}

json_object *multipart_fields(const struct mp_part *parts, size_t nparts, char *msg,
                              size_t msglen)
{
    json_object *obj = json_object_new_object();
    if (obj == NULL) {
        msg_set(msg, msglen, "out of memory");
        goto fail;
    }
    for (size_t k = 0; k < nparts; k++) {
        const struct mp_part *p = &parts[k];
        if (p->filename != NULL)
            continue;
        if (form_add_pair(obj, p->name, strlen(p->name), p->data, p->len, msg, msglen)
            != FORM_OK)
            goto fail;
    }
    return obj;
fail:
    json_object_put(obj);
    return NULL;
}
