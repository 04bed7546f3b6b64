/* sp_query.c: the ServicePower Users Query parameter parser of sp_query.h and its canonical
 * printer. One left-to-right pass per parameter, no recursion; allocates only in the caller's
 * arena (the printer's scratch buffer is freed before it returns). Never knows the store,
 * never produces SQL. */
#include "codec/sp_query.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/utf8.h"

static const struct {
    const char *name;
    int is_bool;
} fields[SPQ_F_COUNT] = {
    [SPQ_F_DGROUPID] = { "DGroupID", 0 },
    [SPQ_F_EMAIL] = { "Email", 0 },
    [SPQ_F_FACETIME] = { "Facetime", 1 },
    [SPQ_F_FIRSTNAME] = { "FirstName", 0 },
    [SPQ_F_ISMOBILEWORKER] = { "IsMobileWorker", 1 },
    [SPQ_F_LANGUAGECODE] = { "LanguageCode", 0 },
    [SPQ_F_LASTNAME] = { "LastName", 0 },
    [SPQ_F_LOCKED] = { "Locked", 1 },
    [SPQ_F_SERVICETEAMID] = { "ServiceTeamID", 0 },
    [SPQ_F_SMS] = { "SMS", 1 },
    [SPQ_F_STORAGELOCATION] = { "StorageLocation", 0 },
    [SPQ_F_USERID] = { "UserID", 0 },
    [SPQ_F_USERSTATUS] = { "UserStatus", 0 },
};

/* The parameters, their bit in spq_query.given. */
enum { P_FILTER = 1, P_FILTERS = 2, P_Q = 4, P_SORT = 8, P_START = 16, P_LIMIT = 32 };
static const struct {
    const char *name;
    unsigned bit;
} params[] = {
    { "filter", P_FILTER }, { "filters", P_FILTERS }, { "q", P_Q },
    { "sort", P_SORT },     { "start", P_START },     { "limit", P_LIMIT },
};

static const char *const op_names[] = {
    [SPQ_OP_EQ] = "==",   [SPQ_OP_NE] = "!=",   [SPQ_OP_GT] = "=gt=",  [SPQ_OP_GE] = "=ge=",
    [SPQ_OP_LT] = "=lt=", [SPQ_OP_LE] = "=le=", [SPQ_OP_IN] = "=in=", [SPQ_OP_OUT] = "=out=",
};

/* Characters an unquoted filters value may not hold (besides whitespace), as RSQL reserves. */
static const char reserved[] = "\"'();,=!~<>";

const char *spq_field_name(enum spq_field f)
{
    return (unsigned)f < SPQ_F_COUNT ? fields[f].name : "?";
}

int spq_field_is_bool(enum spq_field f)
{
    return (unsigned)f < SPQ_F_COUNT && fields[f].is_bool;
}

const char *spq_op_name(enum spq_op op)
{
    return (unsigned)op <= SPQ_OP_OUT ? op_names[op] : "?";
}

const char *spq_status_str(enum spq_status st)
{
    switch (st) {
    case SPQ_OK: return "ok";
    case SPQ_NOT_QUERY: return "not a query parameter";
    case SPQ_UNSUPPORTED_PARAM: return "this parameter is not supported";
    case SPQ_DUPLICATE: return "the parameter is given more than once";
    case SPQ_TOO_LONG: return "the value is too long";
    case SPQ_BAD_TEXT: return "not valid UTF-8, or a NUL or control character";
    case SPQ_EXPECTED_FIELD: return "expected a field name";
    case SPQ_UNKNOWN_FIELD: return "an unknown field";
    case SPQ_FIELD_NOT_ALLOWED: return "a true/false field cannot be searched with q";
    case SPQ_EXPECTED_COLON: return "expected field:value";
    case SPQ_BAD_OPERATOR:
        return "expected an operator (==, !=, =gt=, =ge=, =lt=, =le=, =in=, =out=)";
    case SPQ_EXPECTED_VALUE: return "expected a value";
    case SPQ_BAD_QUOTE: return "a quoted value is never closed";
    case SPQ_BAD_LIST: return "a malformed list of values";
    case SPQ_PARENTHESES: return "grouping with parentheses is not supported";
    case SPQ_EXPECTED_LOGIC: return "expected ';', ',', 'and' or 'or'";
    case SPQ_BAD_BOOLEAN: return "a true/false field takes true or false with ==, !=, =in=, =out=";
    case SPQ_TOO_MANY_TERMS: return "too many comparisons";
    case SPQ_TOO_MANY_VALUES: return "too many values in a list";
    case SPQ_EMPTY_TERM: return "the search term is empty";
    case SPQ_DUPLICATE_SORT: return "a field is sorted on twice";
    case SPQ_BAD_NUMBER: return "expected decimal digits";
    case SPQ_OUT_OF_RANGE: return "the number is over its maximum";
    case SPQ_NOMEM: return "out of memory";
    }
    return "?";
}

/* One parameter being parsed. */
struct pctx {
    struct spq_query *q;
    struct arena *a;
    const char *name;     /* the parameter's canonical name */
    const char *s;        /* its value */
    size_t n;
    size_t pos;
    size_t term_at;       /* where the part being parsed starts, for the error's text */
    struct spq_error *err;
};

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* The n bytes at s equal w ignoring ASCII case. */
static int ci_eq(const char *s, size_t n, const char *w)
{
    if (strlen(w) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != lower(w[i]))
            return 0;
    return 1;
}

/* 1 for a byte or code point shown as '?' in an error's text and refused in values: C0, DEL,
 * C1 controls. */
static int is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

/* Appends to out (at *o, capacity cap) at most budget bytes of the n bytes at s, whole UTF-8
 * characters only, invalid bytes and controls as '?'. Returns 1 when all of s fitted. */
static int put_clean(char *out, size_t *o, size_t cap, const char *s, size_t n, size_t budget)
{
    size_t used = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_next(s + i, n - i, &cp);
        size_t w = (k == 0 || is_control(cp)) ? 1 : k;
        if (used + w > budget || *o + w >= cap)
            return 0;
        if (w == 1 && (k != 1 || is_control(cp)))
            out[(*o)++] = '?';
        else
            for (size_t j = 0; j < w; j++)
                out[(*o)++] = s[i + j];
        used += w;
        i += k == 0 ? 1 : k;
    }
    return 1;
}

/* err->text: "name=value", or from the part being parsed when that does not fit. */
static void make_text(struct pctx *c)
{
    char *t = c->err->text;
    size_t cap = sizeof c->err->text, o = 0;
    size_t nl = strlen(c->name);
    memcpy(t, c->name, nl);
    o = nl;
    t[o++] = '=';
    size_t from = 0;
    if (nl + 1 + c->n > SPQ_TEXT_MAX && c->term_at > 0) {
        /* from the part at fault; when that is the very end ("...;a==1;"), the value's last
         * TAIL bytes (the value is longer than SPQ_TEXT_MAX here, so from < n either way) */
        enum { TAIL = 40 };
        from = c->term_at < c->n ? c->term_at : c->n - TAIL;
        /* back to the start of a UTF-8 character */
        while (from > 0 && ((unsigned char)c->s[from] & 0xC0) == 0x80)
            from--;
        memcpy(t + o, "...", 3);
        o += 3;
    }
    size_t budget = SPQ_TEXT_MAX > o ? SPQ_TEXT_MAX - o : 0;
    if (!put_clean(t, &o, cap - 4, c->s + from, c->n - from, budget)) {
        memcpy(t + o, "...", 3);
        o += 3;
    }
    t[o] = '\0';
}

static enum spq_status fail(struct pctx *c, enum spq_status st, size_t at, const char *what)
{
    c->err->status = st;
    c->err->offset = at;
    snprintf(c->err->msg, sizeof c->err->msg, "%s: %s at byte %zu", c->name,
             what != NULL ? what : spq_status_str(st), at);
    make_text(c);
    return st;
}

/* fail() whose message names a limit. */
static enum spq_status fail_limit(struct pctx *c, enum spq_status st, size_t at,
                                  const char *what, long limit)
{
    char m[96];
    snprintf(m, sizeof m, "%s %ld", what, limit);
    return fail(c, st, at, m);
}

static int is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_ws(char c)
{
    return c == ' ';   /* the only whitespace left: control characters are refused */
}

static void skip_ws(struct pctx *c)
{
    while (c->pos < c->n && is_ws(c->s[c->pos]))
        c->pos++;
}

/* [*from, *to) without surrounding spaces. */
static void trim(const char *s, size_t *from, size_t *to)
{
    while (*from < *to && is_ws(s[*from]))
        (*from)++;
    while (*to > *from && is_ws(s[*to - 1]))
        (*to)--;
}

/* The field named by [from, to) (already trimmed) into *f. */
static enum spq_status find_field(struct pctx *c, size_t from, size_t to, enum spq_field *f)
{
    if (from == to)
        return fail(c, SPQ_EXPECTED_FIELD, from, NULL);
    for (int i = 0; i < SPQ_F_COUNT; i++)
        if (ci_eq(c->s + from, to - from, fields[i].name)) {
            *f = (enum spq_field)i;
            return SPQ_OK;
        }
    return fail(c, SPQ_UNKNOWN_FIELD, from, NULL);
}

/* A value for field f from the n bytes at s (found at offset at) into *v: booleans checked
 * and stored lower case, everything else copied. */
static enum spq_status make_value(struct pctx *c, enum spq_field f, const char *s, size_t n,
                                  size_t at, struct spq_value *v)
{
    if (fields[f].is_bool) {
        if (ci_eq(s, n, "true"))
            s = "true";
        else if (ci_eq(s, n, "false"))
            s = "false";
        else
            return fail(c, SPQ_BAD_BOOLEAN, at, "a true/false field takes true or false");
        n = strlen(s);
    }
    char *d = arena_strndup(c->a, s, n);
    if (d == NULL)
        return fail(c, SPQ_NOMEM, at, NULL);
    v->s = d;
    v->len = n;
    return SPQ_OK;
}

static enum spq_status count_term(struct pctx *c, size_t at)
{
    if (++c->q->terms > SPQ_MAX_TERMS)
        return fail_limit(c, SPQ_TOO_MANY_TERMS, at, "comparisons over the limit of",
                          SPQ_MAX_TERMS);
    return SPQ_OK;
}

/* filter=F:v[,F:v] */
static enum spq_status parse_filter(struct pctx *c)
{
    struct spq_query *q = c->q;
    enum spq_status st;
    q->filter = arena_calloc(c->a, SPQ_MAX_TERMS, sizeof *q->filter);
    if (q->filter == NULL)
        return fail(c, SPQ_NOMEM, 0, NULL);
    for (size_t i = 0;;) {
        const char *comma = memchr(c->s + i, ',', c->n - i);
        size_t end = comma != NULL ? (size_t)(comma - c->s) : c->n;
        c->term_at = i;
        size_t k = i;
        while (k < end && is_ws(c->s[k]))
            k++;
        if (end - k >= 7 && ci_eq(c->s + k, 7, "filter:"))
            k += 7;   /* the vendor's written form "filter=a:b,filter:c:d" */
        const char *colon = memchr(c->s + k, ':', end - k);
        size_t fe = colon != NULL ? (size_t)(colon - c->s) : end, fb = k;
        trim(c->s, &fb, &fe);
        if (fb == fe)
            return fail(c, SPQ_EXPECTED_FIELD, fb, NULL);
        if (colon == NULL)
            return fail(c, SPQ_EXPECTED_COLON, fe, "expected ':' and a value after the field");
        enum spq_field f;
        if ((st = find_field(c, fb, fe, &f)) != SPQ_OK)
            return st;
        size_t vb = (size_t)(colon - c->s) + 1;
        if (vb == end)
            return fail(c, SPQ_EXPECTED_VALUE, vb, "expected a value after ':'");
        if ((st = count_term(c, i)) != SPQ_OK)
            return st;
        struct spq_cmp *cmp = &q->filter[q->nfilter];
        cmp->field = f;
        cmp->op = SPQ_OP_EQ;
        cmp->nvalues = 1;
        cmp->values = arena_alloc(c->a, sizeof *cmp->values);
        if (cmp->values == NULL)
            return fail(c, SPQ_NOMEM, vb, NULL);
        if ((st = make_value(c, f, c->s + vb, end - vb, vb, cmp->values)) != SPQ_OK)
            return st;
        q->nfilter++;
        if (comma == NULL)
            return SPQ_OK;
        i = end + 1;
    }
}

/* A filters operator at pos into *op. */
static enum spq_status parse_op(struct pctx *c, enum spq_op *op)
{
    static const struct {
        const char *text;
        enum spq_op op;
    } ops[] = {
        { "==", SPQ_OP_EQ }, { "!=", SPQ_OP_NE }, { ">=", SPQ_OP_GE }, { "<=", SPQ_OP_LE },
        { ">", SPQ_OP_GT },  { "<", SPQ_OP_LT },  { "=ne=", SPQ_OP_NE }, { "=gt=", SPQ_OP_GT },
        { "=ge=", SPQ_OP_GE }, { "=lt=", SPQ_OP_LT }, { "=le=", SPQ_OP_LE }, { "=in=", SPQ_OP_IN },
        { "=out=", SPQ_OP_OUT },
    };
    size_t at = c->pos;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t k = strlen(ops[i].text);
        if (c->n - at >= k && ci_eq(c->s + at, k, ops[i].text)) {
            *op = ops[i].op;
            c->pos += k;
            return SPQ_OK;
        }
    }
    if (at < c->n && c->s[at] == '=') {
        size_t k = at + 1;
        while (k < c->n && is_letter(c->s[k]))
            k++;
        if (k > at + 1 && k < c->n && c->s[k] == '=')
            return fail(c, SPQ_BAD_OPERATOR, at, "an unsupported operator");
    }
    return fail(c, SPQ_BAD_OPERATOR, at, NULL);
}

/* A filters value (quoted or not) at pos for field f into *v. */
static enum spq_status parse_value(struct pctx *c, enum spq_field f, struct spq_value *v)
{
    size_t at = c->pos;
    if (at >= c->n)
        return fail(c, SPQ_EXPECTED_VALUE, at, "expected a value but the text ends");
    char quote = c->s[at];
    if (quote == '"' || quote == '\'') {
        size_t close = at + 1;
        while (close < c->n && c->s[close] != quote)
            close += c->s[close] == '\\' ? 2 : 1;
        if (close >= c->n)
            return fail(c, SPQ_BAD_QUOTE, at, "this quoted value is never closed");
        char tmp[SPQ_MAX_LEN];
        size_t o = 0;
        for (size_t i = at + 1; i < close; i++) {
            if (c->s[i] == '\\')
                i++;   /* the next byte literally; i < close: the scan skipped in pairs */
            tmp[o++] = c->s[i];
        }
        c->pos = close + 1;
        return make_value(c, f, tmp, o, at, v);
    }
    size_t end = at;
    while (end < c->n && !is_ws(c->s[end]) && strchr(reserved, c->s[end]) == NULL)
        end++;
    if (end == at)
        return fail(c, SPQ_EXPECTED_VALUE, at,
                    c->s[at] == '(' || c->s[at] == ')'
                        ? "expected a value (a list is only for =in= and =out=)"
                        : "expected a value (quote one that holds any of \"'();,=!~<> or a space)");
    c->pos = end;
    return make_value(c, f, c->s + at, end - at, at, v);
}

/* The arguments of a comparison at pos into cmp. */
static enum spq_status parse_args(struct pctx *c, struct spq_cmp *cmp)
{
    enum spq_status st;
    int list = cmp->op == SPQ_OP_IN || cmp->op == SPQ_OP_OUT;
    if (c->pos < c->n && c->s[c->pos] == '(') {
        size_t open = c->pos;
        if (!list)
            return fail(c, SPQ_BAD_LIST, open, "a list of values is only for =in= and =out=");
        struct spq_value tmp[SPQ_MAX_VALUES];
        size_t nv = 0;
        c->pos++;
        skip_ws(c);
        if (c->pos < c->n && c->s[c->pos] == ')')
            return fail(c, SPQ_BAD_LIST, open, "an empty list");
        for (;;) {
            skip_ws(c);
            if (nv == SPQ_MAX_VALUES)
                return fail_limit(c, SPQ_TOO_MANY_VALUES, c->pos,
                                  "values in one list over the limit of", SPQ_MAX_VALUES);
            if ((st = parse_value(c, cmp->field, &tmp[nv])) != SPQ_OK)
                return st;
            nv++;
            skip_ws(c);
            if (c->pos >= c->n)
                return fail(c, SPQ_BAD_LIST, open, "this list is never closed");
            if (c->s[c->pos] == ')')
                break;
            if (c->s[c->pos] != ',')
                return fail(c, SPQ_BAD_LIST, c->pos, "expected ',' or ')' in a list");
            c->pos++;
        }
        c->pos++;
        cmp->values = arena_calloc(c->a, nv, sizeof *cmp->values);
        if (cmp->values == NULL)
            return fail(c, SPQ_NOMEM, open, NULL);
        memcpy(cmp->values, tmp, nv * sizeof *tmp);
        cmp->nvalues = nv;
        return SPQ_OK;
    }
    cmp->values = arena_alloc(c->a, sizeof *cmp->values);
    if (cmp->values == NULL)
        return fail(c, SPQ_NOMEM, c->pos, NULL);
    cmp->nvalues = 1;
    return parse_value(c, cmp->field, cmp->values);
}

/* The word kw (and/or) at pos, ignoring case, followed by a space. */
static int keyword_at(const struct pctx *c, const char *kw)
{
    size_t k = strlen(kw);
    return c->n - c->pos > k && ci_eq(c->s + c->pos, k, kw) && is_ws(c->s[c->pos + k]);
}

/* filters=EXPR: an OR of AND groups, kept as such (AND binds first, no parentheses). */
static enum spq_status parse_filters(struct pctx *c)
{
    struct spq_query *q = c->q;
    enum spq_status st;
    struct spq_cmp *cmps = arena_calloc(c->a, SPQ_MAX_TERMS, sizeof *cmps);
    struct spq_and *groups = arena_calloc(c->a, SPQ_MAX_TERMS, sizeof *groups);
    if (cmps == NULL || groups == NULL)
        return fail(c, SPQ_NOMEM, 0, NULL);
    size_t ncmp = 0, ngroups = 0, first = 0;
    for (;;) {
        skip_ws(c);
        c->term_at = c->pos;
        if (c->pos < c->n && (c->s[c->pos] == '(' || c->s[c->pos] == ')'))
            return fail(c, SPQ_PARENTHESES, c->pos, NULL);
        /* counted first: cmps has room for SPQ_MAX_TERMS comparisons only */
        if ((st = count_term(c, c->pos)) != SPQ_OK)
            return st;
        size_t fb = c->pos;
        while (c->pos < c->n && (is_letter(c->s[c->pos]) || c->s[c->pos] == '_'
                                 || (c->s[c->pos] >= '0' && c->s[c->pos] <= '9')))
            c->pos++;
        struct spq_cmp *cmp = &cmps[ncmp];
        if ((st = find_field(c, fb, c->pos, &cmp->field)) != SPQ_OK)
            return st;
        skip_ws(c);
        size_t op_at = c->pos;
        if ((st = parse_op(c, &cmp->op)) != SPQ_OK)
            return st;
        if (fields[cmp->field].is_bool && cmp->op >= SPQ_OP_GT && cmp->op <= SPQ_OP_LE)
            return fail(c, SPQ_BAD_BOOLEAN, op_at,
                        "a true/false field compares only with ==, !=, =in=, =out=");
        skip_ws(c);
        if ((st = parse_args(c, cmp)) != SPQ_OK)
            return st;
        ncmp++;
        skip_ws(c);
        int or = 0;
        if (c->pos >= c->n) {
            groups[ngroups].n = ncmp - first;
            groups[ngroups].cmps = cmps + first;
            ngroups++;
            break;
        }
        if (c->s[c->pos] == ';') {
            c->pos++;
        } else if (c->s[c->pos] == ',') {
            or = 1;
            c->pos++;
        } else if (keyword_at(c, "and")) {
            c->pos += 3;
        } else if (keyword_at(c, "or")) {
            or = 1;
            c->pos += 2;
        } else if (c->s[c->pos] == '(' || c->s[c->pos] == ')') {
            return fail(c, SPQ_PARENTHESES, c->pos, NULL);
        } else {
            return fail(c, SPQ_EXPECTED_LOGIC, c->pos,
                        "expected ';', ',', 'and' or 'or' (quote a value that holds spaces)");
        }
        if (or) {
            groups[ngroups].n = ncmp - first;
            groups[ngroups].cmps = cmps + first;
            ngroups++;
            first = ncmp;
        }
    }
    q->groups = groups;
    q->ngroups = ngroups;
    return SPQ_OK;
}

/* q=TERM[::in:F1,F2] */
static enum spq_status parse_q(struct pctx *c)
{
    struct spq_query *q = c->q;
    enum spq_status st;
    size_t mark = c->n;
    for (size_t i = 0; i + 5 <= c->n; i++)
        if (ci_eq(c->s + i, 5, "::in:")) {
            mark = i;
            break;
        }
    if (mark == 0)
        return fail(c, SPQ_EMPTY_TERM, 0, NULL);
    unsigned mask = 0;
    if (mark == c->n) {
        for (int f = 0; f < SPQ_F_COUNT; f++)
            if (!fields[f].is_bool)
                mask |= 1u << f;
    } else {
        for (size_t i = mark + 5;;) {
            const char *comma = memchr(c->s + i, ',', c->n - i);
            size_t end = comma != NULL ? (size_t)(comma - c->s) : c->n, fb = i, fe = end;
            c->term_at = i;
            trim(c->s, &fb, &fe);
            enum spq_field f;
            if ((st = find_field(c, fb, fe, &f)) != SPQ_OK)
                return st;
            if (fields[f].is_bool)
                return fail(c, SPQ_FIELD_NOT_ALLOWED, fb, NULL);
            mask |= 1u << f;
            if (comma == NULL)
                break;
            i = end + 1;
        }
    }
    char *term = arena_strndup(c->a, c->s, mark);
    if (term == NULL)
        return fail(c, SPQ_NOMEM, 0, NULL);
    q->q = term;
    q->qlen = mark;
    q->q_fields = mask;
    return SPQ_OK;
}

/* sort=[-]F1,[-]F2 */
static enum spq_status parse_sort(struct pctx *c)
{
    struct spq_query *q = c->q;
    enum spq_status st;
    unsigned seen = 0;
    for (size_t i = 0;;) {
        const char *comma = memchr(c->s + i, ',', c->n - i);
        size_t end = comma != NULL ? (size_t)(comma - c->s) : c->n, fb = i, fe = end;
        c->term_at = i;
        trim(c->s, &fb, &fe);
        int desc = 0;
        if (fb < fe && c->s[fb] == '-') {
            desc = 1;
            fb++;
            trim(c->s, &fb, &fe);
        }
        enum spq_field f;
        if ((st = find_field(c, fb, fe, &f)) != SPQ_OK)
            return st;
        if (seen & (1u << f))
            return fail(c, SPQ_DUPLICATE_SORT, fb, NULL);
        seen |= 1u << f;
        q->sort[q->nsort].field = f;
        q->sort[q->nsort].desc = desc;
        q->nsort++;
        if (comma == NULL)
            return SPQ_OK;
        i = end + 1;
    }
}

/* start=N / limit=N: digits only (spaces around allowed), 0..max, into *out. */
static enum spq_status parse_number(struct pctx *c, long max, long *out)
{
    size_t fb = 0, fe = c->n;
    trim(c->s, &fb, &fe);
    if (fb == fe)
        return fail(c, SPQ_BAD_NUMBER, fb, NULL);
    long long v = 0;
    for (size_t i = fb; i < fe; i++) {
        if (c->s[i] < '0' || c->s[i] > '9')
            return fail(c, SPQ_BAD_NUMBER, i, NULL);
        if (v <= max)   /* once over max, stop growing: no overflow, still refused below */
            v = v * 10 + (c->s[i] - '0');
    }
    if (v > max)
        return fail_limit(c, SPQ_OUT_OF_RANGE, fb, "the maximum is", max);
    *out = (long)v;
    return SPQ_OK;
}

void spq_init(struct spq_query *q)
{
    memset(q, 0, sizeof *q);
    q->limit = SPQ_DEFAULT_LIMIT;
}

enum spq_status spq_add(struct spq_query *q, struct arena *a, const char *name, size_t nlen,
                        const char *value, size_t vlen, struct spq_error *err)
{
    memset(err, 0, sizeof *err);
    struct pctx c = { .q = q, .a = a, .s = value != NULL ? value : "",
                      .n = value != NULL ? vlen : 0, .err = err };
    unsigned bit = 0;
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
        if (name != NULL && ci_eq(name, nlen, params[i].name)) {
            c.name = params[i].name;
            bit = params[i].bit;
        }
    int fields_param = bit == 0 && name != NULL && ci_eq(name, nlen, "fields");
    if (bit == 0 && !fields_param) {
        err->status = SPQ_NOT_QUERY;
        snprintf(err->msg, sizeof err->msg, "%s", spq_status_str(SPQ_NOT_QUERY));
        return SPQ_NOT_QUERY;
    }
    if (c.n == 0)
        return SPQ_OK;   /* "sort=": as if absent */
    if (fields_param) {
        c.name = "fields";
        return fail(&c, SPQ_UNSUPPORTED_PARAM, 0, NULL);
    }
    if (q->given & bit)
        return fail(&c, SPQ_DUPLICATE, 0, NULL);
    q->given |= bit;
    if (c.n > SPQ_MAX_LEN)
        return fail_limit(&c, SPQ_TOO_LONG, SPQ_MAX_LEN, "bytes over the limit of", SPQ_MAX_LEN);
    for (size_t i = 0; i < c.n;) {
        uint32_t cp;
        size_t k = utf8_next(c.s + i, c.n - i, &cp);
        if (k == 0)
            return fail(&c, SPQ_BAD_TEXT, i, "not valid UTF-8");
        if (is_control(cp))
            return fail(&c, SPQ_BAD_TEXT, i, cp == 0 ? "a NUL byte" : "a control character");
        i += k;
    }
    switch (bit) {
    case P_FILTER: return parse_filter(&c);
    case P_FILTERS: return parse_filters(&c);
    case P_Q: return parse_q(&c);
    case P_SORT: return parse_sort(&c);
    case P_START: return parse_number(&c, SPQ_MAX_START, &q->start);
    default: return parse_number(&c, SPQ_MAX_LIMIT, &q->limit);
    }
}

/* ---- the canonical printer ---- */

/* A value double-quoted, '"' and '\\' preceded by a backslash. */
static void put_quoted(struct buf *b, const struct spq_value *v)
{
    buf_puts(b, "\"");
    for (size_t i = 0; i < v->len; i++) {
        if (v->s[i] == '"' || v->s[i] == '\\')
            buf_puts(b, "\\");
        buf_append(b, &v->s[i], 1);
    }
    buf_puts(b, "\"");
}

static void put_cmp(struct buf *b, const struct spq_cmp *cmp)
{
    buf_puts(b, fields[cmp->field].name);
    buf_puts(b, op_names[cmp->op]);
    int list = cmp->op == SPQ_OP_IN || cmp->op == SPQ_OP_OUT;
    if (list)
        buf_puts(b, "(");
    for (size_t i = 0; i < cmp->nvalues; i++) {
        if (i > 0)
            buf_puts(b, ",");
        put_quoted(b, &cmp->values[i]);
    }
    if (list)
        buf_puts(b, ")");
}

char *spq_to_string(struct arena *a, const struct spq_query *q)
{
    struct buf b = { 0 };
    if (q->nfilter > 0) {
        buf_puts(&b, "filter=");
        for (size_t i = 0; i < q->nfilter; i++) {
            if (i > 0)
                buf_puts(&b, ",");
            buf_puts(&b, fields[q->filter[i].field].name);
            buf_puts(&b, ":");
            buf_append(&b, q->filter[i].values[0].s, q->filter[i].values[0].len);
        }
        buf_puts(&b, "\n");
    }
    if (q->ngroups > 0) {
        buf_puts(&b, "filters=");
        for (size_t g = 0; g < q->ngroups; g++) {
            if (g > 0)
                buf_puts(&b, ",");
            for (size_t i = 0; i < q->groups[g].n; i++) {
                if (i > 0)
                    buf_puts(&b, ";");
                put_cmp(&b, &q->groups[g].cmps[i]);
            }
        }
        buf_puts(&b, "\n");
    }
    if (q->q != NULL) {
        buf_puts(&b, "q=");
        buf_append(&b, q->q, q->qlen);
        unsigned all = 0;
        for (int f = 0; f < SPQ_F_COUNT; f++)
            if (!fields[f].is_bool)
                all |= 1u << f;
        /* the default (every q field) printed without "::in:": a term such as "ab::in" would
         * otherwise read back as "ab" */
        if (q->q_fields != all) {
            buf_puts(&b, "::in:");
            int first = 1;
            for (int f = 0; f < SPQ_F_COUNT; f++)
                if (q->q_fields & (1u << f)) {
                    if (!first)
                        buf_puts(&b, ",");
                    buf_puts(&b, fields[f].name);
                    first = 0;
                }
        }
        buf_puts(&b, "\n");
    }
    if (q->nsort > 0) {
        buf_puts(&b, "sort=");
        for (size_t i = 0; i < q->nsort; i++) {
            if (i > 0)
                buf_puts(&b, ",");
            if (q->sort[i].desc)
                buf_puts(&b, "-");
            buf_puts(&b, fields[q->sort[i].field].name);
        }
        buf_puts(&b, "\n");
    }
    buf_printf(&b, "start=%ld\nlimit=%ld\n", q->start, q->limit);
    char *r = b.failed ? NULL : arena_strndup(a, b.data, b.len);
    buf_free(&b);
    return r;
}
