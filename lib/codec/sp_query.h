/* sp_query.h: a bounded parser for the query parameters of ServicePower's Users Query API
 * (GET /seiapi/v3/query/Users: filter, filters, q, sort, start, limit) into a small structure
 * in the caller's arena. Pure codec: it takes already URL-decoded (name, value) pairs (the form
 * decoder's output) one at a time, knows the field table below and nothing of the store; a
 * later step turns the structure into a prepared statement with bound values. Nothing here is
 * ever text for SQL; q's term is kept literal (LIKE's % _ \ are the next step's to escape).
 *
 * Parameters (names matched ignoring ASCII case; an empty value is the same as no parameter,
 * as clients that build URLs from templates send "sort=&q="; each at most once, else
 * SPQ_DUPLICATE):
 *   filter=F:v[,F:v...]   every item an exact, case-insensitive match, all ANDed. v is the
 *                         rest of the item after the first ':' up to the next ',', literal (no
 *                         quoting exists in this form: a value cannot hold ','), never empty.
 *                         The vendor's page writes the form as "filter=field:value,filter:field:
 *                         value": an item's leading "filter:" is therefore skipped.
 *   filters=EXPR          comparisons joined by ";" or " and " (AND) and "," or " or " (OR);
 *                         AND binds first; no parentheses (grouping is refused). A comparison is
 *                         FIELD OP ARGS with optional whitespace around OP:
 *                           OP   "==", "!=" or "=ne=", "=gt=" or ">", "=ge=" or ">=",
 *                                "=lt=" or "<", "=le=" or "<=", "=in=", "=out=" (the =x= forms
 *                                ignore ASCII case)
 *                           ARGS a value, or for =in= / =out= "(" v *("," v) ")" (1 to
 *                                SPQ_MAX_VALUES values; a single value without parentheses
 *                                is a list of one)
 *                         A value is unquoted (one or more characters, none of them whitespace
 *                         or one of " ' ( ) ; , = ! ~ < >, as in RSQL, whose syntax this one
 *                         follows) or quoted with " or ' (a backslash takes the next character
 *                         literally; "" is the empty string). "and"/"or" must be followed by
 *                         whitespace. Comparisons ignore case here too (the vendor says so
 *                         of both forms): the next step's collation business.
 *   q=TERM[::in:F1,F2...] a partial, case-insensitive match of TERM (literal, not empty) in any
 *                         of the fields named ("::in:" matched ignoring case), by default in
 *                         every field allowed for q.
 *   sort=[-]F1[,[-]F2...] the order ("-" descending); each field once. None: the store's
 *                         default (UserID).
 *   start=N, limit=N      decimal digits only: start 0..SPQ_MAX_START (default 0), limit
 *                         0..SPQ_MAX_LIMIT (default SPQ_DEFAULT_LIMIT); over the maximum is
 *                         refused, never silently cut.
 *   fields=...            the vendor's projection parameter: refused (SPQ_UNSUPPORTED_PARAM).
 *   anything else         SPQ_NOT_QUERY, nothing recorded (customerid, customercode ... are
 *                         the caller's).
 *
 * Fields (ASCII case ignored): DGroupID, Email, Facetime*, FirstName, IsMobileWorker*,
 * LanguageCode, LastName, Locked*, ServiceTeamID, SMS*, StorageLocation, UserID, UserStatus.
 * * are booleans: not allowed in q; their values must be true or false (ASCII case ignored,
 * stored lower case) and compare only with ==, !=, =in=, =out=. Every field may be sorted on.
 * UserStatus is the User Object's Status, StorageLocation its StorageLocationID.
 * Field names are trimmed of surrounding spaces ("sort=+FirstName" arrives as " FirstName").
 *
 * Limits: SPQ_MAX_LEN bytes per value (which must be valid UTF-8 without NUL or control
 * characters), SPQ_MAX_TERMS comparisons over filter and filters together, SPQ_MAX_VALUES per
 * list. Cost is linear in the input; there is no recursion.
 *
 * Errors: every refusal has its own status, the byte offset into the value, a plain-words
 * message, and `text`: the offending parameter as "name=value" (when the whole is longer than
 * SPQ_TEXT_MAX bytes: from the offending part, or the value's last 40 bytes when the fault is
 * its very end; cut on a UTF-8 boundary and marked "..."; invalid bytes and control
 * characters shown as '?'), for the dialect's 400 "Unsupported filter: <text>". */
#ifndef PROV_SP_QUERY_H
#define PROV_SP_QUERY_H

#include <stddef.h>

struct arena;

enum {
    SPQ_MAX_LEN = 4096,          /* bytes of one parameter's value */
    SPQ_MAX_TERMS = 64,          /* comparisons in filter and filters together */
    SPQ_MAX_VALUES = 64,         /* values in one =in= / =out= list */
    SPQ_DEFAULT_LIMIT = 100,
    SPQ_MAX_LIMIT = 1000,
    SPQ_MAX_START = 1000000000,
    SPQ_TEXT_MAX = 100           /* bytes of an error's text (before "...") */
};

enum spq_status {
    SPQ_OK = 0,
    SPQ_NOT_QUERY,          /* not one of this module's parameters: nothing recorded */
    SPQ_UNSUPPORTED_PARAM,  /* a vendor parameter this service does not offer (fields) */
    SPQ_DUPLICATE,          /* the parameter was already given */
    SPQ_TOO_LONG,           /* a value over SPQ_MAX_LEN bytes */
    SPQ_BAD_TEXT,           /* not valid UTF-8, a NUL or a control character */
    SPQ_EXPECTED_FIELD,     /* a field name was expected (empty item, ";;", trailing ",") */
    SPQ_UNKNOWN_FIELD,      /* a name not in the field table */
    SPQ_FIELD_NOT_ALLOWED,  /* a boolean field in q */
    SPQ_EXPECTED_COLON,     /* a filter item without ':' */
    SPQ_BAD_OPERATOR,       /* filters: a missing or unsupported operator (=like=) */
    SPQ_EXPECTED_VALUE,     /* a missing value */
    SPQ_BAD_QUOTE,          /* a quoted value never closed, or a final backslash */
    SPQ_BAD_LIST,           /* a list with another operator than =in= / =out=, empty, unclosed */
    SPQ_PARENTHESES,        /* filters: parentheses for grouping */
    SPQ_EXPECTED_LOGIC,     /* filters: after a comparison, not ; , and or */
    SPQ_BAD_BOOLEAN,        /* a boolean field with a value other than true/false, or with an
                               ordering operator */
    SPQ_TOO_MANY_TERMS,     /* over SPQ_MAX_TERMS comparisons */
    SPQ_TOO_MANY_VALUES,    /* over SPQ_MAX_VALUES values in a list */
    SPQ_EMPTY_TERM,         /* q: nothing before "::in:" */
    SPQ_DUPLICATE_SORT,     /* sort: a field twice */
    SPQ_BAD_NUMBER,         /* start/limit: not decimal digits */
    SPQ_OUT_OF_RANGE,       /* start/limit: over its maximum */
    SPQ_NOMEM
};

enum spq_field {
    SPQ_F_DGROUPID, SPQ_F_EMAIL, SPQ_F_FACETIME, SPQ_F_FIRSTNAME, SPQ_F_ISMOBILEWORKER,
    SPQ_F_LANGUAGECODE, SPQ_F_LASTNAME, SPQ_F_LOCKED, SPQ_F_SERVICETEAMID, SPQ_F_SMS,
    SPQ_F_STORAGELOCATION, SPQ_F_USERID, SPQ_F_USERSTATUS,
    SPQ_F_COUNT
};

enum spq_op { SPQ_OP_EQ, SPQ_OP_NE, SPQ_OP_GT, SPQ_OP_GE, SPQ_OP_LT, SPQ_OP_LE, SPQ_OP_IN,
              SPQ_OP_OUT };

/* A value: NUL-terminated, valid UTF-8 without NUL or control characters, in the arena. */
struct spq_value {
    const char *s;
    size_t len;
};

/* field op values; EQ to OUT other than IN/OUT have exactly one value. */
struct spq_cmp {
    enum spq_field field;
    enum spq_op op;
    size_t nvalues;
    struct spq_value *values;
};

/* Comparisons all of which must hold. */
struct spq_and {
    size_t n;
    struct spq_cmp *cmps;
};

struct spq_sort {
    enum spq_field field;
    int desc;
};

/* The whole query. The result set is: filter AND filters AND q, each when present. */
struct spq_query {
    size_t nfilter;               /* filter=: SPQ_OP_EQ comparisons, all ANDed */
    struct spq_cmp *filter;
    size_t ngroups;               /* filters=: groups ORed; 0 when absent */
    struct spq_and *groups;
    const char *q;                /* q=: the term, or NULL */
    size_t qlen;
    unsigned q_fields;            /* bit (1u << field) per field searched */
    size_t nsort;                 /* sort=: 0 for the default order */
    struct spq_sort sort[SPQ_F_COUNT];
    long start, limit;
    unsigned given;               /* parameters seen (for SPQ_DUPLICATE) */
    size_t terms;                 /* comparisons so far */
};

struct spq_error {
    enum spq_status status;
    size_t offset;                /* byte offset into the value */
    char text[SPQ_TEXT_MAX + 8];  /* "name=value", bounded (see above) */
    char msg[160];                /* plain words, ending "at byte N" */
};

/* An empty query: no filter, no q, default sort, start 0, limit SPQ_DEFAULT_LIMIT. */
void spq_init(struct spq_query *q);
/* Adds one decoded parameter (name and value need not be NUL-terminated; both borrowed for
 * the call only: what is kept is copied into a). On failure err says why, q keeps what earlier
 * calls added, and the caller answers the error (q should then be dropped). */
enum spq_status spq_add(struct spq_query *q, struct arena *a, const char *name, size_t nlen,
                        const char *value, size_t vlen, struct spq_error *err);

/* The canonical text: one "name=value\n" line per parameter given, in the order filter,
 * filters, q, sort, then always start and limit; canonical field names, filters values always
 * double-quoted. Feeding its lines back to spq_add gives a query with the same text. In the
 * arena; NULL when out of memory. */
char *spq_to_string(struct arena *a, const struct spq_query *q);

/* The field's canonical name ("DGroupID" ...). */
const char *spq_field_name(enum spq_field f);
/* 1 for IsMobileWorker, Locked, SMS, Facetime. */
int spq_field_is_bool(enum spq_field f);
/* The operator's canonical spelling ("==", "!=", "=gt=" ...). */
const char *spq_op_name(enum spq_op op);
/* A short English description of a status (static). */
const char *spq_status_str(enum spq_status st);

#endif
