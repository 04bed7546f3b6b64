/* scim_filter.c: the SCIM filter and PATCH path parser of scim_filter.h (a recursive descent
 * whose recursion the depth limit bounds) and the canonical printer. Allocates only in the
 * caller's arena (the printer's scratch buffer is freed before it returns). Never evaluates a
 * filter, never knows a schema, never produces SQL. */
#include "codec/scim_filter.h"

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/utf8.h"

struct parser {
    const char *s;
    size_t n;
    size_t pos;
    struct arena *a;
    int depth;          /* "(" and "[" currently open */
    int terms;          /* comparisons so far */
    int in_brackets;    /* inside a valuePath's [ ] */
    struct scim_filter_error *err;
};

static const char *const op_names[] = {
    [SCIM_OP_EQ] = "eq", [SCIM_OP_NE] = "ne", [SCIM_OP_CO] = "co", [SCIM_OP_SW] = "sw",
    [SCIM_OP_EW] = "ew", [SCIM_OP_GT] = "gt", [SCIM_OP_GE] = "ge", [SCIM_OP_LT] = "lt",
    [SCIM_OP_LE] = "le", [SCIM_OP_PR] = "pr",
};

const char *scim_op_name(enum scim_op op)
{
    if ((unsigned)op < sizeof op_names / sizeof op_names[0])
        return op_names[op];
    return "?";
}

const char *scim_filter_status_str(enum scim_filter_status st)
{
    switch (st) {
    case SCIM_FILTER_OK: return "ok";
    case SCIM_FILTER_EMPTY: return "the filter is empty";
    case SCIM_FILTER_TOO_LONG: return "the text is too long";
    case SCIM_FILTER_BAD_TEXT: return "the text is not valid UTF-8 or holds a NUL byte";
    case SCIM_FILTER_BAD_CHAR: return "a control character";
    case SCIM_FILTER_TOO_DEEP: return "parentheses and brackets are nested too deep";
    case SCIM_FILTER_TOO_MANY_TERMS: return "too many comparisons";
    case SCIM_FILTER_EXPECTED_ATTR: return "expected an attribute name";
    case SCIM_FILTER_BAD_URN: return "a malformed schema URN";
    case SCIM_FILTER_BAD_SUBATTR: return "a malformed sub-attribute";
    case SCIM_FILTER_EXPECTED_OP: return "expected a comparison operator";
    case SCIM_FILTER_EXPECTED_VALUE: return "expected a value";
    case SCIM_FILTER_BAD_STRING: return "a malformed string";
    case SCIM_FILTER_BAD_NUMBER: return "a number too long";
    case SCIM_FILTER_BAD_VALUE_OP: return "true, false and null compare only with eq or ne";
    case SCIM_FILTER_EXPECTED_PAREN: return "'not' must be followed by '('";
    case SCIM_FILTER_UNCLOSED_PAREN: return "a '(' is never closed";
    case SCIM_FILTER_UNCLOSED_BRACKET: return "a '[' is never closed";
    case SCIM_FILTER_NESTED_BRACKET: return "a value filter inside a value filter";
    case SCIM_FILTER_UNMATCHED_CLOSE: return "a ')' or ']' that closes nothing";
    case SCIM_FILTER_EXPECTED_LOGIC: return "expected 'and' or 'or'";
    case SCIM_FILTER_EXPECTED_END: return "unexpected text after the path";
    case SCIM_FILTER_NOMEM: return "out of memory";
    }
    return "?";
}

/* Records the first failure: its status, offset, and what (or the status's words) with the
 * offset appended. */
static enum scim_filter_status fail(struct parser *p, enum scim_filter_status st, size_t at,
                                    const char *what)
{
    p->err->status = st;
    p->err->offset = at;
    snprintf(p->err->msg, sizeof p->err->msg, "%s at byte %zu",
             what != NULL ? what : scim_filter_status_str(st), at);
    return st;
}

/* fail() for a limit: the message names the limit's number. */
static enum scim_filter_status fail_limit(struct parser *p, enum scim_filter_status st,
                                          size_t at, const char *what, int limit)
{
    char m[96];
    snprintf(m, sizeof m, "%s %d", what, limit);
    return fail(p, st, at, m);
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_name_char(char c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '_';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive comparison of n bytes at s with the lower-case word w. */
static int ci_eq(const char *s, size_t n, const char *w)
{
    size_t wl = strlen(w);
    if (n != wl)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != w[i])
            return 0;
    return 1;
}

int scim_name_is(const char *name, const char *want)
{
    if (name == NULL || want == NULL)
        return 0;
    for (; *name != '\0' && *want != '\0'; name++, want++)
        if (lower(*name) != lower(*want))
            return 0;
    return *name == *want;
}

static void skip_ws(struct parser *p)
{
    while (p->pos < p->n && is_ws(p->s[p->pos]))
        p->pos++;
}

/* 1 when the keyword kw (lower case) starts at pos, case-insensitively, and is followed by
 * whitespace, "(" or the end. */
static int keyword_at(const struct parser *p, size_t pos, const char *kw)
{
    size_t k = strlen(kw);
    if (p->n - pos < k || !ci_eq(p->s + pos, k, kw))
        return 0;
    return pos + k == p->n || is_ws(p->s[pos + k]) || p->s[pos + k] == '(';
}

/* The comparison operator spelled by the two letters at pos when they are followed by
 * something that cannot continue a word, else -1. */
static int op_at(const struct parser *p, size_t pos)
{
    if (p->n - pos < 2)
        return -1;
    if (p->n - pos > 2 && is_name_char(p->s[pos + 2]))
        return -1;
    for (int op = SCIM_OP_EQ; op <= SCIM_OP_PR; op++)
        if (ci_eq(p->s + pos, 2, op_names[op]))
            return op;
    return -1;
}

static struct scim_filter *new_node(struct parser *p, enum scim_node_kind kind, size_t at)
{
    struct scim_filter *f = arena_alloc(p->a, sizeof *f);
    if (f == NULL)
        return NULL;
    f->kind = kind;
    f->offset = at;
    return f;
}

static char *dup(struct parser *p, size_t from, size_t to)
{
    return arena_strndup(p->a, p->s + from, to - from);
}

/* ATTRNAME ("$ref" or ALPHA *nameChar) at pos into *out. */
static enum scim_filter_status parse_name(struct parser *p, const char **out,
                                          enum scim_filter_status st, const char *what)
{
    size_t start = p->pos;
    if (p->n - start >= 4 && ci_eq(p->s + start, 4, "$ref")
        && (start + 4 == p->n || !is_name_char(p->s[start + 4]))) {
        p->pos += 4;
    } else if (start < p->n && is_alpha(p->s[start])) {
        while (p->pos < p->n && is_name_char(p->s[p->pos]))
            p->pos++;
    } else {
        return fail(p, st, start, what);
    }
    *out = dup(p, start, p->pos);
    return *out != NULL ? SCIM_FILTER_OK : fail(p, SCIM_FILTER_NOMEM, start, NULL);
}

/* Checks the URN at [from, to): "urn" and at least two more non-empty segments of ALPHA DIGIT
 * "-" "_" ".", separated by single colons. */
static enum scim_filter_status check_urn(struct parser *p, size_t from, size_t to)
{
    size_t segs = 0, seglen = 0;
    for (size_t i = from; i <= to; i++) {
        if (i == to || p->s[i] == ':') {
            if (seglen == 0)
                return fail(p, SCIM_FILTER_BAD_URN, i, "an empty segment in a schema URN");
            segs++;
            seglen = 0;
        } else if (is_name_char(p->s[i]) || p->s[i] == '.') {
            seglen++;
        } else {
            return fail(p, SCIM_FILTER_BAD_URN, i, "a character not allowed in a schema URN");
        }
    }
    if (segs < 3)
        return fail(p, SCIM_FILTER_BAD_URN, from, "a schema URN needs at least urn:NID:NSS");
    return SCIM_FILTER_OK;
}

/* attrPath at pos. full: a URN prefix and a sub-attribute are allowed (outside brackets). */
static enum scim_filter_status parse_attr_path(struct parser *p, struct scim_attr_path *ap,
                                               int full)
{
    enum scim_filter_status st;
    memset(ap, 0, sizeof *ap);
    size_t start = p->pos;
    if (full && p->n - start >= 4 && ci_eq(p->s + start, 4, "urn:")) {
        size_t end = start;
        while (end < p->n && (is_name_char(p->s[end]) || p->s[end] == '.'
                              || p->s[end] == ':' || p->s[end] == '$'))
            end++;
        size_t name_at = end;   /* just after the last colon of the run */
        while (p->s[name_at - 1] != ':')
            name_at--;
        if ((st = check_urn(p, start, name_at - 1)) != SCIM_FILTER_OK)
            return st;
        if (name_at == end)
            return fail(p, SCIM_FILTER_BAD_URN, end,
                        "a schema URN must be followed by ':' and an attribute name");
        ap->urn = dup(p, start, name_at - 1);
        if (ap->urn == NULL)
            return fail(p, SCIM_FILTER_NOMEM, start, NULL);
        p->pos = name_at;
        st = parse_name(p, &ap->name, SCIM_FILTER_BAD_URN,
                        "expected an attribute name after the schema URN");
    } else {
        st = parse_name(p, &ap->name, SCIM_FILTER_EXPECTED_ATTR,
                        "expected an attribute name, '(' or 'not ('");
    }
    if (st != SCIM_FILTER_OK)
        return st;
    if (p->pos < p->n && p->s[p->pos] == '.') {
        if (!full)
            return fail(p, SCIM_FILTER_BAD_SUBATTR, p->pos,
                        "inside [ ] a sub-attribute is named alone, without '.'");
        p->pos++;
        if ((st = parse_name(p, &ap->sub, SCIM_FILTER_BAD_SUBATTR,
                             "expected a sub-attribute name after '.'")) != SCIM_FILTER_OK)
            return st;
        if (p->pos < p->n && p->s[p->pos] == '.')
            return fail(p, SCIM_FILTER_BAD_SUBATTR, p->pos,
                        "an attribute path has one sub-attribute at most");
    }
    if (p->pos < p->n && p->s[p->pos] == ':')
        return fail(p, SCIM_FILTER_BAD_URN, p->pos,
                    full ? "':' in an attribute path only ends a schema URN (urn:...)"
                         : "inside [ ] a sub-attribute has no schema URN");
    return SCIM_FILTER_OK;
}

/* 1 when the n bytes at s are a JSON number (RFC 8259 section 6). */
static int is_json_number(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    if (i >= n)
        return 0;
    if (s[i] == '0') {
        i++;
    } else if (s[i] >= '1' && s[i] <= '9') {
        while (i < n && is_digit(s[i]))
            i++;
    } else {
        return 0;
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !is_digit(s[i]))
            return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            return 0;
        while (i < n && is_digit(s[i]))
            i++;
    }
    return i == n;
}

/* The int64 value of a JSON integer literal in *out; 0 when it has a fraction or an exponent or
 * does not fit. */
static int json_int(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (s[0] == '-') {
        neg = 1;
        i = 1;
    }
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    for (; i < n; i++) {
        if (!is_digit(s[i]))
            return 0;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (limit - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    if (neg)
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    else
        *out = (int64_t)v;
    return 1;
}

static int hex4(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return 0;
    }
    *out = v;
    return 1;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A quoted string at pos (quote is '"' or '\''), decoded into v. The input is already known
 * to be valid UTF-8 and every delimiter is ASCII, so the decoded text is valid UTF-8 too. */
static enum scim_filter_status parse_string(struct parser *p, char quote, struct scim_value *v)
{
    size_t open = p->pos;
    size_t close = open + 1;
    while (close < p->n && p->s[close] != quote)
        close += p->s[close] == '\\' ? 2 : 1;
    if (close >= p->n)
        return fail(p, SCIM_FILTER_BAD_STRING, open, "this string is never closed");
    char *out = arena_alloc(p->a, close - open);
    if (out == NULL)
        return fail(p, SCIM_FILTER_NOMEM, open, NULL);
    size_t o = 0;
    for (size_t i = open + 1; i < close;) {
        unsigned char c = (unsigned char)p->s[i];
        if (c < 0x20)
            return fail(p, SCIM_FILTER_BAD_STRING, i,
                        "a control character in a string must be escaped");
        if (c != '\\') {
            out[o++] = (char)c;
            i++;
            continue;
        }
        static const char esc[] = "\"\\/bfnrt", val[] = "\"\\/\b\f\n\r\t";
        char e = p->s[i + 1];   /* i + 1 < close: the scan above skipped escapes in pairs */
        const char *simple = e != '\0' ? strchr(esc, e) : NULL;
        if (simple != NULL) {
            out[o++] = val[simple - esc];
            i += 2;
            continue;
        }
        if (e == '\'' && quote == '\'') {
            out[o++] = '\'';
            i += 2;
            continue;
        }
        if (e != 'u')
            return fail(p, SCIM_FILTER_BAD_STRING, i, "an unknown escape in a string");
        uint32_t cp;
        if (close - i < 6 || !hex4(p->s + i + 2, &cp))
            return fail(p, SCIM_FILTER_BAD_STRING, i, "\\u must be followed by 4 hex digits");
        size_t used = 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (close - i < 12 || p->s[i + 6] != '\\' || p->s[i + 7] != 'u'
                || !hex4(p->s + i + 8, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                return fail(p, SCIM_FILTER_BAD_STRING, i, "a lone surrogate in a \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            used = 12;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail(p, SCIM_FILTER_BAD_STRING, i, "a lone surrogate in a \\u escape");
        } else if (cp == 0) {
            return fail(p, SCIM_FILTER_BAD_STRING, i, "a string may not contain \\u0000");
        }
        /* the escape is at least as long as its UTF-8 encoding, so out cannot overflow */
        o += put_utf8(out + o, cp);
        i += used;
    }
    out[o] = '\0';
    v->kind = SCIM_VALUE_STRING;
    v->text = out;
    v->len = o;
    p->pos = close + 1;
    return SCIM_FILTER_OK;
}

/* compValue at pos (after the operator op). */
static enum scim_filter_status parse_value(struct parser *p, enum scim_op op,
                                           struct scim_value *v)
{
    memset(v, 0, sizeof *v);
    skip_ws(p);
    size_t at = p->pos;
    if (at >= p->n)
        return fail(p, SCIM_FILTER_EXPECTED_VALUE, at, "expected a value but the text ends");
    char c = p->s[at];
    if (c == '"' || c == '\'')
        return parse_string(p, c, v);
    if (c == '(' || c == ')' || c == '[' || c == ']')
        return fail(p, SCIM_FILTER_EXPECTED_VALUE, at, "expected a value after the operator");
    size_t end = at;
    while (end < p->n && !is_ws(p->s[end]) && strchr("()[]\"", p->s[end]) == NULL) {
        unsigned char b = (unsigned char)p->s[end];
        if (b < 0x20 || b == 0x7F)
            return fail(p, SCIM_FILTER_BAD_CHAR, end, NULL);
        end++;
    }
    size_t n = end - at;
    const char *w = p->s + at;
    if (ci_eq(w, n, "true")) {
        v->kind = SCIM_VALUE_TRUE;
    } else if (ci_eq(w, n, "false")) {
        v->kind = SCIM_VALUE_FALSE;
    } else if (ci_eq(w, n, "null")) {
        v->kind = SCIM_VALUE_NULL;
    } else if (is_json_number(w, n)) {
        if (n > SCIM_NUMBER_MAX)
            return fail(p, SCIM_FILTER_BAD_NUMBER, at, NULL);
        v->kind = SCIM_VALUE_NUMBER;
        v->is_int = json_int(w, n, &v->i);
    } else {
        v->kind = SCIM_VALUE_STRING;
        v->unquoted = 1;
    }
    if (v->kind == SCIM_VALUE_NUMBER || v->kind == SCIM_VALUE_STRING) {
        v->text = dup(p, at, end);
        if (v->text == NULL)
            return fail(p, SCIM_FILTER_NOMEM, at, NULL);
        v->len = n;
    }
    if ((v->kind == SCIM_VALUE_TRUE || v->kind == SCIM_VALUE_FALSE
         || v->kind == SCIM_VALUE_NULL) && op != SCIM_OP_EQ && op != SCIM_OP_NE)
        return fail(p, SCIM_FILTER_BAD_VALUE_OP, at, NULL);
    p->pos = end;
    return SCIM_FILTER_OK;
}

/* A comparison operator at pos (after optional whitespace) into *op. */
static enum scim_filter_status parse_op(struct parser *p, enum scim_op *op)
{
    skip_ws(p);
    if (p->pos >= p->n)
        return fail(p, SCIM_FILTER_EXPECTED_OP, p->pos,
                    "expected eq, ne, co, sw, ew, gt, ge, lt, le or pr but the text ends");
    int o = op_at(p, p->pos);
    if (o < 0)
        return fail(p, SCIM_FILTER_EXPECTED_OP, p->pos,
                    "expected eq, ne, co, sw, ew, gt, ge, lt, le or pr");
    *op = (enum scim_op)o;
    p->pos += 2;
    return SCIM_FILTER_OK;
}

/* The operator and value after an attribute path starting at start, into f. */
static enum scim_filter_status parse_comparison(struct parser *p, size_t start,
                                                struct scim_filter *f)
{
    enum scim_filter_status st = parse_op(p, &f->op);
    if (st != SCIM_FILTER_OK)
        return st;
    if (++p->terms > SCIM_FILTER_MAX_TERMS)
        return fail_limit(p, SCIM_FILTER_TOO_MANY_TERMS, start, "comparisons over the limit of",
                          SCIM_FILTER_MAX_TERMS);
    if (f->op == SCIM_OP_PR)
        return SCIM_FILTER_OK;
    return parse_value(p, f->op, &f->value);
}

static enum scim_filter_status parse_or(struct parser *p, struct scim_filter **out);

/* The "]" closing the bracket opened at open (after its filter). */
static enum scim_filter_status close_bracket(struct parser *p, size_t open)
{
    skip_ws(p);
    if (p->pos >= p->n)
        return fail(p, SCIM_FILTER_UNCLOSED_BRACKET, open, "this '[' is never closed");
    if (p->s[p->pos] == ')')
        return fail(p, SCIM_FILTER_UNMATCHED_CLOSE, p->pos, "this ')' closes nothing");
    if (p->s[p->pos] != ']')
        return fail(p, SCIM_FILTER_EXPECTED_LOGIC, p->pos, "expected 'and', 'or' or ']'");
    p->pos++;
    p->depth--;
    p->in_brackets = 0;
    return SCIM_FILTER_OK;
}

/* "[" valFilter "]" at pos, into *inner. */
static enum scim_filter_status parse_bracket(struct parser *p, struct scim_filter **inner)
{
    size_t open = p->pos;
    if (p->in_brackets)
        return fail(p, SCIM_FILTER_NESTED_BRACKET, open, NULL);
    if (++p->depth > SCIM_FILTER_MAX_DEPTH)
        return fail_limit(p, SCIM_FILTER_TOO_DEEP, open, "'(' and '[' nested over the limit of",
                          SCIM_FILTER_MAX_DEPTH);
    p->pos++;
    p->in_brackets = 1;
    enum scim_filter_status st = parse_or(p, inner);
    if (st != SCIM_FILTER_OK)
        return st;
    return close_bracket(p, open);
}

/* attrExp or valuePath at pos. */
static enum scim_filter_status parse_attr_expr(struct parser *p, struct scim_filter **out)
{
    size_t start = p->pos;
    struct scim_attr_path ap;
    enum scim_filter_status st = parse_attr_path(p, &ap, !p->in_brackets);
    if (st != SCIM_FILTER_OK)
        return st;
    struct scim_filter *f;
    if (p->pos < p->n && p->s[p->pos] == '[') {
        f = new_node(p, SCIM_NODE_VALUE_PATH, start);
        if (f == NULL)
            return fail(p, SCIM_FILTER_NOMEM, start, NULL);
        f->attr = ap;
        if ((st = parse_bracket(p, &f->inner)) != SCIM_FILTER_OK)
            return st;
        if (p->pos < p->n && p->s[p->pos] == '.') {
            /* leniency: emails[type eq "work"].value eq "x" */
            if (ap.sub != NULL)
                return fail(p, SCIM_FILTER_BAD_SUBATTR, p->pos,
                            "an attribute path has one sub-attribute at most");
            p->pos++;
            if ((st = parse_name(p, &f->then_sub, SCIM_FILTER_BAD_SUBATTR,
                                 "expected a sub-attribute name after '.'")) != SCIM_FILTER_OK)
                return st;
            if (p->pos < p->n && p->s[p->pos] == '.')
                return fail(p, SCIM_FILTER_BAD_SUBATTR, p->pos,
                            "an attribute path has one sub-attribute at most");
            if ((st = parse_comparison(p, start, f)) != SCIM_FILTER_OK)
                return st;
        }
        *out = f;
        return SCIM_FILTER_OK;
    }
    f = new_node(p, SCIM_NODE_COMPARE, start);
    if (f == NULL)
        return fail(p, SCIM_FILTER_NOMEM, start, NULL);
    f->attr = ap;
    if ((st = parse_comparison(p, start, f)) != SCIM_FILTER_OK)
        return st;
    if (f->op == SCIM_OP_PR)
        f->kind = SCIM_NODE_PRESENT;
    *out = f;
    return SCIM_FILTER_OK;
}

/* "(" FILTER ")" at pos, into *out. */
static enum scim_filter_status parse_group(struct parser *p, struct scim_filter **out)
{
    size_t open = p->pos;
    if (++p->depth > SCIM_FILTER_MAX_DEPTH)
        return fail_limit(p, SCIM_FILTER_TOO_DEEP, open, "'(' and '[' nested over the limit of",
                          SCIM_FILTER_MAX_DEPTH);
    p->pos++;
    enum scim_filter_status st = parse_or(p, out);
    if (st != SCIM_FILTER_OK)
        return st;
    skip_ws(p);
    if (p->pos >= p->n || p->s[p->pos] == ']')
        return fail(p, SCIM_FILTER_UNCLOSED_PAREN, open, "this '(' is never closed");
    if (p->s[p->pos] != ')')
        return fail(p, SCIM_FILTER_EXPECTED_LOGIC, p->pos, "expected 'and', 'or' or ')'");
    p->pos++;
    p->depth--;
    return SCIM_FILTER_OK;
}

static enum scim_filter_status parse_unary(struct parser *p, struct scim_filter **out)
{
    skip_ws(p);
    size_t at = p->pos;
    if (at >= p->n)
        return fail(p, SCIM_FILTER_EXPECTED_ATTR, at,
                    "expected an attribute name, '(' or 'not (' but the text ends");
    if (p->s[at] == '(')
        return parse_group(p, out);
    if (keyword_at(p, at, "not")) {
        size_t q = at + 3;
        while (q < p->n && is_ws(p->s[q]))
            q++;
        if (q < p->n && p->s[q] == '(') {
            struct scim_filter *f = new_node(p, SCIM_NODE_NOT, at);
            if (f == NULL)
                return fail(p, SCIM_FILTER_NOMEM, at, NULL);
            p->pos = q;
            enum scim_filter_status st = parse_group(p, &f->left);
            if (st != SCIM_FILTER_OK)
                return st;
            *out = f;
            return SCIM_FILTER_OK;
        }
        /* an attribute called "not" is still fine: "not eq 1", "not pr" */
        if (q == at + 3 || op_at(p, q) < 0)
            return fail(p, SCIM_FILTER_EXPECTED_PAREN, q, NULL);
    }
    if (p->s[at] == ')' || p->s[at] == ']')
        return fail(p, SCIM_FILTER_EXPECTED_ATTR, at,
                    "expected an attribute name, '(' or 'not (' before this close");
    return parse_attr_expr(p, out);
}

/* One binary level: operands from next, joined by kw into kind nodes, left-associative. The
 * loop (not recursion) keeps long "a and b and c ..." chains off the stack. */
static enum scim_filter_status parse_binary(struct parser *p, struct scim_filter **out,
                                            const char *kw, enum scim_node_kind kind,
                                            enum scim_filter_status (*next)(struct parser *,
                                                                            struct scim_filter **))
{
    struct scim_filter *left;
    enum scim_filter_status st = next(p, &left);
    if (st != SCIM_FILTER_OK)
        return st;
    for (;;) {
        skip_ws(p);
        if (p->pos >= p->n || !keyword_at(p, p->pos, kw))
            break;
        p->pos += strlen(kw);
        struct scim_filter *right;
        if ((st = next(p, &right)) != SCIM_FILTER_OK)
            return st;
        struct scim_filter *f = new_node(p, kind, left->offset);
        if (f == NULL)
            return fail(p, SCIM_FILTER_NOMEM, left->offset, NULL);
        f->left = left;
        f->right = right;
        left = f;
    }
    *out = left;
    return SCIM_FILTER_OK;
}

static enum scim_filter_status parse_and(struct parser *p, struct scim_filter **out)
{
    return parse_binary(p, out, "and", SCIM_NODE_AND, parse_unary);
}

static enum scim_filter_status parse_or(struct parser *p, struct scim_filter **out)
{
    return parse_binary(p, out, "or", SCIM_NODE_OR, parse_and);
}

/* The checks every input gets first: length, UTF-8, NUL, C0 controls other than the
 * whitespace HTAB, CR, LF (which a quoted string still refuses raw, as JSON does). */
static enum scim_filter_status begin(struct parser *p, struct arena *a, const char *s,
                                     size_t len, struct scim_filter_error *err)
{
    memset(p, 0, sizeof *p);
    memset(err, 0, sizeof *err);
    p->s = s != NULL ? s : "";
    p->n = s != NULL ? len : 0;
    p->a = a;
    p->err = err;
    if (p->n > SCIM_FILTER_MAX_LEN)
        return fail_limit(p, SCIM_FILTER_TOO_LONG, SCIM_FILTER_MAX_LEN,
                          "bytes over the limit of", SCIM_FILTER_MAX_LEN);
    for (size_t i = 0; i < p->n;) {
        uint32_t cp;
        size_t k = utf8_next(p->s + i, p->n - i, &cp);
        if (k == 0)
            return fail(p, SCIM_FILTER_BAD_TEXT, i, "not valid UTF-8");
        if (cp == 0)
            return fail(p, SCIM_FILTER_BAD_TEXT, i, "a NUL byte");
        if (cp < 0x20 && !is_ws((char)cp))
            return fail(p, SCIM_FILTER_BAD_CHAR, i, "a control character");
        i += k;
    }
    return SCIM_FILTER_OK;
}

enum scim_filter_status scim_filter_parse(struct arena *a, const char *s, size_t len,
                                          struct scim_filter **out,
                                          struct scim_filter_error *err)
{
    struct parser p;
    *out = NULL;
    enum scim_filter_status st = begin(&p, a, s, len, err);
    if (st != SCIM_FILTER_OK)
        return st;
    skip_ws(&p);
    if (p.pos == p.n)
        return fail(&p, SCIM_FILTER_EMPTY, 0, NULL);
    struct scim_filter *f;
    if ((st = parse_or(&p, &f)) != SCIM_FILTER_OK)
        return st;
    skip_ws(&p);
    if (p.pos < p.n) {
        char c = p.s[p.pos];
        if (c == ')' || c == ']')
            return fail(&p, SCIM_FILTER_UNMATCHED_CLOSE, p.pos, NULL);
        return fail(&p, SCIM_FILTER_EXPECTED_LOGIC, p.pos, NULL);
    }
    *out = f;
    return SCIM_FILTER_OK;
}

enum scim_filter_status scim_path_parse(struct arena *a, const char *s, size_t len,
                                        struct scim_path **out, struct scim_filter_error *err)
{
    struct parser p;
    *out = NULL;
    enum scim_filter_status st = begin(&p, a, s, len, err);
    if (st != SCIM_FILTER_OK)
        return st;
    if (p.n == 0)
        return fail(&p, SCIM_FILTER_EMPTY, 0, "the path is empty");
    struct scim_path *path = arena_alloc(a, sizeof *path);
    if (path == NULL)
        return fail(&p, SCIM_FILTER_NOMEM, 0, NULL);
    if ((st = parse_attr_path(&p, &path->attr, 1)) != SCIM_FILTER_OK)
        return st;
    if (p.pos < p.n && p.s[p.pos] == '[') {
        if ((st = parse_bracket(&p, &path->filter)) != SCIM_FILTER_OK)
            return st;
        if (p.pos < p.n && p.s[p.pos] == '.') {
            if (path->attr.sub != NULL)
                return fail(&p, SCIM_FILTER_BAD_SUBATTR, p.pos,
                            "an attribute path has one sub-attribute at most");
            p.pos++;
            if ((st = parse_name(&p, &path->value_sub, SCIM_FILTER_BAD_SUBATTR,
                                 "expected a sub-attribute name after '.'")) != SCIM_FILTER_OK)
                return st;
        }
    }
    if (p.pos < p.n) {
        if (p.s[p.pos] == '.')
            return fail(&p, SCIM_FILTER_BAD_SUBATTR, p.pos,
                        "an attribute path has one sub-attribute at most");
        if (p.s[p.pos] == ']' || p.s[p.pos] == ')')
            return fail(&p, SCIM_FILTER_UNMATCHED_CLOSE, p.pos, NULL);
        return fail(&p, SCIM_FILTER_EXPECTED_END, p.pos, NULL);
    }
    *out = path;
    return SCIM_FILTER_OK;
}

/* ---- the canonical printer ---- */

static void put_attr(struct buf *b, const struct scim_attr_path *ap)
{
    if (ap->urn != NULL) {
        buf_puts(b, ap->urn);
        buf_puts(b, ":");
    }
    buf_puts(b, ap->name);
    if (ap->sub != NULL) {
        buf_puts(b, ".");
        buf_puts(b, ap->sub);
    }
}

/* A JSON string: quote and backslash escaped, control characters as \b \f \n \r \t or
 * \u00XX, everything else (valid UTF-8) as is. */
static void put_string(struct buf *b, const char *s, size_t n)
{
    buf_puts(b, "\"");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': buf_puts(b, "\\\""); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\b': buf_puts(b, "\\b"); break;
        case '\f': buf_puts(b, "\\f"); break;
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        case '\t': buf_puts(b, "\\t"); break;
        default:
            if (c < 0x20)
                buf_printf(b, "\\u%04x", c);
            else
                buf_append(b, &s[i], 1);
        }
    }
    buf_puts(b, "\"");
}

static void put_value(struct buf *b, const struct scim_value *v)
{
    switch (v->kind) {
    case SCIM_VALUE_FALSE: buf_puts(b, "false"); break;
    case SCIM_VALUE_NULL: buf_puts(b, "null"); break;
    case SCIM_VALUE_TRUE: buf_puts(b, "true"); break;
    case SCIM_VALUE_NUMBER: buf_append(b, v->text, v->len); break;
    case SCIM_VALUE_STRING: put_string(b, v->text, v->len); break;
    }
}

static void put_op_value(struct buf *b, enum scim_op op, const struct scim_value *v)
{
    buf_puts(b, " ");
    buf_puts(b, scim_op_name(op));
    if (op != SCIM_OP_PR) {
        buf_puts(b, " ");
        put_value(b, v);
    }
}

/* Binding strength: or 1, and 2, everything else 3. */
static int prec(const struct scim_filter *f)
{
    return f->kind == SCIM_NODE_OR ? 1 : f->kind == SCIM_NODE_AND ? 2 : 3;
}

static void put_node(struct buf *b, const struct scim_filter *f);

static void put_operand(struct buf *b, const struct scim_filter *f, int paren)
{
    if (paren)
        buf_puts(b, "(");
    put_node(b, f);
    if (paren)
        buf_puts(b, ")");
}

static void put_node(struct buf *b, const struct scim_filter *f)
{
    switch (f->kind) {
    case SCIM_NODE_AND:
    case SCIM_NODE_OR:
        /* left-associative: a left operand needs parentheses only when it binds looser, a
         * right one also when it binds the same (it was grouped by the writer) */
        put_operand(b, f->left, prec(f->left) < prec(f));
        buf_puts(b, f->kind == SCIM_NODE_AND ? " and " : " or ");
        put_operand(b, f->right, prec(f->right) <= prec(f));
        break;
    case SCIM_NODE_NOT:
        buf_puts(b, "not ");
        put_operand(b, f->left, 1);
        break;
    case SCIM_NODE_COMPARE:
    case SCIM_NODE_PRESENT:
        put_attr(b, &f->attr);
        put_op_value(b, f->op, &f->value);
        break;
    case SCIM_NODE_VALUE_PATH:
        put_attr(b, &f->attr);
        buf_puts(b, "[");
        put_node(b, f->inner);
        buf_puts(b, "]");
        if (f->then_sub != NULL) {
            buf_puts(b, ".");
            buf_puts(b, f->then_sub);
            put_op_value(b, f->op, &f->value);
        }
        break;
    }
}

/* The buffer's text copied into the arena; the buffer freed. */
static char *finish(struct arena *a, struct buf *b)
{
    char *r = b->failed ? NULL : arena_strndup(a, b->data != NULL ? b->data : "", b->len);
    buf_free(b);
    return r;
}

char *scim_filter_to_string(struct arena *a, const struct scim_filter *f)
{
    struct buf b = { 0 };
    put_node(&b, f);
    return finish(a, &b);
}

char *scim_path_to_string(struct arena *a, const struct scim_path *p)
{
    struct buf b = { 0 };
    put_attr(&b, &p->attr);
    if (p->filter != NULL) {
        buf_puts(&b, "[");
        put_node(&b, p->filter);
        buf_puts(&b, "]");
        if (p->value_sub != NULL) {
            buf_puts(&b, ".");
            buf_puts(&b, p->value_sub);
        }
    }
    return finish(a, &b);
}
