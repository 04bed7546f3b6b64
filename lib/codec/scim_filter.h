/* scim_filter.h: a bounded parser for the SCIM 2.0 filter language (RFC 7644 section 3.4.2.2,
 * the `filter` query parameter) and for PATCH operation paths (RFC 7644 section 3.5.2), into a
 * small tree that lives in the caller's arena. Pure codec: no database, no HTTP, no schema
 * knowledge. It never decides what an attribute means or whether it exists: a later step maps
 * the tree onto columns and prepared statements with bound values; nothing here is ever text
 * for SQL.
 *
 * Grammar accepted (the RFC's ABNF, figure 1, with the leniencies marked L):
 *
 *   FILTER    = OR
 *   OR        = AND *( WS "or" WS AND )              ; "and" binds tighter than "or"
 *   AND       = UNARY *( WS "and" WS UNARY )         ; both left-associative
 *   UNARY     = "(" FILTER ")" / "not" [WS] "(" FILTER ")" / attrExp / valuePath
 *   valuePath = attrPath "[" valFilter "]"
 *               [ "." ATTRNAME WS compareOp [WS compValue] ]   ; L, see below
 *   valFilter = FILTER whose attribute paths are bare ATTRNAMEs and which holds no valuePath
 *   attrExp   = attrPath WS "pr" / attrPath WS compareOp WS compValue
 *   compareOp = "eq" / "ne" / "co" / "sw" / "ew" / "gt" / "ge" / "lt" / "le"
 *   compValue = "false" / "null" / "true" / number / string / L: 'string' / L: bare word
 *   attrPath  = [URN ":"] ATTRNAME ["." ATTRNAME]
 *   ATTRNAME  = ALPHA *( ALPHA / DIGIT / "-" / "_" ) / "$ref"
 *   URN       = "urn:" segment 1*( ":" segment ), a segment one or more of ALPHA DIGIT "-" "_"
 *               "." (the attribute name is what follows the URN's last colon, as RFC 7644
 *               section 3.10 says: urn:ietf:params:scim:schemas:core:2.0:User:name.givenName)
 *   WS        = one or more of SP, HTAB, CR, LF; optional next to "(", ")", "[", "]" and a
 *               quote, and at the start and the end
 *
 * Keywords, operators and false/null/true are case-insensitive ("AND", "Eq", "True": ABNF
 * literals are). Attribute names and URNs are kept as written: matching them case-insensitively
 * is the next step's business (scim_name_is() helps). A string is JSON text (RFC 8259): the
 * escapes \" \\ \/ \b \f \n \r \t \uXXXX with surrogate pairs, no raw control character, no
 * \u0000 and no lone surrogate; it is decoded into the tree. A number is a JSON number, kept as
 * written (at most SCIM_NUMBER_MAX bytes) and, when it is an integer that fits, also as int64.
 * `not` is an attribute name when an operator follows it ("not eq 1"), otherwise it must open
 * a parenthesis. A valuePath inside a valuePath is refused (the RFC has no such form).
 *
 * Leniencies, for clients seen in the wild:
 *  - Bare words as values: Microsoft's SCIM test collection sends `userName sw O`,
 *    `name.FamilyName eq Employee and (emails.Value co example.com or ...)` and
 *    `meta.Created gt 2015-10-10T14:38:21.8617979-07:00`. After an operator, a run of
 *    characters up to whitespace or one of ( ) [ ] " that is not false/null/true or a JSON
 *    number is taken as a string (scim_value.unquoted says so): "01", "1." and "+1" are such
 *    words, not numbers. A word cannot start with a quote, nor hold a space, a parenthesis, a
 *    bracket, a double quote or a control character.
 *  - Single-quoted strings ('work'), as some clients write emails[type eq 'work'].value: the
 *    same escapes as JSON plus \'.
 *  - `emails[type eq "work"].value eq "x"`, a valuePath followed by a sub-attribute and a
 *    comparison (a form Azure AD sends, as the tests of the scim2-filter-parser library
 *    record it): kept as such in the tree (node SCIM_NODE_VALUE_PATH with then_sub set),
 *    meaning "a value of emails that matches the bracket and whose value sub-attribute
 *    compares so".
 *  - Whitespace: any run of SP, HTAB, CR, LF wherever the RFC requires one SP.
 * Not accepted: `not` without parentheses, `==`-style operators, a valuePath inside brackets,
 * more than one sub-attribute level (a.b.c), values after `pr`. Entra's old (2018,
 * "customappsso") dot notation for extension attributes
 * (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.manager`) parses as URN
 * "urn:...:2.0", attribute "User", sub-attribute "manager"; a dialect may recognise that shape
 * against the schemas it knows.
 *
 * PATH (RFC 7644 section 3.5.2) = attrPath / valuePath [ "." ATTRNAME ], with no whitespace
 * outside the brackets: "userName", "name.givenName", "members[value eq \"2819c223\"]",
 * "emails[type eq \"work\"].value", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:
 * User:manager". The bracket's filter follows every rule above.
 *
 * Limits (each violation its own status, with the byte offset where it was found):
 * SCIM_FILTER_MAX_LEN bytes of input, SCIM_FILTER_MAX_DEPTH levels of "(" and "[" (a "not"'s
 * parenthesis counts), SCIM_FILTER_MAX_TERMS comparisons (attrExps, and the comparison after
 * a valuePath's sub-attribute). The input must be valid UTF-8 without NUL and without C0
 * control characters other than HTAB, CR and LF (whitespace, which a quoted string refuses
 * raw, as JSON does; a bare word cannot hold DEL either). Cost is linear in the input;
 * recursion is bounded by the depth limit; every node and string is in the arena, so there is
 * nothing to free but the arena. */
#ifndef PROV_SCIM_FILTER_H
#define PROV_SCIM_FILTER_H

#include <stddef.h>
#include <stdint.h>

struct arena;

enum {
    SCIM_FILTER_MAX_LEN = 4096,   /* bytes of filter or path text */
    SCIM_FILTER_MAX_DEPTH = 16,   /* nested "(" and "[" */
    SCIM_FILTER_MAX_TERMS = 64,   /* comparisons in one filter */
    SCIM_NUMBER_MAX = 64          /* bytes of one number literal */
};

enum scim_filter_status {
    SCIM_FILTER_OK = 0,
    SCIM_FILTER_EMPTY,            /* nothing but whitespace */
    SCIM_FILTER_TOO_LONG,         /* over SCIM_FILTER_MAX_LEN bytes */
    SCIM_FILTER_BAD_TEXT,         /* not valid UTF-8, or a NUL byte */
    SCIM_FILTER_BAD_CHAR,         /* a C0 control other than HTAB CR LF; DEL in a bare word */
    SCIM_FILTER_TOO_DEEP,         /* "(" or "[" nested over SCIM_FILTER_MAX_DEPTH */
    SCIM_FILTER_TOO_MANY_TERMS,   /* over SCIM_FILTER_MAX_TERMS comparisons */
    SCIM_FILTER_EXPECTED_ATTR,    /* an attribute name (or "(" / "not (") was expected */
    SCIM_FILTER_BAD_URN,          /* a schema URN prefix that is malformed or ends the path */
    SCIM_FILTER_BAD_SUBATTR,      /* "a." without a name, "a.b.c", a sub-attribute in [ ] */
    SCIM_FILTER_EXPECTED_OP,      /* a comparison operator was expected */
    SCIM_FILTER_EXPECTED_VALUE,   /* an operator without a value */
    SCIM_FILTER_BAD_STRING,       /* unterminated string, bad escape, raw control, \u0000 */
    SCIM_FILTER_BAD_NUMBER,       /* a number literal over SCIM_NUMBER_MAX bytes */
    SCIM_FILTER_BAD_VALUE_OP,     /* true/false/null compared with other than eq or ne */
    SCIM_FILTER_EXPECTED_PAREN,   /* "not" not followed by "(" */
    SCIM_FILTER_UNCLOSED_PAREN,   /* a "(" never closed */
    SCIM_FILTER_UNCLOSED_BRACKET, /* a "[" never closed */
    SCIM_FILTER_NESTED_BRACKET,   /* a valuePath inside a valuePath */
    SCIM_FILTER_UNMATCHED_CLOSE,  /* a ")" or "]" that closes nothing open */
    SCIM_FILTER_EXPECTED_LOGIC,   /* after a complete comparison, not "and", "or" or a close */
    SCIM_FILTER_EXPECTED_END,     /* a path followed by more text */
    SCIM_FILTER_NOMEM
};

/* What went wrong and where: offset is a byte offset into the input (0-based); msg is plain
 * English ending with "at byte N", fit for a SCIM error's detail (escape it for its format). */
struct scim_filter_error {
    enum scim_filter_status status;
    size_t offset;
    char msg[160];
};

enum scim_node_kind {
    SCIM_NODE_AND,         /* left and right */
    SCIM_NODE_OR,          /* left or right */
    SCIM_NODE_NOT,         /* not (left) */
    SCIM_NODE_COMPARE,     /* attr op value */
    SCIM_NODE_PRESENT,     /* attr pr */
    SCIM_NODE_VALUE_PATH   /* attr[inner], then optionally .then_sub op value */
};

enum scim_op {
    SCIM_OP_EQ, SCIM_OP_NE, SCIM_OP_CO, SCIM_OP_SW, SCIM_OP_EW,
    SCIM_OP_GT, SCIM_OP_GE, SCIM_OP_LT, SCIM_OP_LE, SCIM_OP_PR
};

enum scim_value_kind {
    SCIM_VALUE_FALSE, SCIM_VALUE_NULL, SCIM_VALUE_TRUE, SCIM_VALUE_NUMBER, SCIM_VALUE_STRING
};

/* Every string is NUL-terminated, valid UTF-8 without NUL, in the arena. */
struct scim_attr_path {
    const char *urn;    /* schema URN as written, or NULL */
    const char *name;   /* attribute name as written (ASCII) */
    const char *sub;    /* sub-attribute as written, or NULL */
};

struct scim_value {
    enum scim_value_kind kind;
    const char *text;   /* STRING: the decoded text; NUMBER: the literal; else NULL */
    size_t len;         /* bytes of text */
    int is_int;         /* NUMBER: an integer literal within int64 */
    int64_t i;          /* its value when is_int */
    int unquoted;       /* STRING: written as a bare word (leniency) */
};

struct scim_filter {
    enum scim_node_kind kind;
    size_t offset;                 /* where the node starts in the input */
    struct scim_filter *left;      /* AND, OR: left operand; NOT: the negated filter */
    struct scim_filter *right;     /* AND, OR: right operand */
    struct scim_attr_path attr;    /* COMPARE, PRESENT, VALUE_PATH */
    enum scim_op op;               /* COMPARE; VALUE_PATH with then_sub (may be PR) */
    struct scim_value value;       /* COMPARE; VALUE_PATH with then_sub unless op is PR */
    struct scim_filter *inner;     /* VALUE_PATH: the bracket's filter (names relative) */
    const char *then_sub;          /* VALUE_PATH: sub-attribute after "]" (leniency) or NULL */
};

/* A PATCH path: attr alone, or attr[filter] with an optional sub-attribute after "]". */
struct scim_path {
    struct scim_attr_path attr;
    struct scim_filter *filter;    /* NULL for a plain attribute path */
    const char *value_sub;         /* "emails[type eq \"work\"].value": "value"; else NULL */
};

/* Parses the len bytes at s (a filter parameter's decoded value) into *out, allocated in a.
 * On failure *out is NULL and err says why and where; err may not be NULL. */
enum scim_filter_status scim_filter_parse(struct arena *a, const char *s, size_t len,
                                          struct scim_filter **out,
                                          struct scim_filter_error *err);
/* The same for a PATCH operation's path (or a PATCH value's key such as "name.givenName"). */
enum scim_filter_status scim_path_parse(struct arena *a, const char *s, size_t len,
                                        struct scim_path **out, struct scim_filter_error *err);

/* The canonical text of a tree: operators and keywords lower case, names as written, strings
 * double-quoted with JSON escapes, single spaces, parentheses only where the tree needs them.
 * Parsing it again gives a tree with the same text. NULL when out of memory. In the arena. */
char *scim_filter_to_string(struct arena *a, const struct scim_filter *f);
char *scim_path_to_string(struct arena *a, const struct scim_path *p);

/* The operator's keyword ("eq" ... "pr"). */
const char *scim_op_name(enum scim_op op);
/* 1 when an attribute path's name (or sub, or urn) equals want, ignoring ASCII case; NULL
 * never equals. For the next step's attribute lookup. */
int scim_name_is(const char *name, const char *want);
/* A short English description of a status (static). */
const char *scim_filter_status_str(enum scim_filter_status st);

#endif
